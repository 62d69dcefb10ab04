"""iCalendar (.ics) files for sessions, built with the icalendar library.

The UID is derived from the session's UUID, so every file for one session updates the same
calendar entry; SEQUENCE is raised by the services whenever the entry changes.

A session of several days is one event per day, each with its own hours. An RDATE list would
keep one event, but the days' hours may differ and RDATE periods (``VALUE=PERIOD``) are ignored
by common clients, which then give every day the first day's hours. The first day keeps the
session's UID (a session that gains days updates the entry already in calendars); the others
add their number (``-day-2``…).
"""

from datetime import UTC

from django.conf import settings
from django.utils import timezone, translation
from icalendar import Calendar, Event, vCalAddress, vText

from sessions.models import TrainingSession
from sessions.selectors import session_days as days_of

PRODID = "-//TrainingOps//Training sessions//EN"


def session_uid(session: TrainingSession) -> str:
    return f"session-{session.uuid}@trainingops"


def _location(session: TrainingSession, include_meeting_url: bool) -> str:
    place = session.place
    if include_meeting_url and session.meeting_url:
        return f"{place} — {session.meeting_url}" if place else session.meeting_url
    return place


def build_session_ics(
    session: TrainingSession,
    *,
    include_meeting_url: bool,
    method: str = "PUBLISH",
    attendee_email: str = "",
    language: str | None = None,
) -> str:
    """Return the calendar file for a session.

    ``method`` is PUBLISH for confirmations and updates, CANCEL for a cancelled session. The
    meeting link is included only for confirmed officers (``include_meeting_url``). The title and
    description are in ``language`` (the recipient's), by default the active one (the requester's).
    """
    if language is not None:
        with translation.override(language):
            return build_session_ics(
                session, include_meeting_url=include_meeting_url, method=method, attendee_email=attendee_email
            )
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    zone = session.timezone
    days = days_of(session)
    if not days:
        spans = [(session_uid(session), session.starts_at.astimezone(zone), session.ends_at.astimezone(zone))]
    else:
        spans = [
            (day_uid(session, number), day.starts_at_in(zone), day.ends_at_in(zone))
            for number, day in enumerate(days, start=1)
        ]
    for uid, starts, ends in spans:
        calendar.add_component(
            _event(
                session,
                uid,
                starts,
                ends,
                include_meeting_url=include_meeting_url,
                method=method,
                attendee_email=attendee_email,
            )
        )
    calendar.add_missing_timezones()
    return calendar.to_ical().decode("utf-8")


def day_uid(session: TrainingSession, number: int) -> str:
    """The UID of the ``number``-th day (from 1) of a session of several days; the first is the session's."""
    return session_uid(session) if number == 1 else f"session-{session.uuid}-day-{number}@trainingops"


def _event(session, uid, starts, ends, *, include_meeting_url: bool, method: str, attendee_email: str) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("sequence", session.sequence)
    event.add("dtstamp", timezone.now().astimezone(UTC))
    event.add("dtstart", starts)
    event.add("dtend", ends)
    event.add("summary", session.title)
    description = session.description
    if include_meeting_url and session.meeting_url:
        description = f"{description}\n\n{session.meeting_url}".strip()
    event.add("description", description)
    location = _location(session, include_meeting_url)
    if location:
        event.add("location", location)
    event.add("url", f"{settings.SITE_URL}/sessions/{session.pk}/")
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    if attendee_email:
        attendee = vCalAddress(f"mailto:{attendee_email}")
        attendee.params["cn"] = vText(attendee_email)
        event.add("attendee", attendee, encode=0)
    return event
