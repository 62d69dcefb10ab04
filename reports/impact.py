"""The yearly impact summary: the figures a press release quotes, read from the yearly report.

Every number is the stored yearly report's (``reports.store.served_report``), so the summary, the
report page, its exports and the API agree to the unit; this module only picks and reshapes them
and adds the quotes (survey comments whose authors agreed to be quoted without their name).

"Hours delivered" follows the report's rule (``reports.selectors._hours_delivered``): per counted
attendance, the session's hours when present; when partial, the recorded time where one is kept,
otherwise half the session's hours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from reports.selectors import (
    BreakdownRow,
    ReportFilters,
    YearlyReport,
    held_sessions,
    session_timezones,
    validate_year,
)
from reports.store import served_report
from sessions.models import SurveyResponse, TrainingSession

TOP_TOPICS = 5
MAX_QUOTES = 3
QUOTE_MAX_CHARACTERS = 280


@dataclass(frozen=True)
class ImpactSummary:
    year: int
    report: YearlyReport
    quotes: list[str]

    @property
    def figures(self):
        return self.report.current

    @property
    def learning_gain(self) -> dict | None:
        """The year's learning gain from the stored figures (``reports.learning.learning_gain``):
        {"gain": mean post minus mean pre, in points, "officers": how many took both}; None when
        no officer took both tests, so the page, the PDF and the JSON leave the section out."""
        figures = self.figures
        if not figures.learning_gain_officers:
            return None
        return {"gain": figures.learning_gain, "officers": figures.learning_gain_officers}

    @property
    def countries(self) -> list[BreakdownRow]:
        """Countries reached (ISO code as key), most officers first."""
        return [row for row in self.report.breakdowns["country"] if row.key and row.officers_trained]

    @property
    def regions_reached(self) -> int:
        return sum(1 for row in self.report.breakdowns["region"] if row.key and row.officers_trained)

    @property
    def top_topics(self) -> list[BreakdownRow]:
        return [row for row in self.report.breakdowns["topic"] if row.key and row.sessions][:TOP_TOPICS]

    @property
    def months(self) -> list[BreakdownRow]:
        return self.report.breakdowns["month"]

    def headline(self) -> dict:
        figures = self.figures
        return {
            "sessions_held": figures.sessions_held,
            "sessions_by_format": {
                value: figures.sessions_by_format.get(value, 0) for value in TrainingSession.Format.values
            },
            "officers_trained": figures.officers_trained,
            "attendances": figures.attendances,
            "agencies_reached": figures.agencies_reached,
            "countries_reached": figures.countries_reached,
            "regions_reached": self.regions_reached,
            "hours_delivered": figures.hours_delivered,
        }

    def as_dict(self) -> dict:
        """The JSON shape shared by the API and ``export_impact --format json``."""
        figures = self.figures
        return {
            "year": self.year,
            "as_of": self.report.as_of.isoformat() if self.report.as_of else None,
            "headline": self.headline(),
            "survey": {
                "survey_responses": figures.survey_responses,
                "average_overall_rating": figures.average_overall_rating,
                "net_promoter_score": figures.net_promoter_score,
            },
            "countries": [
                {"code": row.key, "name": row.label, "officers_trained": row.officers_trained} for row in self.countries
            ],
            "regions": [
                {"name": row.label, "officers_trained": row.officers_trained}
                for row in self.report.breakdowns["region"]
                if row.key and row.officers_trained
            ],
            "top_topics": [
                {"slug": row.key, "name": row.label, "sessions": row.sessions, "officers_trained": row.officers_trained}
                for row in self.top_topics
            ],
            "sessions_by_month": [{"month": row.key, "sessions": row.sessions} for row in self.months],
            "quotes": list(self.quotes),
            "learning_gain": self.learning_gain,
        }


def impact_summary(*, year: int, now: datetime | None = None) -> ImpactSummary | None:
    """The year's impact summary from the stored yearly report (whole program, no filters).

    None while the yearly report is being prepared (as ``served_report``).
    """
    year = validate_year(year)
    now = now or timezone.now()
    report = served_report(year=year, now=now)
    if report is None:
        return None
    return ImpactSummary(year=year, report=report, quotes=consented_quotes(year=year, now=now))


def consented_quotes(*, year: int, now: datetime | None = None) -> list[str]:
    """Up to three comments of the year's held sessions whose authors agreed to be quoted anonymously.

    Only the words are returned (never who, where or which session); the best-rated answers
    first, then the most recent. An erased officer's comments are gone, so they can never be quoted.
    """
    now = now or timezone.now()
    zones = session_timezones(first_year=year, last_year=year)
    sessions = held_sessions(year=year, filters=ReportFilters(), zones=zones, now=now)
    comments = (
        SurveyResponse.objects.filter(
            survey__session__in=sessions.values("pk"), submitted_at__isnull=False, quote_consent=True
        )
        .exclude(comments="")
        .order_by("-overall_rating", "-submitted_at", "pk")
        .values_list("comments", flat=True)[: MAX_QUOTES * 3]
    )
    quotes = []
    for comment in comments:
        text = quote_text(comment)
        if text and text not in quotes:
            quotes.append(text)
    return quotes[:MAX_QUOTES]


def quote_text(comment: str) -> str:
    """A comment as quoted: whitespace folded, at most QUOTE_MAX_CHARACTERS, cut at a word."""
    text = re.sub(r"\s+", " ", comment).strip()
    if len(text) <= QUOTE_MAX_CHARACTERS:
        return text
    return text[: QUOTE_MAX_CHARACTERS - 1].rsplit(" ", 1)[0].rstrip(" ,;:.") + "…"


def number(value) -> str:
    """A figure as printed (grouped digits in the active language); "—" when there is none."""
    if value is None:
        return "—"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return formats.number_format(value, use_l10n=True, force_grouping=True)


def headline_items(summary: ImpactSummary) -> list[tuple[str, str, str]]:
    """(metric, printed value, label) of the headline figures in the active language: the page's,
    the card's and the PDF's."""
    figures = summary.figures
    return [
        ("sessions_held", number(figures.sessions_held), _("sessions held")),
        ("officers_trained", number(figures.officers_trained), _("officers trained")),
        ("attendances", number(figures.attendances), _("attendances")),
        ("hours_delivered", number(figures.hours_delivered), _("hours of training delivered")),
        ("agencies_reached", number(figures.agencies_reached), _("agencies reached")),
        ("countries_reached", number(figures.countries_reached), _("countries reached")),
        ("regions_reached", number(summary.regions_reached), _("regions reached")),
        ("net_promoter_score", number(figures.net_promoter_score), _("net promoter score")),
    ]


def format_items(summary: ImpactSummary) -> list[tuple[str, str]]:
    """(printed count, format) of the sessions held."""
    counts = summary.figures.sessions_by_format  # stored as JSON: key order is the database's
    return [(number(counts.get(value, 0)), str(label)) for value, label in TrainingSession.Format.choices]
