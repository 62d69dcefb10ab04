"""Portal pages of check-in: an officer's personal code as an image, and self check-in at the venue.

The personal code is shown only to the officer holding the confirmed seat (My trainings, the session
page); the email carries it as an attached PNG. Self check-in is the link (or its QR code shown at the
venue) a session's trainers share; opening it shows a button, and the check-in itself is a POST
through ``services.self_check_in``.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.views.decorators.http import require_GET, require_http_methods

from agencies.models import Officer
from sessions import checkin_codes, selectors, services
from sessions.models import Registration, TrainingSession
from sessions.services.check_ins import refused
from trainingops import qr

IMAGE_TYPES = {"svg": "image/svg+xml", "png": "image/png"}


def _current_officer(request) -> Officer | None:
    return Officer.objects.filter(user=request.user).first() if request.user.is_authenticated else None


def image_response(text: str, kind: str, *, filename: str) -> HttpResponse:
    """``text`` as a QR image (svg or png), never cached by shared caches."""
    content = qr.qr_png(text) if kind == "png" else qr.qr_svg(text)
    response = HttpResponse(content, content_type=IMAGE_TYPES[kind])
    response["Cache-Control"] = "private, no-store"
    if kind == "png":
        response["Content-Disposition"] = f'inline; filename="{filename}.png"'
    return response


@login_required
@require_GET
def personal_code(request, registration_id: int, kind: str):
    """The officer's own check-in code: only for a confirmed seat in a session that is not cancelled."""
    if kind not in IMAGE_TYPES:
        raise Http404
    registration = get_object_or_404(
        Registration.objects.select_related("session"),
        pk=registration_id,
        officer=_current_officer(request),
        officer__isnull=False,
        status=Registration.Status.CONFIRMED,
        session__status__in=[TrainingSession.Status.PUBLISHED, TrainingSession.Status.COMPLETED],
    )
    text = checkin_codes.sign_code(registration=registration)
    return image_response(text, kind, filename=f"check-in-code-{registration.session_id}")


def self_check_in_url(session: TrainingSession) -> str:
    """The absolute link officers open to check themselves in (posted in the meeting chat, or as a QR code)."""
    path = reverse("sessions:self_check_in", args=[session.pk, selectors.self_check_in_token(session)])
    return f"{settings.SITE_URL}{path}"


def _session_for_token(pk: int, token: str) -> TrainingSession:
    session = get_object_or_404(TrainingSession.objects.select_related("country"), pk=pk, self_check_in=True)
    if not constant_time_compare(token, selectors.self_check_in_token(session)):
        raise Http404
    return session


@login_required
@require_http_methods(["GET", "POST"])
def self_check_in(request, pk: int, token: str):
    """Check yourself in: a button on GET (so a link preview checks nobody in), the check-in on POST."""
    session = _session_for_token(pk, token)
    opens, closes = selectors.self_check_in_window(session)
    result = None
    if request.method == "POST":
        officer = _current_officer(request)
        if officer is None:
            result = refused("", "unknown_registration")
        else:
            result = services.self_check_in(session=session, officer=officer, by=request.user)
    now = timezone.now()
    context = {
        "session": session,
        "result": result,
        "opens_at": opens,
        "closes_at": closes,
        "is_open": opens is not None and opens <= now < closes,
        "not_yet": opens is not None and now < opens,
    }
    return render(request, "portal/self_check_in.html", context, status=200)
