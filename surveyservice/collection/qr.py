"""QR codes for a collection point's URL, as SVG for posters and PNG for everything else."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from qrcode.image.pure import PyPNGImage

# H: 30 % of the code can be lost (a fold, rain, a sticker) and it still reads.
ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_H


def _code(url: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=4)
    code.add_data(url)
    code.make(fit=True)
    return code


def qr_svg(url: str) -> bytes:
    image = _code(url).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode").encode()


def qr_png(url: str, box_size: int = 10) -> bytes:
    code = _code(url)
    code.box_size = box_size
    buffer = io.BytesIO()
    code.make_image(image_factory=PyPNGImage).save(buffer)
    return buffer.getvalue()
