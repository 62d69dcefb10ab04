"""Which sessions and meeting links an API caller may see (one place for the API's views)."""

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, Value

from accounts.roles import has_confirmed_email_expression
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
    seat = Registration.objects.filter(
        officer_id=role.officer_id, session_id=OuterRef("pk"), status=Registration.Status.CONFIRMED
    )
    return ExpressionWrapper(
        Q(Exists(seat)) & Q(has_confirmed_email_expression(request.user)), output_field=BooleanField()
    )
