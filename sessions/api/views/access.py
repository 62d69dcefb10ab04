"""Which sessions and meeting links an API caller may see (one place for the API's views)."""

from accounts.roles import has_confirmed_email
from sessions import selectors
from sessions.api.permissions import (
    role_of,
)
from sessions.models import Registration, TrainingSession


def visible_sessions(request):
    """The caller's sessions (``sessions.selectors.visible_sessions``); callers without a role see none."""
    role = role_of(request)
    if not (role.is_staff_role or role.is_officer):
        return TrainingSession.objects.none()
    officer = role.officer_for_filtering() if role.is_officer else None
    return selectors.visible_sessions(officer=officer, staff=role.is_staff_role)


def meeting_link_sessions(request, session_ids) -> set[int] | None:
    """Sessions whose meeting link the caller may see: all for staff, confirmed ones for an officer."""
    role = role_of(request)
    if role.is_staff_role:
        return None
    if not role.is_officer or not session_ids or not has_confirmed_email(request.user):
        return set()
    confirmed = Registration.objects.filter(
        officer_id=role.officer_id, session_id__in=session_ids, status=Registration.Status.CONFIRMED
    )
    return set(confirmed.values_list("session_id", flat=True))
