"""Reads about sessions that are reused by the portal, the API and the admin."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from agencies.models import Officer
from sessions.models import Registration, SessionTrainer, Trainer, TrainingSession


def audience_filter(officer: Officer) -> Q:
    """Sessions whose audience includes this officer's agency or country (or everyone)."""
    return (
        Q(audience=TrainingSession.Audience.OPEN)
        | Q(audience_agencies=officer.agency_id)
        | Q(audience_countries=officer.agency.country_id)
    )


def sessions_visible_to(officer: Officer) -> QuerySet[TrainingSession]:
    """Published (and later completed or cancelled) sessions whose audience includes the officer,
    plus any session the officer is registered for whatever its audience."""
    visible_status = [
        TrainingSession.Status.PUBLISHED,
        TrainingSession.Status.COMPLETED,
        TrainingSession.Status.CANCELLED,
    ]
    registered = Registration.objects.filter(officer=officer).values("session_id")
    return (
        TrainingSession.objects.filter(status__in=visible_status)
        .filter(audience_filter(officer) | Q(pk__in=registered))
        .distinct()
    )


def is_session_open_to(*, session: TrainingSession, officer: Officer) -> bool:
    """Whether the session's audience includes the officer (status and window aside)."""
    if session.audience == TrainingSession.Audience.OPEN:
        return True
    return (
        session.audience_agencies.filter(pk=officer.agency_id).exists()
        or session.audience_countries.filter(pk=officer.agency.country_id).exists()
    )


def with_seat_counts(queryset: QuerySet[TrainingSession]) -> QuerySet[TrainingSession]:
    """Annotate ``seats_taken`` and ``waitlist_length`` in the same query."""
    return queryset.annotate(
        seats_taken=Count("registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED)),
        waitlist_length=Count("registrations", filter=Q(registrations__status=Registration.Status.WAITLISTED)),
    )


def seats_taken(session: TrainingSession) -> int:
    return session.registrations.filter(status=Registration.Status.CONFIRMED).count()


def seats_left(session: TrainingSession) -> int | None:
    if session.capacity is None:
        return None
    return max(session.capacity - seats_taken(session), 0)


def waitlist_position(registration: Registration) -> int | None:
    """1-based rank of a waitlisted registration among the session's waitlist."""
    if registration.status != Registration.Status.WAITLISTED:
        return None
    ahead = Registration.objects.filter(
        session_id=registration.session_id,
        status=Registration.Status.WAITLISTED,
        waitlist_position__lt=registration.waitlist_position,
    ).count()
    return ahead + 1


def overlapping_registrations(*, officer: Officer, session: TrainingSession) -> QuerySet[Registration]:
    """The officer's active registrations for other sessions overlapping this one in time."""
    if session.starts_at is None or session.ends_at is None:
        return Registration.objects.none()
    return (
        Registration.objects.filter(
            officer=officer,
            status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITLISTED],
            session__starts_at__lt=session.ends_at,
            session__ends_at__gt=session.starts_at,
        )
        .exclude(session=session)
        .exclude(session__status=TrainingSession.Status.CANCELLED)
        .select_related("session")
    )


@dataclass(frozen=True)
class TrainerConflict:
    trainer: Trainer
    other_session: TrainingSession


def trainer_conflicts(*, session: TrainingSession, trainer_ids: list[int] | None = None) -> list[TrainerConflict]:
    """Other non-cancelled sessions that overlap this one (compared in UTC) for the same trainers."""
    if session.starts_at is None or session.ends_at is None:
        return []
    if trainer_ids is None:
        trainer_ids = list(session.session_trainers.values_list("trainer_id", flat=True))
    clashes = (
        SessionTrainer.objects.filter(
            trainer_id__in=trainer_ids,
            session__starts_at__lt=session.ends_at,
            session__ends_at__gt=session.starts_at,
        )
        .exclude(session_id=session.pk)
        .exclude(session__status=TrainingSession.Status.CANCELLED)
        .select_related("trainer__user", "session")
        .order_by("session__starts_at")
    )
    return [TrainerConflict(trainer=clash.trainer, other_session=clash.session) for clash in clashes]


def upcoming_sessions() -> QuerySet[TrainingSession]:
    return TrainingSession.objects.filter(status=TrainingSession.Status.PUBLISHED, starts_at__gte=timezone.now())
