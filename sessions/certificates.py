"""Certificates of attendance: issuing (with a snapshot of the printed fields) and the PDF.

The PDF is drawn with fpdf2 in Source Sans Pro, a TrueType font shipped inside the
``font-source-sans-pro`` wheel (SIL OFL), so no system font is needed. It covers Latin
(every accent of English, Spanish, French, Portuguese, German, Swedish…), Greek and Cyrillic;
a character the font lacks is printed without its accent when it has one, otherwise as "?".
"""

import functools
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import font_source_sans_pro
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from fontTools.ttLib import TTFont
from fpdf import FPDF

from sessions.models import Attendance, Certificate, Registration, TrainingSession

FONT_DIR = Path(font_source_sans_pro.font_directory)
REGULAR_FONT = FONT_DIR / "SourceSansPro-Regular.ttf"
BOLD_FONT = FONT_DIR / "SourceSansPro-Bold.ttf"


class CertificateError(Exception):
    """The registration does not (yet) earn a certificate; the message is translatable."""


def _hours(session: TrainingSession) -> Decimal:
    seconds = (session.ends_at - session.starts_at).total_seconds()
    return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


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

    The printed fields are copied when the certificate is first issued, so the certificate
    and its public verification page never change afterwards. Issuing twice returns the
    same certificate.
    """
    existing = Certificate.objects.filter(registration=registration).first()
    if existing is not None:
        return existing
    registration = Registration.objects.select_related(
        "session", "officer__user", "officer__agency", "attendance", "agency"
    ).get(pk=registration.pk)
    check_eligible(registration)
    session, officer = registration.session, registration.officer
    local_start = session.starts_at.astimezone(session.timezone)
    try:
        with transaction.atomic():
            return Certificate.objects.create(
                registration=registration,
                officer_name=officer.user.get_full_name() or officer.user.email,
                agency_name=str(registration.agency),
                session_title=session.title,
                session_date=local_start.date(),
                hours=_hours(session),
                trainer_names=_trainer_names(session),
                attendance_status=registration.attendance.status,
                language=officer.preferred_language,
            )
    except IntegrityError:
        # Two requests issued it at once: the other one won, use its certificate.
        return Certificate.objects.get(registration=registration)


@functools.cache
def _covered_codepoints() -> frozenset:
    return frozenset(TTFont(str(REGULAR_FONT), lazy=True).getBestCmap())


def printable(text: str) -> str:
    """Keep what the font can draw; strip accents it lacks; replace the rest with "?"."""
    covered = _covered_codepoints()
    result = []
    for char in text:
        if ord(char) in covered or char in "\n\t":
            result.append(char)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        result.append(base if base and all(ord(c) in covered for c in base) else "?")
    return "".join(result)


def format_hours(hours: Decimal) -> str:
    value = int(hours) if hours == hours.to_integral_value() else hours
    return formats.number_format(value, decimal_pos=None if isinstance(value, int) else 1, use_l10n=True)


def verification_url(certificate: Certificate) -> str:
    return settings.SITE_URL + reverse("sessions:certificate_verify", args=[certificate.code])


def render_certificate_pdf(*, certificate: Certificate) -> bytes:
    """Draw the certificate (A4 landscape) in the officer's language and return the PDF bytes."""
    with translation.override(certificate.language):
        pdf = FPDF(orientation="landscape", unit="mm", format="A4")
        pdf.set_title(printable(_("Certificate of attendance")))
        pdf.set_author("TrainingOps")
        pdf.set_auto_page_break(auto=False)
        pdf.add_font("Source", "", str(REGULAR_FONT))
        pdf.add_font("Source", "B", str(BOLD_FONT))
        pdf.add_page()
        _draw_frame(pdf)
        _draw_body(pdf, certificate)
        return bytes(pdf.output())


def _draw_frame(pdf: FPDF) -> None:
    pdf.set_draw_color(31, 78, 121)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 277, 190)
    pdf.set_line_width(0.4)
    pdf.rect(14, 14, 269, 182)


def _line(pdf: FPDF, text: str, *, size: int, bold: bool = False, color=(27, 36, 48), height: float = 10) -> None:
    pdf.set_font("Source", "B" if bold else "", size)
    pdf.set_text_color(*color)
    pdf.set_x(20)
    pdf.multi_cell(257, height, printable(text), align="C")


def _draw_body(pdf: FPDF, certificate: Certificate) -> None:
    date = formats.date_format(certificate.session_date, "DATE_FORMAT")
    hours = format_hours(certificate.hours)
    pdf.set_y(30)
    _line(pdf, "TrainingOps", size=14, bold=True, color=(217, 142, 4))
    _line(pdf, _("Certificate of attendance"), size=30, bold=True, color=(31, 78, 121), height=16)
    pdf.ln(4)
    _line(pdf, _("This certifies that"), size=14)
    _line(pdf, certificate.officer_name, size=26, bold=True, height=14)
    _line(pdf, certificate.agency_name, size=14, color=(74, 85, 101))
    pdf.ln(2)
    if certificate.attendance_status == Attendance.Status.PARTIAL:
        _line(pdf, _("took part in the training session"), size=14)
    else:
        _line(pdf, _("attended the training session"), size=14)
    _line(pdf, certificate.session_title, size=20, bold=True, height=12)
    _line(pdf, _("held on %(date)s — %(hours)s hours") % {"date": date, "hours": hours}, size=14)
    if certificate.trainer_names:
        _line(pdf, _("Trainers: %(names)s") % {"names": certificate.trainer_names}, size=12, color=(74, 85, 101))
    pdf.set_y(170)
    _line(
        pdf,
        _("Verification code: %(code)s") % {"code": certificate.code},
        size=11,
        bold=True,
        height=6,
    )
    _line(
        pdf,
        _("Check this certificate at %(url)s") % {"url": verification_url(certificate)},
        size=10,
        color=(107, 117, 133),
        height=6,
    )
