from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from reports.selectors import BREAKDOWNS, YEAR_MAX, YEAR_MIN, ReportFilters
from sessions.models import TrainingSession


class YearlyReportQuerySerializer(serializers.Serializer):
    """The query parameters of GET /api/v1/reports/yearly."""

    year = serializers.IntegerField(min_value=YEAR_MIN, max_value=YEAR_MAX, help_text=_("Calendar year, e.g. 2024."))
    by = serializers.ChoiceField(
        choices=BREAKDOWNS, required=False, help_text=_("Only this breakdown; every breakdown when omitted.")
    )
    region = serializers.CharField(required=False, allow_blank=True, help_text=_("M49 region, e.g. Americas."))
    format = serializers.ChoiceField(choices=TrainingSession.Format.choices, required=False, allow_blank=True)
    topic = serializers.SlugField(required=False, allow_blank=True, help_text=_("Topic slug."))

    def report_arguments(self) -> dict:
        data = self.validated_data
        filters = ReportFilters(
            region=data.get("region", ""), format=data.get("format", ""), topic=data.get("topic", "")
        )
        breakdowns = (data["by"],) if data.get("by") else BREAKDOWNS
        return {"year": data["year"], "filters": filters, "breakdowns": breakdowns}


class FiguresSerializer(serializers.Serializer):
    sessions_held = serializers.IntegerField()
    sessions_by_format = serializers.DictField(child=serializers.IntegerField())
    officers_trained = serializers.IntegerField()
    attendances = serializers.IntegerField()
    agencies_reached = serializers.IntegerField()
    countries_reached = serializers.IntegerField()
    survey_responses = serializers.IntegerField()
    average_overall_rating = serializers.FloatField(allow_null=True)
    average_usefulness_rating = serializers.FloatField(allow_null=True)
    average_trainer_rating = serializers.FloatField(allow_null=True)
    average_recommend_score = serializers.FloatField(allow_null=True)
    net_promoter_score = serializers.FloatField(allow_null=True)
    learning_gain_officers = serializers.IntegerField(help_text=_("Officers who took both knowledge checks."))
    average_pre_test_score = serializers.FloatField(allow_null=True, help_text=_("Percent, first attempts."))
    average_post_test_score = serializers.FloatField(allow_null=True, help_text=_("Percent, first attempts."))
    learning_gain = serializers.FloatField(
        allow_null=True, help_text=_("Mean post-test minus mean pre-test score, in percentage points.")
    )
    hours_delivered = serializers.FloatField(
        allow_null=True, help_text=_("Hours of training delivered (see the rule in the README).")
    )


class BreakdownRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    sessions = serializers.IntegerField()
    attendances = serializers.IntegerField()
    officers_trained = serializers.IntegerField()
    agencies_reached = serializers.IntegerField()
    countries_reached = serializers.IntegerField()


class FunnelRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_("Empty for the total; the M49 region, or the ISO country code."))
    label = serializers.CharField()
    received = serializers.IntegerField()
    accepted = serializers.IntegerField(help_text=_("Requests that ever reached acceptance."))
    delivered = serializers.IntegerField()
    declined = serializers.IntegerField()
    median_days_to_delivery = serializers.FloatField(allow_null=True)


class FunnelSerializer(serializers.Serializer):
    """Training requests submitted in the year (UTC), by the requesting agency's region and country."""

    total = FunnelRowSerializer()
    region = FunnelRowSerializer(many=True)
    country = FunnelRowSerializer(many=True)


class LearningGainRowSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=["topic", "trainer"])
    key = serializers.CharField(help_text=_("The topic's slug or the trainer's id."))
    label = serializers.CharField()
    officers = serializers.IntegerField(help_text=_("Officers who took both knowledge checks."))
    average_pre_test_score = serializers.FloatField(allow_null=True)
    average_post_test_score = serializers.FloatField(allow_null=True)
    learning_gain = serializers.FloatField(allow_null=True)


class YearlyReportSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    previous_year = serializers.IntegerField()
    filters = serializers.DictField(child=serializers.CharField())
    summary = FiguresSerializer()
    previous = FiguresSerializer()
    breakdowns = serializers.DictField(child=BreakdownRowSerializer(many=True))
    funnel = FunnelSerializer(help_text=_("The training-request funnel of the year."))
    learning = LearningGainRowSerializer(many=True, help_text=_("The year's learning gain per topic and trainer."))
    as_of = serializers.DateTimeField(help_text=_("When these figures were computed."))


class ImpactQuerySerializer(serializers.Serializer):
    """The query parameters of GET /api/v1/reports/impact."""

    year = serializers.IntegerField(min_value=YEAR_MIN, max_value=YEAR_MAX, help_text=_("Calendar year, e.g. 2024."))


class ImpactHeadlineSerializer(serializers.Serializer):
    sessions_held = serializers.IntegerField()
    sessions_by_format = serializers.DictField(child=serializers.IntegerField())
    officers_trained = serializers.IntegerField()
    attendances = serializers.IntegerField()
    agencies_reached = serializers.IntegerField()
    countries_reached = serializers.IntegerField()
    regions_reached = serializers.IntegerField()
    hours_delivered = serializers.FloatField(allow_null=True)


class ImpactSurveySerializer(serializers.Serializer):
    survey_responses = serializers.IntegerField()
    average_overall_rating = serializers.FloatField(allow_null=True)
    net_promoter_score = serializers.FloatField(allow_null=True)


class ImpactCountrySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    officers_trained = serializers.IntegerField()


class ImpactRegionSerializer(serializers.Serializer):
    name = serializers.CharField()
    officers_trained = serializers.IntegerField()


class ImpactTopicSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    sessions = serializers.IntegerField()
    officers_trained = serializers.IntegerField()


class ImpactMonthSerializer(serializers.Serializer):
    month = serializers.CharField()
    sessions = serializers.IntegerField()


class ImpactSummarySerializer(serializers.Serializer):
    year = serializers.IntegerField()
    as_of = serializers.DateTimeField(allow_null=True)
    headline = ImpactHeadlineSerializer()
    survey = ImpactSurveySerializer()
    countries = ImpactCountrySerializer(many=True)
    regions = ImpactRegionSerializer(many=True)
    top_topics = ImpactTopicSerializer(many=True)
    sessions_by_month = ImpactMonthSerializer(many=True)
    quotes = serializers.ListField(child=serializers.CharField())
    learning_gain = serializers.DictField(
        allow_null=True,
        help_text=_(
            "The learning gain of the knowledge checks: gain in points and officers who took both; null when none did."
        ),
    )
