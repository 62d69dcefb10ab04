"""Serializers of the sessions API, one module per noun; import them from here.

Session lists are the hottest read of the API (integrations poll them), so the session
serializers render plain rows from ``.values()`` rather than model instances: the declared
fields document the shape (drf-spectacular reads them), ``to_representation`` builds it
directly. Times are ISO 8601 in the session's own time zone, with its offset, next to the
zone's IANA name.
"""

from sessions.api.serializers.attendance import ATTENDANCE_ROW_FIELDS, AttendanceItemSerializer, AttendanceSerializer
from sessions.api.serializers.days import (
    DAY_SHEET_ROW_FIELDS,
    DayAttendanceItemSerializer,
    DayAttendanceSerializer,
    SessionDaySerializer,
)
from sessions.api.serializers.invitations import (
    InvitationPlanSerializer,
    InvitationRequestSerializer,
    InvitationSerializer,
)
from sessions.api.serializers.registrations import (
    OfficerSummaryField,
    OfficerSummarySerializer,
    RegistrationCreateSerializer,
    RegistrationSerializer,
)
from sessions.api.serializers.sessions import (
    SESSION_ROW_COLUMNS,
    SESSION_ROW_FIELDS,
    SessionCancelSerializer,
    SessionCopySerializer,
    SessionDetailSerializer,
    SessionSerializer,
    SessionTrainerSerializer,
    SessionTrainerWriteSerializer,
    SessionWriteSerializer,
    attach_session_relations,
)
from sessions.api.serializers.trainers import TopicSerializer, TrainerSerializer

__all__ = [
    "DAY_SHEET_ROW_FIELDS",
    "DayAttendanceItemSerializer",
    "DayAttendanceSerializer",
    "SessionDaySerializer",
    "ATTENDANCE_ROW_FIELDS",
    "SESSION_ROW_COLUMNS",
    "SESSION_ROW_FIELDS",
    "AttendanceItemSerializer",
    "AttendanceSerializer",
    "InvitationPlanSerializer",
    "InvitationRequestSerializer",
    "InvitationSerializer",
    "OfficerSummaryField",
    "OfficerSummarySerializer",
    "RegistrationCreateSerializer",
    "RegistrationSerializer",
    "SessionCancelSerializer",
    "SessionCopySerializer",
    "SessionDetailSerializer",
    "SessionSerializer",
    "SessionTrainerSerializer",
    "SessionTrainerWriteSerializer",
    "SessionWriteSerializer",
    "TopicSerializer",
    "TrainerSerializer",
    "attach_session_relations",
]
