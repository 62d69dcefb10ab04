from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.roles import is_manager
from messaging.models import OutboundMessage
from messaging.services import retry_failed_messages


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "recipient", "language", "status", "attempts", "sent_at", "session")
    list_filter = ("status", "kind", "language")
    search_fields = ("recipient", "subject", "idempotency_key")
    date_hierarchy = "created_at"
    list_select_related = ("session",)
    actions = ["retry_messages"]
    readonly_fields = [f.name for f in OutboundMessage._meta.fields]

    def get_queryset(self, request):
        """Managers see every message; a trainer only those about the sessions they train."""
        queryset = super().get_queryset(request)
        if is_manager(request.user):
            return queryset
        return queryset.filter(session__session_trainers__trainer__user=request.user).distinct()

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Retry delivery of the selected failed messages"), permissions=["change"])
    def retry_messages(self, request, queryset):
        count = retry_failed_messages(message_ids=list(queryset.values_list("id", flat=True)))
        self.message_user(
            request,
            ngettext("%(count)d message queued again.", "%(count)d messages queued again.", count) % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )
