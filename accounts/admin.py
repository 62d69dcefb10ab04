from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts import selectors, services
from accounts.models import PrivacyConsent, PrivacyNotice, User
from trainingops.admin_records import RecordAdmin


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


class PrivacyNoticeForm(forms.ModelForm):
    class Meta:
        model = PrivacyNotice
        fields = ["text_en", "text_es", "text_fr"]
        widgets = {name: forms.Textarea(attrs={"rows": 24, "cols": 100}) for name in fields}


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(SimpleHistoryAdmin):
    """Managers edit the notice by publishing a new version, prefilled with the current text.

    A published version is read-only and is never deleted: consents point at it.
    """

    form = PrivacyNoticeForm
    list_display = ("__str__", "published_at", "published_by", "consent_count")
    list_select_related = ("published_by",)
    readonly_fields = ("version", "published_at", "published_by")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(number_of_consents=Count("consents"))

    @admin.display(description=_("accepted by"), ordering="number_of_consents")
    def consent_count(self, obj):
        return obj.number_of_consents

    def get_changeform_initial_data(self, request):
        current = selectors.current_privacy_notice()
        if current is None:
            return super().get_changeform_initial_data(request)
        return {"text_en": current.text_en, "text_es": current.text_es, "text_fr": current.text_fr}

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        published = services.publish_privacy_notice(
            text_en=form.cleaned_data["text_en"],
            text_es=form.cleaned_data["text_es"],
            text_fr=form.cleaned_data["text_fr"],
            by=request.user,
        )
        obj.pk, obj.version, obj.published_at, obj.published_by = (
            published.pk,
            published.version,
            published.published_at,
            published.published_by,
        )


@admin.register(PrivacyConsent)
class PrivacyConsentAdmin(RecordAdmin):
    """Who accepted which version, and when: a record, never edited by hand."""

    list_display = ("notice", "user", "consented_at")
    list_filter = ("notice",)
    list_select_related = ("notice", "user")
    search_fields = ("user__email",)
