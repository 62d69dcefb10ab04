"""Certificates of attendance: issuing (with a snapshot of the printed fields) and the PDF.

The PDF is drawn with fpdf2 from fonts shipped in wheels, so no system font is needed: Source
Sans Pro for Latin, Greek and Cyrillic, and a face for each other script, loaded only when a
certificate's text needs it (``sessions.certificate_fonts`` says which, and what is printed for
a character no face has).
"""

import io
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import qrcode
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import has_confirmed_email
from sessions.certificate_fonts import CertificatePDF
from sessions.models import (
    Attendance,
    Certificate,
    CertificateSettings,
    DayAttendance,
    Registration,
    TrainingSession,
)
from trainingops.actors import on_behalf

INK = (27, 36, 48)
MUTED = (74, 85, 101)


class CertificateError(Exception):
    """The registration does not (yet) earn a certificate; the message is translatable."""


def _hours(session: TrainingSession) -> Decimal:
    seconds = (session.ends_at - session.starts_at).total_seconds()
    return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _days_attended(registration: Registration) -> list[dict]:
    """The days a registration attended (present or partial) with the hours of each, as printed."""
    records = (
        DayAttendance.objects.filter(registration=registration)
        .exclude(status=DayAttendance.Status.ABSENT)
        .select_related("day")
        .order_by("day__date")
    )
    return [{"date": record.day.date.isoformat(), "hours": str(record.hours_attended)} for record in records]


def _trainer_names(session: TrainingSession) -> str:
    assignments = session.session_trainers.select_related("trainer__user").order_by("role", "id")
    return ", ".join(str(assignment.trainer.user) for assignment in assignments)


def check_eligible(registration: Registration) -> None:
    """Raise ``CertificateError`` unless the officer attended (present or partial) a completed session."""
    attendance = getattr(registration, "attendance", None)
    if registration.officer_id is None:
        raise CertificateError(gettext_lazy("This registration no longer belongs to an officer."))
    if registration.session.status != TrainingSession.Status.COMPLETED:
        raise CertificateError(gettext_lazy("Certificates are issued once the session is completed."))
    if attendance is None or attendance.status not in Attendance.COUNTED:
        raise CertificateError(gettext_lazy("Certificates are issued only to officers who attended the session."))


@transaction.atomic
def issue_certificate(*, registration: Registration) -> Certificate:
    """Return the registration's certificate, creating it on first request.

    The printed fields, the issuing organisation and the signatory among them, are copied when
    the certificate is first issued, so the certificate and its public verification page never
    change afterwards. Issuing twice returns the same certificate.
    """
    if registration.officer_id is not None and not has_confirmed_email(registration.officer.user):
        raise CertificateError(gettext_lazy("Confirm your email address with the link we sent you first."))
    existing = Certificate.objects.filter(registration=registration).first()
    if existing is not None:
        return existing
    registration = Registration.objects.select_related(
        "session", "officer__user", "officer__agency", "attendance", "agency"
    ).get(pk=registration.pk)
    check_eligible(registration)
    session, officer = registration.session, registration.officer
    local_start = session.starts_at.astimezone(session.timezone)
    issuer = CertificateSettings.load()
    # The title as the officer reads it: the certificate is printed in their language.
    with translation.override(officer.preferred_language):
        title = session.title
    try:
        with transaction.atomic():
            return Certificate.objects.create(
                registration=registration,
                officer_name=officer.user.get_full_name() or officer.user.email,
                agency_name=str(registration.agency),
                session_title=title,
                session_date=local_start.date(),
                hours=_hours(session)
                if registration.attendance.hours_attended is None
                else registration.attendance.hours_attended,
                days=_days_attended(registration),
                trainer_names=_trainer_names(session),
                attendance_status=registration.attendance.status,
                language=officer.preferred_language,
                organisation_name=issuer.organisation_name,
                signatory_name=issuer.signatory_name,
                signatory_title=issuer.signatory_title,
            )
    except IntegrityError:
        # Two requests issued it at once: the other one won, use its certificate.
        return Certificate.objects.get(registration=registration)


def format_hours(hours: Decimal) -> str:
    value = int(hours) if hours == hours.to_integral_value() else hours
    return formats.number_format(value, decimal_pos=None if isinstance(value, int) else 1, use_l10n=True)


def verification_url(certificate: Certificate) -> str:
    return settings.SITE_URL + reverse("sessions:certificate_verify", args=[certificate.code])


@dataclass(frozen=True)
class Line:
    """One centred line of the certificate; ``top`` places it, otherwise it follows the previous one."""

    text: str
    size: int
    bold: bool = False
    color: tuple[int, int, int] = INK
    height: float = 10
    space_before: float = 0
    top: float | None = None
    left: float = 20
    width: float = 257
    align: str = "C"


def render_certificate_pdf(*, certificate: Certificate) -> bytes:
    """Draw the certificate (A4 landscape) in the officer's language and return the PDF bytes.

    Below the text: the signatory's signature, name and title on the left, the verification
    code and link in the middle, and the link as a QR code on the right.
    """
    with translation.override(certificate.language):
        pdf = CertificatePDF(orientation="landscape", unit="mm", format="A4")
        pdf.set_title(_("Certificate of attendance"))
        pdf.set_author(certificate.organisation_name or "TrainingOps")
        pdf.set_auto_page_break(auto=False)
        lines = certificate_lines(certificate)
        printed = pdf.prepare([line.text for line in lines])
        pdf.add_page()
        _draw_frame(pdf)
        for line, text in zip(lines, printed, strict=True):
            _draw_line(pdf, line, text)
        _draw_signature(pdf, certificate)
        _draw_qr_code(pdf, verification_qr_matrix(certificate))
        return bytes(pdf.output())


def certificate_lines(certificate: Certificate) -> list[Line]:
    """What the certificate says, line by line, in the active language."""
    if certificate.attendance_status == Attendance.Status.PARTIAL:
        attended = _("took part in the training session")
    else:
        attended = _("attended the training session")
    lines = [
        Line(certificate.organisation_name or "TrainingOps", size=14, bold=True, color=(217, 142, 4), top=30),
        Line(_("Certificate of attendance"), size=30, bold=True, color=(31, 78, 121), height=16),
        Line(_("This certifies that"), size=14, space_before=4),
        Line(certificate.officer_name, size=26, bold=True, height=14),
        Line(certificate.agency_name, size=14, color=MUTED),
        Line(attended, size=14, space_before=2),
        Line(certificate.session_title, size=20, bold=True, height=12),
        Line(held_on(certificate), size=14 if not certificate.days else 12),
    ]
    if certificate.trainer_names:
        lines.append(Line(_("Trainers: %(names)s") % {"names": certificate.trainer_names}, size=12, color=MUTED))
    code = _("Verification code: %(code)s") % {"code": certificate.code}
    url = _("Check this certificate at %(url)s") % {"url": verification_url(certificate)}
    lines.append(Line(code, size=11, bold=True, height=6, top=170, left=118, width=124))
    lines.append(Line(url, size=9, color=(107, 117, 133), height=5, left=118, width=124))
    if certificate.signatory_name:
        lines.append(Line(certificate.signatory_name, size=11, bold=True, height=6, top=176, left=24, width=90))
        lines.append(Line(certificate.signatory_title, size=10, color=MUTED, height=5, left=24, width=90))
    return lines


def held_on(certificate: Certificate) -> str:
    """When, and how long: the date and hours, or for a session of several days each day attended and its hours."""
    hours = format_hours(certificate.hours)
    if not certificate.days:
        date = formats.date_format(certificate.session_date, "DATE_FORMAT")
        return _("held on %(date)s — %(hours)s hours") % {"date": date, "hours": hours}
    days = ", ".join(
        _("%(date)s (%(hours)s h)")
        % {"date": formats.date_format(day, "DATE_FORMAT"), "hours": format_hours(day_hours)}
        for day, day_hours in certificate.days_attended
    )
    return _("on %(days)s — %(hours)s hours in all") % {"days": days, "hours": hours}


def _draw_frame(pdf: CertificatePDF) -> None:
    pdf.set_draw_color(31, 78, 121)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 277, 190)
    pdf.set_line_width(0.4)
    pdf.rect(14, 14, 269, 182)


def _draw_line(pdf: CertificatePDF, line: Line, text: str) -> None:
    if line.top is not None:
        pdf.set_y(line.top)
    elif line.space_before:
        pdf.ln(line.space_before)
    pdf.set_line_font(text, size=line.size, bold=line.bold)
    pdf.set_text_color(*line.color)
    pdf.set_x(line.left)
    pdf.multi_cell(line.width, line.height, text, align=line.align)


def _draw_signature(pdf: CertificatePDF, certificate: Certificate) -> None:
    """The signature over a rule, above the signatory's name (drawn with the lines).

    The image is the one set now; it is printed only while the signatory named on the certificate
    is still the one set, so a later signatory's signature never stands above an earlier name.
    """
    if not certificate.signatory_name:
        return
    issuer = CertificateSettings.load()
    if issuer.signature_image and issuer.signatory_name == certificate.signatory_name:
        pdf.image(io.BytesIO(bytes(issuer.signature_image)), x=39, y=152, h=20, keep_aspect_ratio=True, w=60)
    pdf.set_draw_color(*MUTED)
    pdf.set_line_width(0.3)
    pdf.line(29, 174, 109, 174)


def verification_qr_matrix(certificate: Certificate) -> list[list[bool]]:
    """The QR code of the certificate's verification URL, as rows of dark (True) and light modules."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(verification_url(certificate))
    code.make(fit=True)
    return code.get_matrix()


QR_LEFT, QR_TOP, QR_SIZE = 251.0, 162.0, 28.0


def _draw_qr_code(pdf: CertificatePDF, matrix: list[list[bool]]) -> None:
    """Draw the QR code as vector squares (one rectangle per run of dark modules in a row)."""
    module = QR_SIZE / len(matrix)
    pdf.set_fill_color(0, 0, 0)
    for row_number, row in enumerate(matrix):
        for start, length in dark_runs(row):
            pdf.rect(QR_LEFT + start * module, QR_TOP + row_number * module, length * module, module, style="F")


def dark_runs(row: list[bool]) -> list[tuple[int, int]]:
    """(start, length) of each run of dark modules in a row of the QR code."""
    runs, start = [], None
    for index, dark in enumerate([*row, False]):
        if dark and start is None:
            start = index
        elif not dark and start is not None:
            runs.append((start, index - start))
            start = None
    return runs


SIGNATURE_MAX_BYTES = 1024 * 1024
SIGNATURE_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}


def read_signature_image(data: bytes) -> str:
    """Check that ``data`` is a PNG or JPEG image the certificate can print; return its content type.

    Raises ``CertificateError`` with a translatable message otherwise: too large, another format
    (whatever its file name says), or a file that is not a whole, readable image.
    """
    if len(data) > SIGNATURE_MAX_BYTES:
        raise CertificateError(gettext_lazy("The signature image must be at most 1 MB."))
    if not (data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8\xff")):
        raise CertificateError(gettext_lazy("The signature image must be a PNG or JPEG file."))
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            image_format = image.format
            image.load()
        _check_fpdf_can_draw(data)
    except Exception as error:  # Pillow and fpdf2 raise many kinds for a broken file
        raise CertificateError(gettext_lazy("The signature image could not be read: the file is damaged.")) from error
    if image_format not in SIGNATURE_FORMATS:
        raise CertificateError(gettext_lazy("The signature image must be a PNG or JPEG file."))
    return SIGNATURE_FORMATS[image_format]


def _check_fpdf_can_draw(data: bytes) -> None:
    pdf = CertificatePDF()
    pdf.add_page()
    pdf.image(io.BytesIO(data), x=10, y=10, h=10)


@on_behalf
@transaction.atomic
def update_certificate_settings(
    *,
    organisation_name: str,
    signatory_name: str,
    signatory_title: str,
    signature: bytes | None,
    remove_signature: bool = False,
    by,
) -> CertificateSettings:
    """Set who issues certificates from now on; certificates already issued keep their issuer.

    ``signature`` (already checked with ``read_signature_image``) replaces the image; None keeps
    it, unless ``remove_signature``.
    """
    issuer = CertificateSettings.objects.select_for_update().filter(pk=1).first() or CertificateSettings(pk=1)
    issuer.organisation_name = organisation_name.strip()
    issuer.signatory_name = signatory_name.strip()
    issuer.signatory_title = signatory_title.strip()
    if signature is not None:
        issuer.signature_content_type = read_signature_image(signature)
        issuer.signature_image = signature
    elif remove_signature:
        issuer.signature_image, issuer.signature_content_type = b"", ""
    issuer.save()
    return issuer
