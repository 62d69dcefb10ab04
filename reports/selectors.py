"""The managers' yearly counts: the one module that computes every figure of the yearly report.

The page, the CSV/XLSX/JSON exports, the management command and the API all call
:func:`yearly_report`, so their numbers cannot drift apart. Every figure is computed by the
database (aggregates and GROUP BY); Python only reshapes the handful of aggregated rows.

Counting rules (PRODUCT.md, "Counting rules") and the decisions taken where it is silent:

- A session belongs to the year of its start **in its own time zone** (``TrainingSession.timezone``).
  A session starting 31 December 23:30 in Mexico City is that year's, although it is 1 January in UTC.
- A session is **held** when it is completed, or published and already started at ``now``.
  Draft and cancelled sessions never count, nor a published session still in the future.
- An attendance **counts** when its status is present or partial, whatever the registration's
  source (walk-ins count) or status; absent and excused never count.
- "Officers trained" counts distinct ``Registration.officer_key`` values, so officers who erased
  their data (``officer`` is NULL) still count once each. Agency, country and region come from the
  registration's snapshot (as copied onto the attendance), never from the officer's current profile.
- Filters apply to every figure: ``format`` and ``topic`` select sessions; ``region`` (and
  ``agency``) selects the attendances (and survey answers) of officers from that M49 region (or
  agency, as snapshotted at registration), and the sessions that had at least one such counted
  attendance. So an agency's filtered figures are its row of the breakdown by agency.
- Breakdowns by topic and by trainer count a session under each of its topics or trainers, so
  their rows may add up to more than the total. "No topic" / "No trainer" rows keep the rest.

How, on both SQLite and PostgreSQL: one small query lists the time zones the candidate sessions
use; for each zone the UTC instants of the local 1 January are computed in Python and the
conditions ORed, so the year filter stays a plain range on ``starts_at`` (no per-row time-zone
arithmetic). The local month is ``AT TIME ZONE`` on PostgreSQL and a CASE over the same per-zone
month boundaries elsewhere. Sessions are selected first (about two thousand a year); their
counted attendance is then read from the attendance records themselves, which carry a copy of
their registration's session and snapshot (``Attendance.session``, ``officer_key``, ``agency``,
``country``; kept equal by sessions.services, verified by ``manage.py sync_attendance_snapshots``)
from one covering index, without joining registrations. One statement, whose common table
expressions are compiled from the ORM querysets below, groups every figure (see ``_grouped_rows``).
Session facts (held, year, month, format, topics, trainers) are joined at query time, so
rescheduling, cancelling or re-tagging a session shows at once. A report is a constant handful of
queries whatever the data: time zones, the grouped statement, sessions by format, survey averages
and the trainers' names.

Computing a year takes about 1.3 s on a million attendances (about 7 s at a hundred times the real
program), so managers are answered from stored figures, labelled with the moment they reflect and
refreshed in the background (``reports.store``); this module only computes.
"""

from __future__ import annotations

import statistics
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Collate, ExtractDay, ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Country, TrainingRequest
from reports.learning import LearningGain, LearningGainRow, learning_gain_by_year
from sessions.models import Attendance, SessionTrainer, Survey, SurveyResponse, Topic, Trainer, TrainingSession
from sessions.selectors import (
    detractors,
    local_period_condition,
    net_promoter_score,
    promoters,
    zones_starting_between,
)

YEAR_MIN = 2000
YEAR_MAX = 2100
BREAKDOWNS = ("region", "country", "agency", "topic", "trainer", "format", "month")
BREAKDOWN_LABELS = {
    "region": _("Region"),
    "country": _("Country"),
    "agency": _("Agency"),
    "topic": _("Topic"),
    "trainer": _("Trainer"),
    "format": _("Format"),
    "month": _("Month"),
}
COUNTED_STATUSES = [str(status) for status in Attendance.COUNTED]
HELD_STATUSES = [TrainingSession.Status.PUBLISHED, TrainingSession.Status.COMPLETED]


class ReportError(ValueError):
    """A report was asked for with a parameter it cannot honour (bad year, grouping, filter)."""


@dataclass(frozen=True)
class ReportFilters:
    region: str = ""
    format: str = ""
    topic: str = ""  # Topic slug
    # An agency's own figures (its focal points' agency page): attendee-side, like ``region``.
    agency: int | None = None

    def attendee_conditions(self, prefix: str = "") -> Q:
        """The attendee-side filters on an attendance (or, with ``prefix``, a registration) snapshot."""
        conditions = Q()
        if self.region:
            conditions &= Q(**{f"{prefix}country__region": self.region})
        if self.agency:
            conditions &= Q(**{f"{prefix}agency_id": self.agency})
        return conditions

    def as_dict(self) -> dict[str, str]:
        return {name: value for name, value in asdict(self).items() if value}


@dataclass(frozen=True)
class Figures:
    sessions_held: int
    sessions_by_format: dict[str, int]
    officers_trained: int
    attendances: int
    agencies_reached: int
    countries_reached: int
    survey_responses: int
    average_overall_rating: float | None
    average_usefulness_rating: float | None
    average_trainer_rating: float | None
    average_recommend_score: float | None
    net_promoter_score: float | None
    # The learning gain (reports.learning), beside the satisfaction figures; defaults for figures
    # stored before it existed (refreshed within reports.store.MAX_AGE).
    learning_gain_officers: int = 0
    average_pre_test_score: float | None = None
    average_post_test_score: float | None = None
    learning_gain: float | None = None
    # Figures stored before hours were counted have none until their refresh (within MAX_AGE).
    hours_delivered: float | None = None

    def metric_values(self) -> dict[str, int | float | None]:
        values = {"sessions_held": self.sessions_held}
        values.update({f"sessions_{name}": count for name, count in self.sessions_by_format.items()})
        values.update({name: getattr(self, name) for name in _PLAIN_METRICS})
        return values


_PLAIN_METRICS = (
    "officers_trained",
    "attendances",
    "hours_delivered",
    "agencies_reached",
    "countries_reached",
    "survey_responses",
    "average_overall_rating",
    "average_usefulness_rating",
    "average_trainer_rating",
    "average_recommend_score",
    "net_promoter_score",
    "learning_gain_officers",
    "average_pre_test_score",
    "average_post_test_score",
    "learning_gain",
)
METRIC_LABELS = {
    "sessions_held": _("Sessions held"),
    **{
        f"sessions_{value}": format_lazy("{}: {}", _("Sessions"), label)
        for value, label in TrainingSession.Format.choices
    },
    "officers_trained": _("Officers trained"),
    "attendances": _("Attendances"),
    "hours_delivered": _("Hours of training delivered"),
    "agencies_reached": _("Agencies reached"),
    "countries_reached": _("Countries reached"),
    "survey_responses": _("Survey responses"),
    "average_overall_rating": _("Average overall rating (1-5)"),
    "average_usefulness_rating": _("Average usefulness (1-5)"),
    "average_trainer_rating": _("Average trainer rating (1-5)"),
    "average_recommend_score": _("Average likelihood to recommend (0-10)"),
    "net_promoter_score": _("Net promoter score (-100 to 100)"),
    "learning_gain_officers": _("Officers who took both knowledge checks"),
    "average_pre_test_score": _("Average pre-test score (%)"),
    "average_post_test_score": _("Average post-test score (%)"),
    "learning_gain": _("Learning gain (percentage points)"),
}
BREAKDOWN_COLUMNS = ("sessions", "attendances", "officers_trained", "agencies_reached", "countries_reached")
BREAKDOWN_COLUMN_LABELS = {
    "sessions": _("Sessions"),
    "attendances": _("Attendances"),
    "officers_trained": _("Officers trained"),
    "agencies_reached": _("Agencies reached"),
    "countries_reached": _("Countries reached"),
}


@dataclass(frozen=True)
class BreakdownRow:
    key: str
    label: str
    sessions: int
    attendances: int
    officers_trained: int
    agencies_reached: int
    countries_reached: int


@dataclass(frozen=True)
class SummaryRow:
    metric: str
    label: str
    value: int | float | None
    previous: int | float | None
    change: int | float | None


FUNNEL_COLUMNS = ("received", "accepted", "delivered", "declined", "median_days_to_delivery")
FUNNEL_COLUMN_LABELS = {
    "received": _("Requests received"),
    "accepted": _("Accepted"),
    "delivered": _("Delivered"),
    "declined": _("Declined"),
    "median_days_to_delivery": _("Median days from request to delivery"),
}
FUNNEL_SCOPES = ("total", "region", "country")


@dataclass(frozen=True)
class FunnelRow:
    key: str
    label: str
    received: int
    accepted: int
    delivered: int
    declined: int
    median_days_to_delivery: float | None


@dataclass(frozen=True)
class Funnel:
    """The year's training requests: all agencies, then by the requesting agency's region and country."""

    total: FunnelRow
    region: list[FunnelRow]
    country: list[FunnelRow]

    def rows(self) -> list[tuple[str, FunnelRow]]:
        """(scope, row) for every row, the total first: the CSV's and the workbook's order."""
        return [("total", self.total), *(("region", row) for row in self.region)] + [
            ("country", row) for row in self.country
        ]


@dataclass(frozen=True)
class YearlyReport:
    year: int
    filters: ReportFilters
    current: Figures
    previous: Figures
    breakdowns: dict[str, list[BreakdownRow]] = field(default_factory=dict)
    # The moment the figures reflect: when they were computed.
    as_of: datetime | None = None
    # The training requests of the year (training_request_funnel); None only in hand-made reports.
    funnel: Funnel | None = None
    # The year's learning gain per topic and per trainer (reports.learning.learning_gain_rows).
    learning: list[LearningGainRow] = field(default_factory=list)

    def summary_rows(self) -> list[SummaryRow]:
        previous = self.previous.metric_values()
        rows = []
        for metric, value in self.current.metric_values().items():
            before = previous[metric]
            change = None if value is None or before is None else round(value - before, 2)
            rows.append(SummaryRow(metric, str(METRIC_LABELS[metric]), value, before, change))
        return rows

    def as_dict(self) -> dict:
        """The JSON shape shared by the API and ``export_yearly_counts --format json``."""
        return {
            "year": self.year,
            "previous_year": self.year - 1,
            "filters": self.filters.as_dict(),
            "summary": asdict(self.current),
            "previous": asdict(self.previous),
            "breakdowns": {name: [asdict(row) for row in rows] for name, rows in self.breakdowns.items()},
            "funnel": asdict(self.funnel) if self.funnel else None,
            "learning": [asdict(row) for row in self.learning],
            "as_of": self.as_of.isoformat() if self.as_of else None,
        }


def validate_year(year) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ReportError(_("The year must be a number such as 2024.")) from None
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise ReportError(_("The year must be between %(min)s and %(max)s.") % {"min": YEAR_MIN, "max": YEAR_MAX})
    return year


def validate_breakdown(name: str) -> str:
    if name not in BREAKDOWNS:
        raise ReportError(
            _("Unknown grouping %(name)r: choose one of %(choices)s.")
            % {"name": name, "choices": ", ".join(BREAKDOWNS)}
        )
    return name


def validate_filters(*, region: str = "", format: str = "", topic: str = "") -> ReportFilters:
    """Normalise filter values; an unknown format is an error, unknown region/topic simply match nothing."""
    if format and format not in TrainingSession.Format.values:
        raise ReportError(
            _("Unknown format %(name)r: choose one of %(choices)s.")
            % {"name": format, "choices": ", ".join(TrainingSession.Format.values)}
        )
    return ReportFilters(region=(region or "").strip(), format=format or "", topic=(topic or "").strip())


# --- Which sessions count --------------------------------------------------------------------


def _local_start(zone: str, year: int, month: int = 1) -> datetime:
    if month == 13:
        year, month = year + 1, 1
    return datetime(year, month, 1, tzinfo=ZoneInfo(zone))


def session_timezones(*, first_year: int, last_year: int) -> list[str]:
    """The time zones of the non-draft, non-cancelled sessions that may start in these local years."""
    return zones_starting_between(
        date(first_year, 1, 1),
        date(last_year + 1, 1, 1),
        sessions=TrainingSession.objects.filter(status__in=HELD_STATUSES),
    )


def _in_local_year(zones: list[str], year: int) -> Q:
    return local_period_condition(zones, date(year, 1, 1), date(year + 1, 1, 1))


def local_month(zones: list[str], year: int) -> Case:
    """The month (1-12) of a session's start in its own time zone, for sessions of ``year``."""
    whens = [
        When(Q(timezone=zone, starts_at__lt=_local_start(zone, year, month + 1)), then=Value(month))
        for zone in zones
        for month in range(1, 13)
    ]
    return Case(*whens, default=Value(None), output_field=IntegerField())


class LocalMonth(Func):
    """The month of a session's start in its own time zone.

    PostgreSQL converts with ``AT TIME ZONE`` (the same IANA database); other databases get the
    portable CASE over the per-zone month boundaries of ``year`` (see :func:`local_month`).
    """

    template = "EXTRACT(MONTH FROM %(expressions)s)::integer"
    arg_joiner = " AT TIME ZONE "
    output_field = IntegerField()

    def __init__(self, *, zones: list[str], year: int):
        super().__init__(F("starts_at"), F("timezone"))
        self.portable = local_month(zones, year)

    def resolve_expression(self, *args, **kwargs):
        resolved = super().resolve_expression(*args, **kwargs)
        resolved.portable = self.portable.resolve_expression(*args, **kwargs)
        return resolved

    def as_sql(self, compiler, connection, **extra_context):
        return compiler.compile(self.portable)

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, **extra_context)


def held_sessions(*, year: int, filters: ReportFilters, zones: list[str], now: datetime) -> QuerySet[TrainingSession]:
    """The sessions held in ``year`` (local time) that match the filters."""
    sessions = TrainingSession.objects.filter(_in_local_year(zones, year)).filter(
        Q(status=TrainingSession.Status.COMPLETED) | Q(status=TrainingSession.Status.PUBLISHED, starts_at__lt=now)
    )
    if filters.format:
        sessions = sessions.filter(format=filters.format)
    if filters.topic:
        tagged = TrainingSession.topics.through.objects.filter(
            trainingsession_id=OuterRef("pk"), topic__slug=filters.topic
        )
        sessions = sessions.filter(Exists(tagged))
    if filters.region or filters.agency:
        attended = Attendance.objects.filter(
            filters.attendee_conditions(), session_id=OuterRef("pk"), status__in=COUNTED_STATUSES
        )
        sessions = sessions.filter(Exists(attended))
    return sessions.order_by()


def counted_attendance_records(*, filters: ReportFilters) -> QuerySet[Attendance]:
    """Counted attendance records of any session, attendee filters applied: officer key, agency and
    country are the registration's snapshot, as copied onto the attendance."""
    return Attendance.objects.filter(filters.attendee_conditions(), status__in=COUNTED_STATUSES).order_by()


def counted_attendances(*, sessions: QuerySet[TrainingSession], filters: ReportFilters) -> QuerySet[Attendance]:
    """The counted attendance records of ``sessions``."""
    return counted_attendance_records(filters=filters).filter(session__in=sessions.values("pk"))


# --- Figures ---------------------------------------------------------------------------------


def _rounded(value, digits: int = 2) -> float | None:
    return None if value is None else round(float(value), digits)


def _year_of(sessions: QuerySet[TrainingSession], *, year: int, path: str) -> Case:
    """Which of the two years a row belongs to: ``year`` when its session is in ``sessions``, else the previous."""
    return Case(When(**{f"{path}__in": sessions.values("pk")}, then=Value(year)), default=Value(year - 1))


def _figures(
    *,
    sessions,
    previous_sessions,
    year: int,
    filters: ReportFilters,
    attendance_rows: list[dict],
    learning: dict[int, LearningGain],
) -> dict[int, Figures]:
    """The summary of ``year`` and of the previous year, each query aggregating both years at once.

    The attendance figures come from the grouped statement (its "summary" part, one row per year).
    """
    both = sessions | previous_sessions
    formats = both.values_list(_year_of(sessions, year=year, path="pk"), "format").annotate(count=Count("pk"))
    sessions_by_format = {key: dict.fromkeys(TrainingSession.Format.values, 0) for key in (year, year - 1)}
    for row_year, session_format, count in formats.order_by():
        sessions_by_format[row_year][session_format] = count
    attendance = {int(row["key"]): row for row in attendance_rows}
    # A response belongs to its survey's session (the session of its registration): selecting the
    # answers by survey reads them from their covering index, without joining registrations.
    responses = SurveyResponse.objects.filter(submitted_at__isnull=False, survey__in=_surveys_of(both))
    responses = responses.filter(filters.attendee_conditions(prefix="registration__"))
    this_year = Case(When(survey__in=_surveys_of(sessions), then=Value(year)), default=Value(year - 1))
    survey = {
        row["year"]: row
        for row in responses.values(year=this_year)
        .annotate(
            responses=Count("pk"),
            overall=Avg("overall_rating"),
            usefulness=Avg("usefulness_rating"),
            trainer=Avg("trainer_rating"),
            recommend=Avg("recommend_score"),
            scored=Count("recommend_score"),
            promoters=Count("pk", filter=promoters()),
            detractors=Count("pk", filter=detractors()),
        )
        .order_by()
    }
    hours = _hours_delivered(sessions=sessions, both=both, year=year, filters=filters)
    return {
        key: _shape_figures(
            sessions_by_format[key], attendance.get(key, {}), survey.get(key, {}), learning[key], hours[key]
        )
        for key in (year, year - 1)
    }


def _attempt_conditions(filters: ReportFilters) -> Q:
    """The attendee-side filters on a knowledge-check attempt: its registration's snapshot."""
    return filters.attendee_conditions(prefix="registration__")


# "Hours delivered" (PRODUCT.md): per counted attendance, the session's scheduled hours (end minus
# start) when present; when partial, the time recorded for that officer where one is kept,
# otherwise half the session's hours. A session of several days records each attendance's hours
# (the sum of its days' hours attended: ``Attendance.hours_attended``), which then count as they are,
# present or partial; a one-day session's attendance keeps none, so its partial ones count half.
PARTIAL_SHARE = 0.5


def _hours_delivered(*, sessions, both, year: int, filters: ReportFilters) -> dict[int, float]:
    """Hours delivered in ``year`` and the previous year: one query counting present and partial
    attendances per session (with the session's start and end) and summing the hours recorded, summed here."""
    present, partial = Attendance.Status.PRESENT, Attendance.Status.PARTIAL
    unrecorded = Q(hours_attended__isnull=True)
    rows = (
        counted_attendance_records(filters=filters)
        .filter(session__in=both.values("pk"))
        .values_list(_year_of(sessions, year=year, path="session_id"), "session__starts_at", "session__ends_at")
        .annotate(
            present=Count("pk", filter=Q(status=present) & unrecorded),
            partial=Count("pk", filter=Q(status=partial) & unrecorded),
            recorded=Sum("hours_attended"),
        )
    )
    hours = {year: 0.0, year - 1: 0.0}
    for row_year, starts_at, ends_at, present_count, partial_count, recorded in rows.order_by():
        hours[row_year] += float(recorded or 0)
        if starts_at is None or ends_at is None or ends_at <= starts_at:
            continue
        session_hours = (ends_at - starts_at).total_seconds() / 3600
        hours[row_year] += session_hours * (present_count + PARTIAL_SHARE * partial_count)
    return {key: round(value, 1) for key, value in hours.items()}


def _surveys_of(sessions: QuerySet[TrainingSession]) -> QuerySet[Survey]:
    return Survey.objects.filter(session__in=sessions.values("pk")).values("pk")


def _shape_figures(
    by_format: dict[str, int], attendance: dict, survey: dict, learning: LearningGain, hours: float
) -> Figures:
    scored = survey.get("scored", 0)
    net_promoter = (
        net_promoter_score(promoters=survey["promoters"], detractors=survey["detractors"], scored=scored, digits=1)
        if scored
        else None
    )
    return Figures(
        sessions_held=sum(by_format.values()),
        sessions_by_format=by_format,
        officers_trained=attendance.get("officers_trained", 0),
        attendances=attendance.get("attendances", 0),
        agencies_reached=attendance.get("agencies_reached", 0),
        countries_reached=attendance.get("countries_reached", 0),
        survey_responses=survey.get("responses", 0),
        average_overall_rating=_rounded(survey.get("overall")),
        average_usefulness_rating=_rounded(survey.get("usefulness")),
        average_trainer_rating=_rounded(survey.get("trainer")),
        average_recommend_score=_rounded(survey.get("recommend")),
        net_promoter_score=net_promoter,
        **asdict(learning, dict_factory=_learning_fields),
        hours_delivered=hours,
    )


def _learning_fields(items) -> dict:
    return {("learning_gain_officers" if name == "officers" else name): value for name, value in items}


# --- Breakdowns ------------------------------------------------------------------------------

# The attendance figures of both years and every breakdown are grouped in one statement from common
# table expressions built by the ORM querysets above (so the counting rules exist once): ``held``,
# the year's held sessions with their format and local month; ``cur`` and ``prev``, the counted
# attendances of this and of the previous year's held sessions, read from the attendance's own copy
# of its registration's snapshot (one index, no join with registrations).
#
# What each group measures, and where from:
# - attendee-side groups (region, country, agency) group ``cur``; a country reaches one country and
#   an agency one agency, so those two columns are constants rather than a DISTINCT over every row;
# - session-side groups (format, month, topic, trainer) count their sessions from ``held`` (a few
#   thousand rows) and their attendance figures from ``cur``, which carries each session's format
#   and local month; the two kinds of rows are added up per key in Python (see ``_add_row``).
_ATTENDANCE_MEASURES = (
    "COUNT(*)",
    "COUNT(DISTINCT c.c_officer)",
    "COUNT(DISTINCT c.c_agency)",
    "COUNT(DISTINCT c.c_country_number)",
)
# Attendee-side groups: (grouped column, measures) — sessions, attendances, officers, agencies, countries.
_ATTENDEE_SIDE = {
    "region": ("c.c_region", ("COUNT(DISTINCT c.c_session)", *_ATTENDANCE_MEASURES)),
    "country": ("c.c_country", ("COUNT(DISTINCT c.c_session)", *_ATTENDANCE_MEASURES[:3], "1")),
    "agency": ("c.c_agency", ("COUNT(DISTINCT c.c_session)", *_ATTENDANCE_MEASURES[:2], "1", _ATTENDANCE_MEASURES[3])),
}


# Session-side groups reached through a link table: (table, its column naming the session).
_SESSION_LINKS = {
    "topic": (TrainingSession.topics.through._meta.db_table, "trainingsession_id"),
    "trainer": (SessionTrainer._meta.db_table, "session_id"),
}


@dataclass(frozen=True)
class _Labels:
    """How a breakdown names its grouped rows: a join on ``g.group_key`` and the key and label it gives."""

    join: str = ""
    key: str = "g.group_key"
    label: str = "g.group_key"


def _labels(by: str) -> _Labels:
    quote = connection.ops.quote_name
    if by == "country":
        return _Labels(f"LEFT JOIN {quote(Country._meta.db_table)} l ON l.code = g.group_key", label="l.name")
    if by == "agency":
        return _Labels(f"LEFT JOIN {quote(Agency._meta.db_table)} l ON l.id = g.group_key", label="l.name")
    if by == "topic":
        return _Labels(f"LEFT JOIN {quote(Topic._meta.db_table)} l ON l.id = g.group_key", "l.slug", "l.name")
    return _Labels()


def _grouped_select(*, part: str, group: str, source: str, measures, labels: _Labels = _Labels()) -> str:
    """One SELECT of the statement: part, key and label as text, then the five measures of ``BREAKDOWN_COLUMNS``.

    Rows are grouped on narrow keys first; names are joined to the few grouped rows afterwards.
    """
    columns = ", ".join(f"{measure} AS m{index}" for index, measure in enumerate(measures))
    # Only names from this module are interpolated; values travel as parameters.
    return (
        f"SELECT '{part}' AS part, CAST({labels.key} AS VARCHAR(200)) AS key, "  # noqa: S608
        f"CAST({labels.label} AS VARCHAR(200)) AS label, g.m0, g.m1, g.m2, g.m3, g.m4 "
        f"FROM (SELECT {group} AS group_key, {columns} FROM {source} GROUP BY {group}) g {labels.join}"
    )


def _part_selects(by: str, year: int) -> list[str]:
    """The SELECTs of one part of the statement: the summary, or one breakdown of ``year``."""
    quote = connection.ops.quote_name
    if by == "summary":  # one row per year; sessions held are counted from the sessions query
        return [
            f"SELECT 'summary' AS part, CAST({key} AS VARCHAR(200)) AS key, CAST(NULL AS VARCHAR(200)) AS label, "  # noqa: S608
            f"0, {', '.join(_ATTENDANCE_MEASURES)} FROM {source} c"
            for key, source in ((int(year), "cur"), (int(year) - 1, "prev"))
        ]
    if by in _ATTENDEE_SIDE:
        group, measures = _ATTENDEE_SIDE[by]
        return [_grouped_select(part=by, group=group, source="cur c", measures=measures, labels=_labels(by))]
    labels = _labels(by)
    if by in ("format", "month"):
        held, counted = "held h", "cur c"
        groups = (f"h.h_{by}", f"c.c_{by}")
    else:
        table, column = _SESSION_LINKS[by]
        held = f"held h LEFT JOIN {quote(table)} st ON st.{column} = h.h_id"
        counted = f"cur c LEFT JOIN {quote(table)} st ON st.{column} = c.c_session"
        groups = (f"st.{by}_id", f"st.{by}_id")
    return [
        _grouped_select(part=by, group=groups[0], source=held, measures=("COUNT(*)", 0, 0, 0, 0), labels=labels),
        _grouped_select(part=by, group=groups[1], source=counted, measures=(0, *_ATTENDANCE_MEASURES), labels=labels),
    ]


def _bytewise(name: str):
    """A text column compared byte by byte on PostgreSQL: sorting for GROUP BY and DISTINCT is much
    cheaper than under the database's linguistic collation, and groups the same values (codes,
    formats and M49 names have no two spellings a collation would merge). SQLite compares bytes already."""
    return Collate(F(name), "C") if connection.vendor == "postgresql" else F(name)


def _counted_values(attendances: QuerySet[Attendance]) -> QuerySet:
    """Each counted attendance with its snapshot."""
    return attendances.values(
        c_session=F("session_id"),
        c_officer=F("officer_key"),
        c_agency=F("agency_id"),
        c_country=_bytewise("country_id"),
        c_region=_bytewise("country__region"),
    )


def _grouped_rows(
    *, breakdowns, year: int, sessions, previous_sessions, filters: ReportFilters, zones: list[str]
) -> dict[str, list]:
    """One statement for the attendance figures of both years ("summary") and every requested breakdown
    of ``year``: {part: [row dicts]} before labels and ordering."""
    parts = ("summary", *breakdowns)
    held = sessions.values(h_id=F("pk"), h_format=_bytewise("format"), h_month=LocalMonth(zones=zones, year=year))
    # ``cur`` and ``prev`` are the counted attendance of ``held`` and ``held_before`` by a join (which
    # also gives ``cur`` each session's format and local month, computed once per session): the
    # planner then estimates their size well, and hashes their joins to topics and trainers.
    counted = _counted_values(counted_attendance_records(filters=filters))
    held_before = previous_sessions.values(h_id=F("pk"))
    try:
        compiled = [query.query.sql_with_params() for query in (held, held_before, counted)]
    except EmptyResultSet:  # no session can be in these years: nothing to group
        return {part: [] for part in parts}
    (held_sql, held_params), (before_sql, before_params), (counted_sql, counted_params) = compiled
    quote = connection.ops.quote_name
    selects = [select for part in parts for select in _part_selects(part, year)]
    # Countries are also numbered (in code order) for the distinct counts: DISTINCT over an integer
    # sorts much faster than over text.
    # Referenced once, ``held_before`` would be inlined, and its region filter then misleads the
    # planner into pairing every session with every country of the region (seconds, not milliseconds).
    fence = "MATERIALIZED " if connection.vendor == "postgresql" else ""
    numbers = f"SELECT code, ROW_NUMBER() OVER (ORDER BY code) AS number FROM {quote(Country._meta.db_table)}"  # noqa: S608
    statement = (
        f"WITH held AS ({held_sql}), held_before AS {fence}({before_sql}), "  # noqa: S608 — querysets and names from here
        f"country_numbers AS ({numbers}), "
        f"cur AS (SELECT a.*, h.h_format AS c_format, h.h_month AS c_month, n.number AS c_country_number "
        f"FROM ({counted_sql}) a JOIN held h ON h.h_id = a.c_session JOIN country_numbers n ON n.code = a.c_country), "
        f"prev AS (SELECT a.*, n.number AS c_country_number FROM ({counted_sql}) a "
        f"JOIN held_before h ON h.h_id = a.c_session JOIN country_numbers n ON n.code = a.c_country) "
        + " UNION ALL ".join(selects)
    )
    columns = ("key", "label", *BREAKDOWN_COLUMNS)
    grouped = {part: {} for part in parts}
    with connection.cursor() as cursor:
        cursor.execute(statement, (*held_params, *before_params, *counted_params, *counted_params))
        for part, *values in cursor.fetchall():
            _add_row(grouped[part], dict(zip(columns, values, strict=True)))
    return {part: list(rows.values()) for part, rows in grouped.items()}


def _add_row(rows: dict, row: dict) -> None:
    """Add a grouped row to ``rows`` by key: a session-side breakdown gives each key two rows, one
    counting its sessions and one its attendance figures."""
    found = rows.setdefault(row["key"], row)
    if found is not row:
        for column in BREAKDOWN_COLUMNS:
            found[column] += row[column]


def _ordered(by: str, rows: list[dict]) -> list[dict]:
    if by in _ATTENDEE_SIDE:
        return sorted(rows, key=lambda row: (-row["officers_trained"], -row["attendances"], row["label"] or ""))
    if by == "trainer":
        rows = [{**row, "key": None if row["key"] is None else int(row["key"])} for row in rows]
        return _with_trainer_names(rows)
    if by == "month":
        return [{**row, "key": None if row["key"] is None else int(row["key"])} for row in rows]
    if by == "topic":
        return sorted(
            rows, key=lambda row: (-row["sessions"], row["label"] is None, row["label"] or "", row["key"] or "")
        )
    return rows


def _with_trainer_names(rows: list[dict]) -> list[dict]:
    """Name the trainers in one small query rather than carrying names through the aggregate."""
    names = {
        pk: f"{first} {last}".strip() or email
        for pk, first, last, email in Trainer.objects.filter(pk__in=[row["key"] for row in rows]).values_list(
            "pk", "user__first_name", "user__last_name", "user__email"
        )
    }
    rows = [{**row, "label": names.get(row["key"])} for row in rows]
    return sorted(rows, key=lambda row: (-row["sessions"], row["key"] is None, row["label"] or "", row["key"] or 0))


def _shape_rows(*, by: str, year: int, rows: list[dict]) -> list[BreakdownRow]:
    """Give the aggregated rows their display labels; formats and months are listed even when empty."""
    if by == "format":
        found = {row["key"]: row for row in rows}
        rows = [found.get(value) or _empty_row(value) for value in TrainingSession.Format.values]
        labels = dict(TrainingSession.Format.choices)
        return [_row(row, key=row["key"], label=str(labels[row["key"]])) for row in rows]
    if by == "month":
        found = {row["key"]: row for row in rows}
        rows = [found.get(month) or _empty_row(month) for month in range(1, 13)]
        return [_row(row, key=f"{year}-{row['key']:02d}", label=f"{year}-{row['key']:02d}") for row in rows]
    fallback = {"topic": _("No topic"), "trainer": _("No trainer"), "region": _("No region")}.get(by, "")
    return [
        _row(row, key="" if row["key"] is None else str(row["key"]), label=row["label"] or str(fallback))
        for row in rows
    ]


def _empty_row(key) -> dict:
    return {"key": key, **dict.fromkeys(BREAKDOWN_COLUMNS, 0)}


def _row(row: dict, *, key: str, label: str) -> BreakdownRow:
    return BreakdownRow(key=key, label=label, **{column: row[column] for column in BREAKDOWN_COLUMNS})


# --- Entry points ----------------------------------------------------------------------------


def yearly_report(
    *,
    year: int,
    filters: ReportFilters | None = None,
    breakdowns: tuple[str, ...] | list[str] = BREAKDOWNS,
    now: datetime | None = None,
) -> YearlyReport:
    """Every figure of ``year`` and the previous year's summary, for the given filters, computed now.

    Five queries whatever the data (the time zones, one statement for the attendance figures of
    both years and every breakdown, sessions by format, survey averages, the trainers' names).
    Managers are answered from the stored figures instead (``reports.store.served_report``).
    """
    year = validate_year(year)
    for name in breakdowns:
        validate_breakdown(name)
    filters = filters or ReportFilters()
    now = now or timezone.now()
    with without_jit():
        figures = _computed(year=year, filters=filters, breakdowns=breakdowns, now=now)
    return shaped_report(figures, year=year, filters=filters, breakdowns=breakdowns, as_of=now)


def report_figures(*, year: int, filters: ReportFilters, now: datetime) -> dict:
    """Every figure and every breakdown of ``year`` as plain data, labels not yet translated (what is stored)."""
    with without_jit():
        return _computed(year=validate_year(year), filters=filters, breakdowns=BREAKDOWNS, now=now)


@contextmanager
def without_jit():
    """Run the enclosed queries in a transaction with PostgreSQL's JIT compiler off.

    The report's aggregates are estimated as expensive, so PostgreSQL JIT-compiles them, which cost
    seconds of compilation for well under a second of execution on a million attendances.
    ``SET LOCAL`` ends with the transaction; other databases are left alone.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


def _computed(*, year: int, filters: ReportFilters, breakdowns, now: datetime) -> dict:
    """Every figure, as plain data (what is stored): {"figures": {year: ...}, "grouped": {part: rows}}."""
    zones = session_timezones(first_year=year - 1, last_year=year)
    sessions = held_sessions(year=year, filters=filters, zones=zones, now=now)
    previous_sessions = held_sessions(year=year - 1, filters=filters, zones=zones, now=now)
    grouped = _grouped_rows(
        breakdowns=breakdowns,
        year=year,
        sessions=sessions,
        previous_sessions=previous_sessions,
        filters=filters,
        zones=zones,
    )
    learning, learning_rows = learning_gain_by_year(
        sessions=sessions,
        previous_sessions=previous_sessions,
        year=year,
        attendee_conditions=_attempt_conditions(filters),
    )
    figures = _figures(
        sessions=sessions,
        previous_sessions=previous_sessions,
        year=year,
        filters=filters,
        attendance_rows=grouped.pop("summary"),
        learning=learning,
    )
    return {
        "figures": {str(key): asdict(value) for key, value in figures.items()},
        "grouped": grouped,
        "funnel": training_request_funnel(year=year, filters=filters),
        "learning": [asdict(row) for row in learning_rows],
    }


def shaped_report(computed: dict, *, year: int, filters: ReportFilters, breakdowns, as_of: datetime) -> YearlyReport:
    """The report as served: figures, and the requested breakdowns ordered and labelled (in the
    active language, and with the trainers' names of now)."""
    grouped = computed["grouped"]
    return YearlyReport(
        year=year,
        filters=filters,
        current=Figures(**computed["figures"][str(year)]),
        previous=Figures(**computed["figures"][str(year - 1)]),
        breakdowns={name: _shape_rows(by=name, year=year, rows=_ordered(name, grouped[name])) for name in breakdowns},
        as_of=as_of,
        # Figures stored before the funnel existed are refreshed within MAX_AGE; meanwhile it is counted now.
        funnel=shaped_funnel(computed.get("funnel") or training_request_funnel(year=year, filters=filters)),
        learning=[LearningGainRow(**row) for row in computed.get("learning", [])],
    )


def report_years(*, now: datetime | None = None) -> list[int]:
    """Years to offer in the year selector: those with sessions, and the current one, newest first.

    A session's year is that of its start in its own time zone, as the report counts it: a session
    on 31 December in Mexico City is that year's, although it is 1 January in UTC.
    """
    now = now or timezone.now()
    # Time zones are at most 14 hours from UTC: only a start on 31 December or 1 January (UTC) can
    # fall in another year locally, so only those few starts are read one by one.
    near_new_year = Q(utc_month=12, utc_day=31) | Q(utc_month=1, utc_day=1)
    rows = (
        TrainingSession.objects.filter(status__in=HELD_STATUSES, starts_at__isnull=False)
        .order_by()
        .annotate(
            utc_year=ExtractYear("starts_at", tzinfo=UTC),
            utc_month=ExtractMonth("starts_at", tzinfo=UTC),
            utc_day=ExtractDay("starts_at", tzinfo=UTC),
            start_near_new_year=Case(When(near_new_year, then=F("starts_at"))),
        )
        .values_list("utc_year", "timezone", "start_near_new_year")
        .distinct()
    )
    years = {now.year}
    for utc_year, zone, start in rows:
        years.add(start.astimezone(ZoneInfo(str(zone))).year if start else utc_year)
    return sorted((year for year in years if YEAR_MIN <= year <= YEAR_MAX), reverse=True)


def last_complete_year(*, now: datetime | None = None) -> int:
    """The year the report opens on: the last one that is over, so that it is never a few days or
    months of this year set against a whole previous year."""
    return timezone.localdate(now or timezone.now()).year - 1


def filter_choices() -> dict[str, list[tuple[str, str]]]:
    """The values offered by the page's filters (regions of M49, formats, topics)."""
    regions = Country.objects.exclude(region="").order_by("region").values_list("region", flat=True).distinct()
    return {
        "region": [(region, region) for region in regions],
        "format": [(value, str(label)) for value, label in TrainingSession.Format.choices],
        "topic": list(Topic.objects.order_by("name").values_list("slug", "name")),
    }


# --- Training requests: the funnel ---------------------------------------------------------------
#
# A request belongs to the UTC year it was submitted in (``created_at``): it has no time zone of
# its own, and a request is counted once, in the year the agency asked, whatever happens later.
# "Accepted" counts requests that ever reached acceptance (``accepted_at`` stays set when one is
# declined or withdrawn afterwards); "delivered" and "declined" are the current states; the median
# is of whole UTC days from submission to delivery (the session's completion), delivered requests
# only. Filters: ``region`` and ``agency`` select the requesting agency, ``format`` the requested
# format, ``topic`` requests naming that topic.


def _funnel_counts() -> dict:
    return {"received": 0, "accepted": 0, "delivered": 0, "declined": 0, "days": []}


def training_request_funnel(*, year: int, filters: ReportFilters | None = None) -> dict:
    """The funnel of ``year`` as plain data (what is stored): one query, reshaped in Python.

    A year holds a few hundred requests at most (one per agency and topic in the busiest years),
    so the rows are read once and counted here, which keeps the median exact on every database.
    """
    filters = filters or ReportFilters()
    start = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    requests = TrainingRequest.objects.filter(created_at__gte=start, created_at__lt=end)
    if filters.region:
        requests = requests.filter(agency__country__region=filters.region)
    if filters.agency:
        requests = requests.filter(agency_id=filters.agency)
    if filters.format:
        requests = requests.filter(format=filters.format)
    if filters.topic:
        named = TrainingRequest.topics.through.objects.filter(topic__slug=filters.topic)
        requests = requests.filter(pk__in=named.values("trainingrequest_id"))
    total, regions, countries = _funnel_counts(), {}, {}
    rows = requests.values_list(
        "state",
        "accepted_at",
        "created_at",
        "delivered_at",
        "agency__country_id",
        "agency__country__region",
        "agency__country__name",
    )
    for state, accepted_at, created_at, delivered_at, country, region, country_name in rows:
        for counts in (
            total,
            regions.setdefault(region or "", _funnel_counts()),
            countries.setdefault(country, {**_funnel_counts(), "name": country_name}),
        ):
            counts["received"] += 1
            counts["accepted"] += accepted_at is not None
            counts["declined"] += state == TrainingRequest.State.DECLINED
            if state == TrainingRequest.State.DELIVERED and delivered_at is not None:
                counts["delivered"] += 1
                counts["days"].append((delivered_at.astimezone(UTC).date() - created_at.astimezone(UTC).date()).days)

    def plain(key: str, label: str, counts: dict) -> dict:
        median = statistics.median(counts["days"]) if counts["days"] else None
        return {
            "key": key,
            "label": label,
            **{name: counts[name] for name in ("received", "accepted", "delivered", "declined")},
            "median_days_to_delivery": None if median is None else round(float(median), 1),
        }

    return {
        "total": plain("", "", total),
        "region": [plain(key, key, counts) for key, counts in regions.items()],
        "country": [plain(key, counts["name"], counts) for key, counts in countries.items()],
    }


def _funnel_order(row: dict):
    return (-row["received"], row["label"] or "", row["key"])


def shaped_funnel(data: dict) -> Funnel:
    """The stored funnel as served: labelled in the active language, biggest first."""
    total = FunnelRow(**{**data["total"], "label": str(_("All agencies"))})
    regions = [
        FunnelRow(**{**row, "label": row["label"] or str(_("No region"))})
        for row in sorted(data["region"], key=_funnel_order)
    ]
    countries = [FunnelRow(**row) for row in sorted(data["country"], key=_funnel_order)]
    return Funnel(total=total, region=regions, country=countries)
