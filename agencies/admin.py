from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from agencies import services
from agencies.models import Agency, AgencyEmailDomain, Country, Officer
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
    actions = ["approve_selected", "reject_selected"]

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
