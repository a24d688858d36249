// A photo question (staff only): the tablet's camera or a chosen image, made smaller in
// the page (longest side 1600 px, JPEG). Drawing it on a canvas also leaves the
// camera's metadata (position, device, time) behind; the server re-encodes it anyway.
// The answer is the photos' ids; the images wait on the device with the walk.

const LONGEST_SIDE = 1600;
const QUALITY = 0.85;

/** The images of this page's photos by id: the draft keeps them, the outbox sends them. */
export const images = new Map();

export async function downscale(file) {
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  const scale = Math.min(1, LONGEST_SIDE / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  canvas.getContext("2d").drawImage(bitmap, 0, 0, width, height);
  bitmap.close?.();
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", QUALITY));
  if (!blob) throw new Error("The image could not be encoded.");
  return blob;
}

/** Sets up one photo question; `changed` is called after a photo is added or removed. */
export function setUpPhotos(q, { msg, newId, changed }) {
  const input = q.querySelector("[data-photo-input]");
  const list = q.querySelector("[data-thumbs]");
  const pick = q.querySelector("[data-photo-pick]");
  const out = q.querySelector("[data-photo-status]");
  const limit = Number(q.querySelector("[data-max-photos]").dataset.maxPhotos);
  const ids = () => JSON.parse(q.dataset.photos || "[]");
  const urls = [];

  q.showPhotos = () => {
    for (const url of urls.splice(0)) URL.revokeObjectURL(url);
    const current = ids().filter((id) => images.has(id));
    list.replaceChildren(...current.map((id, index) => {
      const item = document.createElement("li");
      const img = document.createElement("img");
      const url = URL.createObjectURL(images.get(id));
      urls.push(url);
      img.src = url;
      img.alt = msg("msgPhotoAlt", { number: index + 1 });
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "secondary";
      remove.textContent = msg("msgPhotoRemove", { number: index + 1 });
      remove.addEventListener("click", () => {
        q.dataset.photos = JSON.stringify(ids().filter((other) => other !== id));
        q.showPhotos();
        changed();
        input.focus();
      });
      item.append(img, remove);
      return item;
    }));
    const full = current.length >= limit;
    pick.hidden = full;
    input.disabled = full;
    if (full) out.textContent = msg("msgPhotoTooMany", { limit });
    else if (out.textContent === msg("msgPhotoTooMany", { limit })) out.textContent = "";
  };

  input.addEventListener("change", async () => {
    const files = [...input.files];
    input.value = "";
    for (const file of files) {
      if (ids().length >= limit) {
        out.textContent = msg("msgPhotoTooMany", { limit });
        break;
      }
      try {
        const blob = await downscale(file);
        const id = newId();
        images.set(id, blob);
        q.dataset.photos = JSON.stringify([...ids(), id]);
        out.textContent = "";
      } catch {
        out.textContent = msg("msgPhotoFailed");
      }
    }
    q.showPhotos();
    changed();
  });
  q.showPhotos();
}
