"""Which sessions and meeting links an API caller may see (one place for the API's views)."""

from accounts.roles import has_confirmed_email
from sessions.api.permissions import (
    role_of,
)
from sessions.models import Registration, TrainingSession
from sessions.selectors import sessions_visible_to


def visible_sessions(request):
    role = role_of(request)
    if role.is_staff_role:
        return TrainingSession.objects.all()
    if role.is_officer:
        # A subquery rather than the selector's DISTINCT: the list counts with a window function.
        visible = sessions_visible_to(role.officer_for_filtering()).values("pk")
        return TrainingSession.objects.filter(pk__in=visible)
    return TrainingSession.objects.none()


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
