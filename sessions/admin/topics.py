"""Back office: the curriculum's topics and the trainers."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from sessions.models import Topic, Trainer
from trainingops.admin_widgets import SafeAutocompleteAdminMixin

# --- Topics and trainers -----------------------------------------------------------------------


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("name", "name_es", "name_fr", "slug")
    search_fields = ("name", "name_es", "name_fr", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Trainer)
class TrainerAdmin(SafeAutocompleteAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "email", "language_list", "topic_names")
    list_select_related = ("user",)
    search_fields = ("user__first_name", "user__last_name", "user__email")
    autocomplete_fields = ("user", "topics")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user").prefetch_related("topics")

    @admin.display(description=_("email"), ordering="user__email")
    def email(self, trainer):
        return trainer.user.email

    @admin.display(description=_("languages"))
    def language_list(self, trainer):
        return ", ".join(trainer.languages or [])

    @admin.display(description=_("topics"))
    def topic_names(self, trainer):
        return ", ".join(str(topic) for topic in trainer.topics.all())
