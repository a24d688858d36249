// The area's map page: the present map drawn as the form draws it; a tap (or the
// centre button, for the keyboard) shows a place's coordinates, to check that the
// corners are right.
import { createAreaMap } from "./area-map.js";

const box = document.querySelector(".area-map-preview");
if (box) {
  const config = JSON.parse(box.dataset.map);
  config.labels = { ...config.labels, placeAtCentre: box.dataset.pickLabel };
  const map = createAreaMap(document.getElementById("area-map"), config, { pick: true });
  const shown = document.getElementById("map-picked");
  map?.onPick((lat, lon) => {
    shown.textContent = box.dataset.picked
      .replace("{lat}", lat.toFixed(5))
      .replace("{lon}", lon.toFixed(5));
  });
}
