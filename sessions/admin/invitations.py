"""Back office: invitations, and the session list's "Invite officers…" action."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from accounts.roles import is_manager
from agencies.models import Agency, Country
from sessions import services
from sessions.admin.base import trains
from sessions.models import Invitation, SessionTrainer, TrainingSession
from sessions.selectors import with_invitation_state
from sessions.translation import translation_field_names

INVALID_LINES_SHOWN = 200


@admin.action(description=_("Invite officers…"))
def invite_officers(modeladmin, request, queryset):
    """Open the invitation form for the one selected session."""
    if queryset.count() != 1:
        modeladmin.message_user(request, _("Select exactly one session to invite to."), messages.WARNING)
        return None
    return HttpResponseRedirect(reverse("admin:training_invitation_invite", args=[queryset.get().pk]))


class InviteForm(forms.Form):
    agencies = forms.ModelMultipleChoiceField(
        label=_("Officers of these agencies"),
        queryset=Agency.objects.filter(is_active=True).select_related("country"),
        required=False,
        widget=FilteredSelectMultiple(_("agencies"), is_stacked=False),
    )
    countries = forms.ModelMultipleChoiceField(
        label=_("Officers of agencies in these countries"),
        queryset=Country.objects.all(),
        required=False,
        widget=FilteredSelectMultiple(_("countries"), is_stacked=False),
    )
    emails = forms.CharField(
        label=_("Email addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 70, "placeholder": "ana@policia.gob.mx, SSPC"}),
        help_text=_(
            "One per line. For an address without a portal account add its agency's acronym or name "
            "after a comma (an address on an agency's verified domain needs none)."
        ),
    )
    language = forms.ChoiceField(
        label=_("Language for addresses without a profile"),
        choices=settings.LANGUAGES,
        help_text=_("Officers with a profile get their own preferred language."),
    )

    def clean(self):
        data = super().clean()
        if not (data.get("agencies") or data.get("countries") or (data.get("emails") or "").strip()):
            raise forms.ValidationError(_("Choose agencies or countries, or paste email addresses."))
        return data


class InvitationStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return Invitation.Status.choices

    def queryset(self, request, queryset):
        if self.value() in Invitation.Status.values:
            return queryset.filter(state=self.value())
        return queryset


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = (
        "email",
        "session",
        "agency",
        "language",
        "state_display",
        "created_at",
        "delivered",
        "responded_at",
    )
    list_filter = (InvitationStateFilter, "language", ("session", admin.RelatedOnlyFieldListFilter))
    search_fields = ("email", *translation_field_names("session__title"), "agency__name", "agency__acronym")
    list_select_related = ("session", "agency")
    date_hierarchy = "created_at"
    readonly_fields = (
        "session",
        "email",
        "agency",
        "officer",
        "language",
        "status",
        "invited_by",
        "created_at",
        "responded_at",
    )
    exclude = ("token", "sent_at")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not is_manager(request.user):
            queryset = queryset.filter(
                session__in=SessionTrainer.objects.filter(trainer__user=request.user).values("session_id")
            )
        return with_invitation_state(queryset)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("state"), ordering="state")
    def state_display(self, obj):
        return Invitation.Status(obj.state).label

    @admin.display(description=_("email sent"), ordering="delivered_at")
    def delivered(self, obj):
        return obj.delivered_at

    def get_urls(self):
        view = self.admin_site.admin_view(self.invite_view)
        return [path("invite/<int:session_id>/", view, name="training_invitation_invite"), *super().get_urls()]

    def invite_view(self, request, session_id):
        """The "Invite…" form: plan in the request, fan out in the worker, report the counts."""
        if not request.user.has_perm("training.add_invitation"):
            raise PermissionDenied
        session = get_object_or_404(TrainingSession, pk=session_id)
        if not trains(request, session.pk):
            raise PermissionDenied
        initial_language = session.language if session.language in dict(settings.LANGUAGES) else "en"
        form = InviteForm(request.POST or None, initial={"language": initial_language})
        plan = None
        if request.method == "POST" and form.is_valid():
            try:
                plan = services.invite_officers(
                    session=session,
                    by=request.user,
                    agency_ids=[agency.pk for agency in form.cleaned_data["agencies"]],
                    country_codes=[country.pk for country in form.cleaned_data["countries"]],
                    pasted=form.cleaned_data["emails"],
                    language=form.cleaned_data["language"],
                )
            except services.InvitationError as error:
                form.add_error(None, error.message)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Invite officers to %(session)s") % {"session": session},
            "opts": self.model._meta,
            "session": session,
            "form": form,
            "media": self.media + form.media,
            "plan": plan,
            "invalid_shown": plan.invalid[:INVALID_LINES_SHOWN] if plan else [],
            "invitations_url": reverse("admin:training_invitation_changelist") + f"?session__id__exact={session.pk}",
        }
        return TemplateResponse(request, "admin/training/invitation/invite.html", context)
