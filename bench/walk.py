"""Benchmark: how long a tablet takes to send a safety walk of 20 stops with 2 photos
each, on emulated slow 3G (400 kbit/s each way, 400 ms latency) and unthrottled.

Starts the service under gunicorn on SQLite, signs a staff member in on Debian's
Chromium and opens the Torpa walk in kiosk mode. Offline, the page makes 40 camera-
sized images (4032 x 3024, like a tablet's camera), makes each smaller as the form
does (static/photos.js: longest side 1600 px, JPEG), and puts the walk with its
photos in the outbox. Then it goes online, with the network emulated by Chromium's
DevTools protocol, presses "Send now" and times until the outbox is empty; the
database must then hold the walk once, its 20 observations and 40 photos.

    .venv/bin/python bench/walk.py [--stops 20] [--photos-per-stop 2] [--skip-slow]
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time

import sqlalchemy as sa
from harness import gunicorn, open_kiosk
from harness import prepare as prepare_database
from playwright.sync_api import sync_playwright

from surveyservice.config import database_url

CHROMIUM = "/usr/bin/chromium"
# Bytes per second: 400 kbit/s is 50,000 B/s.
SLOW_3G = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 50_000,
    "uploadThroughput": 50_000,
}
UNTHROTTLED = {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}

# In the page: camera-sized images, made smaller by the form's own code, queued as one
# walk. The images are a sky, a street and noise, so that JPEG has as much to keep as
# in a photo of a place (a flat colour would make them unrealistically small).
QUEUE = """async ({ token, stops, perStop }) => {
  const { enqueue } = await import("/static/outbox.js");
  const { downscale } = await import("/static/photos.js");
  const camera = async (seed) => {
    const canvas = new OffscreenCanvas(4032, 3024);
    const g = canvas.getContext("2d");
    const sky = g.createLinearGradient(0, 0, 0, 3024);
    sky.addColorStop(0, `hsl(${(seed * 37) % 360} 40% 70%)`);
    sky.addColorStop(1, "hsl(30 20% 25%)");
    g.fillStyle = sky;
    g.fillRect(0, 0, 4032, 3024);
    for (let i = 0; i < 400; i++) {
      g.fillStyle = `hsl(${(seed * 13 + i * 7) % 360} 30% ${20 + (i % 50)}%)`;
      const [x0, y0] = [(i * 977 + seed * 131) % 4032, 1200 + ((i * 613) % 1800)];
      g.fillRect(x0, y0, 40 + (i % 300), 30 + (i % 200));
    }
    const noise = g.getImageData(0, 0, 4032, 3024);
    let x = seed * 2654435761 >>> 0;
    for (let i = 0; i < noise.data.length; i += 4) {
      x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
      const n = (x & 31) - 16;
      noise.data[i] += n; noise.data[i + 1] += n; noise.data[i + 2] += n;
    }
    g.putImageData(noise, 0, 0);
    return canvas.convertToBlob({ type: "image/jpeg", quality: 0.92 });
  };
  const photos = [];
  const entries = [];
  for (let s = 0; s < stops; s++) {
    const ids = [];
    for (let p = 0; p < perStop; p++) {
      const id = crypto.randomUUID();
      photos.push({ id, blob: await downscale(await camera(s * perStop + p + 1)) });
      ids.push(id);
    }
    entries.push({
      place: { lat: 58.371 + s * 0.0003, lon: 12.315 + s * 0.0002, accuracy: 6 + s, source: "gps" },
      categories: ["lighting"],
      severity: String(1 + (s % 4)),
      note: `Stopp ${s + 1}: mörkt vid gångvägen`,
      photo: ids,
    });
  }
  await enqueue({
    id: crypto.randomUUID(), token, version: 1, language: "sv", channel: "staff",
    recordedAt: new Date().toISOString(),
    answers: { walk_date: new Date().toISOString().slice(0, 10), light: "dark", stops: entries },
  }, { photos });
  return photos.reduce((sum, p) => sum + p.blob.size, 0);
}"""


def stored(url: str) -> tuple[int, int, int]:
    engine = sa.create_engine(database_url(url))
    with engine.connect() as connection:
        counts = tuple(
            connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608
            for table in ("response", "observation", "photo")
        )
    engine.dispose()
    return counts


def measure(label: str, conditions: dict, stops: int, per_stop: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/walk.sqlite"
        token = prepare_database(url, "torpa-walk", "Torpa", "walk")
        files = f"{folder}/files"
        with (
            gunicorn(url, 4, FILE_STORAGE_DIR=files) as (base, _env),
            sync_playwright() as playwright,
        ):
            browser = playwright.chromium.launch(executable_path=CHROMIUM)
            context = browser.new_context(base_url=base, service_workers="allow")
            page = context.new_page()
            open_kiosk(page, token)
            waiting = page.locator("[data-waiting]")
            waiting.filter(has_text=re.compile("^0$")).wait_for()
            context.set_offline(True)
            walk = {"token": token, "stops": stops, "perStop": per_stop}
            photo_bytes = page.evaluate(QUEUE, walk)
            page.get_by_role("button", name="Skicka nu").click()
            waiting.filter(has_text=re.compile(r"^1\b")).wait_for()
            context.set_offline(False)
            devtools = context.new_cdp_session(page)
            devtools.send("Network.enable")
            devtools.send("Network.emulateNetworkConditions", conditions)
            started = time.monotonic()
            page.get_by_role("button", name="Skicka nu").click()
            waiting.filter(has_text=re.compile("^0$")).wait_for(timeout=30 * 60_000)
            elapsed = time.monotonic() - started
            browser.close()
        responses, observations, photos = stored(url)
    complete = (responses, observations, photos) == (1, stops, stops * per_stop)
    print(
        f"{label}: a walk of {stops} stops with {stops * per_stop} photos "
        f"({photo_bytes / 1e6:.1f} MB after the form made them smaller, "
        f"{photo_bytes / (stops * per_stop) / 1e3:.0f} kB each) sent in {elapsed:.1f} s; "
        f"stored: {responses} walk, {observations} observations, {photos} photos"
        f"{'' if complete else ' (INCOMPLETE)'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stops", type=int, default=20)
    parser.add_argument("--photos-per-stop", type=int, default=2)
    parser.add_argument("--skip-slow", action="store_true", help="measure unthrottled only")
    args = parser.parse_args()
    measure("Unthrottled", UNTHROTTLED, args.stops, args.photos_per_stop)
    if not args.skip_slow:
        measure("Slow 3G (400 kbit/s, 400 ms)", SLOW_3G, args.stops, args.photos_per_stop)


if __name__ == "__main__":
    main()
