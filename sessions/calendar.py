"""iCalendar (.ics) files for sessions, built with the icalendar library.

The UID is derived from the session's UUID, so every file for one session updates the same
calendar entry; SEQUENCE is raised by the services whenever the entry changes.
"""

from datetime import UTC

from django.conf import settings
from django.utils import timezone, translation
from icalendar import Calendar, Event, vCalAddress, vText

from sessions.models import TrainingSession

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
    event = Event()
    event.add("uid", session_uid(session))
    event.add("sequence", session.sequence)
    event.add("dtstamp", timezone.now().astimezone(UTC))
    event.add("dtstart", session.starts_at.astimezone(session.timezone))
    event.add("dtend", session.ends_at.astimezone(session.timezone))
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
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical().decode("utf-8")
