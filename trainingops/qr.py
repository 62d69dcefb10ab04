"""QR codes drawn from a text: PNG for email attachments and saved files, SVG for pages.

Drawing one costs about 7 ms of CPU (most of it choosing the mask), so a service that only queues an
email keeps the text and lets the email be drawn when it is sent (``messaging.services.Attachment``).
"""

import io

import qrcode
import qrcode.image.svg


def _qr(text: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, box_size=8)
    code.add_data(text)
    code.make(fit=True)
    return code


def qr_png(text: str) -> bytes:
    """``text`` drawn as a QR code, PNG bytes."""
    buffer = io.BytesIO()
    _qr(text).make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def qr_svg(text: str) -> bytes:
    """``text`` drawn as a QR code, SVG bytes (sharp at any size)."""
    buffer = io.BytesIO()
    _qr(text).make_image(image_factory=qrcode.image.svg.SvgPathImage).save(buffer)
    return buffer.getvalue()
