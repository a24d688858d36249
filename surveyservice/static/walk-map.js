// The coordinators' map of observations: the area's map (static/area-map.js) with a
// circle per observation, coloured and sized as the page's legend says, each opening
// a link to its observation. The map's settings are in the element's data-map, the
// points in the JSON script element beside it; the list on the page says the same in
// words, so a map that cannot be drawn is only replaced by a sentence saying why.
import { createAreaMap } from "./area-map.js";

const element = document.getElementById("walk-map");
const points = document.getElementById("walk-map-points");
if (element && points) {
  const config = JSON.parse(element.dataset.map);
  config.labels = { ...config.labels, map: element.dataset.mapLabel };
  const map = createAreaMap(element, config);
  if (map) {
    const list = JSON.parse(points.textContent);
    map.addPoints(list);
    if ("aroundPoint" in element.dataset && list.length) {
      // One observation: the whole area's map around it, a step closer, for context.
      map.map.setView([list[0].lat, list[0].lon], map.map.getZoom() + 1);
    } else {
      map.fitToPoints();
    }
  } else {
    const why = document.createElement("p");
    why.className = "no-map";
    why.textContent = element.dataset.noMap;
    element.replaceWith(why);
  }
}
