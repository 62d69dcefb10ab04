"""What the portal holds about one officer, as a download."""

from agencies.models import Officer


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
        "privacy_consents": [
            {"notice_version": consent.notice.version, "accepted_at": consent.consented_at.isoformat()}
            for consent in user.privacy_consents.select_related("notice").order_by("consented_at")
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
