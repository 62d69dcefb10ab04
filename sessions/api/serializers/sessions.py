"""Sessions as listed and read (plain rows, see the package's docstring), and as written."""

from functools import cache, cached_property
from zoneinfo import ZoneInfo, available_timezones

from django.db import connections, router
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from agencies.models import Country
from sessions.api.serializers.common import iso_in_zone
from sessions.models import SESSION_LANGUAGES, SessionTrainer, Topic, Trainer, TrainingSession
from sessions.translation import (
    DEFAULT_CONTENT_LANGUAGE,
    TEXT_FIELDS_BY_LANGUAGE,
    TRANSLATED_FIELDS,
    RowTexts,
)

# Columns read for one session row; relations (topics, trainers) are attached in bulk.
SESSION_ROW_FIELDS = (
    "id",
    "uuid",
    "title",
    "description",
    *TEXT_FIELDS_BY_LANGUAGE,
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
    "registration_mode",
    "nomination_deadline",
    "quota_release_at",
    "host_agency_id",
    "cancellation_reason",
    "updated_at",
)

# What is read of it: the translation columns, from which ``RowTexts`` picks the reader's title and
# description once per row (the library's own value iterator asks a descriptor per row and field).
SESSION_ROW_COLUMNS = tuple(name for name in SESSION_ROW_FIELDS if name not in TRANSLATED_FIELDS)

_UTC = ZoneInfo("UTC")


@cache
def _time_zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


class SessionTrainerSerializer(serializers.Serializer):
    trainer_id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    role = serializers.ChoiceField(choices=SessionTrainer.Role.choices, read_only=True)


class SessionSerializer(serializers.Serializer):
    """A training session as listed. Reads rows of ``SESSION_ROW_COLUMNS`` prepared by ``attach_session_relations``."""

    id = serializers.IntegerField(read_only=True)
    uuid = serializers.UUIDField(read_only=True)
    title = serializers.CharField(
        read_only=True,
        help_text=_(
            "In the request's language (Accept-Language); when that translation is empty, in the session's "
            "own language, else in English."
        ),
    )
    description = serializers.CharField(read_only=True, help_text=_("In the same language as the title."))
    title_en = serializers.CharField(read_only=True, help_text=_("The title in English."))
    title_es = serializers.CharField(read_only=True, help_text=_("The title in Spanish; empty when not translated."))
    title_fr = serializers.CharField(read_only=True, help_text=_("The title in French; empty when not translated."))
    description_en = serializers.CharField(read_only=True)
    description_es = serializers.CharField(read_only=True)
    description_fr = serializers.CharField(read_only=True)
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
    registration_mode = serializers.ChoiceField(
        choices=TrainingSession.RegistrationMode.choices,
        read_only=True,
        help_text=_("Open: officers register themselves; otherwise their agency's focal points nominate them."),
    )
    nomination_deadline = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text=_("Until when focal points may nominate; null: until registration closes."),
    )
    quota_release_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text=_("When seats reserved for agencies and still unused go to the waitlist; null: never."),
    )
    host_agency = serializers.IntegerField(read_only=True, allow_null=True)
    cancellation_reason = serializers.CharField(read_only=True)
    topics = serializers.ListField(child=serializers.SlugField(), read_only=True, help_text=_("Topic slugs."))
    trainers = SessionTrainerSerializer(many=True, read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    @cached_property
    def _texts(self) -> RowTexts:
        return RowTexts()

    def to_representation(self, row):
        zone = row["timezone"] or _UTC
        texts = self._texts
        return {
            "id": row["id"],
            "uuid": str(row["uuid"]),
            "title": texts(row, "title"),
            "description": texts(row, "description"),
            **{name: row[name] or "" for name in TEXT_FIELDS_BY_LANGUAGE},
            "format": row["format"],
            "status": row["status"],
            "starts_at": iso_in_zone(row["starts_at"], zone),
            "ends_at": iso_in_zone(row["ends_at"], zone),
            "timezone": str(zone),
            "venue": row["venue"],
            "city": row["city"],
            "country": row["country_id"],
            "meeting_url": (row["meeting_url"] or None) if row["show_meeting_url"] else None,
            "language": row["language"],
            "capacity": row["capacity"],
            "audience": row["audience"],
            "registration_opens_at": iso_in_zone(row["registration_opens_at"], zone),
            "registration_closes_at": iso_in_zone(row["registration_closes_at"], zone),
            "registration_mode": row["registration_mode"],
            "nomination_deadline": iso_in_zone(row["nomination_deadline"], zone),
            "quota_release_at": iso_in_zone(row["quota_release_at"], zone),
            "host_agency": row["host_agency_id"],
            "cancellation_reason": row["cancellation_reason"],
            "topics": row["topics"],
            "trainers": row["trainers"],
            "updated_at": iso_in_zone(row["updated_at"], zone),
        }


class SessionQuotaSerializer(serializers.Serializer):
    agency = serializers.IntegerField(read_only=True)
    seats = serializers.IntegerField(read_only=True, help_text=_("Seats reserved for the agency."))


class SessionDetailSerializer(SessionSerializer):
    """One session, with its audience lists and the seat quotas the caller may see."""

    audience_agencies = serializers.ListField(child=serializers.IntegerField(), read_only=True)
    audience_countries = serializers.ListField(child=serializers.CharField(), read_only=True)
    quotas = SessionQuotaSerializer(
        many=True,
        read_only=True,
        help_text=_("Seats reserved per agency: every agency's for staff, their own agency's for a focal point."),
    )

    def to_representation(self, row):
        data = super().to_representation(row)
        data["audience_agencies"] = row["audience_agencies"]
        data["audience_countries"] = row["audience_countries"]
        data["quotas"] = row.get("quotas", [])
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
    connection = connections[router.db_for_read(SessionTrainer)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One array parameter per list: the statement's text and its two parameters stay the same
            # whatever the page size, so psycopg reuses its parsed form (it parses anew any statement
            # with more than 50 parameters; two lists of 50 ids cost a sixth of the list's CPU time).
            cursor.execute(_relations_sql().format(ids="SELECT unnest(%s::bigint[])"), [ids, ids])
        else:
            cursor.execute(_relations_sql().format(ids=", ".join(["%s"] * len(ids))), ids + ids)
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
def _relations_sql() -> str:
    """Topic slugs (by topic name) and trainers (by role, then assignment) of a set of sessions, whose
    ids fill both ``{ids}``.

    Every list request runs this, so it is one statement written once from the models' metadata
    rather than two ORM queries compiled per request (the compiling cost more than the running).
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
    return sql


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

    title = serializers.CharField(
        required=False,
        max_length=200,
        help_text=_("The English title; same as title_en, which wins when both are given."),
    )
    description = serializers.CharField(
        required=False, allow_blank=True, help_text=_("The English description; same as description_en.")
    )

    class Meta:
        model = TrainingSession
        fields = [
            "title",
            "description",
            *TEXT_FIELDS_BY_LANGUAGE,
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
            "registration_mode",
            "nomination_deadline",
            "quota_release_at",
            "host_agency",
            "topics",
            "trainers",
        ]
        extra_kwargs = {
            "capacity": {"min_value": 1, "max_value": 100000},
            # English is required (on creation, here or as ``title``); Spanish and French may be empty.
            "title_en": {"required": False, "allow_null": False, "allow_blank": False},
            "description_en": {"allow_null": False},
            **{
                name: {"allow_null": False, "allow_blank": True, "help_text": _("Empty: readers see a fallback.")}
                for name in TEXT_FIELDS_BY_LANGUAGE
                if not name.endswith(f"_{DEFAULT_CONTENT_LANGUAGE}")
            },
        }

    def validate(self, attrs):
        # ``title`` and ``description`` are the English text, as before the translations existed.
        for name in TRANSLATED_FIELDS:
            english = attrs.pop(name, None)
            if english is not None:
                attrs.setdefault(f"{name}_{DEFAULT_CONTENT_LANGUAGE}", english)
        if self.instance is None and not attrs.get(f"title_{DEFAULT_CONTENT_LANGUAGE}"):
            raise serializers.ValidationError(
                {"title_en": [self.fields["title_en"].error_messages["required"]]}, code="required"
            )
        return attrs

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
