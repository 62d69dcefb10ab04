"""Invitations: who to invite (pasted lists, agencies, countries), sending, accepting, declining."""

import email.utils
import hashlib
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from datetime import datetime
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, AgencyEmailDomain, Officer
from sessions import notifications
from sessions.models import (
    Invitation,
    InvitationRequest,
    Nomination,
    Registration,
    TrainingSession,
)
from sessions.selectors import RegistrationState, registration_state
from sessions.services.base import InvitationError, RegistrationError
from sessions.services.nominations import accept_nominated_invitation, decline_nominated_invitation
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


class EntryStatus(models.TextChoices):
    """What an invitation request would do with one address."""

    NEW = "new", _("new: will be invited")
    INVITED = "invited", _("already invited")
    REGISTERED = "registered", _("already registered")
    INVALID = "invalid", _("invalid")


@dataclass(frozen=True)
class PastedAddress:
    """One piece of a pasted list: its line, the text as pasted, and the name and address read from it."""

    line: int
    text: str
    name: str
    email: str  # lower-cased; empty when the text holds no valid address


@dataclass(frozen=True)
class PlannedEntry:
    """One address of a plan and what would happen to it (``line`` is 0 for agency/country picks)."""

    status: EntryStatus
    email: str
    name: str = ""
    text: str = ""
    line: int = 0
    reason: str = ""
    invitee: Invitee | None = None


@dataclass
class InvitationPlan:
    """Every address an invitation request names, each classified: new, already invited or registered, invalid."""

    entries: list[PlannedEntry] = dataclass_field(default_factory=list)

    def _with(self, status: EntryStatus) -> list[PlannedEntry]:
        return [entry for entry in self.entries if entry.status == status]

    @property
    def invitees(self) -> list[Invitee]:
        return [entry.invitee for entry in self._with(EntryStatus.NEW)]

    @property
    def skipped(self) -> list[str]:
        """Addresses already invited to the session."""
        return [entry.email for entry in self._with(EntryStatus.INVITED)]

    @property
    def registered(self) -> list[str]:
        return [entry.email for entry in self._with(EntryStatus.REGISTERED)]

    @property
    def invalid(self) -> list[tuple[int, str, str]]:
        """(line number, text as pasted, reason) of each piece that cannot be invited."""
        return [(entry.line, entry.text, entry.reason) for entry in self._with(EntryStatus.INVALID)]

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(EntryStatus.values, 0)
        for entry in self.entries:
            counts[entry.status] += 1
        return counts

    def fingerprint(self) -> str:
        """A digest of who would be invited (with which agency and language), to tell whether a preview still holds."""
        lines = "\n".join(sorted(f"{i.email} {i.agency_id} {i.officer_id} {i.language}" for i in self.invitees))
        return hashlib.sha256(lines.encode()).hexdigest()[:32]


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

    def names_an_agency(self, text: str) -> bool:
        return text.strip().lower() in self.by_label

    def resolve(self, label: str, email: str, default_agency_id: int | None) -> tuple[int | None, str]:
        """The agency for an address without an account, or None with the reason it cannot be chosen.

        An agency written after the address wins, then the agency whose verified domain the
        address is on, then the agency chosen for the whole list.
        """
        if label:
            matches = self.by_label.get(label.lower(), set())
            if len(matches) == 1:
                return next(iter(matches)), ""
            return None, _("the agency “%(label)s” is ambiguous: use its full name") % {"label": label}
        matches = self.by_domain.get(email.rsplit("@", 1)[1], set())
        if len(matches) == 1:
            return next(iter(matches)), ""
        if default_agency_id is not None:
            return default_agency_id, ""
        return None, _("needs an agency: no account and not on an agency's domain; choose an agency for such addresses")


# A separator outside quotes and angle brackets; a new line always ends a piece, so one stray quote
# cannot swallow the rest of the list.
_SEPARATORS = ",;"
_NAME_AND_ADDRESS = re.compile(r"^(?P<name>[^<>]*)<(?P<address>[^<>]*)>$", re.DOTALL)


def _split_line(line: str) -> list[str]:
    pieces, current, in_quotes, in_angle, escaped = [], [], False, False, False
    for char in line:
        if escaped:
            escaped = False
        elif in_quotes and char == "\\":
            escaped = True
        elif char == '"' and not in_angle:
            in_quotes = not in_quotes
        elif char == "<" and not in_quotes:
            in_angle = True
        elif char == ">" and not in_quotes:
            in_angle = False
        elif char in _SEPARATORS and not (in_quotes or in_angle):
            pieces.append("".join(current))
            current = []
            continue
        current.append(char)
    pieces.append("".join(current))
    return [piece.strip() for piece in pieces if piece.strip()]


def _read_piece(text: str) -> tuple[str, str]:
    """(name, lower-cased address) of ``Name <address>``, ``"Last, First" <address>`` or a bare address."""
    match = _NAME_AND_ADDRESS.match(text)
    name, address = (match["name"].strip(), match["address"]) if match else ("", text)
    if len(name) >= 2 and name[0] == name[-1] == '"':
        name = email.utils.unquote(name)
    elif len(name) >= 2 and name[0] == name[-1] == "'":
        name = name[1:-1]
    address = address.strip().removeprefix("mailto:").lower()
    try:
        validate_email(address)
    except ValidationError:
        address = ""
    return " ".join(name.split()), address


def parse_pasted_addresses(pasted: str) -> list[PastedAddress]:
    """Read a pasted list: pieces split on new lines, commas and semicolons, each named by its line.

    Understands what mail programs copy — ``Ana López <ana@x.mx>``, ``"López, Ana" <ana@x.mx>``
    (a comma inside quotes or angle brackets does not split) — and bare addresses. Blank pieces
    (trailing or doubled separators, empty lines) are no entries; anything else is kept, an
    unreadable piece with an empty ``email``, so nothing is dropped without a word.
    """
    return [
        PastedAddress(number, piece, *_read_piece(piece))
        for number, line in enumerate(pasted.splitlines(), start=1)
        for piece in _split_line(line)
    ]


def format_address(email_address: str, name: str = "") -> str:
    """One recipient written the way ``parse_pasted_addresses`` reads it back (a name quoted)."""
    name = " ".join(name.replace("<", " ").replace(">", " ").split())
    if not name:
        return email_address
    return '"{}" <{}>'.format(name.replace("\\", "\\\\").replace('"', '\\"'), email_address)


def drop_addresses_from_pasted(pasted: str, addresses: Sequence[str]) -> str:
    """The pasted list without the pieces naming any of ``addresses`` (lower-case), for erasure.

    Only those pieces go, with an agency written right after one of them: the other people on
    the same line (an Outlook list is one line) stay. A line left without any address goes.
    """
    lines = []
    for line in pasted.splitlines():
        if not any(address in line.lower() for address in addresses):
            lines.append(line)
            continue
        kept, dropped_previous = [], False
        for piece in _split_line(line):
            names_person = any(address in piece.lower() for address in addresses)
            if names_person or (dropped_previous and "@" not in piece):
                dropped_previous = names_person
                continue
            kept.append(piece)
            dropped_previous = False
        if any("@" in piece for piece in kept):
            lines.append("; ".join(kept))
    return "\n".join(lines)


def _selected_officers(agency_ids, country_codes, fallback_language) -> dict[str, Invitee]:
    if not (agency_ids or country_codes):
        return {}
    officers = (
        Officer.objects.filter(Q(agency_id__in=agency_ids) | Q(agency__country_id__in=country_codes))
        .filter(user__is_active=True)
        .exclude(verification_status=Officer.Verification.REJECTED)
        .values_list("pk", "user__email", "agency_id", "preferred_language")
    )
    return {
        email.lower(): Invitee(email.lower(), agency_id, pk, preferred or fallback_language)
        for pk, email, agency_id, preferred in officers
    }


def _pasted_entries(pieces, fallback_language, default_agency_id, directory, invited) -> list[PlannedEntry]:
    """Each pasted piece as an entry: an invitee (status to be settled) or invalid with its reason.

    The old ``address, agency`` form still works: a piece right after an address on the same
    line that is no address but exactly an active agency's acronym or name is that address's agency.
    """
    labelled: list[tuple[PastedAddress, str]] = []
    for piece in pieces:
        previous = labelled[-1] if labelled else None
        if (
            not piece.email
            and previous
            and previous[0].line == piece.line
            and previous[0].email
            and not previous[1]
            and directory.names_an_agency(piece.text)
        ):
            labelled[-1] = (previous[0], piece.text)
            continue
        labelled.append((piece, ""))
    known = _officers_by_email([piece.email for piece, _label in labelled if piece.email])
    entries, first_line = [], {}
    for piece, label in labelled:
        text = f"{piece.text}, {label}" if label else piece.text
        entry = partial(PlannedEntry, email=piece.email, name=piece.name, text=text, line=piece.line)
        if not piece.email:
            entries.append(entry(status=EntryStatus.INVALID, reason=_("not an email address")))
            continue
        if piece.email in first_line:
            reason = _("duplicate: already on line %(line)s of the list") % {"line": first_line[piece.email]}
            entries.append(entry(status=EntryStatus.INVALID, reason=reason))
            continue
        first_line[piece.email] = piece.line
        if piece.email in known:
            pk, agency_id, preferred = known[piece.email]
            invitee = Invitee(piece.email, agency_id, pk, preferred or fallback_language)
        else:
            agency_id, reason = directory.resolve(label, piece.email, default_agency_id)
            if agency_id is None and piece.email in invited:
                entries.append(entry(status=EntryStatus.INVITED))
                continue
            if agency_id is None:
                entries.append(entry(status=EntryStatus.INVALID, reason=reason))
                continue
            invitee = Invitee(piece.email, agency_id, None, fallback_language)
        entries.append(entry(status=EntryStatus.NEW, invitee=invitee))
    return entries


def plan_invitations(
    *,
    session: TrainingSession,
    agency_ids: Sequence[int] = (),
    country_codes: Sequence[str] = (),
    pasted: str = "",
    language: str = "",
    default_agency_id: int | None = None,
) -> InvitationPlan:
    """Work out what inviting would do to each address, without writing anything: the one classification.

    Each pasted piece (see ``parse_pasted_addresses``) and each officer of the chosen agencies
    or countries (not rejected, with an active account) becomes one entry. A known officer keeps
    their own agency and language; an address without an account needs an agency (written after
    it, found by its email domain, or ``default_agency_id``). Then an invitee already registered
    (and not cancelled) or already invited is said so; the rest are new. The admin's preview,
    the API's dry run and the worker all read this plan.
    """
    fallback_language = _invitee_language(language, session)
    pieces = parse_pasted_addresses(pasted)
    directory = _AgencyDirectory() if pieces else None
    invited = {
        address.lower() for address in Invitation.objects.filter(session=session).values_list("email", flat=True)
    }
    entries = _pasted_entries(pieces, fallback_language, default_agency_id, directory, invited)
    pasted_emails = {entry.email for entry in entries if entry.email}
    for email_address, invitee in _selected_officers(agency_ids, country_codes, fallback_language).items():
        if email_address not in pasted_emails:
            entries.append(PlannedEntry(status=EntryStatus.NEW, email=email_address, invitee=invitee))
    registered = set(
        Registration.objects.filter(session=session)
        .exclude(status=Registration.Status.CANCELLED)
        .values_list("officer_id", flat=True)
    )
    return InvitationPlan([_settle(entry, invited, registered) for entry in entries])


def _settle(entry: PlannedEntry, invited: set[str], registered: set[int]) -> PlannedEntry:
    if entry.status != EntryStatus.NEW:
        return entry
    if entry.invitee.officer_id in registered:
        return replace(entry, status=EntryStatus.REGISTERED, invitee=None)
    if entry.email in invited:
        return replace(entry, status=EntryStatus.INVITED, invitee=None)
    return entry


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
    default_agency_id: int | None = None,
    previewed: str = "",
) -> InvitationPlan:
    """Start inviting people to a session and return the plan: who is new, already invited or registered, invalid.

    Only the new entries get an invitation. With ``previewed`` (the ``fingerprint`` of the plan
    a person confirmed) nothing is sent if the plan has changed since. Nothing heavy happens
    here: the plan is read to answer the person at once, and one task (enqueued when the
    caller's transaction commits) creates the invitations and their messages in the worker,
    however many invitees there are.
    """
    from sessions.tasks import send_invitations

    check_can_invite(session)
    plan = plan_invitations(
        session=session,
        agency_ids=agency_ids,
        country_codes=country_codes,
        pasted=pasted,
        language=language,
        default_agency_id=default_agency_id,
    )
    if previewed and plan.fingerprint() != previewed:
        raise InvitationError(
            _("The list changed since the preview: check it again before sending."), code="preview_stale"
        )
    if plan.invitees:
        request = InvitationRequest.objects.create(
            session=session,
            requested_by=by,
            agency_ids=list(agency_ids),
            country_codes=list(country_codes),
            pasted=pasted,
            language=language,
            default_agency_id=default_agency_id,
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
        default_agency_id=request.default_agency_id,
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
    default_agency_id: int | None = None,
) -> int:
    """The worker's half of ``invite_officers``: create the invitations and queue their emails.

    The plan is worked out again (someone may have been invited meanwhile). Rows and messages
    are written in chunks, each chunk in one transaction whose commit hands its messages to
    delivery, so sending starts while later chunks are still being written. A retried or
    repeated run only adds what is missing. Returns the number of invitations created.
    """
    check_can_invite(session)
    plan = plan_invitations(
        session=session,
        agency_ids=agency_ids,
        country_codes=country_codes,
        pasted=pasted,
        language=language,
        default_agency_id=default_agency_id,
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


def accept_invitation(*, invitation: Invitation, officer: Officer) -> Registration | None:
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
        if Nomination.objects.filter(invitation=current).exists():
            registration = accept_nominated_invitation(invitation=current, officer=officer)
            current.status = Invitation.Status.ACCEPTED
            current.officer = officer
            current.responded_at = timezone.now()
            current.save(update_fields=["status", "officer", "responded_at"])
            _copy_invitation(current, invitation)
            return registration
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
        decline_nominated_invitation(invitation=current)
        current.status = Invitation.Status.DECLINED
        current.responded_at = timezone.now()
        current.save(update_fields=["status", "responded_at"])
    _copy_invitation(current, invitation)
    return invitation


def _copy_invitation(source: Invitation, target: Invitation) -> None:
    for name in ("status", "officer_id", "responded_at"):
        setattr(target, name, getattr(source, name))
