"""Invitations: who to invite (pasted lists, agencies, countries), sending, accepting, declining."""

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, AgencyEmailDomain, Officer
from sessions import notifications
from sessions.models import (
    Invitation,
    InvitationRequest,
    Registration,
    TrainingSession,
)
from sessions.selectors import RegistrationState, registration_state
from sessions.services.base import InvitationError, RegistrationError
from sessions.services.registrations import register_officer
from trainingops.actors import on_behalf
from trainingops.celery import enqueue

INVITATION_CHUNK_SIZE = 500
# What an invitation email needs of each row (the session is shared, the rest is not read).
INVITATION_MESSAGE_FIELDS = (
    "id",
    "email",
    "language",
    "token",
    "session_id",
    "officer__id",
    "officer__user__id",
    "officer__user__first_name",
    "officer__user__last_name",
)


@dataclass(frozen=True)
class Invitee:
    email: str
    agency_id: int | None
    officer_id: int | None
    language: str


@dataclass
class InvitationPlan:
    """Who an invitation request would reach: new invitees, addresses already invited, bad lines."""

    invitees: list[Invitee] = dataclass_field(default_factory=list)
    skipped: list[str] = dataclass_field(default_factory=list)
    invalid: list[tuple[int, str, str]] = dataclass_field(default_factory=list)  # (line number, line, reason)


def check_can_invite(session: TrainingSession, now: datetime | None = None) -> None:
    """Invitations only make sense for a published session whose registration is still open."""
    state = registration_state(session, now)
    if state == RegistrationState.NOT_PUBLISHED:
        raise InvitationError(_("Only a published session can be invited to."), code="not_published")
    if state == RegistrationState.CLOSED:
        raise InvitationError(_("Registration for this session has closed."), code="window_closed")


def _invitee_language(requested: str, session: TrainingSession) -> str:
    available = {code for code, _name in settings.LANGUAGES}
    for candidate in (requested, session.language):
        if candidate in available:
            return candidate
    return settings.LANGUAGE_CODE


class _AgencyDirectory:
    """Active agencies by acronym or name and by verified email domain, loaded once per plan."""

    def __init__(self):
        self.by_label: dict[str, set[int]] = defaultdict(set)
        for pk, acronym, name in Agency.objects.filter(is_active=True).values_list("pk", "acronym", "name"):
            for label in (acronym, name):
                if label:
                    self.by_label[label.strip().lower()].add(pk)
        self.by_domain: dict[str, set[int]] = defaultdict(set)
        for agency_id, domain in AgencyEmailDomain.objects.filter(agency__is_active=True).values_list(
            "agency_id", "domain"
        ):
            self.by_domain[domain].add(agency_id)

    def resolve(self, label: str, email: str) -> tuple[int | None, str]:
        """The agency for an unknown address, or None with the reason it cannot be chosen."""
        if label:
            matches = self.by_label.get(label.lower(), set())
            if len(matches) == 1:
                return next(iter(matches)), ""
            if matches:
                return None, _("the agency “%(label)s” is ambiguous: use its full name") % {"label": label}
            return None, _("no active agency is called “%(label)s”") % {"label": label}
        matches = self.by_domain.get(email.rsplit("@", 1)[1], set())
        if len(matches) == 1:
            return next(iter(matches)), ""
        return None, _("unknown address: add the agency after a comma")


def _parse_pasted_lines(pasted: str) -> tuple[list[tuple[int, str, str, str]], list[tuple[int, str, str]]]:
    """Split "email[, agency]" lines into candidates (line number, line, email, label) and bad lines."""
    candidates, invalid = [], []
    for number, raw in enumerate(pasted.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = re.split(r"[,;\t]", line, maxsplit=1)
        email = parts[0].strip().lower()
        label = parts[1].strip() if len(parts) > 1 else ""
        try:
            validate_email(email)
        except ValidationError:
            invalid.append((number, line, _("not a valid email address")))
            continue
        candidates.append((number, line, email, label))
    return candidates, invalid


def plan_invitations(
    *,
    session: TrainingSession,
    agency_ids: Sequence[int] = (),
    country_codes: Sequence[str] = (),
    pasted: str = "",
    language: str = "",
) -> InvitationPlan:
    """Work out who would be invited, without writing anything.

    Officers of the chosen agencies or countries (not rejected, with an active account), plus
    each pasted address: a known officer keeps their own agency and language; an unknown
    address needs an agency (named on its line, or found by its email domain). Addresses
    already invited to the session are skipped; an address given twice counts once.
    """
    plan = InvitationPlan()
    fallback_language = _invitee_language(language, session)
    people: dict[str, Invitee] = {}
    if agency_ids or country_codes:
        officers = (
            Officer.objects.filter(Q(agency_id__in=agency_ids) | Q(agency__country_id__in=country_codes))
            .filter(user__is_active=True)
            .exclude(verification_status=Officer.Verification.REJECTED)
            .values_list("pk", "user__email", "agency_id", "preferred_language")
        )
        for pk, email, agency_id, preferred in officers:
            people[email.lower()] = Invitee(email.lower(), agency_id, pk, preferred or fallback_language)
    candidates, plan.invalid = _parse_pasted_lines(pasted)
    known = _officers_by_email([email for _n, _l, email, _a in candidates if email not in people])
    directory = _AgencyDirectory() if candidates else None
    for number, line, email, label in candidates:
        if email in people:
            continue
        if email in known:
            pk, agency_id, preferred = known[email]
            people[email] = Invitee(email, agency_id, pk, preferred or fallback_language)
            continue
        agency_id, reason = directory.resolve(label, email)
        if agency_id is None:
            plan.invalid.append((number, line, reason))
            continue
        people[email] = Invitee(email, agency_id, None, fallback_language)
    already = set(Invitation.objects.filter(session=session).values_list("email", flat=True))
    for email, invitee in people.items():
        if email in already:
            plan.skipped.append(email)
        else:
            plan.invitees.append(invitee)
    return plan


def _officers_by_email(emails: list[str]) -> dict[str, tuple[int, int, str]]:
    found = {}
    for start in range(0, len(emails), 5000):
        rows = (
            Officer.objects.annotate(email=Lower("user__email"))
            .filter(email__in=emails[start : start + 5000])
            .values_list("email", "pk", "agency_id", "preferred_language")
        )
        found.update({email: (pk, agency_id, preferred) for email, pk, agency_id, preferred in rows})
    return found


@on_behalf
def invite_officers(
    *,
    session: TrainingSession,
    by,
    agency_ids: Sequence[int] = (),
    country_codes: Sequence[str] = (),
    pasted: str = "",
    language: str = "",
) -> InvitationPlan:
    """Start inviting people to a session and report who is new, skipped or invalid.

    Nothing heavy happens here: the plan is read to answer the person at once, and one task
    (enqueued when the caller's transaction commits) creates the invitations and their
    messages in the worker, however many invitees there are.
    """
    from sessions.tasks import send_invitations

    check_can_invite(session)
    plan = plan_invitations(
        session=session, agency_ids=agency_ids, country_codes=country_codes, pasted=pasted, language=language
    )
    if plan.invitees:
        request = InvitationRequest.objects.create(
            session=session,
            requested_by=by,
            agency_ids=list(agency_ids),
            country_codes=list(country_codes),
            pasted=pasted,
            language=language,
        )
        transaction.on_commit(partial(enqueue, send_invitations, request_id=request.pk))
    return plan


def make_requested_invitations(*, request: InvitationRequest) -> int:
    """Turn a stored invitation request into invitations and queued emails (in the worker).

    Running it again (a retry, a redelivery, the sweep) only adds what is missing. The pasted
    addresses are cleared once done: the invitations hold them from then on.
    """
    created = create_invitations(
        session=request.session,
        by=request.requested_by,
        agency_ids=request.agency_ids,
        country_codes=request.country_codes,
        pasted=request.pasted,
        language=request.language,
    )
    InvitationRequest.objects.filter(pk=request.pk).update(processed_at=timezone.now(), pasted="")
    return created


def resume_invitation_requests(*, now: datetime | None = None) -> int:
    """Hand the worker again the requests still waiting after the messaging sweep's delay (broker was down)."""
    from sessions.tasks import send_invitations

    stale_before = (now or timezone.now()) - settings.MESSAGING_STALE_AFTER
    pending = InvitationRequest.objects.filter(processed_at__isnull=True, created_at__lt=stale_before)
    ids = list(pending.order_by("created_at").values_list("pk", flat=True))
    for request_id in ids:
        enqueue(send_invitations, request_id=request_id)
    return len(ids)


@on_behalf
def create_invitations(
    *,
    session: TrainingSession,
    by,
    agency_ids: Sequence[int] = (),
    country_codes: Sequence[str] = (),
    pasted: str = "",
    language: str = "",
) -> int:
    """The worker's half of ``invite_officers``: create the invitations and queue their emails.

    The plan is worked out again (someone may have been invited meanwhile). Rows and messages
    are written in chunks, each chunk in one transaction whose commit hands its messages to
    delivery, so sending starts while later chunks are still being written. A retried or
    repeated run only adds what is missing. Returns the number of invitations created.
    """
    check_can_invite(session)
    plan = plan_invitations(
        session=session, agency_ids=agency_ids, country_codes=country_codes, pasted=pasted, language=language
    )
    for start in range(0, len(plan.invitees), INVITATION_CHUNK_SIZE):
        chunk = plan.invitees[start : start + INVITATION_CHUNK_SIZE]
        with transaction.atomic():
            Invitation.objects.bulk_create(
                [
                    Invitation(
                        session=session,
                        email=invitee.email,
                        agency_id=invitee.agency_id,
                        officer_id=invitee.officer_id,
                        language=invitee.language,
                        invited_by=by,
                    )
                    for invitee in chunk
                ],
                ignore_conflicts=True,
            )
            invitations = (
                Invitation.objects.filter(
                    session=session, email__in=[invitee.email for invitee in chunk], status=Invitation.Status.PENDING
                )
                .select_related("officer__user")
                .only(*INVITATION_MESSAGE_FIELDS)
            )
            notifications.invitations_created(session=session, invitations=invitations)
    return len(plan.invitees)


def _lock_invitation(invitation: Invitation) -> Invitation:
    return Invitation.objects.select_for_update().select_related("session").get(pk=invitation.pk)


def _check_invitation_open(invitation: Invitation, now: datetime) -> None:
    if invitation.status in (Invitation.Status.ACCEPTED, Invitation.Status.DECLINED):
        raise InvitationError(_("This invitation has already been answered."), code="answered")
    if invitation_expired(invitation, now):
        raise InvitationError(_("This invitation has expired: registration is closed."), code="expired")


def invitation_expired(invitation: Invitation, now: datetime | None = None) -> bool:
    """An unanswered invitation expires when its session stops taking registrations."""
    state = registration_state(invitation.session, now)
    return state in (RegistrationState.NOT_PUBLISHED, RegistrationState.CLOSED)


def accept_invitation(*, invitation: Invitation, officer: Officer) -> Registration:
    """Register the invited officer (a seat or the waitlist) and record the acceptance.

    The link is personal: only the account with the invited address may use it. An invitation
    opens the session to its invitee even outside the session's audience. Someone already
    registered just has the invitation marked accepted.
    """
    with transaction.atomic():
        current = _lock_invitation(invitation)
        _check_invitation_open(current, timezone.now())
        if officer.user.email.lower() != current.email.lower():
            raise InvitationError(
                _("This invitation was sent to another email address. Log in with that address to accept it."),
                code="wrong_account",
            )
        try:
            registration = register_officer(
                session=current.session, officer=officer, source=Registration.Source.INVITATION
            )
        except RegistrationError as error:
            if error.code != "already_registered":
                raise
            registration = Registration.objects.get(session=current.session, officer=officer)
        current.status = Invitation.Status.ACCEPTED
        current.officer = officer
        current.responded_at = timezone.now()
        current.save(update_fields=["status", "officer", "responded_at"])
    _copy_invitation(current, invitation)
    return registration


def decline_invitation(*, invitation: Invitation) -> Invitation:
    """Record that the invitee will not come; the token proves who they are, no login needed."""
    with transaction.atomic():
        current = _lock_invitation(invitation)
        _check_invitation_open(current, timezone.now())
        current.status = Invitation.Status.DECLINED
        current.responded_at = timezone.now()
        current.save(update_fields=["status", "responded_at"])
    _copy_invitation(current, invitation)
    return invitation


def _copy_invitation(source: Invitation, target: Invitation) -> None:
    for name in ("status", "officer_id", "responded_at"):
        setattr(target, name, getattr(source, name))
