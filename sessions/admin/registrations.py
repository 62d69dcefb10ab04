"""Back office: registrations and attendance."""

from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.roles import is_manager
from sessions import services
from sessions.admin.base import (
    ScopedHistoryAdmin,
    ServiceErrorsAsMessages,
    SessionRecordsAdmin,
    copy_saved_state,
    sessions_trained_by,
)
from sessions.admin.forms import attendance_of
from sessions.models import Attendance, Registration
from sessions.translation import translation_field_names
from trainingops.admin_widgets import SafeAutocompleteAdminMixin

# --- Registrations and attendance ----------------------------------------------------------------


@admin.register(Registration)
class RegistrationAdmin(ServiceErrorsAsMessages, SessionRecordsAdmin):
    """Read-mostly: registrations are made by officers; the back office may cancel one."""

    list_display = (
        "officer_name",
        "session",
        "status",
        "source",
        "waitlist_position",
        "agency",
        "country",
        "attendance_status",
        "created_at",
    )
    list_filter = ("status", "source", "session__status", ("country", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("officer__user", "pending_officer", "session", "agency", "country", "attendance")
    search_fields = (
        "officer__user__email",
        "officer__user__last_name",
        "pending_officer__email",
        "pending_officer__name",
        *translation_field_names("session__title"),
        "agency__name",
    )
    date_hierarchy = "created_at"
    actions = ["cancel_registrations"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("officer__user", "pending_officer", "session", "agency", "country", "attendance")
        )

    @admin.display(description=_("officer"), ordering="officer__user__email")
    def officer_name(self, registration):
        return registration.officer.user.email if registration.officer else registration.person_name

    @admin.display(description=_("attendance"))
    def attendance_status(self, registration):
        attendance = attendance_of(registration)
        return attendance.get_status_display() if attendance else "—"

    @admin.action(description=_("Cancel the selected registrations (the waitlist moves up)"), permissions=["change"])
    def cancel_registrations(self, request, queryset):
        for registration in queryset:
            try:
                services.cancel_registration(registration=registration, by=request.user)
            except services.SessionError as error:
                self.message_user(
                    request,
                    gettext("%(registration)s was not cancelled: %(reason)s")
                    % {"registration": registration, "reason": error.message},
                    messages.ERROR,
                )
            else:
                self.message_user(
                    request,
                    gettext("%(registration)s is cancelled.") % {"registration": registration},
                    messages.SUCCESS,
                )


@admin.register(Attendance)
class AttendanceAdmin(SafeAutocompleteAdminMixin, ServiceErrorsAsMessages, ScopedHistoryAdmin):
    list_display = ("officer_name", "session", "status", "checked_in_at", "recorded_by", "recorded_at")
    list_filter = ("status", "registration__session__status")
    list_select_related = (
        "registration__officer__user",
        "registration__pending_officer",
        "registration__session",
        "recorded_by",
    )
    search_fields = ("registration__officer__user__email", *translation_field_names("registration__session__title"))
    autocomplete_fields = ("registration",)
    fields = ("registration", "status", "note", "checked_in_at", "recorded_by", "recorded_at")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if is_manager(request.user):
            return queryset
        return queryset.filter(registration__session__in=sessions_trained_by(request.user))

    def session_id_of(self, obj) -> int:
        return obj.registration.session_id

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "registration" and not is_manager(request.user):
            kwargs["queryset"] = Registration.objects.filter(session__in=sessions_trained_by(request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        readonly = ("checked_in_at", "recorded_by", "recorded_at")
        return ("registration", *readonly) if obj is not None else readonly

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        attendance = services.record_attendance(
            registration=obj.registration, status=obj.status, note=obj.note, by=request.user
        )
        copy_saved_state(attendance, obj)

    @admin.display(description=_("officer"), ordering="registration__officer__user__email")
    def officer_name(self, attendance):
        officer = attendance.registration.officer
        return officer.user.email if officer else attendance.registration.person_name

    @admin.display(description=_("session"), ordering="registration__session__starts_at")
    def session(self, attendance):
        return attendance.registration.session
