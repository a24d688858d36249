"""How large a request body may be, per kind of request, checked before anything reads it."""

from flask import Flask, current_app, request

SAVED_QUEUE_BYTES = 8 * 1024 * 1024


def _limits() -> dict[str, int]:
    one = current_app.config["SUBMISSION_MAX_BYTES"]
    return {
        # A response is small; refuse anything larger before reading it.
        "collect.Responses": one,
        "collection_form.submit_form": one,
        # A batch holds up to 100 responses; larger ones are split by the device.
        "collect.Batch": one * 16,
        # A tablet's saved queue after a long time offline.
        "staff.import_queue": SAVED_QUEUE_BYTES + 64 * 1024,
    }


def init_app(app: Flask) -> None:
    # Registered before the CSRF check, which reads the form.
    @app.before_request
    def limit_body_size():
        limit = _limits().get(request.endpoint or "")
        if limit is not None:
            request.max_content_length = limit
