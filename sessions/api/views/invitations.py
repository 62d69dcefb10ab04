"""A session's invitations through the API: the list, and sending (or previewing) through the services."""

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample
from rest_framework import status

from sessions import services
from sessions.models import Invitation, TrainingSession
from sessions.selectors import with_invitation_state

INVITATION_EXAMPLES = [
    OpenApiExample(
        "pasted text, preview only",
        value={
            "recipients": '"López, Ana" <ana@policia.gob.mx>; Bob Stone <bob@interpol.int>\nluis@sspc.gob.mx',
            "agency": 12,
            "language": "es",
            "dry_run": True,
        },
        request_only=True,
    ),
    OpenApiExample(
        "a list of recipients",
        value={"recipients": [{"email": "ana@policia.gob.mx", "name": "Ana López"}], "agency": 12},
        request_only=True,
    ),
]


def session_invitations(session: TrainingSession) -> QuerySet[Invitation]:
    """The session's invitations with their state (one query per page, whatever the page size)."""
    return with_invitation_state(Invitation.objects.filter(session=session)).order_by("-created_at", "-id")


def invite_or_preview(
    *, session: TrainingSession, by, recipients: str, agency, language: str, dry_run: bool, previewed: str
) -> tuple[services.InvitationPlan, int]:
    """The plan of a request and its HTTP status: 200 for a dry run, 202 once the sending has started."""
    arguments = {"pasted": recipients, "language": language, "default_agency_id": agency.pk if agency else None}
    if dry_run:
        services.check_can_invite(session)
        return services.plan_invitations(session=session, **arguments), status.HTTP_200_OK
    plan = services.invite_officers(session=session, by=by, previewed=previewed, **arguments)
    return plan, status.HTTP_202_ACCEPTED
