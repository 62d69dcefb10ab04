"""The yearly report computed from scratch, in Python, the slow and obvious way.

It reads each counted attendance's registration (never the attendance's copy of its snapshot)
and each session as it is now, and applies the counting rules of PRODUCT.md one row at a time.
Tests compare ``reports.selectors.yearly_report`` with it after every kind of change to the
underlying data.
"""

from collections import defaultdict
from zoneinfo import ZoneInfo

from reports.selectors import ReportFilters
from sessions.models import Attendance, SurveyResponse, TrainingSession


def _is_held(session: TrainingSession, now) -> bool:
    if session.status == TrainingSession.Status.COMPLETED:
        return True
    return session.status == TrainingSession.Status.PUBLISHED and session.starts_at < now


def _local_start(session: TrainingSession):
    return session.starts_at.astimezone(ZoneInfo(str(session.timezone)))


def _sessions_of(year: int, filters: ReportFilters, now) -> list[TrainingSession]:
    sessions = []
    for session in TrainingSession.objects.exclude(starts_at=None).prefetch_related("topics", "session_trainers"):
        if not _is_held(session, now) or _local_start(session).year != year:
            continue
        if filters.format and session.format != filters.format:
            continue
        if filters.topic and filters.topic not in {topic.slug for topic in session.topics.all()}:
            continue
        sessions.append(session)
    return sessions


def _attendances_of(sessions: list[TrainingSession], filters: ReportFilters) -> list[tuple]:
    """(session, registration) of each counted attendance of ``sessions``, region filter applied."""
    by_id = {session.pk: session for session in sessions}
    rows = []
    for attendance in Attendance.objects.select_related("registration__country"):
        registration = attendance.registration
        if attendance.status not in Attendance.COUNTED or registration.session_id not in by_id:
            continue
        if filters.region and registration.country.region != filters.region:
            continue
        rows.append((by_id[registration.session_id], registration))
    return rows


def _measures(rows: list[tuple]) -> dict:
    return {
        "attendances": len(rows),
        "officers_trained": len({registration.officer_key for _, registration in rows}),
        "agencies_reached": len({registration.agency_id for _, registration in rows}),
        "countries_reached": len({registration.country_id for _, registration in rows}),
    }


def _session_keys(session: TrainingSession, by: str, year: int) -> list:
    if by == "format":
        return [session.format]
    if by == "month":
        return [f"{year}-{_local_start(session).month:02d}"]
    if by == "topic":
        return [topic.slug for topic in session.topics.all()] or [""]
    return [str(link.trainer_id) for link in session.session_trainers.all()] or [""]


def _attendee_key(registration, by: str) -> str:
    return {"region": registration.country.region, "country": registration.country_id}.get(
        by, str(registration.agency_id)
    )


def _breakdown(by: str, sessions, rows, year: int) -> dict[str, tuple]:
    grouped_rows, grouped_sessions = defaultdict(list), defaultdict(set)
    if by in ("region", "country", "agency"):
        for session, registration in rows:
            key = _attendee_key(registration, by)
            grouped_rows[key].append((session, registration))
            grouped_sessions[key].add(session.pk)
    else:
        for session in sessions:
            for key in _session_keys(session, by, year):
                grouped_sessions[key].add(session.pk)
        for session, registration in rows:
            for key in _session_keys(session, by, year):
                grouped_rows[key].append((session, registration))
    result = {}
    for key in set(grouped_sessions) | set(grouped_rows):
        measures = _measures(grouped_rows[key])
        result[key] = (len(grouped_sessions[key]), *measures.values())
    return result


def _survey(sessions, filters: ReportFilters) -> tuple:
    ids = {session.pk for session in sessions}
    answers = [
        response
        for response in SurveyResponse.objects.filter(submitted_at__isnull=False).select_related(
            "registration__country"
        )
        if response.registration.session_id in ids
        and (not filters.region or response.registration.country.region == filters.region)
    ]
    overall = [response.overall_rating for response in answers if response.overall_rating is not None]
    return len(answers), round(sum(overall) / len(overall), 2) if overall else None


def reference_report(*, year: int, now, filters: ReportFilters | None = None) -> dict:
    """Summary figures of ``year`` and the previous year, and every breakdown of ``year``."""
    filters = filters or ReportFilters()
    result = {}
    for label, report_year in (("current", year), ("previous", year - 1)):
        sessions = _sessions_of(report_year, filters, now)
        rows = _attendances_of(sessions, filters)
        if filters.region:
            sessions = [session for session in sessions if session in {row[0] for row in rows}]
        by_format = dict.fromkeys(TrainingSession.Format.values, 0)
        for session in sessions:
            by_format[session.format] += 1
        result[label] = {"sessions_by_format": by_format, **_measures(rows), "survey": _survey(sessions, filters)}
        if label == "current":
            result["breakdowns"] = {
                by: _breakdown(by, sessions, rows, year)
                for by in ("region", "country", "agency", "topic", "trainer", "format", "month")
            }
    return result


def as_reference(report) -> dict:
    """The same shape from a ``YearlyReport``: rows with nothing in them (empty months) left out."""
    result = {}
    for label, figures in (("current", report.current), ("previous", report.previous)):
        result[label] = {
            "sessions_by_format": figures.sessions_by_format,
            "attendances": figures.attendances,
            "officers_trained": figures.officers_trained,
            "agencies_reached": figures.agencies_reached,
            "countries_reached": figures.countries_reached,
            "survey": (figures.survey_responses, figures.average_overall_rating),
        }
    result["breakdowns"] = {
        by: {
            row.key: (row.sessions, row.attendances, row.officers_trained, row.agencies_reached, row.countries_reached)
            for row in rows
            if row.sessions or row.attendances
        }
        for by, rows in report.breakdowns.items()
    }
    return result
