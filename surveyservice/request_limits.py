"""How large a request may be, checked before anything reads it.

The app answers these limits itself, in the API's JSON error shape under /api;
gunicorn's own limits (gunicorn.conf.py) are set above them so that they only
ever catch what is far beyond any real request.
"""

import tempfile

from flask import Flask, abort, current_app, request

# A tablet's saved queue, and the sealed file that holds it (base64 adds a third).
SAVED_QUEUE_BYTES = 8 * 1024 * 1024
SAVED_FILE_BYTES = SAVED_QUEUE_BYTES * 4 // 3 + 64 * 1024
# One photo as uploaded: the tablet sends about 0.5 MB, an API client perhaps a
# camera's original.
PHOTO_BYTES = 8 * 1024 * 1024
# An area's map, as a coordinator exports it from a map service.
AREA_MAP_BYTES = 20 * 1024 * 1024
# Longest path and query: a collection point's URL is about 40 characters.
MAX_URL_CHARS = 4096
MAX_HEADER_BYTES = 8190
MAX_ALL_HEADERS_BYTES = 32 * 1024


def _limits() -> dict[str, int]:
    one = current_app.config["SUBMISSION_MAX_BYTES"]
    return {
        # A response is small; refuse anything larger before reading it.
        "collect.Responses": one,
        "collection_form.submit_form": one,
        # A batch holds up to 100 responses; larger ones are split by the device.
        "collect.Batch": one * 16,
        # A tablet's saved queue after a long time offline.
        "staff.import_queue": SAVED_FILE_BYTES + 64 * 1024,
        "photos.Upload": PHOTO_BYTES,
        # An area's map image (walks/area_maps.py MAX_BYTES) with its corners.
        "area_maps.upload": AREA_MAP_BYTES + 64 * 1024,
    }


def _refuse_oversized_head() -> None:
    environ = request.environ
    url = environ.get("RAW_URI") or environ.get("REQUEST_URI") or request.full_path
    if len(url) > MAX_URL_CHARS:
        abort(414, f"The address is longer than {MAX_URL_CHARS} characters.")
    total = 0
    for name, value in request.headers.items():
        size = len(name) + len(value) + 4
        if size > MAX_HEADER_BYTES:
            abort(431, f"The header {name[:40]} is larger than {MAX_HEADER_BYTES} bytes.")
        total += size
    if total > MAX_ALL_HEADERS_BYTES:
        abort(431, f"The headers are larger than {MAX_ALL_HEADERS_BYTES} bytes together.")


def _buffer_streamed_body(limit: int) -> None:
    """Read a body sent without Content-Length (chunked) now, to refuse it as too
    large (413) rather than cut it at the limit, where it would only look malformed."""
    environ = request.environ
    if "wsgi.input_terminated" not in environ or environ.get("CONTENT_LENGTH"):
        return
    # Kept in memory up to 1 MiB, on disk beyond: the body is read before anyone is
    # known to be signed in, so a large one must not cost a worker its memory.
    body = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115 (kept open)
    size = 0
    while chunk := environ["wsgi.input"].read(64 * 1024):
        size += len(chunk)
        if size > limit:
            body.close()
            abort(413)
        body.write(chunk)
    body.seek(0)
    environ["wsgi.input"] = body
    environ["CONTENT_LENGTH"] = str(size)
    request.__dict__.pop("content_length", None)  # computed from the header above


def init_app(app: Flask) -> None:
    # Registered first: the other checks (unstorable text, CSRF) read the body.
    @app.before_request
    def limit_request_size():
        _refuse_oversized_head()
        limit = _limits().get(request.endpoint or "")
        if limit is not None:
            request.max_content_length = limit
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            _buffer_streamed_body(request.max_content_length)
