"""Writes on agencies and officers, by noun; import them from here (``from agencies import services``)."""

from agencies.services.erasure import ERASED_NAME, ERASED_RECIPIENT, erase_officer, erase_pending_officer
from agencies.services.focal_points import FocalPointError, appoint_focal_point, withdraw_focal_point
from agencies.services.officers import (
    OfficerError,
    create_officer,
    email_domain,
    email_matches_agency,
    reassess_affiliation,
    update_officer_profile,
)
from agencies.services.personal_data import export_officer_data
from agencies.services.reconfirmation import (
    ReconfirmationError,
    confirm_agency_details,
    report_agency_problem,
    sweep_reconfirmations,
)
from agencies.services.requests import (
    TrainingRequestError,
    accept_training_request,
    create_session_from_request,
    decline_training_request,
    deliver_requests_of_session,
    reopen_requests_of_cancelled_session,
    review_training_request,
    submit_training_request,
    validate_request_fields,
    withdraw_training_request,
)
from agencies.services.verification import approve_officers, decide_pending_officer, reject_officers

__all__ = [
    "TrainingRequestError",
    "accept_training_request",
    "create_session_from_request",
    "reopen_requests_of_cancelled_session",
    "decline_training_request",
    "deliver_requests_of_session",
    "review_training_request",
    "submit_training_request",
    "validate_request_fields",
    "withdraw_training_request",
    "ERASED_NAME",
    "ERASED_RECIPIENT",
    "FocalPointError",
    "OfficerError",
    "ReconfirmationError",
    "appoint_focal_point",
    "approve_officers",
    "confirm_agency_details",
    "create_officer",
    "decide_pending_officer",
    "email_domain",
    "email_matches_agency",
    "erase_officer",
    "erase_pending_officer",
    "export_officer_data",
    "reassess_affiliation",
    "reject_officers",
    "report_agency_problem",
    "sweep_reconfirmations",
    "update_officer_profile",
    "withdraw_focal_point",
]
