"""Reads about sessions that are reused by the portal, the API and the admin."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    Exists,
    F,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language

from agencies.models import Agency, Country, Officer
from messaging.models import OutboundMessage
from sessions.models import (
    Attendance,
    CheckIn,
    Invitation,
    Nomination,
    Registration,
    SessionDay,
    SessionQuota,
    SessionTrainer,
    Survey,
    SurveyResponse,
    Topic,
    Trainer,
    TrainingSession,
)
from sessions.translation import translation_field_names
from trainingops.precompiled import Precompiled


def audience_includes_country(country_code: str) -> Q:
    """Sessions open to officers of agencies in this country: open to all, or listing the country or
    one of its agencies in their audience. Subqueries, not joins, so that lists stay free of DISTINCT
    (``visible_to_officer`` applies the same audience rule to one officer)."""
    invited_countries = TrainingSession.audience_countries.through.objects.filter(country_id=country_code)
    invited_agencies = TrainingSession.audience_agencies.through.objects.filter(agency__country_id=country_code)
    return (
        Q(audience=TrainingSession.Audience.OPEN)
        | Q(pk__in=invited_countries.values("trainingsession_id"))
        | Q(pk__in=invited_agencies.values("trainingsession_id"))
    )


# Sessions anyone may know of once published; drafts are the staff's alone.
PUBLIC_STATUSES = (
    TrainingSession.Status.PUBLISHED,
    TrainingSession.Status.COMPLETED,
    TrainingSession.Status.CANCELLED,
)


def visible_to_officer(officer: Officer) -> Q:
    """Published (and later completed or cancelled) sessions whose audience includes the officer's
    agency or country (or everyone), plus any the officer is registered for whatever its audience.

    ``EXISTS`` conditions on the session row rather than joins: no duplicate rows to remove, so lists
    filter, count and order the sessions table directly. Reads ``officer.agency.country_id``.
    """
    session = OuterRef("pk")
    for_agency = TrainingSession.audience_agencies.through.objects.filter(
        trainingsession_id=session, agency_id=officer.agency_id
    )
    for_country = TrainingSession.audience_countries.through.objects.filter(
        trainingsession_id=session, country_id=officer.agency.country_id
    )
    registered = Registration.objects.filter(session_id=session, officer_id=officer.pk)
    return Q(status__in=PUBLIC_STATUSES) & (
        Q(audience=TrainingSession.Audience.OPEN) | Exists(for_agency) | Exists(for_country) | Exists(registered)
    )


def visible_sessions(*, officer: Officer | None = None, staff: bool = False) -> QuerySet[TrainingSession]:
    """The sessions a viewer may see: the one answer for the portal and the API.

    Staff (managers and trainers, in the API) see every session, drafts included; an officer the
    public sessions open to their agency or country and any they are registered for
    (``visible_to_officer``); anyone else the public sessions open to all. (The back office shows
    each trainer the sessions they may manage: ``accounts.roles.may_manage_session``.) Never
    DISTINCT, so that lists can count with a window function and order freely.
    """
    if staff:
        return TrainingSession.objects.all()
    if officer is not None:
        return _officer_sessions(officer.pk, officer.agency_id, officer.agency.country_id).all()
    return TrainingSession.objects.filter(status__in=PUBLIC_STATUSES, audience=TrainingSession.Audience.OPEN)


@lru_cache(maxsize=1024)
def _officer_sessions(officer_id: int, agency_id: int | None, country_id: str | None) -> QuerySet[TrainingSession]:
    """``visible_to_officer`` as a queryset, built once per officer, agency and country and compiled
    once (``Precompiled``): every portal and API list of an officer starts here, and building and
    compiling its three ``EXISTS`` cost more CPU than running them. The queryset is never evaluated:
    callers get ``.all()``, a clone, and it holds nothing but the keys."""
    return TrainingSession.objects.filter(Precompiled(_visible_to_officer_keys, officer_id, agency_id, country_id))


def _visible_to_officer_keys(officer_id: int, agency_id: int | None, country_id: str | None) -> Q:
    return visible_to_officer(Officer(pk=officer_id, agency=Agency(pk=agency_id, country_id=country_id)))


# The portal's filter choices change when a topic or a venue country is added: a minute's delay is fine.
FILTER_CHOICES_SECONDS = 60


@dataclass(frozen=True)
class SessionFilterChoices:
    """(value, label) pairs in the active language, sorted by label."""

    topics: list[tuple[str, str]]
    venue_countries: list[tuple[str, str]]
    audience_countries: list[tuple[str, str]]


def session_filter_choices() -> SessionFilterChoices:
    """The choices of the portal's session filters: every topic, the countries sessions are held in
    and the countries of our agencies (whose officers a session may be open to).

    Two queries, kept in the cache for a minute per language: every page of the session list
    shows the form. The lists are the same for every viewer, so they reveal nothing.
    """
    # Plain lists in the cache (no class of ours is pickled, so a deploy never meets an old shape).
    key = _filter_choices_key(get_language() or settings.LANGUAGE_CODE)
    lists = cache.get(key)
    if lists is None:
        lists = _session_filter_choice_lists()
        cache.set(key, lists, FILTER_CHOICES_SECONDS)
    return SessionFilterChoices(*lists)


def _filter_choices_key(language: str) -> str:
    # By the language's first two letters, as Topic.localized_name and Country.localized_name read it.
    return f"sessions:filter-choices:v2:{language[:2]}"


def forget_filter_choices(**kwargs) -> None:
    """A topic, country, agency or session was saved or deleted: read the choices again. A view that
    reads the old rows before the change commits may store them again, and a change written around
    the models (``QuerySet.update``, raw SQL) is not seen here: ``FILTER_CHOICES_SECONDS`` bounds both."""
    cache.delete_many([_filter_choices_key(code) for code, _name in settings.LANGUAGES])


def forget_filter_choices_on_changes() -> None:
    """Connected once by the sessions app when models are loaded."""
    for model in (Topic, Country, Agency, TrainingSession):
        for signal in (post_save, post_delete):
            signal.connect(forget_filter_choices, sender=model, dispatch_uid=f"filter-choices-{model.__name__}")


def _session_filter_choice_lists() -> tuple[list, list, list]:
    topics = sorted(
        ((topic.slug, str(topic.localized_name)) for topic in Topic.objects.all()), key=lambda item: item[1]
    )
    countries = Country.objects.annotate(
        is_venue=Exists(TrainingSession.objects.filter(country=OuterRef("pk"))),
        has_agencies=Exists(Agency.objects.filter(country=OuterRef("pk"))),
    ).filter(Q(is_venue=True) | Q(has_agencies=True))
    named = sorted(((country, str(country.localized_name)) for country in countries), key=lambda item: item[1])
    venues = [(country.code, name) for country, name in named if country.is_venue]
    audiences = [(country.code, name) for country, name in named if country.has_agencies]
    return topics, venues, audiences


class RegistrationState:
    """Where a session's registration stands (``registration_state``)."""

    NOT_PUBLISHED = "not_published"
    NOT_YET_OPEN = "window_not_open"
    OPEN = "open"
    CLOSED = "window_closed"


def registration_state(session: TrainingSession, now: datetime | None = None) -> str:
    """Whether a session takes registrations now: the one rule the portal, the API, invitations and
    the registration service share. A published session closes at its registration deadline (by
    default its start) and opens at its opening date, if it has one."""
    now = now or timezone.now()
    if session.status != TrainingSession.Status.PUBLISHED:
        return RegistrationState.NOT_PUBLISHED
    closes_at = session.effective_registration_closes_at
    if closes_at is None or now >= closes_at:
        return RegistrationState.CLOSED
    if session.registration_opens_at and now < session.registration_opens_at:
        return RegistrationState.NOT_YET_OPEN
    return RegistrationState.OPEN


def survey_is_open(survey: Survey, now: datetime | None = None) -> bool:
    """Whether a follow-up survey still takes answers: until its closing time, if it has one."""
    now = now or timezone.now()
    return survey.closes_at is None or survey.closes_at > now


def is_session_open_to(*, session: TrainingSession, officer: Officer) -> bool:
    """Whether the session's audience includes the officer (status and window aside)."""
    if session.audience == TrainingSession.Audience.OPEN:
        return True
    return (
        session.audience_agencies.filter(pk=officer.agency_id).exists()
        or session.audience_countries.filter(pk=officer.agency.country_id).exists()
    )


# UTC offsets span -12:00 to +14:00: a UTC period widened by this margin contains the same local
# period in every time zone.
UTC_OFFSET_MARGIN = timedelta(hours=15)


def local_period_condition(zones: Iterable[str], first: date, end: date) -> Q:
    """Sessions whose start, in the session's own time zone, is on or after ``first`` and before ``end``.

    One range on ``starts_at`` per time zone, ORed: no time-zone arithmetic per row, and the same
    on SQLite and PostgreSQL. ``zones`` must include those of the sessions concerned.
    """
    condition = Q(pk__in=[])
    for zone in zones:
        local = ZoneInfo(str(zone))
        condition |= Q(
            timezone=zone,
            starts_at__gte=datetime.combine(first, time(), local),
            starts_at__lt=datetime.combine(end, time(), local),
        )
    return condition


def zones_starting_between(first: date, end: date, sessions: QuerySet[TrainingSession] | None = None) -> list[str]:
    """The time zones of the sessions (of ``sessions``, default all) that may start between these local
    dates, in some time zone."""
    sessions = TrainingSession.objects.all() if sessions is None else sessions
    zones = (
        sessions.filter(
            starts_at__gte=datetime.combine(first, time(), UTC) - UTC_OFFSET_MARGIN,
            starts_at__lt=datetime.combine(end, time(), UTC) + UTC_OFFSET_MARGIN,
        )
        .order_by()
        .values_list("timezone", flat=True)
        .distinct()
    )
    return sorted(str(zone) for zone in zones)


def starting_in_local_month(queryset: QuerySet[TrainingSession], *, year: int, month: int) -> QuerySet[TrainingSession]:
    """Sessions of ``queryset`` that start in this month of their own time zone (as the yearly report
    counts them): a session at 22:00 on 31 March in Mexico City is March's, though April's in UTC."""
    first = date(year, month, 1)
    end = date(year + month // 12, month % 12 + 1, 1)
    return queryset.filter(local_period_condition(zones_starting_between(first, end), first, end))


def _held_seats(session_ref: str = "pk"):
    """Seats held by nominations awaiting approval or sign-up, as a subquery on a session reference."""
    return Coalesce(
        Subquery(
            Nomination.objects.filter(session_id=OuterRef(session_ref), status__in=Nomination.HOLDING)
            .order_by()
            .values("session_id")
            .annotate(n=Count("pk"))
            .values("n")
        ),
        0,
    )


def with_seat_counts(queryset: QuerySet[TrainingSession]) -> QuerySet[TrainingSession]:
    """Annotate ``seats_taken`` (confirmed seats and seats held by nominations) and ``waitlist_length``."""
    return queryset.annotate(
        seats_taken=Count("registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED))
        + _held_seats(),
        waitlist_length=Count("registrations", filter=Q(registrations__status=Registration.Status.WAITLISTED)),
    )


def seats_taken(session: TrainingSession) -> int:
    """Confirmed seats and seats held by pending nominations: the one count capacity is checked
    against (as pretix has one quota check)."""
    confirmed = session.registrations.filter(status=Registration.Status.CONFIRMED).count()
    if session.registration_mode == TrainingSession.RegistrationMode.OPEN:
        return confirmed
    return confirmed + Nomination.objects.filter(session=session, status__in=Nomination.HOLDING).count()


def quotas_apply(session: TrainingSession) -> bool:
    """Whether the session's agency quotas still reserve seats (until its release date's sweep)."""
    return session.quotas_released_at is None


def seats_used_by_agency(session: TrainingSession, agency_ids) -> dict[int, int]:
    """Seats each agency takes in the session: confirmed registrations (by the registration's agency
    snapshot) and seats held by its nominations."""
    used: dict[int, int] = {}
    rows = (
        Registration.objects.filter(session=session, status=Registration.Status.CONFIRMED, agency_id__in=agency_ids)
        .order_by()
        .values("agency_id")
        .annotate(n=Count("pk"))
    )
    held = (
        Nomination.objects.filter(session=session, status__in=Nomination.HOLDING, agency_id__in=agency_ids)
        .order_by()
        .values("agency_id")
        .annotate(n=Count("pk"))
    )
    for row in [*rows, *held]:
        used[row["agency_id"]] = used.get(row["agency_id"], 0) + row["n"]
    return used


@dataclass(frozen=True)
class QuotaUse:
    agency_id: int
    seats: int
    used: int

    @property
    def left(self) -> int:
        return max(self.seats - self.used, 0)


def quota_uses(session: TrainingSession) -> dict[int, QuotaUse]:
    """Each agency quota of the session with the seats its agency uses (empty once released)."""
    if not quotas_apply(session):
        return {}
    quotas = dict(SessionQuota.objects.filter(session=session).values_list("agency_id", "seats"))
    if not quotas:
        return {}
    used = seats_used_by_agency(session, list(quotas))
    return {agency_id: QuotaUse(agency_id, seats, used.get(agency_id, 0)) for agency_id, seats in quotas.items()}


_ANY_AGENCY = object()


def seats_left(session: TrainingSession, *, taken: int | None = None, agency_id=_ANY_AGENCY) -> int | None:
    """Free seats (None: no limit). ``taken`` when already counted, e.g. by ``with_seat_counts``.

    Without ``agency_id``: all free seats of the session, reserved or not. With it: the seats an
    officer of that agency may take — the agency's own unused quota first, then the unreserved
    pool; the unused seats reserved for other agencies are not theirs (until the quotas are released).

    The registration and nomination services ask here while holding the session's row lock, so
    the answer they act on cannot change under them.
    """
    if session.capacity is None:
        return None
    free = max(session.capacity - (seats_taken(session) if taken is None else taken), 0)
    if agency_id is _ANY_AGENCY or free == 0:
        return free
    reserved_for_others = sum(use.left for use in quota_uses(session).values() if use.agency_id != agency_id)
    return max(free - reserved_for_others, 0)


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


# --- Double-booking: a trainer or a venue in two sessions at once ---------------------------------


@dataclass(frozen=True)
class BookingConflict:
    """Two overlapping sessions (compared in UTC) that share trainers, a venue, or both.

    ``session`` is the one looked from (the session being saved, or the earlier of the pair).
    """

    session: TrainingSession
    other: TrainingSession
    trainers: tuple[Trainer, ...]
    venue: str

    def clash_keys(self) -> set[tuple]:
        """What clashes, one key per trainer and one for the venue, to tell a new clash from a known one."""
        keys = {(self.other.pk, "trainer", trainer.pk) for trainer in self.trainers}
        return keys | ({(self.other.pk, "venue")} if self.venue else set())


def _venue_key(session: TrainingSession) -> tuple[str, str] | None:
    """A place people meet in person, compared without case or extra spaces (None: no venue to share)."""
    if not session.is_in_person or not session.venue.strip():
        return None
    return (" ".join(session.venue.split()).casefold(), " ".join(session.city.split()).casefold())


def _conflict_between(first: TrainingSession, second: TrainingSession) -> BookingConflict | None:
    if not (first.starts_at < second.ends_at and second.starts_at < first.ends_at):
        return None
    second_trainers = {assignment.trainer_id for assignment in second.session_trainers.all()}
    trainers = tuple(
        assignment.trainer for assignment in first.session_trainers.all() if assignment.trainer_id in second_trainers
    )
    venue_key = _venue_key(first)
    venue = first.venue if venue_key is not None and venue_key == _venue_key(second) else ""
    if not trainers and not venue:
        return None
    return BookingConflict(session=first, other=second, trainers=trainers, venue=venue)


def _bookable(queryset: QuerySet[TrainingSession]) -> QuerySet[TrainingSession]:
    """Sessions that hold their trainers and venue: not cancelled, with both times set, trainers loaded."""
    return (
        queryset.exclude(status=TrainingSession.Status.CANCELLED)
        .filter(starts_at__isnull=False, ends_at__isnull=False)
        .prefetch_related(Prefetch("session_trainers", queryset=SessionTrainer.objects.select_related("trainer__user")))
        .order_by("starts_at", "pk")
    )


def booking_conflicts(*, ending_after: datetime, involving: set[int] | None = None) -> list[BookingConflict]:
    """Every pair of overlapping sessions that share a trainer or a venue, once per pair, among the
    sessions not over by ``ending_after`` (``involving``: only pairs with one of these sessions).

    Two queries whatever the number of sessions: the program holds a few hundred a year, so the
    pairs are found by sweeping the sessions in order of start rather than by a self-join.
    """
    sessions = list(_bookable(TrainingSession.objects.filter(ends_at__gt=ending_after)))
    conflicts = []
    for index, first in enumerate(sessions):
        for second in sessions[index + 1 :]:
            if second.starts_at >= first.ends_at:
                break
            conflict = _conflict_between(first, second)
            if conflict and (involving is None or {first.pk, second.pk} & involving):
                conflicts.append(conflict)
    return conflicts


def booking_conflicts_of(session_id: int | None) -> list[BookingConflict]:
    """The sessions that overlap this one, as stored, and share a trainer or its venue (one per other session)."""
    if session_id is None:
        return []
    session = _bookable(TrainingSession.objects.filter(pk=session_id)).first()
    if session is None:
        return []
    others = _bookable(
        TrainingSession.objects.filter(starts_at__lt=session.ends_at, ends_at__gt=session.starts_at).exclude(
            pk=session.pk
        )
    )
    return [conflict for other in others if (conflict := _conflict_between(session, other))]


def upcoming_sessions() -> QuerySet[TrainingSession]:
    return TrainingSession.objects.filter(status=TrainingSession.Status.PUBLISHED, starts_at__gte=timezone.now())


# =================================================================================================
# Invitations and follow-up survey results
# =================================================================================================


def with_invitation_state(queryset: QuerySet[Invitation], now=None) -> QuerySet[Invitation]:
    """Annotate ``state``: pending, sent, accepted, declined, expired or failed.

    ``Invitation.status`` stores the invitee's answer (pending, accepted, declined); whether the
    email went out or failed is read from its message in the outbound log, and expiry from the
    session's registration window, so each fact has a single source and never drifts.
    """
    now = now or timezone.now()
    message = OutboundMessage.objects.filter(
        kind="invitation", related_type=ContentType.objects.get_for_model(Invitation), related_id=OuterRef("pk")
    ).order_by("-id")
    return queryset.annotate(
        message_status=Subquery(message.values("status")[:1]),
        delivered_at=Subquery(message.values("sent_at")[:1]),
        closes_at=Coalesce("session__registration_closes_at", "session__starts_at"),
    ).annotate(
        state=Case(
            When(status__in=[Invitation.Status.ACCEPTED, Invitation.Status.DECLINED], then=F("status")),
            When(
                ~Q(session__status=TrainingSession.Status.PUBLISHED)
                | Q(closes_at__isnull=True)
                | Q(closes_at__lte=now),
                then=Value(Invitation.Status.EXPIRED),
            ),
            When(message_status=OutboundMessage.Status.FAILED, then=Value(Invitation.Status.FAILED)),
            When(message_status=OutboundMessage.Status.SENT, then=Value(Invitation.Status.SENT)),
            default=Value(Invitation.Status.PENDING),
            output_field=CharField(),
        )
    )


# Likelihood to recommend, 0-10: promoters answer 9 or 10, detractors 0 to 6.
PROMOTER_MIN_SCORE, DETRACTOR_MAX_SCORE = 9, 6


def promoters(path: str = "") -> Q:
    """Answers of promoters, as a filter on survey responses (``path`` to reach them, e.g. ``"responses__"``)."""
    return Q(**{f"{path}recommend_score__gte": PROMOTER_MIN_SCORE})


def detractors(path: str = "") -> Q:
    return Q(**{f"{path}recommend_score__lte": DETRACTOR_MAX_SCORE})


def net_promoter_score(*, promoters: int, detractors: int, scored: int, digits: int | None = None) -> float | None:
    """Share of promoters minus share of detractors, in points from -100 to 100 (None without answers).

    The one formula the survey pages, the back office and the yearly report use; ``digits`` as
    ``round``'s (the report shows one decimal, the survey pages whole points).
    """
    if not scored:
        return None
    points = 100 * (promoters - detractors) / scored
    return round(points) if digits is None else round(points, digits)


def net_promoter_score_of(scores: list[int]) -> int | None:
    """``net_promoter_score`` of a list of answers."""
    return net_promoter_score(
        promoters=sum(1 for score in scores if score >= PROMOTER_MIN_SCORE),
        detractors=sum(1 for score in scores if score <= DETRACTOR_MAX_SCORE),
        scored=len(scores),
    )


def response_rate(answered: int, invited: int) -> float | None:
    """The share of invited attendees who answered, in percent with one decimal (None when nobody was invited)."""
    return round(100 * answered / invited, 1) if invited else None


@dataclass(frozen=True)
class SurveyResults:
    invited: int
    answered: int
    overall: float | None
    usefulness: float | None
    trainer: float | None
    recommend: int | None  # net promoter score
    comments: list[str]
    topics_wanted: list[tuple[str, int]]

    @property
    def response_rate(self) -> float | None:
        return response_rate(self.answered, self.invited)


def survey_results(responses: QuerySet[SurveyResponse]) -> SurveyResults:
    """Response rate, average ratings, recommend score, comments and wanted topics of some responses."""
    totals = responses.aggregate(
        invited=Count("pk"),
        answered=Count("pk", filter=Q(submitted_at__isnull=False)),
        overall=Avg("overall_rating"),
        usefulness=Avg("usefulness_rating"),
        trainer=Avg("trainer_rating"),
    )
    answered = responses.filter(submitted_at__isnull=False)
    scores = list(answered.exclude(recommend_score__isnull=True).values_list("recommend_score", flat=True))
    comments = list(answered.exclude(comments="").order_by("-submitted_at").values_list("comments", flat=True))
    wanted = list(
        answered.exclude(topics_wanted=None)
        .values("topics_wanted")
        .annotate(count=Count("pk"))
        .order_by("-count", "topics_wanted")
    )
    topics = Topic.objects.filter(pk__in=[row["topics_wanted"] for row in wanted])
    names = {topic.pk: topic.localized_name for topic in topics}
    return SurveyResults(
        invited=totals["invited"],
        answered=totals["answered"],
        overall=_rounded(totals["overall"]),
        usefulness=_rounded(totals["usefulness"]),
        trainer=_rounded(totals["trainer"]),
        recommend=net_promoter_score_of(scores),
        comments=comments,
        topics_wanted=[(names[row["topics_wanted"]], row["count"]) for row in wanted],
    )


def _rounded(value) -> float | None:
    return round(value, 2) if value is not None else None


def survey_results_by_trainer() -> list[tuple[Trainer, SurveyResults]]:
    """The survey results of every trainer over all the sessions they taught."""
    trainers = Trainer.objects.filter(session_assignments__session__survey__isnull=False).distinct()
    return [
        (trainer, survey_results(SurveyResponse.objects.filter(survey__session__session_trainers__trainer=trainer)))
        for trainer in trainers.select_related("user")
    ]


def stale_attendance_snapshots() -> QuerySet[Attendance]:
    """Attendance records whose copy of their registration's session and snapshot differs from it
    (none, as long as every write goes through sessions.services)."""
    return Attendance.objects.exclude(**{name: F(f"registration__{name}") for name in Attendance.SNAPSHOT_FIELDS})


# The longest search text the portal and the API accept (a title is at most 200 characters).
SEARCH_MAX_LENGTH = 100


def search_sessions(queryset: QuerySet[TrainingSession], text: str) -> QuerySet[TrainingSession]:
    """Sessions whose title, in English, Spanish or French, contains ``text`` (ignoring case).

    A reader may know a session by any of its titles, whichever language they read the portal in.
    """
    text = text.strip()
    if not text:
        return queryset
    condition = Q()
    for name in translation_field_names("title"):
        condition |= Q(**{f"{name}__icontains": text})
    return queryset.filter(condition)


# --- Nominations -----------------------------------------------------------------------------------


def nomination_sessions_for(officer: Officer, now: datetime | None = None) -> QuerySet[TrainingSession]:
    """Upcoming sessions by nomination a focal point (``officer``) may nominate their agency's officers
    to: published, open to the agency, before their nomination deadline. Annotated with the agency's
    quota (``agency_quota``, None without one) and its active nominations (``agency_nominations``)."""
    now = now or timezone.now()
    quota = SessionQuota.objects.filter(session_id=OuterRef("pk"), agency_id=officer.agency_id).values("seats")[:1]
    nominated = (
        Nomination.objects.filter(session_id=OuterRef("pk"), agency_id=officer.agency_id, status__in=Nomination.ACTIVE)
        .order_by()
        .values("session_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        with_seat_counts(
            TrainingSession.objects.filter(visible_to_officer(officer))
            .filter(status=TrainingSession.Status.PUBLISHED, starts_at__gt=now)
            .exclude(registration_mode=TrainingSession.RegistrationMode.OPEN)
            .filter(Q(nomination_deadline__isnull=True) | Q(nomination_deadline__gt=now))
            .filter(Q(registration_closes_at__isnull=True) | Q(registration_closes_at__gt=now))
        )
        .annotate(agency_quota=Subquery(quota), agency_nominations=Coalesce(Subquery(nominated), 0))
        .order_by("starts_at", "id")
    )


def roll_call_day(days: list[SessionDay], zone, now: datetime | None = None) -> SessionDay | None:
    """The day a roll call opens on: today in the session's zone if it is one of the days, else the first."""
    if not days:
        return None
    today = (now or timezone.now()).astimezone(zone).date()
    return next((day for day in days if day.date == today), days[0])


def session_days(session: TrainingSession) -> list[SessionDay]:
    """The session's days by date (empty for a one-day session), each knowing its session.

    Read once per session object: a batch of emails about one session, its calendar file and its
    page share them.
    """
    if not hasattr(session, "_days_by_date"):
        session._days_by_date = list(SessionDay.objects.filter(session=session).order_by("date"))
        for day in session._days_by_date:
            day.session = session
    return session._days_by_date


# --- Check-in -----------------------------------------------------------------------------------
# A scan counts from two hours before the start (people arrive early) to the end of the session's
# last day in its own zone (a scan synced late in the evening still counts for that day).
CHECK_IN_OPENS_BEFORE = timedelta(hours=2)
# The code shown at the venue, or the link in the meeting chat, works from shortly before the start.
SELF_CHECK_IN_OPENS_BEFORE = timedelta(minutes=30)


def check_in_window(session: TrainingSession) -> tuple[datetime | None, datetime | None]:
    """(opens, closes) of the session's check-in by scan or search; (None, None) without dates."""
    if session.starts_at is None or session.ends_at is None:
        return None, None
    zone = ZoneInfo(str(session.timezone))
    last_day = session.ends_at.astimezone(zone).date()
    closes = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return session.starts_at - CHECK_IN_OPENS_BEFORE, closes


def self_check_in_window(session: TrainingSession) -> tuple[datetime | None, datetime | None]:
    """(opens, closes) of officers' self check-in: from shortly before the start to the end."""
    if session.starts_at is None or session.ends_at is None:
        return None, None
    return session.starts_at - SELF_CHECK_IN_OPENS_BEFORE, session.ends_at


def self_check_in_token(session: TrainingSession) -> str:
    """The unguessable part of the session's self check-in link (derived from SECRET_KEY, nothing stored)."""
    return salted_hmac("sessions.self_check_in", str(session.uuid), algorithm="sha256").hexdigest()[:32]


def check_in_roster(session: TrainingSession) -> list[Registration]:
    """The session's confirmed registrations with what the check-in page shows, ordered by name."""
    rows = list(
        Registration.objects.filter(session=session, status=Registration.Status.CONFIRMED).select_related(
            "officer__user", "pending_officer", "agency", "country", "attendance"
        )
    )
    return sorted(rows, key=lambda registration: (registration.person_name.casefold(), registration.pk))


def checked_in_at(registration: Registration) -> datetime | None:
    """When the registration checked in (counted attendance), from its loaded attendance; None if not."""
    attendance = getattr(registration, "attendance", None)
    if attendance is None or attendance.status not in Attendance.COUNTED:
        return None
    return attendance.checked_in_at


def check_in_day(session: TrainingSession, moment: datetime) -> SessionDay | None:
    """The day of a session of several days that ``moment`` falls on, in the session's zone; None when
    it falls on none of them (or the session has no days)."""
    days = session_days(session)
    if not days:
        return None
    local_date = moment.astimezone(ZoneInfo(str(session.timezone))).date()
    return next((day for day in days if day.date == local_date), None)


def roster_check_in_times(session: TrainingSession, registrations: list[Registration], now: datetime) -> dict:
    """Registration id → when it checked in, as the check-in page shows it: the counted attendance's
    time for a one-day session; for a session of several days, the earliest scan of the day ``now``
    falls on (a new day starts with nobody checked in), one query."""
    if not session_days(session):
        return {registration.pk: checked_in_at(registration) for registration in registrations}
    day = check_in_day(session, now)
    if day is None:
        return {registration.pk: None for registration in registrations}
    opens = day.starts_at - CHECK_IN_OPENS_BEFORE
    closes = datetime.combine(day.date + timedelta(days=1), time(0), tzinfo=ZoneInfo(str(session.timezone)))
    earliest = dict(
        CheckIn.objects.filter(session=session, scanned_at__gte=opens, scanned_at__lt=closes)
        .values("registration_id")
        .annotate(first=Min("scanned_at"))
        .values_list("registration_id", "first")
        .order_by()
    )
    return {registration.pk: earliest.get(registration.pk) for registration in registrations}
