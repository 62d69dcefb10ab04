"""Links and times of the back office's own pages (dashboard, calendar)."""

from django import template
from django.urls import reverse

from sessions.admin.base import local_period, local_times

register = template.Library()


@register.filter
def session_change_url(session) -> str:
    return reverse("admin:training_trainingsession_change", args=[session.pk])


@register.filter
def roll_call_url(session) -> str:
    """The session's roll call page (``sessions.admin.roll_call``)."""
    return reverse("admin:training_trainingsession_roll_call", args=[session.pk])


@register.filter
def check_in_url(session) -> str:
    """The session's check-in page, where codes are scanned at the door (``sessions.check_in_page_views``)."""
    return reverse("sessions:check_in", args=[session.pk])


@register.simple_tag
def session_period(session, zone) -> str:
    """ "12 Mar 09:00–13:00 (Paris)": a session's times in the viewer's zone."""
    if session.starts_at is None or session.ends_at is None:
        return ""
    return local_period(session.starts_at, session.ends_at, zone)


@register.simple_tag
def session_times(session, zone) -> str:
    """ "09:00–13:00" in the viewer's zone, for a calendar day; the end's date too when it is another day."""
    return local_times(session.starts_at, session.ends_at, zone, start_format="H:i")
