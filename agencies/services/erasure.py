"""Erasing an officer's account and every copy of their personal data, keeping the program's counts."""

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.exceptions import NotHistoricalModelError
from simple_history.utils import get_history_model_for_model

from accounts.models import PrivacyConsent, User
from accounts.roles import is_manager
from agencies.models import AgencyReconfirmation, Officer, PendingOfficer, TrainingRequest
from agencies.services.officers import OfficerError
from messaging.models import OutboundMessage
from sessions.models import (
    Attendance,
    Certificate,
    Invitation,
    InvitationRequest,
    Nomination,
    Registration,
    SurveyResponse,
    TrainingSession,
    new_token,
)
from sessions.services import (
    cancel_registration,
    decline_nominated_invitation,
    drop_addresses_from_pasted,
    purge_meeting_reports_naming,
)
from trainingops.actors import on_behalf

logger = logging.getLogger(__name__)

# What erasure writes where the person's address and name were. Stored data rather than interface
# text: the same whatever language the erasure ran in.
ERASED_RECIPIENT = "erased@invalid.invalid"
ERASED_NAME = "erased officer"


@dataclass(frozen=True)
class _Trail:
    """Every row that holds one person's data, and the strings that name them."""

    officer_id: int
    user_id: int
    registration_ids: list[int]
    attendance_ids: list[int]
    response_ids: list[int]
    certificate_ids: list[int]
    invitation_ids: list[int]
    pending_officer_ids: list[int]
    message_ids: list[int]
    addresses: list[str]
    names: list[str]

    def rows(self) -> list[tuple[type[models.Model], list[int]]]:
        return [
            (User, [self.user_id]),
            (Officer, [self.officer_id]),
            (Registration, self.registration_ids),
            (Attendance, self.attendance_ids),
            (SurveyResponse, self.response_ids),
            (Certificate, self.certificate_ids),
            (Invitation, self.invitation_ids),
            (PendingOfficer, self.pending_officer_ids),
            (OutboundMessage, self.message_ids),
        ]


def _ids(queryset) -> list[int]:
    return list(queryset.values_list("pk", flat=True))


def _any_address(field: str, addresses: Sequence[str]) -> Q:
    condition = Q(pk__in=[])
    for address in addresses:
        condition |= Q(**{f"{field}__iexact": address})
    return condition


def _trail_of(officer: Officer) -> _Trail:
    """Find the person's rows. Invitations and emails may have gone to any address of the account,
    and certificates print the name as it was when they were issued."""
    user = officer.user
    emails = [user.email, *EmailAddress.objects.filter(user=user).values_list("email", flat=True)]
    addresses = sorted({email.lower() for email in emails})
    registration_ids = _ids(Registration.objects.filter(officer=officer))
    response_ids = _ids(SurveyResponse.objects.filter(registration__in=registration_ids))
    invitation_ids = _ids(Invitation.objects.filter(Q(officer=officer) | _any_address("email", addresses)))
    certificates = Certificate.objects.filter(registration__in=registration_ids)
    # Walk-ins a trainer recorded under one of the addresses, claimed or not (see sessions.services.walk_ins).
    pending = PendingOfficer.objects.filter(Q(claimed_by=officer) | _any_address("email", addresses))
    names = [
        user.get_full_name(),
        *certificates.values_list("officer_name", flat=True),
        *pending.values_list("name", flat=True),
    ]
    related = Q(pk__in=[])
    for model, ids in ((Officer, [officer.pk]), (Invitation, invitation_ids), (SurveyResponse, response_ids)):
        related |= Q(related_type=ContentType.objects.get_for_model(model), related_id__in=ids)
    messages = OutboundMessage.objects.filter(
        Q(user=user) | Q(registration__in=registration_ids) | related | _any_address("recipient", addresses)
    )
    return _Trail(
        officer_id=officer.pk,
        user_id=user.pk,
        registration_ids=registration_ids,
        attendance_ids=_ids(Attendance.objects.filter(registration__in=registration_ids)),
        response_ids=response_ids,
        certificate_ids=_ids(certificates),
        invitation_ids=invitation_ids,
        pending_officer_ids=_ids(pending),
        message_ids=_ids(messages),
        addresses=addresses,
        names=sorted({name for name in names if name}),
    )


def _history_model(model: type[models.Model]) -> type[models.Model] | None:
    try:
        return get_history_model_for_model(model)
    except NotHistoricalModelError:
        return None


def _redact(model: type[models.Model], ids: list[int], **values) -> None:
    """Overwrite fields of these rows and of every recorded past version of them (simple-history)."""
    if not ids:
        return
    model._default_manager.filter(pk__in=ids).update(**values)
    history = _history_model(model)
    if history is not None:
        kept = {field.name for field in history._meta.concrete_fields}
        history_values = {name: value for name, value in values.items() if name in kept}
        if history_values:
            history._default_manager.filter(**{f"{model._meta.pk.attname}__in": ids}).update(**history_values)


def _forget(model: type[models.Model], ids: list[int]) -> None:
    """Delete these rows (if still there) and every recorded past version of them."""
    model._default_manager.filter(pk__in=ids).delete()
    history = _history_model(model)
    if history is not None:
        history._default_manager.filter(**{f"{model._meta.pk.attname}__in": ids}).delete()


def _redact_messages(trail: _Trail) -> None:
    """Keep the log's proof that each email was sent once, without the person or what they were told.

    Emails still waiting are never sent: their address is gone.
    """
    _redact(
        OutboundMessage,
        trail.message_ids,
        recipient=ERASED_RECIPIENT,
        subject="—",
        body_text="",
        body_html="",
        attachments=[],
        last_error="",
        user=None,
    )
    OutboundMessage.objects.filter(pk__in=trail.message_ids, status=OutboundMessage.Status.PENDING).update(
        status=OutboundMessage.Status.FAILED, last_error="Recipient erased their personal data."
    )


def _redact_admin_log(trail: _Trail) -> None:
    """Remove the person from the admin's history while keeping who did what and when.

    An entry about one of their rows names that row by number; an entry about anything else (a
    session's roll call quotes each registration) has their name and addresses replaced.
    """
    for model, ids in trail.rows():
        if ids:
            LogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(model), object_id__in=[str(pk) for pk in ids]
            ).update(object_repr=Concat(Value(f"{model._meta.model_name} #"), "object_id"))
    # The change message is JSON, where a name with accents is written with \u escapes.
    strings = {variant for text in trail.names + trail.addresses for variant in (text, json.dumps(text)[1:-1])}
    if not strings:
        return
    pattern = re.compile("|".join(re.escape(text) for text in sorted(strings, key=len, reverse=True)), re.IGNORECASE)
    mentions = Q(pk__in=[])
    for text in strings:
        mentions |= Q(change_message__icontains=text) | Q(object_repr__icontains=text)
    for entry in LogEntry.objects.filter(mentions):
        entry.change_message = pattern.sub(ERASED_NAME, entry.change_message)
        entry.object_repr = pattern.sub(ERASED_NAME, entry.object_repr)
        entry.save(update_fields=["change_message", "object_repr"])


def _cancel_upcoming(registration_ids: list[int], by) -> None:
    """Give up the person's seats and waitlist places in sessions that have not started."""
    upcoming = Registration.objects.filter(
        pk__in=registration_ids,
        status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITLISTED],
        session__status=TrainingSession.Status.PUBLISHED,
        session__starts_at__gt=timezone.now(),
    ).select_related("session")
    for registration in upcoming:
        cancel_registration(registration=registration, by=by)


def _check_may_erase(officer: Officer, by) -> None:
    if by is None or (by.pk != officer.user_id and not is_manager(by)):
        raise OfficerError(_("Only the officer themselves or a manager may erase this account."))


def _record_erasure(*, officer_id: int, by, by_themselves: bool) -> None:
    """Keep who erased whom, by number only: the person's data is what was just removed."""
    if by_themselves:
        logger.info("Officer #%s erased their own account.", officer_id)
        return
    logger.info("Officer #%s erased by user #%s.", officer_id, by.pk)
    LogEntry.objects.create(
        user=by,
        content_type=ContentType.objects.get_for_model(Officer),
        object_id=str(officer_id),
        object_repr=f"officer #{officer_id}",
        action_flag=DELETION,
        change_message=str(_("Account and personal data erased on request.")),
    )


def _drop_from_pending_invitation_requests(addresses: Sequence[str]) -> None:
    """The person's entries in a pasted list the worker has not turned into invitations yet go."""
    naming = Q(pk__in=[])
    for address in addresses:
        naming |= Q(pasted__icontains=address)
    for request in InvitationRequest.objects.filter(naming, processed_at__isnull=True):
        request.pasted = drop_addresses_from_pasted(request.pasted, addresses)
        request.save(update_fields=["pasted"])


def _clear_nominations_of_addresses(addresses: Sequence[str]) -> None:
    """Nominations made by one of the person's addresses keep counting for the agency, without it.

    A seat still held for the address (an invitation not yet accepted) is released first, as the
    person declining would release it, so the next waitlisted officer moves up.
    """
    nominations = Nomination.objects.filter(_any_address("email", addresses))
    held = nominations.filter(status=Nomination.Status.INVITED, invitation__isnull=False)
    for invitation in Invitation.objects.select_for_update().filter(nomination__in=held):
        decline_nominated_invitation(invitation=invitation)
    _redact(Nomination, _ids(nominations), email="")


def _void_unanswered_survey_links(response_ids: list[int]) -> None:
    """A survey link still unanswered stops working: nobody may answer in the erased person's name."""
    for response in SurveyResponse.objects.filter(pk__in=response_ids, submitted_at__isnull=True):
        response.token = new_token()
        response.save(update_fields=["token"])


@transaction.atomic
def erase_officer(*, officer: Officer, by) -> None:
    """Delete the officer's account and every copy of their personal data, keeping the program's counts.

    ``by`` is the officer themselves (the portal) or a manager acting on a request (the admin).
    The person is first detached from their registrations; then their seats and waitlist places in
    sessions that have not started are cancelled through the registrations service, so each freed
    seat goes to the next waitlisted officer, who is told, while the person, now nobody, is not.
    Past registrations and attendance stay with their pseudonymous key and agency/country
    snapshot, so the yearly counts do not move. Their name, addresses, job title and free text
    (attendance notes, survey comments, reconfirmation notes, certificates, invitations, nominations made by
    their address, a trainer's walk-in record of them, a meeting report uploaded but not yet confirmed that
    lists them, the emails in the message log, the admin's log) go, in the live rows and in every simple-history
    version of them. Their privacy-notice consents stay, without the link to them.
    Their
    knowledge-check attempts and answers (scores and chosen options, no free text, no history kept)
    stay with the registration, so the learning gain does not move; with the registration's officer
    cleared they lead to nobody (the post-test's survey link is voided with the survey's).
    """
    officer = Officer.objects.select_for_update().select_related("user").get(pk=officer.pk)
    _check_may_erase(officer, by)
    by_themselves = by.pk == officer.user_id
    trail = _trail_of(officer)
    _redact(Registration, trail.registration_ids, officer=None)
    _cancel_upcoming(trail.registration_ids, by)
    _redact(Attendance, trail.attendance_ids, note="")
    _redact(SurveyResponse, trail.response_ids, comments="", quote_consent=False)
    _void_unanswered_survey_links(trail.response_ids)
    _drop_from_pending_invitation_requests(trail.addresses)
    _clear_nominations_of_addresses(trail.addresses)
    purge_meeting_reports_naming(addresses=trail.addresses, names=trail.names)
    erased_address = Concat(Value("erased-"), Cast("id", CharField()), Value("@invalid.invalid"))
    _redact(Invitation, trail.invitation_ids, email=erased_address, officer=None)
    _redact_messages(trail)
    _redact_admin_log(trail)
    _forget(Certificate, trail.certificate_ids)
    _forget(PendingOfficer, trail.pending_officer_ids)
    # Which version was accepted, and when, stays counted; by whom does not.
    _redact(PrivacyConsent, _ids(PrivacyConsent.objects.filter(user_id=trail.user_id)), user=None)
    # A training request stays counted for its agency; the requester's own words and name go.
    _redact(
        TrainingRequest,
        _ids(TrainingRequest.objects.filter(requested_by_id=trail.user_id)),
        notes="",
        requested_by=None,
    )
    # Their notes on the agency's reconfirmation: that they answered stays, what they wrote goes.
    notes = AgencyReconfirmation.objects.filter(by_id=trail.user_id, kind=AgencyReconfirmation.Kind.PROBLEM)
    _redact(AgencyReconfirmation, _ids(notes), note=ERASED_NAME)
    officer.user.delete()
    _forget(Officer, [trail.officer_id])
    _forget(User, [trail.user_id])
    _record_erasure(officer_id=trail.officer_id, by=by, by_themselves=by_themselves)


@on_behalf
@transaction.atomic
def erase_pending_officer(*, pending: PendingOfficer, by) -> None:
    """Erase a walk-in who never signed up: their name and address go, their attendance stays counted.

    A manager acts on the person's request (the admin's action). The walk-in registrations keep
    the pseudonymous key and the agency/country snapshot, so the yearly counts do not move; the
    pending record and every simple-history version of it are deleted, attendance notes emptied,
    and the admin's log no longer names them. Who erased is recorded, by number only.
    """
    if by is None or not is_manager(by):
        raise OfficerError(_("Only a manager may erase a walk-in's personal data."))
    pending = PendingOfficer.objects.select_for_update().get(pk=pending.pk)
    registration_ids = _ids(Registration.objects.filter(pending_officer=pending))
    attendance_ids = _ids(Attendance.objects.filter(registration__in=registration_ids))
    _redact(Attendance, attendance_ids, note="")
    trail = _Trail(
        officer_id=0,
        user_id=0,
        registration_ids=registration_ids,
        attendance_ids=attendance_ids,
        response_ids=[],
        certificate_ids=[],
        invitation_ids=[],
        pending_officer_ids=[pending.pk],
        message_ids=[],
        addresses=[pending.email],
        names=[pending.name],
    )
    _redact_admin_log(trail)
    _forget(PendingOfficer, [pending.pk])
    LogEntry.objects.create(
        user=by,
        content_type=ContentType.objects.get_for_model(PendingOfficer),
        object_id=str(pending.pk),
        object_repr=f"pendingofficer #{pending.pk}",
        action_flag=DELETION,
        change_message=str(_("Walk-in's personal data erased on request.")),
    )
