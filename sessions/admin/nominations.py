"""Back office: nominations by agencies' focal points; managers approve or reject those awaiting approval."""

from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sessions import services
from sessions.admin.base import SessionRecordsAdmin
from sessions.models import Nomination
from sessions.translation import translation_field_names


@admin.register(Nomination)
class NominationAdmin(SessionRecordsAdmin):
    """Read-only rows made by focal points (portal, API); the decisions go through the services."""

    list_display = ("nominee", "session", "agency", "status", "nominated_by", "created_at", "decided_by")
    list_filter = ("status", "session__registration_mode")
    list_select_related = ("officer__user", "session", "agency", "nominated_by", "decided_by")
    search_fields = (
        "officer__user__email",
        "officer__user__last_name",
        "email",
        "agency__name",
        *translation_field_names("session__title"),
    )
    actions = ["approve_nominations", "reject_nominations"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("officer__user", "session", "agency")

    def _decide(self, request, queryset, service, done: str):
        for nomination in queryset:
            try:
                service(nomination=nomination, by=request.user)
            except services.SessionError as error:
                self.message_user(
                    request,
                    gettext("%(nomination)s: %(reason)s") % {"nomination": nomination, "reason": error.message},
                    messages.ERROR,
                )
            else:
                self.message_user(request, done % {"nomination": nomination}, messages.SUCCESS)

    @admin.action(description=_("Approve the selected nominations (the seats are confirmed)"), permissions=["change"])
    def approve_nominations(self, request, queryset):
        self._decide(request, queryset, services.approve_nomination, gettext("%(nomination)s is approved."))

    @admin.action(description=_("Reject the selected nominations (the seats are freed)"), permissions=["change"])
    def reject_nominations(self, request, queryset):
        self._decide(request, queryset, services.reject_nomination, gettext("%(nomination)s is rejected."))
