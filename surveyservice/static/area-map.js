// An area's map: the coordinator's image of the area drawn with Leaflet, the
// organisation's tile server under it when one is configured and the device is online.
// Used by the form (to place a point) and by the coordinators' pages (to show points).
//
// Leaflet is a global script: a page includes it before its modules with the macro in
// templates/walks/_area_map.html (or calls loadLeaflet() first). Nothing here asks
// any other site for anything unless the organisation configured tiles.
//
//   const map = createAreaMap(element, config, { pick: true });
//   config = { image, bounds: [[south, west], [north, east]], tiles: { url, attribution },
//              labels: { ...translated texts, see LABELS } }
//   map === null: there is no map to draw; show the named places and GPS only.

const LABELS = {
  map: "Map of the area",
  keys: "Arrow keys move the map, plus and minus zoom.",
  placeAtCentre: "Place the point at the map's centre",
  point: "The chosen point",
  zoomIn: "Zoom in",
  zoomOut: "Zoom out",
  image: "Map image of the area",
};

const here = (path) => new URL(path, import.meta.url).href;

function addOnce(tag, attributes) {
  const found = document.querySelector(`${tag}[data-area-map="${attributes["data-area-map"]}"]`);
  if (found) return found;
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  document.head.append(element);
  return element;
}

/** Loads Leaflet and the map's styles when the page did not include them. */
export function loadLeaflet() {
  addOnce("link", { rel: "stylesheet", href: here("./vendor/leaflet/leaflet.css"), "data-area-map": "leaflet-css" });
  addOnce("link", { rel: "stylesheet", href: here("./area-map.css"), "data-area-map": "css" });
  if (window.L) return Promise.resolve(window.L);
  const script = addOnce("script", { src: here("./vendor/leaflet/leaflet.js"), "data-area-map": "leaflet" });
  return new Promise((resolve, reject) => {
    script.addEventListener("load", () => resolve(window.L));
    script.addEventListener("error", () => reject(new Error("Leaflet could not be loaded")));
  });
}

/** Asks the service worker to keep the map's image, for a page that shows it only later. */
export function keepAreaMap(config) {
  const worker = navigator.serviceWorker?.controller;
  if (config?.image && worker) {
    worker.postMessage({ type: "keep", urls: [new URL(config.image, location.href).href] });
  }
}

// Leaflet writes the attribution as HTML: an organisation's text must stay text.
function escapeHtml(text) {
  const span = document.createElement("span");
  span.textContent = text;
  return span.innerHTML;
}

function validBounds(bounds) {
  return Array.isArray(bounds) && bounds.length === 2 &&
    bounds.flat().length === 4 && bounds.flat().every(Number.isFinite) &&
    bounds[0][0] < bounds[1][0] && bounds[0][1] < bounds[1][1];
}

/**
 * Draws the area's map in `element`; null when there is nothing to draw (no image,
 * and no tiles or no network).
 * options: pick (a tap places the point; adds the centre button), online (defaults to
 * navigator.onLine), centreButtonParent (where the button goes; after the map by default).
 */
export function createAreaMap(element, config, options = {}) {
  const L = window.L;
  if (!L) throw new Error("area-map.js needs Leaflet: include walks/_area_map.html or await loadLeaflet()");
  if (!config) return null;
  const labels = { ...LABELS, ...(config.labels || {}) };
  const bounds = validBounds(config.bounds) ? L.latLngBounds(config.bounds) : null;
  const image = config.image && bounds ? config.image : null;
  const online = options.online ?? navigator.onLine;
  const tiles = config.tiles?.url ? config.tiles : null;
  if (!image && !(tiles && online)) return null;
  keepAreaMap({ image });

  element.classList.add("area-map");
  const map = L.map(element, { zoomControl: false, keyboard: true, zoomSnap: 0.25 });
  L.control.zoom({ zoomInTitle: labels.zoomIn, zoomOutTitle: labels.zoomOut }).addTo(map);
  element.setAttribute("role", "region");
  element.setAttribute("aria-label", labels.map);
  const keysHint = document.createElement("p");
  keysHint.className = "area-map-hint";
  keysHint.id = `${element.id || "area-map"}-keys`;
  keysHint.textContent = labels.keys;
  element.before(keysHint);
  element.setAttribute("aria-describedby", keysHint.id);

  let tileLayer = null;
  if (tiles) {
    tileLayer = L.tileLayer(tiles.url, { attribution: escapeHtml(tiles.attribution || ""), maxZoom: 19 });
    const showTiles = () => tileLayer.addTo(map).bringToBack();
    if (online) showTiles();
    // No network, no tiles: broken squares over the image would only get in the way.
    window.addEventListener("online", showTiles);
    window.addEventListener("offline", () => tileLayer.remove());
  }
  if (image) {
    L.imageOverlay(image, bounds, { alt: labels.image, className: "area-map-image" }).addTo(map);
    map.fitBounds(bounds);
    const whole = map.getBoundsZoom(bounds);
    map.setMinZoom(Math.max(whole - 1, 0));
    if (!tiles) {
      map.setMaxZoom(whole + 5);
      // Only the image is there: keep it in sight.
      map.setMaxBounds(bounds.pad(0.5));
    }
  } else if (bounds) {
    map.fitBounds(bounds);
  } else {
    map.setView([0, 0], 2);
  }

  const crosshair = document.createElement("div");
  crosshair.className = "area-map-crosshair";
  crosshair.hidden = true;
  crosshair.setAttribute("aria-hidden", "true");
  element.append(crosshair);

  const pickCallbacks = [];
  let marker = null;
  let centreButton = null;
  let points = null;

  const api = {
    map,
    element,
    get centreButton() {
      return centreButton;
    },
    /** Calls back with (lat, lon) when someone taps the map or uses the centre button. */
    onPick(callback) {
      pickCallbacks.push(callback);
      return api;
    },
    setMarker(lat, lon) {
      if (marker) marker.setLatLng([lat, lon]);
      else {
        marker = L.circleMarker([lat, lon], {
          radius: 11, weight: 4, color: "#1b1b1b", fillColor: "#f29900", fillOpacity: 0.9,
          interactive: false, className: "area-map-marker",
        }).addTo(map);
      }
      return api;
    },
    clearMarker() {
      marker?.remove();
      marker = null;
      return api;
    },
    /** points: [{lat, lon, colour, radius, label, href}], drawn as circles with a popup. */
    addPoints(list) {
      points = points || L.featureGroup().addTo(map);
      for (const point of list) {
        if (!Number.isFinite(point.lat) || !Number.isFinite(point.lon)) continue;
        const circle = L.circleMarker([point.lat, point.lon], {
          radius: point.radius || 8, weight: 2, color: "#1b1b1b",
          fillColor: point.colour || "#0b5394", fillOpacity: 0.85,
        });
        const content = document.createElement(point.href ? "a" : "span");
        content.textContent = point.label || `${point.lat}, ${point.lon}`;
        if (point.href) content.href = point.href;
        circle.bindPopup(content);
        circle.addTo(points);
        // Circles are drawn, not focusable: make each one a button for the keyboard.
        const path = circle.getElement();
        if (path) {
          path.setAttribute("tabindex", "0");
          path.setAttribute("role", "button");
          path.setAttribute("aria-label", content.textContent);
          path.addEventListener("keydown", (event) => {
            if (event.key === "Enter" || event.key === " ") {
              event.preventDefault();
              event.stopPropagation();
              circle.openPopup();
              circle.getPopup()?.getElement()?.querySelector("a")?.focus();
            }
          });
        }
      }
      return api;
    },
    clearPoints() {
      points?.clearLayers();
      return api;
    },
    fitToPoints() {
      const within = points?.getLayers().length ? points.getBounds() : null;
      if (within) map.fitBounds(within.pad(0.2), { maxZoom: Math.max(map.getZoom(), 17) });
      else if (bounds) map.fitBounds(bounds);
      return api;
    },
    /** After the map's element was hidden or resized. */
    refresh() {
      map.invalidateSize();
      return api;
    },
    remove() {
      map.remove();
      keysHint.remove();
      centreButton?.remove();
    },
  };

  if (options.pick) {
    const pick = (latlng) => {
      api.setMarker(latlng.lat, latlng.lng);
      for (const callback of pickCallbacks) callback(latlng.lat, latlng.lng);
    };
    map.on("click", (event) => pick(event.latlng));
    centreButton = document.createElement("button");
    centreButton.type = "button";
    centreButton.className = "area-map-centre";
    centreButton.textContent = labels.placeAtCentre;
    centreButton.addEventListener("click", () => pick(map.getCenter()));
    (options.centreButtonParent || element.parentNode).insertBefore(
      centreButton, options.centreButtonParent ? null : element.nextSibling,
    );
    // The crosshair marks the centre while the keyboard is on the map or the button;
    // a tap places the point where it lands, and Leaflet then focuses the map itself.
    let byPointer = false;
    const within = (node) => node && (element.contains(node) || node === centreButton);
    const onFocus = (event) => {
      crosshair.hidden = byPointer || !event.target.matches(":focus-visible");
    };
    const onBlur = (event) => { if (!within(event.relatedTarget)) crosshair.hidden = true; };
    for (const target of [element, centreButton]) {
      target.addEventListener("focusin", onFocus);
      target.addEventListener("focusout", onBlur);
    }
    element.addEventListener("pointerdown", () => {
      byPointer = true;
      crosshair.hidden = true;
    });
    document.addEventListener("keydown", () => { byPointer = false; }, { capture: true });
    element.addEventListener("keydown", () => { crosshair.hidden = false; });
  }
  return api;
}
