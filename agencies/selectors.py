"""Reads of an agency's page and API: its officers, their registrations, attendance and certificates.

Every list is scoped to one agency, so a focal point never reaches another agency's people. An
officer's sessions are found through the registration's snapshot of their agency (as the yearly
report counts them), so history stays with the agency the officer belonged to at the time; an
officer who erased their data has no name to show and is left out of the named lists.
"""

from datetime import date, datetime, timedelta

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from accounts.roles import focal_point_condition
from agencies.models import Agency, FocalPoint, Officer, TrainingRequest
from sessions.models import Attendance, Certificate, Registration, Topic, TrainingSession


def agency_officers(*, agency_id: int) -> QuerySet[Officer]:
    """The agency's officers with their account and whether they are one of its focal points."""
    return (
        Officer.objects.filter(agency_id=agency_id)
        .select_related("user")
        .annotate(is_focal_point=focal_point_condition())
        .order_by("user__last_name", "user__first_name", "user__email", "pk")
    )


def pending_officers(*, agency_id: int) -> QuerySet[Officer]:
    """Officers claiming the agency who wait for a decision, oldest first."""
    return (
        Officer.objects.filter(agency_id=agency_id, verification_status=Officer.Verification.PENDING)
        .select_related("user")
        .order_by("created_at", "pk")
    )


def upcoming_registrations(*, agency_id: int, now: datetime | None = None) -> QuerySet[Registration]:
    """Seats and waitlist places the agency's officers hold in published sessions still to start."""
    return (
        Registration.objects.filter(
            agency_id=agency_id,
            officer__isnull=False,
            status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITLISTED],
            session__status=TrainingSession.Status.PUBLISHED,
            session__starts_at__gte=now or timezone.now(),
        )
        .select_related("session", "officer__user")
        .order_by("session__starts_at", "session_id", "pk")
    )


def past_attendance(*, agency_id: int) -> QuerySet[Attendance]:
    """Attendance recorded for the agency's officers, newest session first."""
    return (
        Attendance.objects.filter(agency_id=agency_id, registration__officer__isnull=False)
        .select_related("registration__session", "registration__officer__user")
        .order_by("-registration__session__starts_at", "pk")
    )


def agency_certificates(*, agency_id: int) -> QuerySet[Certificate]:
    """Certificates issued to the agency's officers (as printed on them), newest first."""
    return Certificate.objects.filter(registration__agency_id=agency_id).order_by("-issued_at", "pk")


def active_focal_points(*, agency_id: int) -> QuerySet[FocalPoint]:
    """The agency's open focal-point terms, with the officer's account."""
    return (
        FocalPoint.objects.active()
        .filter(agency_id=agency_id)
        .select_related("officer__user", "appointed_by")
        .order_by("appointed_at", "pk")
    )


# --- The yearly reconfirmation (agencies.services.reconfirmation): the back office's lists ---------


def reconfirmation_overdue(*, today: date) -> QuerySet[Agency]:
    """Agencies whose due date has passed unconfirmed: their focal points lost (or are losing) the role."""
    return Agency.objects.filter(reconfirmation_due_on__lt=today)


def reconfirmation_due_soon(*, today: date) -> QuerySet[Agency]:
    """Agencies with a focal point who must confirm within 30 days."""
    from agencies.services.reconfirmation import NOTICE_DAYS

    return Agency.objects.filter(
        Exists(FocalPoint.objects.active().filter(agency=OuterRef("pk"))),
        reconfirmation_due_on__gte=today,
        reconfirmation_due_on__lte=today + timedelta(days=NOTICE_DAYS),
    )


def training_requests(*, agency_id: int | None = None) -> QuerySet[TrainingRequest]:
    """Training requests, newest first, with their agency, requester, session and topics (two queries
    whatever their number); one agency's (its page, a focal point's API) or every agency's (managers)."""
    queryset = TrainingRequest.objects.select_related("agency__country", "requested_by", "session").prefetch_related(
        Prefetch("topics", queryset=Topic.objects.order_by("name"))
    )
    if agency_id is not None:
        queryset = queryset.filter(agency_id=agency_id)
    return queryset.order_by("-created_at", "-pk")
