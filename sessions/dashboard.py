"""Reads of the back office's home page and calendar: a trainer's or a manager's sessions and what
they need done.

Managers see every session, a trainer the sessions they train (``accounts.roles.sessions_trained_by``).
Each list is one query whatever its length; days and weeks are those of the viewer's time zone.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.roles import Role, sessions_trained_by
from agencies.models import Officer
from agencies.selectors import reconfirmation_overdue
from sessions.models import Attendance, Registration, SessionTrainer, TrainingSession
from sessions.selectors import BookingConflict, booking_conflicts, with_seat_counts

# "Few registrations": a published session starting within this window has confirmed fewer than
# this share of its seats (in percent). Early enough to invite more people, late enough to matter.
LOW_REGISTRATION_WINDOW = timedelta(days=14)
LOW_REGISTRATION_PERCENT = 25
# "Long waitlist": this many people or more wait for a seat in an upcoming session.
LONG_WAITLIST = 5
# Each list shows at most this many sessions (the most urgent first) and says when there are more.
ITEMS_PER_LIST = 20


def managed_sessions(role: Role) -> QuerySet[TrainingSession]:
    """The sessions the role works on: every one for a manager, those a trainer trains, else none."""
    if role.is_manager:
        return TrainingSession.objects.all()
    if role.is_trainer:
        return TrainingSession.objects.filter(pk__in=sessions_trained_by(role))
    return TrainingSession.objects.none()


def with_trainers(queryset: QuerySet[TrainingSession]) -> QuerySet[TrainingSession]:
    return queryset.prefetch_related(
        Prefetch("session_trainers", queryset=SessionTrainer.objects.select_related("trainer__user"))
    )


def local_day_start(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(), zone)


def sessions_starting_between(
    sessions: QuerySet[TrainingSession], first: date, end: date, zone: tzinfo
) -> QuerySet[TrainingSession]:
    """Sessions (not cancelled) starting on the viewer's days ``first`` to ``end`` (excluded), with
    their trainers and seats, in order of start."""
    starting = sessions.filter(
        starts_at__gte=local_day_start(first, zone), starts_at__lt=local_day_start(end, zone)
    ).exclude(status=TrainingSession.Status.CANCELLED)
    return with_trainers(with_seat_counts(starting.select_related("country"))).order_by("starts_at", "pk")


def week_start(day: date) -> date:
    """The Monday of the week that holds ``day``."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class ActionList:
    """Sessions that need one kind of job, at most ``ITEMS_PER_LIST`` of them; ``more``: some were left off."""

    sessions: list[TrainingSession]
    more: bool

    @classmethod
    def of(cls, queryset: QuerySet[TrainingSession]) -> "ActionList":
        rows = list(queryset[: ITEMS_PER_LIST + 1])
        return cls(sessions=rows[:ITEMS_PER_LIST], more=len(rows) > ITEMS_PER_LIST)


def drafts_to_publish(sessions: QuerySet[TrainingSession], now: datetime) -> QuerySet[TrainingSession]:
    """Drafts that have not started (or have no date yet): someone has to finish and publish them."""
    return (
        sessions.filter(status=TrainingSession.Status.DRAFT)
        .filter(Q(starts_at__isnull=True) | Q(starts_at__gte=now))
        .order_by(F("starts_at").asc(nulls_last=True), "pk")
    )


def few_registrations(sessions: QuerySet[TrainingSession], now: datetime) -> QuerySet[TrainingSession]:
    """Published sessions starting within ``LOW_REGISTRATION_WINDOW`` with fewer than
    ``LOW_REGISTRATION_PERCENT`` % of their seats confirmed (sessions without a capacity never are)."""
    return (
        with_seat_counts(sessions)
        .filter(
            status=TrainingSession.Status.PUBLISHED,
            starts_at__gte=now,
            starts_at__lt=now + LOW_REGISTRATION_WINDOW,
            capacity__gt=0,
        )
        .alias(taken_percent=F("seats_taken") * 100)
        .filter(taken_percent__lt=F("capacity") * LOW_REGISTRATION_PERCENT)
        .order_by("starts_at", "pk")
    )


def attendance_missing(sessions: QuerySet[TrainingSession], now: datetime) -> QuerySet[TrainingSession]:
    """Sessions that ended with confirmed officers and not one attendance recorded: the roll call is due."""
    confirmed = Registration.objects.filter(session=OuterRef("pk"), status=Registration.Status.CONFIRMED)
    return (
        sessions.filter(
            status__in=[TrainingSession.Status.PUBLISHED, TrainingSession.Status.COMPLETED], ends_at__lt=now
        )
        .filter(Exists(confirmed))
        .exclude(Exists(confirmed.filter(attendance__isnull=False)))
        .order_by("-ends_at", "pk")
    )


def survey_not_sent(sessions: QuerySet[TrainingSession]) -> QuerySet[TrainingSession]:
    """Completed sessions with an attendee (present or partial) who was never sent the follow-up survey.

    Attendance recorded after completion sends it (``send_late_survey``), so this lists what slipped
    through some other way (a raw fix, an outage). A walk-in without an account yet is not counted:
    there is nobody to send it to until they claim the seat, and then it is sent.
    """
    unsent = Registration.objects.filter(
        session=OuterRef("pk"),
        status=Registration.Status.CONFIRMED,
        attendance__status__in=Attendance.COUNTED,
        officer__isnull=False,
    ).filter(Q(survey_response__isnull=True) | Q(survey_response__sent_at__isnull=True))
    return sessions.filter(status=TrainingSession.Status.COMPLETED).filter(Exists(unsent)).order_by("-ends_at", "pk")


def long_waitlists(sessions: QuerySet[TrainingSession], now: datetime) -> QuerySet[TrainingSession]:
    """Upcoming published sessions where ``LONG_WAITLIST`` or more people wait: more seats, or a second run?"""
    return (
        with_seat_counts(sessions)
        .filter(status=TrainingSession.Status.PUBLISHED, starts_at__gte=now, waitlist_length__gte=LONG_WAITLIST)
        .order_by("-waitlist_length", "starts_at", "pk")
    )


@dataclass(frozen=True)
class Dashboard:
    week_first_day: date
    this_week: list[TrainingSession]
    drafts: ActionList
    few_registrations: ActionList
    attendance_missing: ActionList
    survey_not_sent: ActionList
    long_waitlists: ActionList
    conflicts: list[BookingConflict]
    pending_officers: int | None  # managers only
    reconfirmation_overdue: int | None = None  # managers only: agencies past their yearly reconfirmation

    @property
    def needs_action(self) -> bool:
        lists = (self.drafts, self.few_registrations, self.attendance_missing, self.survey_not_sent)
        return any(found.sessions for found in (*lists, self.long_waitlists)) or bool(self.conflicts)


def dashboard(*, role: Role, zone: tzinfo, now: datetime) -> Dashboard:
    """The home page of the back office for this role: this week's sessions in the viewer's zone,
    what needs doing, current double-bookings and, for managers, officers waiting for verification."""
    sessions = managed_sessions(role)
    monday = week_start(now.astimezone(zone).date())
    involving = None if role.is_manager else set(sessions.values_list("pk", flat=True))
    pending = Officer.objects.filter(verification_status=Officer.Verification.PENDING) if role.is_manager else None
    return Dashboard(
        week_first_day=monday,
        this_week=list(sessions_starting_between(sessions, monday, monday + timedelta(days=7), zone)),
        drafts=ActionList.of(drafts_to_publish(sessions, now)),
        few_registrations=ActionList.of(few_registrations(sessions, now)),
        attendance_missing=ActionList.of(attendance_missing(sessions, now)),
        survey_not_sent=ActionList.of(survey_not_sent(sessions)),
        long_waitlists=ActionList.of(long_waitlists(sessions, now)),
        conflicts=booking_conflicts(ending_after=now, involving=involving),
        pending_officers=None if pending is None else pending.count(),
        reconfirmation_overdue=reconfirmation_overdue(today=timezone.localdate(now)).count()
        if role.is_manager
        else None,
    )
