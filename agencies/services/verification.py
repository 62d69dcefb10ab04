"""Managers' and focal points' decisions on an officer's claimed affiliation, and the email that tells them."""

from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import may_decide_affiliation
from agencies.models import Officer
from agencies.services.officers import OfficerError
from trainingops.actors import on_behalf


def _notify(officer: Officer, kind: str) -> None:
    from messaging.services import queue_message

    stamp = (officer.verified_at or timezone.now()).isoformat()
    queue_message(
        kind=kind,
        recipient=officer.user.email,
        language=officer.preferred_language,
        context={
            "officer": officer,
            "agency": officer.agency,
            "reason": officer.rejection_reason,
            "sessions_url": reverse("sessions:list"),
            "profile_url": reverse("agencies:profile"),
        },
        idempotency_key=f"{kind}:{officer.pk}:{stamp}",
        user=officer.user,
        related=officer,
    )


def _locked_for_decision(officers: Iterable[Officer], by) -> list[Officer]:
    """Lock the officers' rows and check that ``by`` may decide on each (else nothing changes)."""
    ids = [officer.pk for officer in officers]
    locked = list(Officer.objects.select_for_update().select_related("user", "agency").filter(pk__in=ids))
    if any(not may_decide_affiliation(by, officer) for officer in locked):
        raise OfficerError(_("Only managers and the agency's focal points may decide on this officer's affiliation."))
    return locked


def _decide(officer: Officer, *, by, status: str, reason: str = "") -> None:
    """Record the decision and who took it, and email the officer the outcome in their language."""
    officer.verification_status = status
    officer.verified_by = by
    officer.verified_at = timezone.now()
    officer.rejection_reason = reason
    officer.save(update_fields=["verification_status", "verified_by", "verified_at", "rejection_reason"])
    verified = status == Officer.Verification.VERIFIED
    _notify(officer, "officer_verified" if verified else "officer_rejected")


@on_behalf
@transaction.atomic
def approve_officers(*, officers: Iterable[Officer], by) -> int:
    """Verify the affiliation of pending or rejected officers and email each of them the outcome.

    Managers decide on any officer, a focal point on those who claim their agency; one officer
    ``by`` may not decide on refuses the whole batch. Officers already verified are left as they
    are (no second email). Returns how many changed.
    """
    changed = 0
    for officer in _locked_for_decision(officers, by):
        if not officer.is_verified:
            _decide(officer, by=by, status=Officer.Verification.VERIFIED)
            changed += 1
    return changed


@on_behalf
@transaction.atomic
def reject_officers(*, officers: Iterable[Officer], by, reason: str = "") -> int:
    """Refuse the affiliation of officers that are not yet rejected and email each the outcome.

    Who may decide is as for ``approve_officers``. A rejected officer keeps the account and may
    change agency in the profile, which puts them back in the queue. Returns how many changed.
    """
    changed = 0
    for officer in _locked_for_decision(officers, by):
        if officer.verification_status != Officer.Verification.REJECTED:
            _decide(officer, by=by, status=Officer.Verification.REJECTED, reason=reason)
            changed += 1
    return changed


@on_behalf
@transaction.atomic
def decide_pending_officer(*, officer: Officer, by, approve: bool, reason: str = "") -> Officer:
    """Approve or reject one officer still waiting for a decision (the agency page's buttons).

    Unlike the back office's batch actions, a decision already taken is an error here: two focal
    points answering the same officer at once must not send two emails, and the second learns
    that someone else decided. A rejection needs a reason, which the officer's email quotes.
    """
    locked = next(iter(_locked_for_decision([officer], by)), None)  # None: erased meanwhile
    if locked is None or locked.verification_status != Officer.Verification.PENDING:
        raise OfficerError(_("This officer's affiliation was already decided."))
    reason = reason.strip()
    if not approve and not reason:
        raise OfficerError(_("Give the officer a reason for the rejection."))
    status = Officer.Verification.VERIFIED if approve else Officer.Verification.REJECTED
    _decide(locked, by=by, status=status, reason="" if approve else reason)
    return locked
