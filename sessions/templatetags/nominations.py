"""The agency page's section of sessions by nomination (kept out of the agency page's view)."""

from django import template

from accounts.roles import focal_point_agency_id
from sessions.selectors import nomination_sessions_for

register = template.Library()

SHOWN = 20


@register.inclusion_tag("portal/includes/agency_nominations.html", takes_context=True)
def agency_nomination_sessions(context):
    """Upcoming sessions by nomination open to the focal point's agency, with its quota and nominees."""
    request = context["request"]
    officer = getattr(request.user, "officer", None)
    sessions = []
    if officer is not None and focal_point_agency_id(request.user) == officer.agency_id:
        sessions = list(nomination_sessions_for(officer)[:SHOWN])
    return {"sessions": sessions, "request": request}
