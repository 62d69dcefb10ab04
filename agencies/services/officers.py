"""Officers' profiles and affiliation: sign-up, profile changes, the affiliation proven by a confirmed address."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import has_confirmed_email
from agencies.models import Agency, AgencyEmailDomain, FocalPoint, Officer


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
    like at sign-up (verified at once by email domain, otherwise pending again), and ends any
    focal-point term at the previous agency.
    """
    officer = Officer.objects.select_for_update().select_related("user", "agency").get(pk=officer.pk)
    if agency.pk != officer.agency_id:
        if not agency.is_active:
            raise OfficerError(_("This agency is not accepting new officers."))
        _end_focal_point_terms(officer, by=officer.user)
        officer.agency = agency
        _apply_affiliation(officer)
    officer.job_title = job_title
    officer.preferred_language = preferred_language
    officer.save()
    user = officer.user
    user.first_name, user.last_name = first_name, last_name
    user.save(update_fields=["first_name", "last_name"])
    return officer


def _end_focal_point_terms(officer: Officer, *, by) -> None:
    from agencies.services.focal_points import withdraw_focal_point

    for term in FocalPoint.objects.active().filter(officer=officer):
        withdraw_focal_point(focal_point=term, by=by)


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
