"""Stored reports: managers are answered from the last computed figures at once, labelled with the
moment they reflect, and Celery refreshes them in the background.

- **Serving** (:func:`served_report`): the stored figures of (year, filters) whenever they exist,
  as of their ``computed_at``: two small queries whatever the data. The first view of a
  combination is computed in the request when the two years hold few sessions (the real program:
  a few hundred, well under a second); otherwise a placeholder row is stored, its refresh queued,
  and the caller shows "being prepared" (None) until the worker has computed it.
- **Refreshing after a change**: a committed save or delete of a row the report reads asks for a
  refresh of its session's years (``reports.changes``, :func:`request_refresh`): one
  ``RefreshRequest`` row per year, inserted after the commit with ``ON CONFLICT DO NOTHING``; only
  the insert that creates it enqueues the refresh, so a burst of registrations queues one
  refresh per year, and no writer waits for another.
- **Safety net** (:func:`refresh_out_of_date`, beat every ``REPORT_REFRESH_SECONDS``): writes
  that bypass the models' save and delete (``QuerySet.update``, raw SQL, a restore) are caught by
  the database's own count of writes to the report's tables (:func:`data_fingerprint`), a
  published session that started since is caught by its start, a lost task by its request row.
  Each stored report records the fingerprint read before it was computed; any difference
  refreshes it, and so does an age over ``MAX_AGE`` (figures counted by code that a deployment
  has changed since). SQLite keeps no such count: there every live report is recomputed each time.
- **Coalescing**: a report being refreshed is locked (``SELECT … FOR UPDATE SKIP LOCKED``); another
  refresh skips it (and the refresh task tries again a few seconds later), so one year is never
  computed twice at once.

Filtered reports and other years are kept fresh while managers look at them: a row nobody has
viewed for ``KEEP_UNVIEWED_FOR`` is deleted (its next view is a first view again), so beat never
refreshes figures nobody reads and never serves figures it stopped refreshing.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from functools import partial
from urllib.parse import parse_qsl, urlencode
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from agencies.models import Agency, Country, TrainingRequest
from reports.models import RefreshRequest, StoredReport
from reports.selectors import (
    BREAKDOWNS,
    ReportFilters,
    YearlyReport,
    report_figures,
    shaped_report,
    validate_breakdown,
    validate_year,
    yearly_report,
)
from sessions.models import (
    Attendance,
    KnowledgeCheck,
    KnowledgeCheckAttempt,
    Registration,
    SessionTrainer,
    Survey,
    SurveyResponse,
    Topic,
    TrainingSession,
)
from trainingops.celery import enqueue

logger = logging.getLogger(__name__)

# A first view is computed in the request when the two years it reads hold at most this many
# sessions: the real program has about 120 a year; 1,000 take about half a second to count.
COMPUTE_IN_REQUEST_MAX_SESSIONS = 1000
# How often a view is noted (one UPDATE per report per period, not one per page view).
NOTE_VIEW_EVERY = timedelta(hours=1)
KEEP_UNVIEWED_FOR = timedelta(days=1)
# Whatever the checks say, no figures older than this are served after beat's next run: this bounds
# figures counted by code a deployment has since changed, and a write count the server was late to add.
MAX_AGE = timedelta(minutes=10)


def report_tables() -> list[str]:
    """The tables whose rows the stored figures are computed from (a test compares them with the
    tables the report's queries read); trainers' names are looked up each time a report is served."""
    models = (TrainingSession, TrainingSession.topics.through, SessionTrainer, Attendance, Registration)
    models += (Survey, SurveyResponse, Country, Agency, Topic, KnowledgeCheck, KnowledgeCheckAttempt)
    models += (TrainingRequest, TrainingRequest.topics.through)
    return sorted(model._meta.db_table for model in models)


def filters_key(filters: ReportFilters) -> str:
    return urlencode(sorted(filters.as_dict().items()))


def _filters_of(key: str) -> ReportFilters:
    return ReportFilters(**dict(parse_qsl(key)))


# --- Serving ---------------------------------------------------------------------------------


def served_report(
    *,
    year: int,
    filters: ReportFilters | None = None,
    breakdowns: tuple[str, ...] | list[str] = BREAKDOWNS,
    now: datetime | None = None,
) -> YearlyReport | None:
    """The report a manager is shown: the stored figures, ``as_of`` when they were computed.

    None means "being prepared": nothing is stored for this year and these filters yet, they are
    too many to count in a request, and a refresh has been queued.
    """
    year = validate_year(year)
    for name in breakdowns:
        validate_breakdown(name)
    filters = filters or ReportFilters()
    now = now or timezone.now()
    key = filters_key(filters)
    stored = StoredReport.objects.filter(year=year, filters=key).first()
    if stored is not None and stored.data is not None:
        _note_view(stored, now)
        return shaped_report(stored.data, year=year, filters=filters, breakdowns=breakdowns, as_of=stored.computed_at)
    if not _worth_storing(filters, key):
        return yearly_report(year=year, filters=filters, breakdowns=breakdowns, now=now)
    if stored is None and _cheap(year):
        fingerprint = data_fingerprint()
        data = report_figures(year=year, filters=filters, now=now)
        _save(year=year, key=key, data=data, fingerprint=fingerprint, now=now)
        return shaped_report(data, year=year, filters=filters, breakdowns=breakdowns, as_of=now)
    _prepare(year=year, key=key, now=now)
    return None


def _note_view(stored: StoredReport, now: datetime) -> None:
    if stored.viewed_at < now - NOTE_VIEW_EVERY:
        StoredReport.objects.filter(pk=stored.pk).update(viewed_at=now)


def _worth_storing(filters: ReportFilters, key: str) -> bool:
    """Store reports for filters a manager can pick, not for any string typed into the address bar."""
    if len(key) > StoredReport._meta.get_field("filters").max_length:
        return False
    if filters.region and not Country.objects.filter(region=filters.region).exists():
        return False
    return not filters.topic or Topic.objects.filter(slug=filters.topic).exists()


def _cheap(year: int) -> bool:
    """Few enough sessions in the two years to count them while the manager waits (one index range)."""
    sessions = TrainingSession.objects.filter(
        starts_at__gte=datetime(year - 1, 1, 1, tzinfo=UTC) - timedelta(days=1),
        starts_at__lt=datetime(year + 1, 1, 1, tzinfo=UTC) + timedelta(days=1),
    )
    return sessions[: COMPUTE_IN_REQUEST_MAX_SESSIONS + 1].count() <= COMPUTE_IN_REQUEST_MAX_SESSIONS


def _save(*, year: int, key: str, data: dict, fingerprint: str, now: datetime) -> None:
    StoredReport.objects.bulk_create(
        [StoredReport(year=year, filters=key, computed_at=now, data=data, fingerprint=fingerprint, viewed_at=now)],
        update_conflicts=True,
        unique_fields=["year", "filters"],
        update_fields=["computed_at", "data", "fingerprint", "viewed_at"],
    )


def _prepare(*, year: int, key: str, now: datetime) -> None:
    """Store an empty report for (year, filters) and queue its computation."""
    _, created = StoredReport.objects.get_or_create(year=year, filters=key, defaults={"viewed_at": now})
    if created:
        transaction.on_commit(partial(_enqueue_refresh, year=year))


# --- Asking for a refresh --------------------------------------------------------------------


def request_refresh(*, years) -> None:
    """Ask for the stored reports of ``years`` to be computed again (after a committed change).

    Runs after the writer's commit: a year already waiting costs one index probe and no lock; the
    first request of a year enqueues its refresh. The broker is optional: a task that cannot be
    queued leaves the request row, which beat's next run honours.
    """
    years = sorted(set(years))
    if not years:
        return
    table = connection.ops.quote_name(RefreshRequest._meta.db_table)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (year, requested_at) VALUES {', '.join(['(%s, %s)'] * len(years))} "  # noqa: S608
            "ON CONFLICT (year) DO NOTHING RETURNING year",  # only the model's table and placeholders are formatted
            [value for year in years for value in (year, now)],
        )
        inserted = sorted(year for (year,) in cursor.fetchall())
    for year in inserted:
        _enqueue_refresh(year=year)


def _enqueue_refresh(*, year: int) -> None:
    from reports.tasks import refresh_year

    enqueue(refresh_year, year=year)  # when the broker is down, the request row waits for beat


def years_of_session(session_id: int) -> list[int]:
    """The reports a change to this session's data moves: its local year's, and the next year's
    (which shows it as the previous year)."""
    row = TrainingSession.objects.filter(pk=session_id).values_list("starts_at", "timezone").first()
    if row is None:
        return stored_years()
    return years_of(starts_at=row[0], zone=row[1])


def years_of(*, starts_at: datetime | None, zone) -> list[int]:
    if starts_at is None:
        return stored_years()
    year = starts_at.astimezone(ZoneInfo(str(zone))).year
    return [year, year + 1]


def any_stored() -> bool:
    return StoredReport.objects.exists()


def stored_years() -> list[int]:
    return list(StoredReport.objects.order_by().values_list("year", flat=True).distinct())


# --- Refreshing ------------------------------------------------------------------------------


def refresh_year(*, year: int) -> bool:
    """Compute every stored report of ``year`` again; False when one was being refreshed by
    another worker (and was skipped: the caller tries again)."""
    RefreshRequest.objects.filter(year=year).delete()
    fingerprint = data_fingerprint()
    done = [refresh_stored_report(pk=pk, fingerprint=fingerprint) for pk in _stored_ids(year=year)]
    return all(done)


def _stored_ids(**conditions) -> list[int]:
    return list(StoredReport.objects.filter(**conditions).order_by("year", "filters").values_list("pk", flat=True))


def refresh_stored_report(*, pk: int, fingerprint: str) -> bool:
    """Compute one stored report again, holding its row so that nobody else computes it meanwhile.

    False when another worker holds it (or it is gone). ``fingerprint`` was read before computing:
    a write counted after it only makes the figures look older than they are, never newer.
    """
    with transaction.atomic():
        stored = StoredReport.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
        if stored is None:
            return not StoredReport.objects.filter(pk=pk).exists()
        now = timezone.now()
        stored.data = report_figures(year=stored.year, filters=_filters_of(stored.filters), now=now)
        stored.computed_at, stored.fingerprint = now, fingerprint
        stored.save(update_fields=["data", "computed_at", "fingerprint"])
    return True


def refresh_out_of_date(*, now: datetime | None = None) -> list[tuple[int, str]]:
    """Beat's safety net: keep this and last year's full report stored, drop reports nobody
    views any more, and compute again every other one that may be out of date. Returns the
    (year, filters) refreshed."""
    now = now or timezone.now()
    for year in (now.year, now.year - 1):
        StoredReport.objects.get_or_create(year=year, filters="", defaults={"viewed_at": now})
    StoredReport.objects.exclude(_live(now)).delete()
    requested = set(RefreshRequest.objects.values_list("year", flat=True))
    RefreshRequest.objects.filter(year__in=requested).delete()
    fingerprint = data_fingerprint()
    refreshed = []
    for stored in StoredReport.objects.order_by("-year", "filters").defer("data"):
        out_of_date = _may_be_out_of_date(stored, fingerprint=fingerprint, requested=requested, now=now)
        if out_of_date and refresh_stored_report(pk=stored.pk, fingerprint=fingerprint):
            refreshed.append((stored.year, stored.filters))
    return refreshed


def _live(now: datetime) -> Q:
    return Q(filters="", year__in=(now.year, now.year - 1)) | Q(viewed_at__gte=now - KEEP_UNVIEWED_FOR)


def _may_be_out_of_date(stored: StoredReport, *, fingerprint: str, requested: set[int], now: datetime) -> bool:
    if stored.computed_at is None or not fingerprint or stored.fingerprint != fingerprint:
        return True
    if stored.computed_at < now - MAX_AGE:
        return True
    if stored.year in requested:
        return True
    # A published session counts once it has started: the clock alone can change the figures.
    return TrainingSession.objects.filter(
        status=TrainingSession.Status.PUBLISHED, starts_at__gt=stored.computed_at, starts_at__lte=now
    ).exists()


def data_fingerprint() -> str:
    """PostgreSQL's cumulative count of rows inserted, updated and deleted (and live) in the tables
    the report reads, as text; "" where the database keeps no such count (SQLite).

    Every write path moves it (services, the admin, ``QuerySet.update``, raw SQL, TRUNCATE through
    the live count), with no trigger and no row that writers share: the server counts writes per
    backend and adds them to shared statistics within about a second of each transaction. A
    rolled-back write or a statistics reset also moves it, which costs one needless refresh.
    """
    if connection.vendor != "postgresql":
        return ""
    with connection.cursor() as cursor:
        # Statistics read earlier in this transaction are cached: read them afresh.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT relname, n_tup_ins, n_tup_upd, n_tup_del, n_live_tup FROM pg_stat_user_tables "
            "WHERE schemaname = current_schema() AND relname = ANY(%s) ORDER BY relname",
            [report_tables()],
        )
        counts = [sum(values) for _, *values in cursor.fetchall()]
    return ".".join(str(count) for count in counts)
