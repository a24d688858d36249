"""Static files under URLs that name their content, so that browsers keep them a year.

``url_for("static", filename=...)`` adds ``?v=`` and a hash of the file. A request
whose ``v`` is the file's current hash may be cached as immutable; any other (no
``v``, or a page from before a release asking for a file that has changed since) is
answered as before, to be revalidated, so nothing stale is ever kept. The names stay
as they are, so relative imports between the scripts keep working.
"""

from __future__ import annotations

import functools
import hashlib
import os
import stat

from flask import Flask, request
from werkzeug.security import safe_join

IMMUTABLE = "public, max-age=31536000, immutable"


@functools.lru_cache(maxsize=256)
def _digest(path: str, mtime_ns: int, size: int) -> str:
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()[:16]


def file_version(folder: str, filename: str) -> str | None:
    """A hash of the file's content; None when there is no such file."""
    path = safe_join(folder, filename)
    if path is None:
        return None
    try:
        info = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return _digest(path, info.st_mtime_ns, info.st_size)


def init_app(app: Flask) -> None:
    folder = app.static_folder
    assert folder is not None

    @app.url_defaults
    def version_static_urls(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "v" not in values and "filename" in values:
            version = file_version(folder, values["filename"])
            if version:
                values["v"] = version

    @app.after_request
    def cache_versioned_files(response):
        if request.endpoint != "static" or response.status_code not in (200, 304):
            return response
        asked = request.args.get("v")
        if asked and asked == file_version(folder, request.view_args["filename"]):
            response.headers["Cache-Control"] = IMMUTABLE
            response.headers.pop("Expires", None)
        return response
