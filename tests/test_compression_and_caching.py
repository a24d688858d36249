"""Static files and the resident's pages: compressed when the client takes it, and the
static files cached for a year under URLs that name their content."""

import gzip
import re
from pathlib import Path

import brotli
import pytest
from flask import url_for

from surveyservice.compression import choose_encoding

STATIC = Path(__file__).resolve().parents[1] / "surveyservice" / "static"
YEAR = "public, max-age=31536000, immutable"


def decoded(response) -> bytes:
    encoding = response.headers.get("Content-Encoding")
    if encoding == "gzip":
        return gzip.decompress(response.data)
    if encoding == "br":
        return brotli.decompress(response.data)
    assert encoding is None, encoding
    return response.data


def static_url(app, name: str) -> str:
    with app.test_request_context():
        return url_for("static", filename=name)


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_static_files_are_sent_compressed_when_the_client_takes_it(app, client, encoding):
    response = client.get(static_url(app, "form.js"), headers={"Accept-Encoding": encoding})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    assert int(response.headers["Content-Length"]) == len(response.data)
    assert len(response.data) < (STATIC / "form.js").stat().st_size / 2
    assert decoded(response) == (STATIC / "form.js").read_bytes()
    assert response.mimetype == "text/javascript"


def test_brotli_is_preferred_and_refusals_are_respected(app, client):
    url = static_url(app, "form.css")
    assert (
        client.get(url, headers={"Accept-Encoding": "gzip, deflate, br, zstd"}).headers[
            "Content-Encoding"
        ]
        == "br"
    )
    plain = client.get(url, headers={"Accept-Encoding": "br;q=0, gzip;q=0"})
    assert "Content-Encoding" not in plain.headers
    assert plain.data == (STATIC / "form.css").read_bytes()
    # A cache must not hand the plain copy to a client that asked for br, or the reverse.
    assert "Accept-Encoding" in plain.headers["Vary"]
    assert "Content-Encoding" not in client.get(url).headers


def test_choose_encoding():
    assert choose_encoding("gzip, deflate, br") == "br"
    assert choose_encoding("br;q=0.5, gzip") == "gzip"
    assert choose_encoding("*") == "br"
    assert choose_encoding("identity") is None
    assert choose_encoding("") is None


def test_tiny_files_are_sent_as_they_are(app, client):
    response = client.get(static_url(app, "icon.svg"), headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers


def test_revalidation_with_the_compressed_etag_gets_304(app, client):
    url = static_url(app, "outbox.js")
    first = client.get(url, headers={"Accept-Encoding": "gzip"})
    etag = first.headers["ETag"]
    assert etag.endswith('-gzip"')
    again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    other = client.get(url, headers={"Accept-Encoding": "br", "If-None-Match": etag})
    assert other.status_code == 200
    assert other.headers["Content-Encoding"] == "br"


def test_static_urls_carry_the_hash_of_the_file(app):
    url = static_url(app, "form.js")
    assert re.fullmatch(r"/static/form\.js\?v=[0-9a-f]{16}", url)
    assert static_url(app, "outbox.js").split("?v=")[1] != url.split("?v=")[1]
    assert static_url(app, "no-such-file.js") == "/static/no-such-file.js"


def test_only_the_current_version_is_cached_for_a_year(app, client):
    url = static_url(app, "form.css")
    current = client.get(url)
    assert current.headers["Cache-Control"] == YEAR
    assert "Expires" not in current.headers
    # An old page's URL, or one without a version, must be checked again every time.
    for stale in ("/static/form.css?v=0123456789abcdef", "/static/form.css"):
        response = client.get(stale)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-cache"


def test_the_form_page_is_compressed_and_the_same_bytes_every_time(
    client, make_point, org, make_questionnaire
):
    token = make_point(make_questionnaire(org)).token
    plain = client.get(f"/f/{token}")
    headers = {"Accept-Encoding": "gzip, br"}
    first = client.get(f"/f/{token}", headers=headers)
    second = client.get(
        f"/f/{token}", headers={**headers, "User-Agent": "other", "Accept-Language": "ar"}
    )
    assert first.headers["Content-Encoding"] == "br"
    assert first.data == second.data
    assert decoded(first) == plain.data
    assert len(first.data) < len(plain.data) / 2
    # Compression adds the encoding to Vary, and nothing that tells people apart.
    vary = {name.strip() for name in first.headers["Vary"].split(",")}
    assert "Accept-Encoding" in vary
    assert vary - {"Cookie"} == {"Accept-Encoding"}
    assert "Set-Cookie" not in first.headers
    html = plain.get_data(as_text=True)
    assert re.search(r'src="/static/form\.js\?v=[0-9a-f]{16}"', html)
    gz = client.get(f"/f/{token}", headers={"Accept-Encoding": "gzip"})
    assert gzip.decompress(gz.data) == plain.data
    assert gz.data == client.get(f"/f/{token}", headers={"Accept-Encoding": "gzip"}).data


def test_the_service_worker_lists_the_versioned_files_and_is_compressed(app, client):
    response = client.get("/sw.js", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Cache-Control"] == "no-cache"
    source = gzip.decompress(response.data).decode()
    assert f'"{static_url(app, "form.js")}"' in source
    assert "?v=" in static_url(app, "form.js")
    # form.js imports it as "./outbox.js": the worker keeps it under that URL.
    assert '"/static/outbox.js"' in source


def test_signed_in_pages_are_not_compressed(client, auth, coordinator):
    auth.login("coordinator@example.org")
    response = client.get("/sign-in", headers={"Accept-Encoding": "gzip, br"})
    assert "csrf_token" in response.get_data(as_text=True) or response.status_code != 200
    assert "Content-Encoding" not in response.headers
    page = client.get("/questionnaires", headers={"Accept-Encoding": "gzip, br"})
    assert page.status_code == 200
    assert "Content-Encoding" not in page.headers
