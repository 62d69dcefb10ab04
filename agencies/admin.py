from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.roles import is_manager
from agencies import services
from agencies.models import Agency, AgencyEmailDomain, Country, Officer, PendingOfficer
from trainingops.admin_widgets import SafeAutocompleteAdminMixin


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "region", "sub_region", "intermediate_region")
    list_filter = ("region", "sub_region")
    search_fields = ("code", "iso3", "name")
    ordering = ("name",)


class AgencyEmailDomainInline(admin.TabularInline):
    model = AgencyEmailDomain
    extra = 1


@admin.register(Agency)
class AgencyAdmin(SafeAutocompleteAdminMixin, admin.ModelAdmin):
    list_display = ("name", "acronym", "country", "kind", "is_active")
    list_filter = ("kind", "is_active", "country__region")
    list_select_related = ("country",)
    search_fields = ("name", "acronym", "country__name", "email_domains__domain")
    autocomplete_fields = ("country",)
    inlines = [AgencyEmailDomainInline]


@admin.register(Officer)
class OfficerAdmin(SafeAutocompleteAdminMixin, admin.ModelAdmin):
    list_display = ("user", "email", "agency", "job_title", "preferred_language", "verification_status", "created_at")
    list_filter = ("verification_status", "preferred_language", "agency__country__region", "agency__kind")
    list_select_related = ("user", "agency", "agency__country")
    search_fields = ("user__email", "user__first_name", "user__last_name", "agency__name", "agency__acronym")
    autocomplete_fields = ("agency",)
    readonly_fields = ("uuid", "user", "verification_status", "verified_by", "verified_at", "created_at")
    actions = ["approve_selected", "reject_selected", "erase_selected"]

    @admin.display(description=_("email"), ordering="user__email")
    def email(self, officer):
        return officer.user.email

    @admin.action(description=_("Approve the selected officers' affiliation"))
    def approve_selected(self, request, queryset):
        count = services.approve_officers(officers=queryset, by=request.user)
        self.message_user(
            request,
            ngettext("%(count)d officer approved and notified.", "%(count)d officers approved and notified.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Reject the selected officers' affiliation"))
    def reject_selected(self, request, queryset):
        # No free-text reason here: the email explains the outcome in the officer's own language.
        count = services.reject_officers(officers=queryset, by=request.user)
        self.message_user(
            request,
            ngettext("%(count)d officer rejected and notified.", "%(count)d officers rejected and notified.", count)
            % {"count": count},
            messages.WARNING,
        )

    def has_delete_permission(self, request, obj=None):
        # Deleting the row would leave the person's seats taken and their data everywhere else:
        # people leave through erasure (erase_selected), as in the portal.
        return False

    def has_erase_permission(self, request):
        return is_manager(request.user)

    @admin.action(description=_("Erase the selected officers' accounts and personal data…"), permissions=["erase"])
    def erase_selected(self, request, queryset):
        """Erase officers who asked for it (by email, say), after the manager confirms on a second page."""
        queryset = queryset.select_related("user", "agency")
        if request.POST.get("post") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": _("Erase these officers' personal data?"),
                "opts": self.model._meta,
                "queryset": queryset,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "media": self.media,
            }
            return TemplateResponse(request, "admin/agencies/officer/erase_selected_confirmation.html", context)
        erased = 0
        for officer in queryset:
            services.erase_officer(officer=officer, by=request.user)
            erased += 1
        self.message_user(
            request,
            ngettext("%(count)d officer erased.", "%(count)d officers erased.", erased) % {"count": erased},
            messages.SUCCESS,
        )
        return None


@admin.register(PendingOfficer)
class PendingOfficerAdmin(admin.ModelAdmin):
    """Walk-ins recorded at a roll call who have no account yet; managers only (see accounts.roles)."""

    list_display = ("name", "email", "agency", "created_at", "claimed_by", "claimed_at")
    list_select_related = ("agency", "claimed_by__user")
    search_fields = ("name", "email", "agency__name", "agency__acronym")
    readonly_fields = ("uuid", "email", "name", "agency", "created_by", "created_at", "claimed_by", "claimed_at")
    actions = ["erase_selected"]

    def has_add_permission(self, request):
        return False  # added at a session's roll call

    def has_delete_permission(self, request, obj=None):
        return False  # people leave through erasure, which keeps the counts

    def get_actions(self, request):
        actions = super().get_actions(request)
        return actions if is_manager(request.user) else {}

    @admin.action(description=_("Erase the selected walk-ins' personal data…"))
    def erase_selected(self, request, queryset):
        """Erase walk-ins who asked for it, after the manager confirms on a second page."""
        queryset = queryset.select_related("agency")
        if request.POST.get("post") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": _("Erase these walk-ins' personal data?"),
                "opts": self.model._meta,
                "queryset": queryset,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "media": self.media,
            }
            return TemplateResponse(request, "admin/agencies/pendingofficer/erase_selected_confirmation.html", context)
        erased = 0
        for pending in queryset:
            services.erase_pending_officer(pending=pending, by=request.user)
            erased += 1
        self.message_user(
            request,
            ngettext("%(count)d walk-in erased.", "%(count)d walk-ins erased.", erased) % {"count": erased},
            messages.SUCCESS,
        )
        return None
