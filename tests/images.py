"""Test images made with Pillow at test time: photos with metadata, and files that only
look like images."""

from __future__ import annotations

import io
import json
import random
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

from PIL import Image, ImageCms

# Where the photo was taken, by what, and when: what must never be stored.
GPS_LATITUDE = (58.0, 22.0, 30.5)
MAKE, MODEL = "Fruit Phone Co", "Model 15 Pro"
TAKEN_AT = "2026:05:14 21:47:03"
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
    b'22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/">'
    b"<dc:creator>Anna Andersson</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>"
)
COMMENT = b"Taken by Anna at Torpa school"
RED, BLUE = (220, 20, 20), (20, 20, 220)
# Made once: a profile records when it was made, and the same photo must be the same bytes.
SRGB_PROFILE = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def exif_with_position(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = MAKE  # Make
    exif[0x0110] = MODEL  # Model
    exif[0x0112] = orientation  # Orientation
    exif[0x0131] = "Camera 17.4"  # Software
    details = exif.get_ifd(0x8769)  # the Exif IFD
    details[0x9003] = TAKEN_AT  # DateTimeOriginal
    details[0xA431] = "SN-0012345"  # BodySerialNumber
    gps = exif.get_ifd(0x8825)
    gps[0x0001] = "N"
    gps[0x0002] = GPS_LATITUDE
    gps[0x0003] = "E"
    gps[0x0004] = (12.0, 17.0, 2.25)
    return exif


def photo_with_metadata(size=(2000, 1500), orientation: int = 1, quality: int = 90) -> bytes:
    """A camera's JPEG: EXIF with position, device and time, an ICC profile, XMP and a
    comment. Blue, with a red block in its top left corner as stored."""
    image = Image.new("RGB", size, BLUE)
    image.paste(RED, (0, 0, size[0] // 4, size[1] // 4))
    out = io.BytesIO()
    image.save(
        out,
        "JPEG",
        quality=quality,
        exif=exif_with_position(orientation),
        icc_profile=SRGB_PROFILE,
        xmp=XMP,
        comment=COMMENT,
    )
    return out.getvalue()


def noisy_photo(size=(1600, 1200), quality: int = 95, seed: int = 1) -> bytes:
    """A JPEG that compresses badly: about a megabyte at 1600 × 1200."""
    rng = random.Random(seed)
    pixels = rng.randbytes(size[0] * size[1] * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", size, pixels).save(out, "JPEG", quality=quality)
    return out.getvalue()


def encoded(image: Image.Image, fmt: str, **params) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int = 30000, height: int = 30000) -> bytes:
    """A PNG declaring width × height grey pixels, whose compressed rows fit in a few
    kilobytes: decoding it would take gigabytes."""
    row = b"\x00" + bytes(width)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(200)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", data)
        + _png_chunk(b"IEND", b"")
    )


def heic_like() -> bytes:
    """The start of an iPhone's HEIC photo: an ISO media file of the brand heic."""
    return struct.pack(">I", 24) + b"ftypheic" + b"\x00\x00\x00\x00" + b"mif1heic" + bytes(2000)


def pdf_document() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )


def exiftool(data: bytes, tmp_path: Path) -> dict:
    """Every tag exiftool finds in the file, by group ("EXIF:Make", "XMP:Creator")."""
    assert shutil.which("exiftool"), "exiftool (Debian: libimage-exiftool-perl) is needed"
    path = tmp_path / "photo.jpg"
    path.write_bytes(data)
    result = subprocess.run(
        ["exiftool", "-j", "-a", "-G1", "-u", "-b", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)[0]


# What exiftool reports of any file, and of a plain JPEG: nothing about the photo.
HARMLESS_GROUPS = {"ExifTool", "System", "File", "JFIF", "Composite"}


def metadata_groups(tags: dict) -> set[str]:
    return {name.split(":")[0] for name in tags if ":" in name} - HARMLESS_GROUPS


def pillow_metadata(data: bytes) -> dict:
    """The metadata Pillow finds in a JPEG: EXIF tags, profiles, XMP, comments, and any
    application segment but the plain JFIF header."""
    image = Image.open(io.BytesIO(data))
    found = {
        key: image.info[key]
        for key in ("exif", "icc_profile", "xmp", "comment", "photoshop", "adobe")
        if image.info.get(key)
    }
    if len(image.getexif()):
        found["tags"] = dict(image.getexif())
    segments = [name for name, _ in getattr(image, "applist", []) if name != "APP0"]
    if segments:
        found["segments"] = segments
    return found
