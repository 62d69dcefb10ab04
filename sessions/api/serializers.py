"""Serializers of the sessions API.

Session lists are the hottest read of the API (integrations poll them), so the session
serializers render plain rows from ``.values()`` rather than model instances: the declared
fields document the shape (drf-spectacular reads them), ``to_representation`` builds it
directly. Times are ISO 8601 in the session's own time zone, with its offset, next to the
zone's IANA name.
"""

from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.db import connections, router
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencies.models import Agency, Country
from sessions.models import (
    SESSION_LANGUAGES,
    Attendance,
    Invitation,
    Registration,
    SessionTrainer,
    Topic,
    Trainer,
    TrainingSession,
)
from sessions.services.invitations import EntryStatus, format_address
from trainingops.api.prepared_statements import PreparedStatement

# Columns read for one session row; relations (topics, trainers) are attached in bulk.
SESSION_ROW_FIELDS = (
    "id",
    "uuid",
    "title",
    "description",
    "format",
    "status",
    "starts_at",
    "ends_at",
    "timezone",
    "venue",
    "city",
    "country_id",
    "meeting_url",
    "language",
    "capacity",
    "audience",
    "registration_opens_at",
    "registration_closes_at",
    "host_agency_id",
    "cancellation_reason",
    "updated_at",
)

_UTC = ZoneInfo("UTC")


@cache
def _time_zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def _in_zone(value, zone):
    return value.astimezone(zone).isoformat() if value is not None else None


def _person_name(first_name: str, last_name: str, email: str) -> str:
    return f"{first_name} {last_name}".strip() or email


class SessionTrainerSerializer(serializers.Serializer):
    trainer_id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    role = serializers.ChoiceField(choices=SessionTrainer.Role.choices, read_only=True)


class SessionSerializer(serializers.Serializer):
    """A training session as listed. Reads rows prepared by ``attach_session_relations``."""

    id = serializers.IntegerField(read_only=True)
    uuid = serializers.UUIDField(read_only=True)
    title = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    format = serializers.ChoiceField(choices=TrainingSession.Format.choices, read_only=True)
    status = serializers.ChoiceField(choices=TrainingSession.Status.choices, read_only=True)
    starts_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text=_("Start, ISO 8601 in the session's time zone, with offset.")
    )
    ends_at = serializers.DateTimeField(read_only=True, allow_null=True)
    timezone = serializers.CharField(read_only=True, help_text=_("IANA time-zone name, e.g. America/Mexico_City."))
    venue = serializers.CharField(read_only=True)
    city = serializers.CharField(read_only=True)
    country = serializers.CharField(read_only=True, allow_null=True, help_text=_("ISO 3166-1 alpha-2 code."))
    meeting_url = serializers.URLField(
        read_only=True,
        allow_null=True,
        help_text=_("The meeting link; null for officers who are not confirmed for the session."),
    )
    language = serializers.ChoiceField(choices=SESSION_LANGUAGES, read_only=True)
    capacity = serializers.IntegerField(read_only=True, allow_null=True)
    audience = serializers.ChoiceField(choices=TrainingSession.Audience.choices, read_only=True)
    registration_opens_at = serializers.DateTimeField(read_only=True, allow_null=True)
    registration_closes_at = serializers.DateTimeField(read_only=True, allow_null=True)
    host_agency = serializers.IntegerField(read_only=True, allow_null=True)
    cancellation_reason = serializers.CharField(read_only=True)
    topics = serializers.ListField(child=serializers.SlugField(), read_only=True, help_text=_("Topic slugs."))
    trainers = SessionTrainerSerializer(many=True, read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def to_representation(self, row):
        zone = row["timezone"] or _UTC
        return {
            "id": row["id"],
            "uuid": str(row["uuid"]),
            "title": row["title"],
            "description": row["description"],
            "format": row["format"],
            "status": row["status"],
            "starts_at": _in_zone(row["starts_at"], zone),
            "ends_at": _in_zone(row["ends_at"], zone),
            "timezone": str(zone),
            "venue": row["venue"],
            "city": row["city"],
            "country": row["country_id"],
            "meeting_url": (row["meeting_url"] or None) if row["show_meeting_url"] else None,
            "language": row["language"],
            "capacity": row["capacity"],
            "audience": row["audience"],
            "registration_opens_at": _in_zone(row["registration_opens_at"], zone),
            "registration_closes_at": _in_zone(row["registration_closes_at"], zone),
            "host_agency": row["host_agency_id"],
            "cancellation_reason": row["cancellation_reason"],
            "topics": row["topics"],
            "trainers": row["trainers"],
            "updated_at": _in_zone(row["updated_at"], zone),
        }


class SessionDetailSerializer(SessionSerializer):
    """One session, with its audience lists."""

    audience_agencies = serializers.ListField(child=serializers.IntegerField(), read_only=True)
    audience_countries = serializers.ListField(child=serializers.CharField(), read_only=True)

    def to_representation(self, row):
        data = super().to_representation(row)
        data["audience_agencies"] = row["audience_agencies"]
        data["audience_countries"] = row["audience_countries"]
        return data


def _trainer_item(trainer_id, role, first_name, last_name) -> dict:
    return {"trainer_id": trainer_id, "name": f"{first_name} {last_name}".strip(), "role": role}


def attach_session_relations(rows: list[dict], *, detail: bool = False) -> list[dict]:
    """Add topics, trainers (and audience lists for a detail) to session rows, topics and trainers
    in one statement (see ``_relations_sql``).

    Each row carries ``show_meeting_url`` already (see ``access.meeting_link_visible``).
    """
    ids = [row["id"] for row in rows]
    by_id = {row["id"]: row for row in rows}
    for row in rows:
        row["topics"] = []
        row["trainers"] = []
    if not ids:
        return rows
    with connections[router.db_for_read(SessionTrainer)].cursor() as cursor:
        _relations_statement().execute(cursor, [ids])
        for kind, session_id, value, trainer_id, first_name, last_name, *_sort_keys in cursor.fetchall():
            if kind == _TOPIC:
                by_id[session_id]["topics"].append(value)
            else:
                by_id[session_id]["trainers"].append(_trainer_item(trainer_id, value, first_name, last_name))
    if detail:
        _attach_audience(rows, by_id, ids)
    return rows


_TOPIC, _TRAINER = 0, 1


@cache
def _relations_statement() -> PreparedStatement:
    """Topic slugs (by topic name) and trainers (by role, then assignment) of a set of sessions.

    Every list request runs this, so it is one prepared statement written once from the models'
    metadata rather than two ORM queries compiled and planned per request (the compiling and
    planning cost more than the running). Its one parameter is the list of session ids.
    """
    links = TrainingSession.topics.through._meta
    link_session = links.get_field("trainingsession").column
    link_topic = links.get_field("topic").column
    assignment = SessionTrainer._meta
    trainer_user = Trainer._meta.get_field("user").column
    user_table = Trainer._meta.get_field("user").related_model._meta.db_table
    # Identifiers come from the models' metadata; the ids are bound as parameters.
    sql = (
        f'SELECT {_TOPIC}, l."{link_session}", t."slug", NULL, NULL, NULL, t."name", l."{link_topic}" '  # noqa: S608
        f'FROM "{links.db_table}" l INNER JOIN "{Topic._meta.db_table}" t ON t."id" = l."{link_topic}" '
        f'WHERE l."{link_session}" IN ({{ids}}) '
        "UNION ALL "
        f'SELECT {_TRAINER}, a."session_id", a."role", a."trainer_id", u."first_name", u."last_name", a."role", a."id" '
        f'FROM "{assignment.db_table}" a INNER JOIN "{Trainer._meta.db_table}" tr ON tr."id" = a."trainer_id" '
        f'INNER JOIN "{user_table}" u ON u."id" = tr."{trainer_user}" '
        'WHERE a."session_id" IN ({ids}) '
        "ORDER BY 1, 7, 8"
    )

    def portable(params):
        ids = params[0]
        return sql.format(ids=", ".join(["%s"] * len(ids))), ids + ids

    return PreparedStatement(
        "trainingops_api_session_relations", sql.format(ids="SELECT unnest($1)"), ("bigint[]",), portable
    )


def _attach_audience(rows, by_id, ids) -> None:
    for row in rows:
        row["audience_agencies"] = []
        row["audience_countries"] = []
    agencies = TrainingSession.audience_agencies.through.objects.filter(trainingsession_id__in=ids)
    for session_id, agency_id in agencies.order_by("agency_id").values_list("trainingsession_id", "agency_id"):
        by_id[session_id]["audience_agencies"].append(agency_id)
    countries = TrainingSession.audience_countries.through.objects.filter(trainingsession_id__in=ids)
    for session_id, code in countries.order_by("country_id").values_list("trainingsession_id", "country_id"):
        by_id[session_id]["audience_countries"].append(code)


class OfficerSummarySerializer(serializers.Serializer):
    """The officer behind a registration; shown to staff and to the officer themself only."""

    uuid = serializers.UUIDField(read_only=True)
    name = serializers.CharField(read_only=True)
    email = serializers.EmailField(read_only=True)


@extend_schema_field(OfficerSummarySerializer(allow_null=True))
class OfficerSummaryField(serializers.Field):
    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, officer):
        if officer is None:
            return None
        user = officer.user
        return {
            "uuid": str(officer.uuid),
            "name": _person_name(user.first_name, user.last_name, user.email),
            "email": user.email,
        }

    def get_attribute(self, instance):
        return instance.officer


class RegistrationSerializer(serializers.ModelSerializer):
    """A registration with the snapshot of agency and country taken when it was made."""

    session_title = serializers.CharField(source="session.title", read_only=True)
    officer = OfficerSummaryField(help_text=_("Null once the officer erased their personal data."))
    agency = serializers.PrimaryKeyRelatedField(read_only=True)
    country = serializers.PrimaryKeyRelatedField(read_only=True)
    attendance = serializers.SerializerMethodField(help_text=_("The attendance recorded, if any."))

    class Meta:
        model = Registration
        fields = [
            "id",
            "session",
            "session_title",
            "officer",
            "status",
            "source",
            "waitlist_position",
            "agency",
            "country",
            "attendance",
            "created_at",
            "confirmed_at",
            "cancelled_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=Attendance.Status.choices, allow_null=True))
    def get_attendance(self, registration):
        attendance = getattr(registration, "attendance", None)
        return attendance.status if attendance is not None else None


class RegistrationCreateSerializer(serializers.Serializer):
    """An officer registers themself for a session."""

    session = serializers.IntegerField(min_value=1, help_text=_("The id of a published session open to you."))


# Columns read for one line of an attendance sheet: a 200-line sheet is one query and 200 small dicts.
ATTENDANCE_ROW_FIELDS = (
    "id",
    "officer_id",
    "officer__uuid",
    "officer__user__first_name",
    "officer__user__last_name",
    "officer__user__email",
    "status",
    "source",
    "agency_id",
    "country_id",
    "attendance__status",
    "attendance__checked_in_at",
    "attendance__note",
    "attendance__recorded_at",
)


# Reads ATTENDANCE_ROW_FIELDS rows, with times in the zone given as context["timezone"] (the session's).
class AttendanceSerializer(serializers.Serializer):
    """One line of a session's attendance sheet: a registration and what was recorded for it."""

    registration_id = serializers.IntegerField(read_only=True)
    officer = OfficerSummaryField(allow_null=True)
    registration_status = serializers.ChoiceField(choices=Registration.Status.choices, read_only=True)
    source = serializers.ChoiceField(choices=Registration.Source.choices, read_only=True)
    agency = serializers.IntegerField(read_only=True)
    country = serializers.CharField(read_only=True, label=_("ISO code"))
    status = serializers.ChoiceField(choices=Attendance.Status.choices, allow_null=True, read_only=True)
    checked_in_at = serializers.DateTimeField(allow_null=True, read_only=True)
    note = serializers.CharField(read_only=True)
    recorded_at = serializers.DateTimeField(allow_null=True, read_only=True)

    def to_representation(self, row):
        zone = self.context["timezone"]
        officer = None
        if row["officer_id"] is not None:
            email = row["officer__user__email"]
            name = _person_name(row["officer__user__first_name"], row["officer__user__last_name"], email)
            officer = {"uuid": str(row["officer__uuid"]), "name": name, "email": email}
        return {
            "registration_id": row["id"],
            "officer": officer,
            "registration_status": row["status"],
            "source": row["source"],
            "agency": row["agency_id"],
            "country": row["country_id"],
            "status": row["attendance__status"],
            "checked_in_at": _in_zone(row["attendance__checked_in_at"], zone),
            "note": row["attendance__note"] or "",
            "recorded_at": _in_zone(row["attendance__recorded_at"], zone),
        }


class AttendanceItemSerializer(serializers.Serializer):
    """One line of a bulk attendance update: a registration (by id or officer email) and its status."""

    registration_id = serializers.IntegerField(
        required=False, min_value=1, help_text=_("A registration of this session. Give this or email.")
    )
    email = serializers.EmailField(
        required=False,
        help_text=_("The officer's email: their registration, or a new walk-in registration if they have none."),
    )
    status = serializers.ChoiceField(choices=Attendance.Status.choices)
    checked_in_at = serializers.DateTimeField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")

    def validate(self, attrs):
        if ("registration_id" in attrs) == ("email" in attrs):
            raise serializers.ValidationError(_("Give exactly one of registration_id and email."), code="invalid")
        return attrs


class TopicSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="localized_name", read_only=True, help_text=_("In the caller's language."))

    class Meta:
        model = Topic
        fields = ["id", "slug", "name", "description"]
        read_only_fields = fields


class TrainerSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    topics = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    languages = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Trainer
        fields = ["id", "name", "bio", "topics", "languages"]
        read_only_fields = fields

    def get_name(self, trainer) -> str:
        user = trainer.user
        return f"{user.first_name} {user.last_name}".strip()


class SessionTrainerWriteSerializer(serializers.Serializer):
    trainer_id = serializers.PrimaryKeyRelatedField(queryset=Trainer.objects.all())
    role = serializers.ChoiceField(choices=SessionTrainer.Role.choices, default=SessionTrainer.Role.LEAD)

    def validate(self, attrs):
        # A partial update of the session skips required fields and defaults everywhere below it
        # (DRF passes "partial" down), yet each listed trainer must still say who they are.
        if "trainer_id" not in attrs:
            raise serializers.ValidationError(
                {"trainer_id": [self.fields["trainer_id"].error_messages["required"]]}, code="required"
            )
        return {"role": SessionTrainer.Role.LEAD, **attrs}


class SessionWriteSerializer(serializers.ModelSerializer):
    """The editable fields of a session; the service validates the whole and applies the rules."""

    timezone = serializers.CharField(max_length=63, required=False, help_text=_("IANA time-zone name."))
    country = serializers.PrimaryKeyRelatedField(
        queryset=Country.objects.all(), required=False, allow_null=True, help_text=_("ISO 3166-1 alpha-2 code.")
    )
    audience_countries = serializers.PrimaryKeyRelatedField(queryset=Country.objects.all(), many=True, required=False)
    topics = serializers.SlugRelatedField(slug_field="slug", queryset=Topic.objects.all(), many=True, required=False)
    trainers = SessionTrainerWriteSerializer(
        many=True,
        required=False,
        help_text=_("Replaces the session's trainers. A trainer creating a session is added as lead when absent."),
    )

    class Meta:
        model = TrainingSession
        fields = [
            "title",
            "description",
            "format",
            "starts_at",
            "ends_at",
            "timezone",
            "venue",
            "city",
            "country",
            "meeting_url",
            "language",
            "capacity",
            "audience",
            "audience_agencies",
            "audience_countries",
            "registration_opens_at",
            "registration_closes_at",
            "host_agency",
            "topics",
            "trainers",
        ]
        extra_kwargs = {"capacity": {"min_value": 1, "max_value": 100000}}

    def validate_timezone(self, value):
        if value not in _time_zone_names():
            raise serializers.ValidationError(_("Unknown time zone."), code="invalid")
        return ZoneInfo(value)

    def validate_trainers(self, value):
        trainer_ids = [item["trainer_id"].pk for item in value]
        if len(trainer_ids) != len(set(trainer_ids)):
            raise serializers.ValidationError(_("A trainer is listed twice."), code="invalid")
        return value


class SessionCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class SessionCopySerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField(
        help_text=_("When the copy starts (ISO 8601 with an offset); it lasts as long as the original.")
    )


# --- invitations ---------------------------------------------------------------------------

MAX_INVITATION_RECIPIENTS = 10_000
MAX_PASTED_CHARACTERS = 500_000


class InvitationRecipientSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    name = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


@extend_schema_field(
    {
        "oneOf": [
            {
                "type": "string",
                "description": "Pasted text: addresses separated by new lines, commas or semicolons, "
                'each bare or as Name <address> ("Last, First" <address> quoted).',
                "example": '"López, Ana" <ana@policia.gob.mx>; Bob Stone <bob@interpol.int>',
            },
            {
                "type": "array",
                "maxItems": MAX_INVITATION_RECIPIENTS,
                "items": {
                    "type": "object",
                    "properties": {"email": {"type": "string", "format": "email"}, "name": {"type": "string"}},
                    "required": ["email"],
                },
            },
        ]
    }
)
class RecipientsField(serializers.Field):
    """Pasted text, or a list of {email, name} written as that text: the services read one format."""

    default_error_messages = {
        "type": _("Give the recipients as pasted text or as a list of objects with an email and a name."),
        "empty": _("Give at least one recipient."),
        "too_long": _("Send at most {limit} characters of pasted text at a time."),
        "too_many": _("Send at most {limit} recipients at a time."),
    }

    def to_internal_value(self, data):
        if isinstance(data, str):
            if len(data) > MAX_PASTED_CHARACTERS:
                self.fail("too_long", limit=MAX_PASTED_CHARACTERS)
            if not data.strip():
                self.fail("empty")
            return data
        if not isinstance(data, list):
            self.fail("type")
        if not data:
            self.fail("empty")
        if len(data) > MAX_INVITATION_RECIPIENTS:
            self.fail("too_many", limit=MAX_INVITATION_RECIPIENTS)
        items = InvitationRecipientSerializer(data=data, many=True)
        if not items.is_valid():
            raise serializers.ValidationError(items.errors)
        return "\n".join(format_address(item["email"], item["name"]) for item in items.validated_data)

    def to_representation(self, value):
        return value


class InvitationRequestSerializer(serializers.Serializer):
    recipients = RecipientsField(
        help_text=_(
            "Who to invite: pasted text (as mail programs copy addresses) or a list of {email, name}. "
            "Up to 10,000 recipients."
        )
    )
    agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        default=None,
        help_text=_(
            "Id of the active agency given to addresses that are neither an officer's nor on an agency's "
            "verified email domain; without it such addresses are invalid."
        ),
    )
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES,
        required=False,
        default="",
        help_text=_("Language of the invitation for addresses without a profile (default: the session's)."),
    )
    dry_run = serializers.BooleanField(
        required=False, default=False, help_text=_("Only return what would happen to each address; send nothing.")
    )
    previewed = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        default="",
        help_text=_(
            "The fingerprint of a dry run's answer: the invitations are sent only if nothing has changed "
            "since (otherwise a 409 preview_stale)."
        ),
    )


class InvitationEntrySerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text=_("Line of the pasted text (or position in the list), from 1."))
    text = serializers.CharField(help_text=_("The entry as given."))
    name = serializers.CharField(help_text=_("The name read from the entry, if any."))
    email = serializers.CharField(help_text=_("The address read from the entry (empty when there is none)."))
    status = serializers.ChoiceField(choices=EntryStatus.choices)
    reason = serializers.CharField(help_text=_("Why an invalid entry is not invited (empty otherwise)."))


class InvitationCountsSerializer(serializers.Serializer):
    new = serializers.IntegerField()
    invited = serializers.IntegerField()
    registered = serializers.IntegerField()
    invalid = serializers.IntegerField()


class InvitationPlanSerializer(serializers.Serializer):
    """What an invitation request does (or, on a dry run, would do) to each entry."""

    dry_run = serializers.BooleanField()
    fingerprint = serializers.CharField(
        help_text=_("Identifies who would be invited; pass it back as previewed to send exactly this.")
    )
    counts = InvitationCountsSerializer()
    entries = InvitationEntrySerializer(many=True)

    def to_representation(self, instance):
        plan, dry_run = instance
        return {
            "dry_run": dry_run,
            "fingerprint": plan.fingerprint(),
            "counts": plan.counts,
            "entries": [
                {
                    "line": entry.line,
                    "text": entry.text,
                    "name": entry.name,
                    "email": entry.email,
                    "status": entry.status.value,
                    "reason": str(entry.reason),
                }
                for entry in plan.entries
            ],
        }


class InvitationSerializer(serializers.ModelSerializer):
    agency = serializers.IntegerField(source="agency_id", allow_null=True, help_text=_("Id of the agency."))
    state = serializers.ChoiceField(
        choices=Invitation.Status.choices,
        help_text=_("pending, sent or failed (the email), accepted or declined (the answer), expired."),
    )
    delivered_at = serializers.DateTimeField(allow_null=True, help_text=_("When the email went out."))

    class Meta:
        model = Invitation
        fields = ["id", "email", "agency", "language", "state", "created_at", "delivered_at", "responded_at"]
        read_only_fields = fields
