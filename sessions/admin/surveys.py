"""Back office: follow-up surveys and their results."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count, Q
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.roles import is_manager
from sessions.models import SessionTrainer, Survey
from sessions.selectors import (
    detractors,
    net_promoter_score,
    promoters,
    response_rate,
    survey_results,
    survey_results_by_trainer,
)
from sessions.translation import translation_field_names


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
    search_fields = (*translation_field_names("session__title"),)
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
            promoters=Count("responses", filter=promoters("responses__"), distinct=True),
            detractors=Count("responses", filter=detractors("responses__"), distinct=True),
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
        score = net_promoter_score(promoters=obj.promoters, detractors=obj.detractors, scored=obj.scored)
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
