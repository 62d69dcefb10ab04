from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    def has_delete_permission(self, request, obj=None):
        # An officer leaves through the erasure service (agencies' admin action or their profile), which
        # frees their seats and scrubs every copy of their data; a plain delete would leave both behind.
        if obj is not None and hasattr(obj, "officer"):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # see has_delete_permission: officers must not be bulk-deleted
        return actions

    def get_readonly_fields(self, request, obj=None):
        # A manager may put people in groups, but only a superuser can grant powers beyond them.
        if request.user.is_superuser:
            return self.readonly_fields
        return (*self.readonly_fields, "is_superuser", "user_permissions")


# The back office is TrainingOps' own, in the reader's language, not Django's.
admin.site.site_header = _("TrainingOps back office")
admin.site.site_title = _("TrainingOps")
admin.site.index_title = _("Back office")


class SuperusersOnlyAdminMixin:
    """Celery beat's schedules drive every periodic job (reminders, report refresh, outbox sweep):
    a wrong edit stops them silently, so only superusers see or reach them, whatever a group grants."""

    def has_module_permission(self, request):
        return request.user.is_superuser and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args, **kwargs):
        return request.user.is_superuser and super().has_add_permission(request, *args, **kwargs)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


def restrict_to_superusers(app_label: str) -> None:
    """Register an app's model admins again with ``SuperusersOnlyAdminMixin`` in front."""
    for model, model_admin in list(admin.site._registry.items()):
        if model._meta.app_label != app_label:
            continue
        admin.site.unregister(model)
        name = f"SuperusersOnly{type(model_admin).__name__}"
        admin.site.register(model, type(name, (SuperusersOnlyAdminMixin, type(model_admin)), {}))


# django_celery_beat comes before accounts in INSTALLED_APPS, so its admins are registered by now.
restrict_to_superusers("django_celery_beat")
