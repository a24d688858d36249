"""Headers that keep pages from leaking their URL or running foreign code."""

from flask import Flask, g

IMG_SRC = "'self' data: blob:"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src {img_src}; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def allow_images_from(origin: str) -> None:
    """Let this response's page load images from ``origin`` too (an organisation's
    map tile server, "https://tiles.example.org"); every other page stays as strict."""
    g.setdefault("image_origins", set()).add(origin)


def content_security_policy() -> str:
    extra = sorted(g.get("image_origins", ()))
    return CONTENT_SECURITY_POLICY.format(img_src=" ".join((IMG_SRC, *extra)))


def init_app(app: Flask) -> None:
    @app.after_request
    def add_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", content_security_policy())
        headers.setdefault("X-Content-Type-Options", "nosniff")
        # A collection point's URL is its secret: never send it on to another site.
        # (Same-origin requests keep their Referer: CSRF checks over HTTPS need it.)
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        if app.config["SESSION_COOKIE_SECURE"]:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
