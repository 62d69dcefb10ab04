"""SessionError and its kinds, and the session row lock that serialises capacity decisions."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sessions.models import (
    TrainingSession,
)
from trainingops.validators import validate_datetime_in_range


class SessionError(Exception):
    """A domain rule refused the change. ``code`` is machine-readable, the message is for people."""

    code = "invalid"

    def __init__(self, message, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class TransitionError(SessionError):
    code = "invalid_transition"


class RegistrationError(SessionError):
    code = "registration_refused"


class AttendanceError(SessionError):
    code = "attendance_refused"


class AttendanceSheetRejected(AttendanceError):
    """Some lines of an attendance sheet were refused, so none was saved; ``errors`` maps line index to error."""

    def __init__(self, errors: dict[int, SessionError]):
        super().__init__(_("Nothing was saved: correct the lines marked."))
        self.errors = errors


def lock_session(session: TrainingSession) -> TrainingSession:
    """Re-read the session holding its row lock: capacity decisions are serialised per session."""
    return TrainingSession.objects.select_for_update().get(pk=session.pk)


def check_in_range(value: datetime | None, *, field: str) -> None:
    if value is None:
        return
    try:
        validate_datetime_in_range(value)
    except ValidationError as error:
        raise SessionError(error.messages[0], code="invalid", field=field) from error


def validate_session(session: TrainingSession) -> None:
    try:
        session.full_clean(exclude=["topics", "trainers", "audience_agencies", "audience_countries"])
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise SessionError(messages[0], code="invalid", field=None if field == "__all__" else field) from error


def copy_session_state(source: TrainingSession, target: TrainingSession) -> None:
    """Keep the caller's instance in step with the row we saved under lock."""
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


class InvitationError(SessionError):
    code = "invitation_refused"


class SurveyError(SessionError):
    code = "survey_refused"
