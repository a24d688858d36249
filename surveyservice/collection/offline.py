"""What lets the forms work offline: the service worker and the staff app's manifest."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from flask import Blueprint, Response, current_app, url_for

from ..compression import compressed

bp = Blueprint("offline", __name__)

STATIC = Path(__file__).resolve().parents[1] / "static"
# The files every form needs, kept on the device by the service worker.
APP_FILES = (
    "form.js",
    "questions.js",
    "walk.js",
    "position.js",
    "photos.js",
    "outbox.js",
    "kiosk.js",
    "kiosk-guard.js",
    "form.css",
    "app.css",
    "icon.svg",
    "manifest.webmanifest",
    # The areas' maps (the form's map of the area, drawn by Leaflet).
    "area-map.js",
    "area-map.css",
    "vendor/leaflet/leaflet.js",
    "vendor/leaflet/leaflet.css",
)
# Imported by another script under a relative name, so always asked for without a version.
IMPORTED_BY_NAME = (
    "outbox.js",
    "kiosk.js",
    "questions.js",
    "walk.js",
    "position.js",
    "photos.js",
    "area-map.js",
)


@cache
def _release_of_files() -> str:
    digest = hashlib.sha256()
    for name in (*APP_FILES, "sw.js"):
        digest.update((STATIC / name).read_bytes())
    return digest.hexdigest()[:16]


def release() -> str:
    """Names this release of the app's files: it changes whenever one of them does."""
    return current_app.config.get("APP_RELEASE") or _release_of_files()


@bp.get("/sw.js")
@compressed
def service_worker():
    source = (STATIC / "sw.js").read_text(encoding="utf-8")
    # The URLs the pages ask for, versioned or not, so that the worker's install finds
    # them in the browser's HTTP cache instead of downloading them again.
    files = [
        f"/static/{name}" if name in IMPORTED_BY_NAME else url_for("static", filename=name)
        for name in APP_FILES
    ]
    source = source.replace("__RELEASE__", release()).replace("__APP_FILES__", json.dumps(files))
    response = Response(source, mimetype="text/javascript")
    # The browser must see a new release at once, and the worker governs the whole site.
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response
