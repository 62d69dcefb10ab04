"""The officer portal: sessions, registration, "My trainings", calendar files and certificates."""

import re
import zoneinfo
from urllib.parse import unquote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet, Window
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.roles import focal_point_condition, has_confirmed_email, may_manage_session, role_of
from agencies.models import Officer
from sessions import selectors, services
from sessions.calendar import build_session_ics
from sessions.cards import ROW_FIELDS as CARD_ROW_FIELDS
from sessions.cards import session_cards
from sessions.forms import SessionFilterForm
from sessions.models import (
    Attendance,
    Certificate,
    KnowledgeCheck,
    KnowledgeCheckAttempt,
    Registration,
    SessionTrainer,
    TrainingSession,
)
from sessions.services.certificates import CertificateError, issue_certificate, render_certificate_pdf
from sessions.services.knowledge_checks import pre_test_window_open

PAGE_SIZE = 12
CERTIFICATE_CODE = re.compile(r"[A-Z0-9-]{4,20}")


def valid_timezone(name: str) -> zoneinfo.ZoneInfo | None:
    if not name or len(name) > 64:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def viewer_timezone(request) -> zoneinfo.ZoneInfo | None:
    """The browser's time zone, remembered in a cookie by the portal's script."""
    return valid_timezone(unquote(request.COOKIES.get("tz", "")))


def current_officer(request) -> Officer | None:
    if not request.user.is_authenticated:
        return None
    # One officer per user: no ordering (Officer's default ordering would join the users to sort by email).
    found = list(
        Officer.objects.select_related("agency__country")
        .annotate(is_focal_point=focal_point_condition())
        .filter(user=request.user)
        .order_by()[:1]
    )
    officer = found[0] if found else None
    if officer is not None:
        # Also caches request.user.officer, which the layout reads (accounts.context_processors.portal).
        officer.user = request.user
    return officer


def visible_sessions(officer: Officer | None) -> QuerySet[TrainingSession]:
    """What the viewer may see in the portal (``selectors.visible_sessions``; staff see its public view)."""
    return selectors.visible_sessions(officer=officer)


def _list_queryset(queryset: QuerySet[TrainingSession]) -> QuerySet[TrainingSession]:
    """What a card shows of its row; the topics are read only for cards not in the cache (``session_cards``)."""
    return selectors.with_seat_counts(queryset.select_related("country").only(*CARD_ROW_FIELDS))


def landing(request):
    officer = current_officer(request)
    upcoming = visible_sessions(officer).filter(status=TrainingSession.Status.PUBLISHED, starts_at__gte=timezone.now())
    sessions = list(_list_queryset(upcoming).order_by("starts_at", "id")[:6])
    context = {"sessions": sessions, "cards": session_cards(sessions, viewer_timezone(request)), "officer": officer}
    return render(request, "portal/landing.html", context)


@require_GET
def session_list(request):
    officer = current_officer(request)
    form = SessionFilterForm(request.GET or None)
    form.is_valid()
    queryset = visible_sessions(officer)
    if not form.has_month:
        queryset = queryset.filter(status=TrainingSession.Status.PUBLISHED, starts_at__gte=timezone.now())
    queryset = form.filter(_list_queryset(queryset)).order_by("starts_at", "id")
    page = _page_of(queryset, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "sessions": page.object_list,
        "cards": session_cards(page.object_list, viewer_timezone(request)),
        "query": query.urlencode(),
    }
    return render(request, "portal/session_list.html", context)


def _page_of(queryset: QuerySet[TrainingSession], number: str | None) -> Page:
    """Paginator.get_page's page, with the total counted by COUNT(*) OVER () in the page's own query.

    The separate COUNT cost as much as the page. The queryset must not use DISTINCT (the window
    would count duplicates). An empty or invalid page falls back to get_page's own answer.
    """
    paginator = Paginator(queryset, PAGE_SIZE)
    try:
        wanted = int(number or 1)
    except ValueError:
        wanted = 1
    if wanted >= 1:
        offset = (wanted - 1) * PAGE_SIZE
        rows = list(queryset.annotate(total_count=Window(Count("pk")))[offset : offset + PAGE_SIZE])
        if rows:
            paginator.__dict__["count"] = rows[0].total_count
            return Page(rows, wanted, paginator)
    return paginator.get_page(number)


def _visible_session_or_404(officer: Officer | None, pk: int) -> TrainingSession:
    return get_object_or_404(visible_sessions(officer).select_related("country", "host_agency"), pk=pk)


def session_detail(request, pk: int):
    officer = current_officer(request)
    try:
        session = _visible_session_or_404(officer, pk)
    except Http404:
        # A link from an email to a session open only to some agencies or countries: sign in, then
        # come back. Every unknown or hidden id goes the same way, so the redirect reveals nothing.
        if request.user.is_authenticated:
            raise
        return redirect_to_login(request.get_full_path())
    registration = None
    if officer is not None:
        registration = Registration.objects.filter(session=session, officer=officer).first()
    confirmed = registration is not None and registration.status == Registration.Status.CONFIRMED
    active = registration is not None and registration.status != Registration.Status.CANCELLED
    context = {
        "session": session,
        "officer": officer,
        "registration": registration,
        "is_confirmed": confirmed,
        "is_active": active,
        "waitlist_position": selectors.waitlist_position(registration) if registration else None,
        "seats_left": selectors.seats_left(session),
        "trainers": session.session_trainers.select_related("trainer__user").order_by("role", "id"),
        "topics": session.topics.all(),
        "viewer_timezone": viewer_timezone(request),
        "overlaps": selectors.overlapping_registrations(officer=officer, session=session)
        if officer is not None and not active
        else [],
        "registration_open": selectors.registration_state(session) == selectors.RegistrationState.OPEN,
        # Its trainers and the managers find the check-in page here too (issue 15); officers ask nothing more.
        "may_check_in": request.user.is_staff
        and session.status != TrainingSession.Status.DRAFT
        and may_manage_session(role_of(request), session.pk, request=request),
        # The meeting link is only for officers holding a confirmed seat, at a confirmed address.
        "meeting_url": session.meeting_url
        if confirmed and session.is_virtual and has_confirmed_email(request.user)
        else "",
    }
    return render(request, "portal/session_detail.html", context)


@login_required
def register(request, pk: int):
    if request.method != "POST":
        return redirect("sessions:detail", pk=pk)
    officer = current_officer(request)
    if officer is None:
        messages.error(request, _("Only agency officers can register for sessions."))
        return redirect("sessions:detail", pk=pk)
    session = _visible_session_or_404(officer, pk)
    try:
        registration = services.register_officer(
            session=session, officer=officer, source=Registration.Source.PORTAL, by=request.user
        )
    except services.RegistrationError as error:
        messages.error(request, str(error.message))
    else:
        if registration.status == Registration.Status.CONFIRMED:
            messages.success(request, _("Your seat is confirmed. We emailed you the details and a calendar file."))
        else:
            messages.info(
                request,
                _(
                    "The session is full: you are number %(position)d on the waitlist. We will email you if a seat frees up."
                )
                % {"position": selectors.waitlist_position(registration)},
            )
    return redirect("sessions:detail", pk=pk)


@login_required
def cancel(request, pk: int):
    if request.method != "POST":
        return redirect("sessions:detail", pk=pk)
    officer = current_officer(request)
    registration = get_object_or_404(
        Registration.objects.select_related("session"), session_id=pk, officer=officer, officer__isnull=False
    )
    was_waitlisted = registration.status == Registration.Status.WAITLISTED
    try:
        services.cancel_registration(registration=registration, by=request.user)
    except services.RegistrationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request, _("You left the waitlist.") if was_waitlisted else _("Your registration was cancelled.")
        )
    return redirect("sessions:detail", pk=pk)


@login_required
def calendar_file(request, pk: int):
    """The session's .ics, for officers holding a confirmed seat (it carries the meeting link)."""
    officer = current_officer(request)
    registration = get_object_or_404(
        Registration.objects.select_related("session__country"),
        session_id=pk,
        officer=officer,
        officer__isnull=False,
        status=Registration.Status.CONFIRMED,
    )
    if not has_confirmed_email(request.user):
        messages.error(request, _("Confirm your email address with the link we sent you first."))
        return redirect("sessions:detail", pk=pk)
    content = build_session_ics(registration.session, include_meeting_url=True, attendee_email=request.user.email)
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="session-{pk}.ics"'
    return response


@login_required
def my_trainings(request):
    officer = current_officer(request)
    if officer is None:
        raise Http404(_("This page is for agency officers."))
    now = timezone.now()
    registrations = (
        Registration.objects.filter(officer=officer)
        .select_related("session__country", "attendance", "survey_response__survey", "certificate")
        .prefetch_related(
            Prefetch("session__session_trainers", queryset=SessionTrainer.objects.select_related("trainer__user"))
        )
    )
    past_filter = Q(session__status=TrainingSession.Status.COMPLETED) | Q(session__ends_at__lt=now)
    upcoming = (
        registrations.exclude(past_filter)
        .exclude(status=Registration.Status.CANCELLED)
        .exclude(session__status=TrainingSession.Status.CANCELLED)
        .order_by("session__starts_at")
    )
    past = registrations.filter(past_filter).exclude(status=Registration.Status.CANCELLED)
    past = past.order_by("-session__starts_at")
    context = {
        "officer": officer,
        "upcoming": _with_pre_tests(list(upcoming), now),
        "past": [_past_row(registration, now) for registration in past],
    }
    return render(request, "portal/my_trainings.html", context)


def _with_pre_tests(registrations: list[Registration], now) -> list[Registration]:
    """Give each upcoming confirmed registration its ``pre_test_url`` while its pre-test takes an
    attempt (two queries for the whole list)."""
    confirmed = [registration for registration in registrations if registration.status == Registration.Status.CONFIRMED]
    allowed = dict(
        KnowledgeCheck.objects.filter(
            kind=KnowledgeCheck.Kind.PRE, session__in=[registration.session_id for registration in confirmed]
        ).values_list("session_id", "max_attempts")
    )
    taken = (
        dict(
            KnowledgeCheckAttempt.objects.filter(
                knowledge_check__kind=KnowledgeCheck.Kind.PRE,
                registration__in=[registration.pk for registration in confirmed],
            )
            .values("registration_id")
            .annotate(count=Count("pk"))
            .values_list("registration_id", "count")
            .order_by()
        )
        if allowed
        else {}
    )
    for registration in registrations:
        is_open = (
            registration.session_id in allowed
            and pre_test_window_open(registration=registration, now=now)
            and taken.get(registration.pk, 0) < allowed[registration.session_id]
        )
        registration.pre_test_url = reverse("sessions:pre_test", args=[registration.session_id]) if is_open else ""
    return registrations


def _past_row(registration: Registration, now) -> dict:
    """What My trainings offers for a past session: the personal survey link while the survey takes
    answers, and the certificate (download, and once issued its public verification page)."""
    attendance = getattr(registration, "attendance", None)
    survey_response = getattr(registration, "survey_response", None)
    answered = survey_response is not None and survey_response.submitted_at is not None
    survey_open = survey_response is not None and not answered and selectors.survey_is_open(survey_response.survey, now)
    certificate = getattr(registration, "certificate", None)
    certificate_available = (
        registration.session.status == TrainingSession.Status.COMPLETED
        and attendance is not None
        and attendance.status in Attendance.COUNTED
    )
    return {
        "registration": registration,
        "attendance": attendance,
        "certificate_available": certificate_available,
        "certificate": certificate,
        "survey_url": reverse("survey", args=[survey_response.token]) if survey_open else "",
        "survey_answered": answered,
    }


@login_required
def certificate_pdf(request, registration_id: int):
    officer = current_officer(request)
    registration = get_object_or_404(
        Registration.objects.select_related("session"), pk=registration_id, officer=officer, officer__isnull=False
    )
    try:
        certificate = issue_certificate(registration=registration)
    except CertificateError as error:
        messages.error(request, str(error))
        return redirect("sessions:my_trainings")
    response = HttpResponse(render_certificate_pdf(certificate=certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.code}.pdf"'
    return response


@require_GET
def certificate_verify(request, code: str):
    """Public proof that a certificate is genuine, showing only what is printed on it."""
    code = code.strip().upper()
    certificate = Certificate.objects.filter(code=code).first() if CERTIFICATE_CODE.fullmatch(code) else None
    # An unknown code is an answer too ("not genuine"), given on the same page with a 404 status.
    status = 200 if certificate is not None else 404
    return render(request, "portal/certificate_verify.html", {"certificate": certificate}, status=status)
