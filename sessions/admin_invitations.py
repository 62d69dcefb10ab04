"""Back office for invitations and follow-up survey results.

Registered here (and imported at the end of ``sessions/admin.py``) so the session admin stays
in one file and this one in another. ``invite_officers`` is an action for the session list.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.roles import is_manager
from agencies.models import Agency, Country
from sessions import services
from sessions.models import Invitation, SessionTrainer, Survey, TrainingSession
from sessions.selectors import response_rate, survey_results, survey_results_by_trainer, with_invitation_state

INVALID_LINES_SHOWN = 200


def _works_on(user, session_id) -> bool:
    """Managers work on every session, trainers on the ones they teach."""
    return is_manager(user) or SessionTrainer.objects.filter(session_id=session_id, trainer__user=user).exists()


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
        """The "Invite…" form: plan in the request, fan out in the worker, report the counts."""
        if not request.user.has_perm("training.add_invitation"):
            raise PermissionDenied
        session = get_object_or_404(TrainingSession, pk=session_id)
        if not _works_on(request.user, session.pk):
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


def _nps(promoters, detractors, scored):
    return round(100 * (promoters - detractors) / scored) if scored else None


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = (
        "session",
        "session_date",
        "trainer_names",
        "invited",
        "answered",
        "response_rate",
        "average_overall",
        "average_usefulness",
        "average_trainer",
        "recommend_score",
        "results_link",
    )
    search_fields = ("session__title",)
    list_select_related = ("session",)
    change_list_template = "admin/training/survey/change_list.html"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not is_manager(request.user):
            queryset = queryset.filter(
                session__in=SessionTrainer.objects.filter(trainer__user=request.user).values("session_id")
            )
        answered = Q(responses__submitted_at__isnull=False)
        return queryset.prefetch_related("session__session_trainers__trainer__user").annotate(
            invited_count=Count("responses", distinct=True),
            answered_count=Count("responses", filter=answered, distinct=True),
            overall=Avg("responses__overall_rating"),
            usefulness=Avg("responses__usefulness_rating"),
            trainer=Avg("responses__trainer_rating"),
            promoters=Count("responses", filter=Q(responses__recommend_score__gte=9), distinct=True),
            detractors=Count("responses", filter=Q(responses__recommend_score__lte=6), distinct=True),
            scored=Count("responses", filter=Q(responses__recommend_score__isnull=False), distinct=True),
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("date"), ordering="session__starts_at")
    def session_date(self, obj):
        return obj.session.starts_at

    @admin.display(description=_("trainers"))
    def trainer_names(self, obj):
        return ", ".join(str(assignment.trainer) for assignment in obj.session.session_trainers.all())

    @admin.display(description=_("surveys sent"), ordering="invited_count")
    def invited(self, obj):
        return obj.invited_count

    @admin.display(description=_("answers"), ordering="answered_count")
    def answered(self, obj):
        return obj.answered_count

    @admin.display(description=_("response rate"))
    def response_rate(self, obj):
        rate = response_rate(obj.answered_count, obj.invited_count)
        return f"{number_format(rate)} %" if rate is not None else "—"

    @admin.display(description=_("overall (1–5)"), ordering="overall")
    def average_overall(self, obj):
        return _format_average(obj.overall)

    @admin.display(description=_("usefulness (1–5)"), ordering="usefulness")
    def average_usefulness(self, obj):
        return _format_average(obj.usefulness)

    @admin.display(description=_("trainers (1–5)"), ordering="trainer")
    def average_trainer(self, obj):
        return _format_average(obj.trainer)

    @admin.display(description=_("recommend score (NPS)"))
    def recommend_score(self, obj):
        score = _nps(obj.promoters, obj.detractors, obj.scored)
        return "—" if score is None else score

    @admin.display(description=_("results"))
    def results_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("admin:training_survey_results", args=[obj.pk]), _("Results"))

    def get_urls(self):
        return [
            path(
                "<int:survey_id>/results/",
                self.admin_site.admin_view(self.results_view),
                name="training_survey_results",
            ),
            path("trainers/", self.admin_site.admin_view(self.trainers_view), name="training_survey_trainers"),
            *super().get_urls(),
        ]

    def results_view(self, request, survey_id):
        """One session's results: rate, averages, recommend score, wanted topics and every comment."""
        survey = get_object_or_404(self.get_queryset(request), pk=survey_id)
        if not self.has_view_permission(request, survey):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("Survey results: %(session)s") % {"session": survey.session},
            "opts": self.model._meta,
            "survey": survey,
            "results": survey_results(survey.responses.all()),
        }
        return TemplateResponse(request, "admin/training/survey/results.html", context)

    def trainers_view(self, request):
        """Results per trainer over all their surveyed sessions (a trainer sees their own line)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        rows = survey_results_by_trainer()
        if not is_manager(request.user):
            rows = [(trainer, results) for trainer, results in rows if trainer.user_id == request.user.pk]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Survey results per trainer"),
            "opts": self.model._meta,
            "rows": rows,
        }
        return TemplateResponse(request, "admin/training/survey/trainers.html", context)


def _format_average(value):
    return "—" if value is None else f"{value:.2f}"
