"""Topics and trainers."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from sessions.models import Topic, Trainer


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
