// A location question: "Use my position" (the device's GPS), a point tapped on the
// area's map, or a named place from the list. All three work without a network once
// the page and the map's image are on the device.

const field = (q, suffix) =>
  [...q.querySelectorAll("[name]")].find((e) => e.closest(".q") === q && e.name.endsWith(suffix));

let leaflet = null;
async function areaMapModule() {
  leaflet ??= import("./area-map.js").then(async (module) => {
    await module.loadLeaflet();
    return module;
  });
  return leaflet;
}

/** Sets up one location question; `changed` is called after every new position. */
export function setUpPosition(q, { msg, staff, mapConfig, changed }) {
  const box = q.querySelector("[data-geo]");
  if (!box) return;
  const out = box.querySelector("[data-geo-status]");
  const button = box.querySelector("[data-geo-button]");
  const clear = box.querySelector("[data-geo-clear]");
  const place = field(q, ".place");
  const set = (values) => {
    for (const key of ["lat", "lon", "accuracy", "source"]) {
      const input = field(q, `.${key}`);
      if (input) input.value = values[key] ?? "";
    }
  };
  let map = null;

  // What the question holds now, in words; the map's marker where the position is.
  q.showPosition = () => {
    const lat = field(q, ".lat").value;
    const lon = field(q, ".lon").value;
    const accuracy = field(q, ".accuracy")?.value;
    const source = field(q, ".source")?.value;
    if (clear) clear.hidden = !(lat && lon);
    if (lat && lon) {
      if (source === "map") out.textContent = msg("msgGeoPicked");
      else if (staff && accuracy) out.textContent = msg("msgGeoAccuracy", { metres: accuracy });
      else out.textContent = msg(staff ? "msgGeoPicked" : "msgGeoOk");
      map?.setMarker(Number(lat), Number(lon));
    } else {
      out.textContent = "";
      const chosen = place?.selectedOptions[0];
      if (chosen?.dataset.lat && chosen?.dataset.lon) {
        map?.setMarker(Number(chosen.dataset.lat), Number(chosen.dataset.lon));
      } else {
        map?.clearMarker();
      }
    }
  };

  if (navigator.geolocation) {
    box.hidden = false;
    button.addEventListener("click", () => {
      out.textContent = msg("msgGeoFinding");
      navigator.geolocation.getCurrentPosition(
        ({ coords }) => {
          // Staff describe a place and keep the precision; a resident's position is
          // rounded on the server anyway, so the page keeps no more than it sends.
          const digits = staff ? 6 : 5;
          set({
            lat: coords.latitude.toFixed(digits),
            lon: coords.longitude.toFixed(digits),
            accuracy: staff && Number.isFinite(coords.accuracy) ? String(Math.round(coords.accuracy)) : "",
            source: staff ? "gps" : "",
          });
          q.showPosition();
          changed();
        },
        () => { out.textContent = msg("msgGeoFailed"); },
        { enableHighAccuracy: true, timeout: 20000, maximumAge: 10000 },
      );
    });
  }
  clear?.addEventListener("click", () => {
    set({});
    q.showPosition();
    changed();
    button.focus();
  });
  place?.addEventListener("change", () => q.showPosition());

  // Drawn once it can be seen: Leaflet measures its element, and an entry's editor
  // is hidden until an entry is opened.
  const element = box.querySelector("[data-area-map]");
  let drawing = null;
  let watching = null;
  const draw = () => {
    if (!element || !mapConfig || element.hidden) return;
    if (map) {
      map.refresh().fitToPoints();
      q.showPosition();
      return;
    }
    if (drawing) return;
    if (!element.getClientRects().length) {
      // Not shown yet (a kiosk shows its form once unlocked): draw once it is.
      watching ??= new ResizeObserver(() => {
        if (element.getClientRects().length) draw();
      });
      watching.observe(element);
      return;
    }
    watching?.disconnect();
    drawing = areaMapModule().then((module) => {
      map = module.createAreaMap(element, mapConfig, { pick: true });
      if (!map) {
        element.hidden = true;
        return;
      }
      map.onPick((lat, lon) => {
        set({ lat: lat.toFixed(6), lon: lon.toFixed(6), source: staff ? "map" : "" });
        q.showPosition();
        changed();
      });
      q.showPosition();
    }).catch(() => { element.hidden = true; });
  };
  if (element && mapConfig) box.hidden = false;
  q.refreshMap = draw;
  draw();
  q.showPosition();
}
