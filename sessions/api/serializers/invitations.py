"""Invitations sent through the API: a pasted list or recipients in, the service's plan out."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencies.models import Agency
from sessions.models import Invitation
from sessions.services.invitations import EntryStatus, format_address

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
