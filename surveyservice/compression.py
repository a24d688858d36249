"""Compressed answers for the static files and the resident's pages, the bytes a phone
on a weak connection waits for.

Only responses that hold no secret are compressed: the static files and the views
marked ``@compressed`` (the resident's form, its thank-you page, the service
worker). A compressed page that holds a secret beside text an attacker chose can give
the secret away by its length (BREACH), so signed-in pages with CSRF tokens are left
alone. The output depends on the content only (gzip without a timestamp), so every
worker and server sends the same bytes under the same ETag.
"""

from __future__ import annotations

import functools
import gzip
from collections.abc import Callable

import brotli
from flask import Flask, Response, request
from werkzeug.datastructures import Accept
from werkzeug.http import parse_accept_header

COMPRESSIBLE = frozenset(
    {
        "text/html",
        "text/css",
        "text/javascript",
        "application/javascript",
        "application/json",
        "application/manifest+json",
        "image/svg+xml",
    }
)
# Smaller bodies gain less than the Content-Encoding header costs.
MIN_SIZE = 512
ENCODINGS = ("br", "gzip")  # preferred first


def compressed(view: Callable) -> Callable:
    """Mark a view whose responses hold nothing secret, so may be compressed."""
    view.compressed = True
    return view


def choose_encoding(accept_encoding: str) -> str | None:
    """The best encoding of ours that the client takes, or None."""
    accepted = parse_accept_header(accept_encoding, Accept)
    best, best_quality = None, 0.0
    for encoding in ENCODINGS:
        quality = accepted[encoding]
        if quality > best_quality:
            best, best_quality = encoding, quality
    return best


@functools.lru_cache(maxsize=128)
def compress(data: bytes, encoding: str, thorough: bool = False) -> bytes:
    """The same bytes for the same content: no timestamp, and cached per worker.

    Brotli's best quality takes about 80 ms for 30 kB: worth it for the few static
    files, each compressed once per worker; pages, of which there are as many as
    collection points and languages, get quality 5 (about 1 ms, 10% larger).
    """
    if encoding == "br":
        return brotli.compress(data, quality=11 if thorough else 5)
    return gzip.compress(data, compresslevel=9, mtime=0)


def _may_compress(app: Flask, response: Response) -> bool:
    if request.endpoint != "static":
        view = app.view_functions.get(request.endpoint or "")
        if not getattr(view, "compressed", False):
            return False
    return (
        request.method in ("GET", "HEAD")
        and response.status_code == 200
        and response.mimetype in COMPRESSIBLE
        and "Content-Encoding" not in response.headers
    )


def init_app(app: Flask) -> None:
    @app.after_request
    def compress_response(response: Response) -> Response:
        if not _may_compress(app, response):
            return response
        # Caches must keep one copy per encoding, compressed or not.
        response.vary.add("Accept-Encoding")
        encoding = choose_encoding(request.headers.get("Accept-Encoding", ""))
        if encoding is None:
            return response
        response.direct_passthrough = False
        data = response.get_data()
        if len(data) < MIN_SIZE:
            return response
        response.set_data(compress(data, encoding, thorough=request.endpoint == "static"))
        response.headers["Content-Encoding"] = encoding
        # Byte ranges would name bytes of the file, not of what is sent.
        response.headers.pop("Accept-Ranges", None)
        etag, weak = response.get_etag()
        if etag:
            response.set_etag(f"{etag}-{encoding}", weak)
            # A browser revalidates with the compressed ETag: answer 304 when it matches.
            response.make_conditional(request)
        return response
