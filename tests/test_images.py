"""Images decoded and encoded again (walks/images.py), without Flask: what comes out,
and each kind of file that is refused, with its code."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageFile

from surveyservice.walks.images import ImageProblem, reencode

from .images import encoded, heic_like, noisy_photo, pdf_document, photo_with_metadata, png_bomb

LIMITS = {"max_bytes": 8 * 1024 * 1024, "max_pixels": 50_000_000, "longest_side": 1600}


def problem(data: bytes, **limits) -> ImageProblem:
    with pytest.raises(ImageProblem) as caught:
        reencode(data, **{**LIMITS, **limits})
    return caught.value


def test_a_photo_comes_out_as_a_smaller_jpeg_without_metadata():
    result = reencode(photo_with_metadata(size=(4000, 3000)), **LIMITS)
    assert (result.format, result.media_type) == ("JPEG", "image/jpeg")
    assert (result.width, result.height) == (1600, 1200)
    image = Image.open(io.BytesIO(result.data))
    assert image.size == (1600, 1200)
    assert not {"exif", "icc_profile", "xmp", "comment"} & set(image.info)
    assert image.info.get("progressive") == 1


def test_a_small_image_is_not_enlarged():
    result = reencode(encoded(Image.new("RGB", (320, 240)), "PNG"), **LIMITS)
    assert (result.width, result.height) == (320, 240)


def test_png_output_keeps_transparency_for_maps():
    source = encoded(Image.new("RGBA", (3000, 1000), (0, 128, 0, 100)), "PNG")
    result = reencode(source, **{**LIMITS, "longest_side": 2400}, fmt="PNG")
    image = Image.open(io.BytesIO(result.data))
    assert (image.format, image.mode, image.size) == ("PNG", "RGBA", (2400, 800))
    assert result.media_type == "image/png"


def test_an_unknown_output_format_is_a_programming_error():
    with pytest.raises(ValueError, match="TIFF"):
        reencode(photo_with_metadata(), **LIMITS, fmt="TIFF")


def test_truncated_images_are_never_loaded_half(monkeypatch):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(RuntimeError):
        reencode(photo_with_metadata(), **LIMITS)


def _cut(data: bytes, keep: int) -> bytes:
    return data[: len(data) - keep]


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda: noisy_photo(), "too_large"),
        (pdf_document, "not_an_image"),
        (lambda: b"", "not_an_image"),
        (lambda: b"\x89PNG\r\n\x1a\n" + bytes(100), "not_an_image"),
        (lambda: _cut(photo_with_metadata(), 2), "truncated"),
        (
            lambda: _cut(encoded(Image.open(io.BytesIO(noisy_photo((300, 200)))), "PNG"), 20),
            "truncated",
        ),
        (
            lambda: _cut(encoded(Image.open(io.BytesIO(noisy_photo((300, 200)))), "WEBP"), 20),
            "truncated",
        ),
        (
            lambda: _cut(encoded(Image.open(io.BytesIO(noisy_photo((300, 200)))), "GIF"), 20),
            "truncated",
        ),
        (png_bomb, "too_many_pixels"),
        (lambda: png_bomb(8000, 8000), "too_many_pixels"),
        (heic_like, "unsupported"),
        (lambda: encoded(Image.new("RGB", (10, 10)), "BMP"), "unsupported"),
        (lambda: encoded(Image.new("RGB", (10, 10)), "TIFF"), "unsupported"),
    ],
    ids=[
        "too-large",
        "pdf",
        "empty",
        "png-header-only",
        "jpeg-without-end",
        "png-without-end",
        "webp-cut",
        "gif-cut",
        "bomb",
        "too-many-pixels",
        "heic",
        "bmp",
        "tiff",
    ],
)
def test_each_refusal_has_its_code(make, code):
    refused = problem(make(), max_bytes=1024 * 1024 if code == "too_large" else LIMITS["max_bytes"])
    assert refused.code == code, refused.message
    assert refused.message.endswith(".")
