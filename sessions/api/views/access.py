"""Which sessions and meeting links an API caller may see (one place for the API's views)."""

from functools import lru_cache

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, Value

from accounts.roles import has_confirmed_email_expression
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
    return ExpressionWrapper(
        Q(_confirmed_seat(role.officer_id)) & Q(has_confirmed_email_expression(request.user)),
        output_field=BooleanField(),
    )


@lru_cache(maxsize=1024)
def _confirmed_seat(officer_id: int) -> Exists:
    """The officer holds a confirmed seat in the session row; built once per officer (it is copied when resolved)."""
    return Exists(
        Registration.objects.filter(
            officer_id=officer_id, session_id=OuterRef("pk"), status=Registration.Status.CONFIRMED
        )
    )
