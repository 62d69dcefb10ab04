"""Writes on agencies and officers: sign-up, affiliation verification, profile changes, erasure."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import has_confirmed_email
from agencies.models import Agency, AgencyEmailDomain, Officer
from trainingops.actors import on_behalf


class OfficerError(Exception):
    """A rule about officers was broken; the message is translatable and shown to the user."""


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower()


def email_matches_agency(*, email: str, agency: Agency) -> bool:
    """Whether the address belongs to one of the agency's verified email domains."""
    return AgencyEmailDomain.objects.filter(agency=agency, domain=email_domain(email)).exists()


def _apply_affiliation(officer: Officer) -> None:
    """Verify when a confirmed address on one of the agency's domains proves the affiliation, else wait.

    A typed address proves nothing: only once allauth's confirmation link was followed does the
    mailbox (and so the agency) count. Until then the officer waits, as for a manager.
    """
    proven = has_confirmed_email(officer.user) and email_matches_agency(email=officer.user.email, agency=officer.agency)
    if officer.agency.is_active and proven:
        officer.verification_status = Officer.Verification.VERIFIED
        officer.verified_at = timezone.now()
    else:
        officer.verification_status = Officer.Verification.PENDING
        officer.verified_at = None
    officer.verified_by = None
    officer.rejection_reason = ""


@transaction.atomic
def create_officer(*, user, agency: Agency, job_title: str = "", preferred_language: str = "en") -> Officer:
    """Create the portal profile of a new user and decide whether their affiliation is proven.

    An address on one of the agency's verified domains is verified at once; any other address
    leaves the officer pending until a manager approves them in the admin.
    """
    if not agency.is_active:
        raise OfficerError(_("This agency is not accepting new officers."))
    officer = Officer(user=user, agency=agency, job_title=job_title, preferred_language=preferred_language)
    _apply_affiliation(officer)
    officer.save()
    return officer


@transaction.atomic
def update_officer_profile(
    *,
    officer: Officer,
    first_name: str,
    last_name: str,
    job_title: str,
    preferred_language: str,
    agency: Agency,
) -> Officer:
    """Save the officer's own profile changes.

    Moving to another agency voids the previous verification: the new affiliation is checked
    like at sign-up (verified at once by email domain, otherwise pending again).
    """
    officer = Officer.objects.select_for_update().select_related("user", "agency").get(pk=officer.pk)
    if agency.pk != officer.agency_id:
        if not agency.is_active:
            raise OfficerError(_("This agency is not accepting new officers."))
        officer.agency = agency
        _apply_affiliation(officer)
    officer.job_title = job_title
    officer.preferred_language = preferred_language
    officer.save()
    user = officer.user
    user.first_name, user.last_name = first_name, last_name
    user.save(update_fields=["first_name", "last_name"])
    return officer


def _vouched_by_manager(officer: Officer) -> bool:
    """A manager (not a domain) verified the officer, and the address does not point to another agency."""
    if not officer.is_verified or officer.verified_by_id is None:
        return False
    domain = email_domain(officer.user.email)
    return not AgencyEmailDomain.objects.filter(domain=domain).exclude(agency=officer.agency_id).exists()


@transaction.atomic
def reassess_affiliation(*, user) -> Officer | None:
    """Check the affiliation again after the user's address was confirmed or changed.

    Called when allauth confirms an address or makes another one primary. A confirmed address on
    the agency's domain verifies a pending officer; a verification that rested on the old
    address's domain is withdrawn (pending again) when the new address does not prove it. A
    manager's verification stands unless the new address belongs to another agency, and a
    manager's rejection always stands. Returns the officer (None for a user without a profile).
    """
    officer = Officer.objects.select_for_update().select_related("user", "agency").filter(user=user).first()
    if officer is None or officer.verification_status == Officer.Verification.REJECTED:
        return officer
    if _vouched_by_manager(officer):
        return officer
    before = (officer.verification_status, officer.verified_at)
    _apply_affiliation(officer)
    if officer.verification_status != before[0]:
        officer.save(update_fields=["verification_status", "verified_by", "verified_at", "rejection_reason"])
    return officer


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


@on_behalf
@transaction.atomic
def approve_officers(*, officers: Iterable[Officer], by) -> int:
    """Verify the affiliation of pending or rejected officers and email each of them the outcome.

    Officers already verified are left as they are (no second email). Returns how many changed.
    """
    ids = [officer.pk for officer in officers]
    changed = 0
    for officer in Officer.objects.select_for_update().select_related("user", "agency").filter(pk__in=ids):
        if officer.is_verified:
            continue
        officer.verification_status = Officer.Verification.VERIFIED
        officer.verified_by = by
        officer.verified_at = timezone.now()
        officer.rejection_reason = ""
        officer.save(update_fields=["verification_status", "verified_by", "verified_at", "rejection_reason"])
        _notify(officer, "officer_verified")
        changed += 1
    return changed


@on_behalf
@transaction.atomic
def reject_officers(*, officers: Iterable[Officer], by, reason: str = "") -> int:
    """Refuse the affiliation of officers that are not yet rejected and email each the outcome.

    A rejected officer keeps the account and may change agency in the profile, which puts them
    back in the queue. Returns how many changed.
    """
    ids = [officer.pk for officer in officers]
    changed = 0
    for officer in Officer.objects.select_for_update().select_related("user", "agency").filter(pk__in=ids):
        if officer.verification_status == Officer.Verification.REJECTED:
            continue
        officer.verification_status = Officer.Verification.REJECTED
        officer.verified_by = by
        officer.verified_at = timezone.now()
        officer.rejection_reason = reason
        officer.save(update_fields=["verification_status", "verified_by", "verified_at", "rejection_reason"])
        _notify(officer, "officer_rejected")
        changed += 1
    return changed


def export_officer_data(*, officer: Officer) -> dict:
    """Everything the portal holds about one officer, as plain JSON-ready data."""
    user = officer.user
    registrations = officer.registrations.select_related("session", "agency", "country", "attendance").order_by(
        "created_at"
    )
    return {
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
        "officer": {
            "agency": str(officer.agency),
            "country": officer.agency.country_id,
            "job_title": officer.job_title,
            "preferred_language": officer.preferred_language,
            "verification_status": officer.verification_status,
            "verified_at": officer.verified_at.isoformat() if officer.verified_at else None,
            "rejection_reason": officer.rejection_reason,
        },
        "registrations": [_registration_data(registration) for registration in registrations],
        "messages": [
            {"kind": message.kind, "subject": message.subject, "created_at": message.created_at.isoformat()}
            for message in user.outbound_messages.order_by("created_at")
        ],
    }


def _registration_data(registration) -> dict:
    attendance = getattr(registration, "attendance", None)
    session = registration.session
    return {
        "session": session.title,
        "starts_at": session.starts_at.isoformat() if session.starts_at else None,
        "status": registration.status,
        "source": registration.source,
        "waitlist_position": registration.waitlist_position,
        "agency_at_registration": str(registration.agency),
        "country_at_registration": registration.country_id,
        "registered_at": registration.created_at.isoformat(),
        "attendance": attendance.status if attendance else None,
    }


ERASED_RECIPIENT = "erased@invalid.invalid"


@transaction.atomic
def erase_officer(*, officer: Officer) -> None:
    """Delete the officer's account and personal data while keeping the program's counts.

    Registrations stay, detached from the person (officer set to NULL) but with their
    pseudonymous key and agency/country snapshot, so yearly counts of sessions, attendances,
    distinct officers, agencies and countries do not move. Attendance rows stay with their
    status; free-text notes, certificates, invitations' addresses and the copies of emails sent
    to the person are removed or redacted.
    """
    from messaging.models import OutboundMessage
    from sessions.models import Attendance, Certificate, Invitation, Registration

    officer = Officer.objects.select_for_update().select_related("user").get(pk=officer.pk)
    user = officer.user
    registrations = Registration.objects.filter(officer=officer)
    Attendance.objects.filter(registration__in=registrations).update(note="")
    Certificate.objects.filter(registration__in=registrations).delete()
    erased_address = Concat(Value("erased-"), Cast("pk", CharField()), Value("@invalid.invalid"))
    Invitation.objects.filter(Q(officer=officer) | Q(email__iexact=user.email)).update(
        email=erased_address, officer=None
    )
    messages = OutboundMessage.objects.filter(user=user) | OutboundMessage.objects.filter(recipient__iexact=user.email)
    OutboundMessage.objects.filter(pk__in=messages.values("pk"), status=OutboundMessage.Status.PENDING).update(
        status=OutboundMessage.Status.FAILED, last_error="Recipient erased their personal data."
    )
    OutboundMessage.objects.filter(pk__in=messages.values("pk")).update(
        recipient=ERASED_RECIPIENT, subject="—", body_text="", body_html="", attachments=[], user=None
    )
    registrations.update(officer=None)
    user.delete()
