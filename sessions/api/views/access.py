"""Which sessions and meeting links an API caller may see (one place for the API's views)."""

from django.db.models import Exists, OuterRef, Q, Value

from accounts.roles import has_confirmed_email_expression
from sessions import selectors
from sessions.api.permissions import (
    role_of,
)
from sessions.models import Registration, TrainingSession
from trainingops.precompiled import Precompiled


def visible_sessions(request):
    """The caller's sessions (``sessions.selectors.visible_sessions``); callers without a role see none."""
    role = role_of(request)
    if not (role.is_staff_role or role.is_officer):
        return TrainingSession.objects.none()
    officer = role.officer_for_filtering() if role.is_officer else None
    return selectors.visible_sessions(officer=officer, staff=role.is_staff_role)


def meeting_link_visible(request):
    """Whether the caller may see a session's meeting link, as a condition on each session row: every
    link for staff; for an officer at a confirmed address, those of sessions they hold a confirmed seat in.

    An annotation rather than a statement of its own, so that a page of sessions stays one query.
    """
    role = role_of(request)
    if role.is_staff_role:
        return Value(True)
    if not role.is_officer:
        return Value(False)
    user = request.user
    if getattr(user, "_has_confirmed_email", True) is False:
        return Value(False)
    return Precompiled(_meeting_link_condition, role.officer_id, user.pk, user.email)


def _meeting_link_condition(officer_id: int, user_id: int, email: str) -> Q:
    """A confirmed seat in the session row, for an officer whose address is confirmed (``Precompiled``)."""
    confirmed_seat = Registration.objects.filter(
        officer_id=officer_id, session_id=OuterRef("pk"), status=Registration.Status.CONFIRMED
    )
    return Exists(confirmed_seat) & Q(has_confirmed_email_expression(user_id=user_id, email=email))
