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

# A preview lists every entry up to this many (the counts always cover them all).
PREVIEW_ROWS_SHOWN = 2000
MAX_PASTED_CHARACTERS = 500_000


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
        widget=forms.Textarea(
            attrs={"rows": 8, "cols": 70, "placeholder": '"López, Ana" <ana@policia.gob.mx>; luis@sspc.gob.mx'}
        ),
        help_text=_(
            "Paste addresses as your mail program copies them: separated by new lines, commas or "
            "semicolons, each a bare address or Name <address> (a name holding a comma needs quotes, "
            'as Outlook writes "López, Ana" <ana@policia.gob.mx>). The old form “address, agency” '
            "still works when what follows the address on the same line is exactly an agency's acronym or "
            "name. You will see what happens to each address before anything is sent."
        ),
    )
    default_agency = forms.ModelChoiceField(
        label=_("Agency for addresses without an account"),
        queryset=Agency.objects.filter(is_active=True).select_related("country").order_by("name"),
        required=False,
        help_text=_(
            "Given to pasted addresses that are neither an officer's nor on an agency's verified email "
            "domain. Without it such addresses are not invited, and the preview says so."
        ),
    )
    language = forms.ChoiceField(
        label=_("Language for addresses without a profile"),
        choices=settings.LANGUAGES,
        help_text=_("Officers with a profile get their own preferred language."),
    )
    # What the preview showed, to tell on confirmation whether it still holds (never trusted as the list).
    previewed = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_emails(self):
        emails = self.cleaned_data["emails"]
        if len(emails) > MAX_PASTED_CHARACTERS:
            raise forms.ValidationError(
                _("Paste at most %(limit)s characters at a time (about 10,000 addresses)."),
                params={"limit": f"{MAX_PASTED_CHARACTERS:,}"},
            )
        return emails

    def clean(self):
        data = super().clean()
        if not (data.get("agencies") or data.get("countries") or (data.get("emails") or "").strip()):
            raise forms.ValidationError(_("Choose agencies or countries, or paste email addresses."))
        return data

    def plan_arguments(self) -> dict:
        """The services' keyword arguments for this form's choices."""
        data = self.cleaned_data
        return {
            "agency_ids": [agency.pk for agency in data["agencies"]],
            "country_codes": [country.pk for country in data["countries"]],
            "pasted": data["emails"],
            "language": data["language"],
            "default_agency_id": data["default_agency"].pk if data["default_agency"] else None,
        }


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
    search_fields = ("email", "session__title", "agency__name", "agency__acronym")
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
        """The "Invite…" form: preview what happens to each address, then send to the new ones.

        "Preview" only reads the plan. "Send" works the plan out again from the same form and
        sends only if it still matches what the preview showed; otherwise the fresh preview is
        shown again. The worker creates the invitations of the new entries.
        """
        if not request.user.has_perm("training.add_invitation"):
            raise PermissionDenied
        session = get_object_or_404(TrainingSession, pk=session_id)
        if not trains(request, session.pk):
            raise PermissionDenied
        initial_language = session.language if session.language in dict(settings.LANGUAGES) else "en"
        form = InviteForm(request.POST or None, initial={"language": initial_language})
        preview = sent = None
        if request.method == "POST" and form.is_valid():
            preview, sent = self._preview_or_send(request, session, form)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Invite officers to %(session)s") % {"session": session},
            "opts": self.model._meta,
            "session": session,
            "form": form,
            "media": self.media + form.media,
            "preview": preview,
            "preview_rows": preview.entries[:PREVIEW_ROWS_SHOWN] if preview else [],
            "plan": sent,
            "invitations_url": reverse("admin:training_invitation_changelist") + f"?session__id__exact={session.pk}",
        }
        return TemplateResponse(request, "admin/training/invitation/invite.html", context)

    def _preview_or_send(self, request, session, form):
        """(preview, None) to show the classification, or (None, plan) once sent."""
        arguments = form.plan_arguments()
        previewed = form.cleaned_data["previewed"]
        try:
            if "_send" in request.POST and previewed:
                try:
                    plan = services.invite_officers(session=session, by=request.user, previewed=previewed, **arguments)
                    return None, plan
                except services.InvitationError as error:
                    if error.code != "preview_stale":
                        raise
                    messages.warning(request, error.message)
            services.check_can_invite(session)
            preview = services.plan_invitations(session=session, **arguments)
        except services.InvitationError as error:
            form.add_error(None, error.message)
            return None, None
        return self._keep_preview(form, preview), None

    @staticmethod
    def _keep_preview(form, plan):
        # The confirmation must name the plan the person saw: rebind the form with its digest.
        form.data = form.data.copy()
        form.data[form.add_prefix("previewed")] = plan.fingerprint()
        return plan
