"""``{% session_days session as days %}``: a session's days (empty for a one-day session), read once per session.

The emails, the portal page and the calendar file show the days of a session of several days; a
batch of emails about one session shares one session object, so its days are read once for all.
"""

from django import template

from sessions.models import SessionDay, TrainingSession
from sessions.selectors import session_days as days_of

register = template.Library()


@register.simple_tag
def session_days(session) -> list[SessionDay]:
    if not isinstance(session, TrainingSession) or session.pk is None:
        return []
    return days_of(session)
