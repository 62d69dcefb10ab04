from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from accounts.roles import is_manager
from agencies import services
from agencies.forms import DeclineRequestForm, TrainingRequestAdminForm
from agencies.models import (
    Agency,
    AgencyEmailDomain,
    AgencyReconfirmation,
    Country,
    FocalPoint,
    Officer,
    PendingOfficer,
    TrainingRequest,
)
from agencies.selectors import reconfirmation_due_soon, reconfirmation_overdue
from sessions.services import SessionError
from trainingops.admin_records import RecordAdmin
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


class FocalPointInline(admin.TabularInline):
    """The agency's focal-point terms, open and closed: read here, changed through the services'
    actions (appoint from the officers' list, withdraw from the focal points' list)."""

    model = FocalPoint
    fk_name = "agency"
    fields = ("officer", "appointed_at", "appointed_by", "withdrawn_at", "withdrawn_by")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("focal points (appoint from the officers' list, withdraw from the focal points' list)")

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("officer__user", "appointed_by", "withdrawn_by")


class AgencyReconfirmationInline(admin.TabularInline):
    """The focal points' answers to the yearly reconfirmation: confirmations and notes on what is wrong."""

    model = AgencyReconfirmation
    fields = ("at", "kind", "due_on", "by", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("yearly reconfirmation: answers and notes from the focal points")

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


class ReconfirmationFilter(admin.SimpleListFilter):
    """Agencies whose focal points did not confirm in time, or must confirm within 30 days."""

    title = _("reconfirmation")
    parameter_name = "reconfirmation"

    def lookups(self, request, model_admin):
        return [("overdue", _("Overdue")), ("due_soon", _("Due within 30 days"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.filter(pk__in=reconfirmation_overdue(today=today).values("pk"))
        if self.value() == "due_soon":
            return queryset.filter(pk__in=reconfirmation_due_soon(today=today).values("pk"))
        return queryset


@admin.register(Agency)
class AgencyAdmin(SafeAutocompleteAdminMixin, admin.ModelAdmin):
    list_display = ("name", "acronym", "country", "kind", "is_active", "reconfirmation_due_on")
    list_filter = (ReconfirmationFilter, "kind", "is_active", "country__region")
    list_select_related = ("country",)
    search_fields = ("name", "acronym", "country__name", "email_domains__domain")
    autocomplete_fields = ("country",)
    readonly_fields = ("reconfirmation_due_on",)
    inlines = [AgencyEmailDomainInline, FocalPointInline, AgencyReconfirmationInline]


class FocalPointStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("active", _("Active")), ("withdrawn", _("Withdrawn"))]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.filter(withdrawn_at__isnull=True)
        if self.value() == "withdrawn":
            return queryset.filter(withdrawn_at__isnull=False)
        return queryset


@admin.register(FocalPoint)
class FocalPointAdmin(SimpleHistoryAdmin):
    """Focal-point terms with their history; withdrawn through the service, never edited or deleted."""

    list_display = ("officer", "agency", "appointed_at", "appointed_by", "withdrawn_at", "withdrawn_by")
    list_filter = (FocalPointStateFilter, "agency__country__region")
    list_select_related = ("officer__user", "agency", "appointed_by", "withdrawn_by")
    search_fields = ("officer__user__email", "officer__user__last_name", "agency__name", "agency__acronym")
    readonly_fields = ("agency", "officer", "appointed_at", "appointed_by", "withdrawn_at", "withdrawn_by")
    fields = readonly_fields
    actions = ["withdraw_selected"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_withdraw_permission(self, request):
        return is_manager(request.user)

    @admin.action(description=_("Withdraw the selected focal points"), permissions=["withdraw"])
    def withdraw_selected(self, request, queryset):
        try:
            with transaction.atomic():
                count = 0
                for term in queryset.filter(withdrawn_at__isnull=True):
                    services.withdraw_focal_point(focal_point=term, by=request.user)
                    count += 1
        except services.FocalPointError as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        self.message_user(
            request,
            ngettext("%(count)d focal point withdrawn.", "%(count)d focal points withdrawn.", count) % {"count": count},
            messages.SUCCESS,
        )


class ErasesAfterConfirming:
    """People's erasure from the back office: a page listing them to confirm first, then each erased."""

    def erase_after_confirming(self, request, queryset, *, title, template: str, erase, erased):
        """On the action's first post, the confirmation ``template``; on its "yes", ``erase`` each row of
        ``queryset`` and report ``erased(count)``."""
        if request.POST.get("post") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": title,
                "opts": self.model._meta,
                "queryset": queryset,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "media": self.media,
            }
            return TemplateResponse(request, template, context)
        count = 0
        for row in queryset:
            erase(row)
            count += 1
        self.message_user(request, erased(count), messages.SUCCESS)
        return None


@admin.register(Officer)
class OfficerAdmin(ErasesAfterConfirming, SafeAutocompleteAdminMixin, SimpleHistoryAdmin):
    list_display = ("user", "email", "agency", "job_title", "preferred_language", "verification_status", "created_at")
    list_filter = ("verification_status", "preferred_language", "agency__country__region", "agency__kind")
    list_select_related = ("user", "agency", "agency__country")
    search_fields = ("user__email", "user__first_name", "user__last_name", "agency__name", "agency__acronym")
    autocomplete_fields = ("agency",)
    readonly_fields = ("uuid", "user", "verification_status", "verified_by", "verified_at", "created_at")
    actions = ["approve_selected", "reject_selected", "appoint_focal_points", "erase_selected"]

    @admin.display(description=_("email"), ordering="user__email")
    def email(self, officer):
        return officer.user.email

    def has_appoint_permission(self, request):
        return is_manager(request.user)

    @admin.action(description=_("Make the selected officers focal points of their agency"), permissions=["appoint"])
    def appoint_focal_points(self, request, queryset):
        """All or none: one officer who cannot be appointed (not verified, already one) stops the batch."""
        officers = list(queryset.select_related("agency", "user"))
        try:
            with transaction.atomic():
                for officer in officers:
                    services.appoint_focal_point(agency=officer.agency, officer=officer, by=request.user)
        except services.FocalPointError as error:
            self.message_user(request, f"{officer}: {error}", messages.ERROR)
            return
        self.message_user(
            request,
            ngettext(
                "%(count)d officer is now a focal point of their agency.",
                "%(count)d officers are now focal points of their agency.",
                len(officers),
            )
            % {"count": len(officers)},
            messages.SUCCESS,
        )

    @admin.action(description=_("Approve the selected officers' affiliation"))
    def approve_selected(self, request, queryset):
        try:
            count = services.approve_officers(officers=queryset, by=request.user)
        except services.OfficerError as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        self.message_user(
            request,
            ngettext("%(count)d officer approved and notified.", "%(count)d officers approved and notified.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Reject the selected officers' affiliation"))
    def reject_selected(self, request, queryset):
        # No free-text reason here: the email explains the outcome in the officer's own language.
        try:
            count = services.reject_officers(officers=queryset, by=request.user)
        except services.OfficerError as error:
            self.message_user(request, str(error), messages.ERROR)
            return
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
        return self.erase_after_confirming(
            request,
            queryset.select_related("user", "agency"),
            title=_("Erase these officers' personal data?"),
            template="admin/agencies/officer/erase_selected_confirmation.html",
            erase=lambda officer: services.erase_officer(officer=officer, by=request.user),
            erased=lambda count: (
                ngettext("%(count)d officer erased.", "%(count)d officers erased.", count) % {"count": count}
            ),
        )


@admin.register(PendingOfficer)
class PendingOfficerAdmin(ErasesAfterConfirming, admin.ModelAdmin):
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
        return self.erase_after_confirming(
            request,
            queryset.select_related("agency"),
            title=_("Erase these walk-ins' personal data?"),
            template="admin/agencies/pendingofficer/erase_selected_confirmation.html",
            erase=lambda pending: services.erase_pending_officer(pending=pending, by=request.user),
            erased=lambda count: (
                ngettext("%(count)d walk-in erased.", "%(count)d walk-ins erased.", count) % {"count": count}
            ),
        )


@admin.register(AgencyReconfirmation)
class AgencyReconfirmationAdmin(RecordAdmin):
    """The focal points' answers to the yearly reconfirmation across agencies, notes first to read;
    written only through the agency page (``agencies.services.reconfirmation``)."""

    list_display = ("agency", "kind", "due_on", "by", "at", "note")
    list_filter = ("kind",)
    list_select_related = ("agency", "by")
    search_fields = ("agency__name", "agency__acronym", "note")
    readonly_fields = ("agency", "kind", "due_on", "by", "at", "note")
    fields = readonly_fields


@admin.register(TrainingRequest)
class TrainingRequestAdmin(SafeAutocompleteAdminMixin, SimpleHistoryAdmin):
    """Managers triage agencies' requests; every state change goes through ``agencies.services``.

    A manager may add a request on behalf of an agency (the add form, saved through
    ``submit_training_request``); after that the request's state only moves by the actions.
    """

    list_display = ("agency", "state", "period_start", "period_end", "expected_officers", "format", "created_at")
    list_filter = ("state", "format", "agency__country__region")
    list_select_related = ("agency", "requested_by", "session")
    search_fields = ("agency__name", "agency__acronym", "requested_by__email")
    autocomplete_fields = ("agency",)
    filter_horizontal = ("topics",)
    fields = (
        "agency",
        *TrainingRequest.ASKED_FIELDS,
        "state",
        "requested_by",
        "decline_reason",
        "session",
        "created_at",
        "accepted_at",
        "delivered_at",
        "declined_at",
    )
    actions = ["review_selected", "accept_selected", "decline_selected", "create_session_selected"]

    def get_readonly_fields(self, request, obj=None):
        states = ("state", "requested_by", "decline_reason", "session", "created_at", "accepted_at", "delivered_at")
        if obj is None:
            return (*states, "declined_at")
        return tuple(name for name in self.fields)

    form = TrainingRequestAdminForm

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return is_manager(request.user)

    def has_triage_permission(self, request):
        return is_manager(request.user)

    def save_model(self, request, obj, form, change):
        """Only new requests are saved here (existing ones are read-only): through the service."""
        if change:
            return
        data = form.cleaned_data
        try:
            saved = services.submit_training_request(
                agency=data["agency"],
                by=request.user,
                topics=data["topics"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                expected_officers=data["expected_officers"],
                format=data["format"],
                language=data["language"],
                venue_offered=data.get("venue_offered", ""),
                notes=data.get("notes", ""),
            )
        except services.TrainingRequestError as error:
            # The form checked these rules (clean); what is left is the requester's right, which
            # a manager always has: an error here is a bug, not bad input.
            raise AssertionError(str(error)) from error
        obj.pk = saved.pk
        obj.__dict__.update(saved.__dict__)

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)

    def get_changeform_initial_data(self, request):
        return {"language": "en", **super().get_changeform_initial_data(request)}

    def _run(self, request, queryset, service, done_message, **kwargs):
        """All or none: one request in the wrong state stops the batch, with its error."""
        rows = list(queryset.select_related("agency"))
        try:
            with transaction.atomic():
                for row in rows:
                    service(request=row, by=request.user, **kwargs)
        except services.TrainingRequestError as error:
            self.message_user(request, f"{row}: {error}", messages.ERROR)
            return 0
        self.message_user(request, done_message(len(rows)), messages.SUCCESS)
        return len(rows)

    @admin.action(description=_("Take the selected requests under review"), permissions=["triage"])
    def review_selected(self, request, queryset):
        self._run(
            request,
            queryset,
            services.review_training_request,
            lambda n: ngettext("%(count)d request under review.", "%(count)d requests under review.", n) % {"count": n},
        )

    @admin.action(description=_("Accept the selected requests"), permissions=["triage"])
    def accept_selected(self, request, queryset):
        self._run(
            request,
            queryset,
            services.accept_training_request,
            lambda n: ngettext("%(count)d request accepted.", "%(count)d requests accepted.", n) % {"count": n},
        )

    @admin.action(description=_("Decline the selected requests…"), permissions=["triage"])
    def decline_selected(self, request, queryset):
        """Ask for the reason on a second page, then decline through the service."""
        form = DeclineRequestForm(request.POST if request.POST.get("post") == "yes" else None)
        if form.is_bound and form.is_valid():
            self._run(
                request,
                queryset,
                services.decline_training_request,
                lambda n: ngettext("%(count)d request declined.", "%(count)d requests declined.", n) % {"count": n},
                reason=form.cleaned_data["reason"],
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Decline these training requests?"),
            "opts": self.model._meta,
            "queryset": queryset.select_related("agency"),
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/agencies/trainingrequest/decline_selected.html", context)

    @admin.action(description=_("Create a draft session from the selected request"), permissions=["triage"])
    def create_session_selected(self, request, queryset):
        """One accepted request: its draft session is made, linked, and opened for the manager to finish."""
        rows = list(queryset[:2])
        if len(rows) != 1:
            self.message_user(request, _("Select exactly one request to create its session."), messages.ERROR)
            return None
        try:
            session = services.create_session_from_request(request=rows[0], by=request.user)
        except services.TrainingRequestError as error:
            self.message_user(request, f"{rows[0]}: {error}", messages.ERROR)
            return None
        except SessionError as error:  # the sessions service's own rules
            self.message_user(request, f"{rows[0]}: {error}", messages.ERROR)
            return None
        self.message_user(
            request,
            _("Draft session created from the request; complete its dates and trainers, then publish it."),
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:training_trainingsession_change", args=[session.pk]))
