"""Uploaded images, decoded and encoded again: what is stored is new pixels in a new file.

Whether bytes are an image is decided by decoding them with Pillow, never by a file name
or a declared type. Nothing of the original file survives the re-encoding: no EXIF
(positions, device, times), no ICC profile, no XMP, no comments. The orientation the
camera recorded is applied to the pixels first, so the photo still stands upright.

No Flask here: callers give the limits, and turn an ImageProblem into their answer.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field

from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

# The formats a phone, a tablet or a map export makes. Anything else Pillow could read
# (TIFF, BMP, AVIF, PSD...) is refused: fewer decoders reachable from the internet.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")

MEDIA_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}

# Brands of ISO base media files (ftyp box) that hold HEIF/HEIC or AVIF images.
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1"}
HEIF_BRANDS |= {b"msf1"}
AVIF_BRANDS = {b"avif", b"avis"}


@dataclass(frozen=True)
class Encoded:
    """An image as it is stored: the new file's bytes and its size in pixels."""

    data: bytes = field(repr=False)
    width: int
    height: int
    format: str

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]


class ImageProblem(ValueError):
    """Why bytes cannot be stored as an image.

    ``code`` is one of too_large, not_an_image, truncated, too_many_pixels, unsupported;
    ``message`` says in plain words what is wrong (in English: callers translate by code
    where they answer people).
    """

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def reencode(
    data: bytes,
    *,
    max_bytes: int,
    max_pixels: int,
    longest_side: int,
    fmt: str = "JPEG",
    quality: int = 85,
) -> Encoded:
    """Decode ``data``, turn it upright, scale it to at most ``longest_side`` pixels and
    encode it as ``fmt`` (JPEG, PNG or WEBP) with no metadata; ImageProblem if it cannot."""
    if fmt not in MEDIA_TYPES:
        raise ValueError(f"Cannot write images as {fmt!r}")
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        # A process-wide switch: with it, a cut upload would be stored half grey.
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES must stay False")
    if len(data) > max_bytes:
        raise ImageProblem(
            "too_large",
            f"The file is {_megabytes(len(data))}; at most {_megabytes(max_bytes)} is accepted.",
        )
    if not data:
        raise ImageProblem("not_an_image", "The file is empty.")

    image = _open(data, max_pixels)
    image = _load_first_frame(image, longest_side, max_pixels)
    if image.format == "PNG":
        _check_png_chunks(data)
    image = _upright(image)
    image = _to_rgb(image, keep_alpha=fmt != "JPEG")
    image.thumbnail((longest_side, longest_side), Image.Resampling.LANCZOS)
    return _encode(image, fmt, quality)


def _open(data: bytes, max_pixels: int) -> Image.Image:
    """Read the header only: the format and the size, before any pixel is decoded."""
    try:
        with warnings.catch_warnings():
            # Pillow warns between MAX_IMAGE_PIXELS and twice that, errs above: both refuse.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(max_pixels) from None
    except UnidentifiedImageError:
        raise _unrecognised(data) from None
    except Exception:
        if _riff_cut_short(data):
            raise _truncated() from None
        # A header Pillow recognised but could not parse (a broken PNG chunk, a JPEG
        # marker cut short): the file is not a usable image, whatever else it is.
        raise ImageProblem(
            "not_an_image", "The file starts like an image but its header is damaged."
        ) from None
    width, height = image.size
    if width < 1 or height < 1:
        raise ImageProblem("not_an_image", "The image has no pixels.")
    if width * height > max_pixels:
        raise _too_many_pixels(max_pixels, f"{width} × {height} pixels")
    return image


def _load_first_frame(image: Image.Image, longest_side: int, max_pixels: int) -> Image.Image:
    """Decode every byte of the first frame; a file that ends early is refused."""
    if image.format == "JPEG" or image.format == "MPO":
        # Let libjpeg decode at a smaller scale when the result is to be small anyway.
        width, height = image.size
        scale = min(1.0, longest_side / max(width, height))
        image.draft(image.mode, (max(1, int(width * scale)), max(1, int(height * scale))))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(max_pixels) from None
    except Exception as exc:
        said = str(exc).lower()
        if isinstance(exc, EOFError) or "truncated" in said or "broken" in said:
            raise _truncated() from None
        raise ImageProblem(
            "not_an_image", "The file starts like an image but cannot be decoded: it is damaged."
        ) from None
    return image


def _check_png_chunks(data: bytes) -> None:
    """Every chunk present with its checksum: a PNG cut after its pixel data still
    decodes, but it is not the file that was sent."""
    try:
        Image.open(io.BytesIO(data), formats=["PNG"]).verify()
    except Exception:
        raise _truncated() from None


def _riff_cut_short(data: bytes) -> bool:
    """A WebP file (RIFF) whose header promises more bytes than arrived."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return False
    return int.from_bytes(data[4:8], "little") + 8 > len(data)


def _too_many_pixels(max_pixels: int, size: str | None = None) -> ImageProblem:
    # Pillow's own limit may stop the file before its size is known.
    said = f"The image is {size}" if size else "The image has too many pixels"
    return ImageProblem(
        "too_many_pixels",
        f"{said}: at most {max_pixels / 1_000_000:g} million pixels are accepted.",
    )


def _truncated() -> ImageProblem:
    return ImageProblem(
        "truncated", "The image is incomplete: the file ends before the picture does."
    )


def _upright(image: Image.Image) -> Image.Image:
    """The pixels turned as the camera's EXIF orientation says, before EXIF is dropped."""
    try:
        turned = ImageOps.exif_transpose(image)
    except Exception:
        # An unreadable EXIF block is dropped with the rest; the photo itself is fine.
        return image
    return turned if turned is not None else image


def _to_rgb(image: Image.Image, *, keep_alpha: bool) -> Image.Image:
    """8-bit RGB (RGBA where the output keeps transparency) in sRGB, whatever came in."""
    icc = image.info.get("icc_profile")
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        # 16-bit grey: scale to 8 bits; a plain conversion would clip most of it to white.
        image = image.convert("I").point(lambda value: value * (1 / 257)).convert("L")
    elif image.mode == "F":
        image = image.convert("L")

    has_alpha = image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (
        image.mode == "P" and "transparency" in image.info
    )
    if image.mode == "P" and "transparency" not in image.info:
        image = image.convert("RGB")
    if has_alpha:
        image = image.convert("RGBA")
        if not keep_alpha:
            # Transparent parts become white, not the black JPEG would make of them.
            background = Image.new("RGBA", image.size, (255, 255, 255, 255))
            image = Image.alpha_composite(background, image).convert("RGB")
    elif image.mode == "CMYK" and icc:
        image = _to_srgb(image, icc) or image.convert("RGB")
        icc = None
    elif image.mode != "RGB":
        image = image.convert("RGB")

    if icc and image.mode in ("RGB", "RGBA"):
        # Phones tag photos with their own colour space (Display P3): the stored file
        # has no profile, so its pixels must be sRGB already.
        image = _to_srgb(image, icc) or image
    return image


def _to_srgb(image: Image.Image, icc: bytes) -> Image.Image | None:
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode=output_mode
        )
    except Exception:
        # A profile that cannot be read or does not fit the pixels: keep them as they are.
        return None


def _encode(image: Image.Image, fmt: str, quality: int) -> Encoded:
    # A new image from the bare pixels: nothing of the decoded file's info (EXIF, ICC,
    # XMP, comments, text chunks) can reach the encoder.
    clean = Image.frombytes(image.mode, image.size, image.tobytes())
    out = io.BytesIO()
    if fmt == "JPEG":
        clean.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    elif fmt == "PNG":
        clean.save(out, "PNG", optimize=True)
    else:
        clean.save(out, "WEBP", quality=quality, method=4)
    return Encoded(out.getvalue(), clean.width, clean.height, fmt)


def _unrecognised(data: bytes) -> ImageProblem:
    """Say what the file seems to be, from its first bytes: only for the message."""
    head = data[:16]
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return ImageProblem(
            "unsupported",
            "HEIC/HEIF photos cannot be read here: set the camera to take photos as JPEG "
            '(on an iPhone: Settings, Camera, Formats, "Most Compatible").',
        )
    if head[4:8] == b"ftyp" and head[8:12] in AVIF_BRANDS:
        return ImageProblem(
            "unsupported", "AVIF images are not accepted: send a JPEG, PNG or WebP image."
        )
    named = [
        (b"%PDF", "a PDF document"),
        (b"PK\x03\x04", "a ZIP archive or office document"),
        (b"BM", "a BMP image"),
        (b"II*\x00", "a TIFF image"),
        (b"MM\x00*", "a TIFF image"),
        (b"8BPS", "a Photoshop file"),
    ]
    for magic, what in named:
        if head.startswith(magic):
            code = "unsupported" if "image" in what else "not_an_image"
            return ImageProblem(
                code,
                f"The file is {what}: send a JPEG, PNG or WebP image (or take photos as JPEG).",
            )
    return ImageProblem(
        "not_an_image", "The file is not an image that can be read: send a JPEG, PNG or WebP image."
    )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
