"""The managers' yearly report page and its downloads. Every figure comes from reports.selectors."""

from __future__ import annotations

from functools import wraps
from itertools import chain

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.html import format_html_join
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from accounts.roles import is_manager
from reports import charts, exports
from reports.learning import LEARNING_COLUMN_LABELS, LEARNING_COLUMNS
from reports.selectors import (
    BREAKDOWN_COLUMN_LABELS,
    BREAKDOWN_COLUMNS,
    BREAKDOWN_LABELS,
    BREAKDOWNS,
    FUNNEL_COLUMN_LABELS,
    FUNNEL_COLUMNS,
    YEAR_MAX,
    YEAR_MIN,
    ReportFilters,
    filter_choices,
    last_complete_year,
    report_years,
)
from reports.store import served_report
from sessions.models import TrainingSession
from sessions.views import viewer_timezone

# Seconds after which a page showing "being prepared" reloads itself, and a download asks to be retried.
PREPARING_RETRY_SECONDS = 10


def manager_required(view):
    """Anonymous visitors are sent to the login page; logged-in non-managers get 403."""

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not is_manager(request.user):
            raise PermissionDenied(_("Only managers can see the yearly report."))
        return view(request, *args, **kwargs)

    return wrapped


class ReportForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=YEAR_MIN, max_value=YEAR_MAX, required=False)
    region = forms.ChoiceField(label=gettext_lazy("Region"), required=False)
    format = forms.ChoiceField(label=gettext_lazy("Format"), required=False)
    topic = forms.ChoiceField(label=gettext_lazy("Topic"), required=False)

    def __init__(self, *args, choices: dict, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        for name in ("region", "format", "topic"):
            self.fields[name].choices = everything + choices[name]

    def report_arguments(self) -> tuple[int, ReportFilters]:
        data = self.cleaned_data
        filters = ReportFilters(region=data["region"], format=data["format"], topic=data["topic"])
        return data["year"] or last_complete_year(), filters


def _parse(request, *, choices: dict | None = None) -> tuple[ReportForm, int, ReportFilters]:
    form = ReportForm(request.GET, choices=choices or _lazy_choices(request))
    if form.is_valid():
        year, filters = form.report_arguments()
    else:
        year, filters = last_complete_year(), ReportFilters()
    return form, year, filters


def _lazy_choices(request) -> dict:
    """For downloads, accept what was asked for: an unknown region or topic simply matches nothing."""
    values = {name: request.GET.get(name, "") for name in ("region", "topic")}
    return {
        "region": [(values["region"], values["region"])] if values["region"] else [],
        "format": [(value, str(label)) for value, label in TrainingSession.Format.choices],
        "topic": [(values["topic"], values["topic"])] if values["topic"] else [],
    }


def _percent_change(value, previous):
    if value is None or previous in (None, 0):
        return None
    return round(100 * (value - previous) / previous, 1)


@require_GET
@manager_required
def yearly_report_page(request):
    choices = filter_choices()
    form, year, filters = _parse(request, choices=choices)
    report = served_report(year=year, filters=filters)
    if report is None:
        context = {"form": form, "year": year, "years": report_years(), "retry_seconds": PREPARING_RETRY_SECONDS}
        return render(request, "reports/preparing.html", context, status=202)
    # A year still under way set against a whole one would read as a fall of nearly 100 %.
    year_is_over = report.year <= last_complete_year()
    summary = [
        (row, _percent_change(row.value, row.previous) if year_is_over else None) for row in report.summary_rows()
    ]
    context = {
        "form": form,
        "report": report,
        "years": report_years(),
        "summary": summary,
        "key_figures": [item for item in summary if item[0].metric in _KEY_FIGURES],
        "tables": [(name, BREAKDOWN_LABELS[name], _table_rows(report.breakdowns[name])) for name in BREAKDOWNS],
        "columns": [BREAKDOWN_COLUMN_LABELS[column] for column in BREAKDOWN_COLUMNS],
        "funnel_columns": [FUNNEL_COLUMN_LABELS[column] for column in FUNNEL_COLUMNS],
        "learning_columns": [LEARNING_COLUMN_LABELS[column] for column in LEARNING_COLUMNS],
        "charts": _charts(report),
        "query": request.GET.urlencode(),
        "viewer_timezone": viewer_timezone(request),
    }
    response = render(request, "reports/yearly.html", context, status=200 if form.is_valid() else 400)
    return _with_as_of(response, report)


def _table_rows(rows) -> str:
    """A breakdown's table rows as HTML. Built here rather than in a template loop: the agency
    table has thousands of rows at scale, which the template engine takes most of the page's time to draw."""
    return format_html_join(
        "\n",
        '<tr data-key="{}"><th scope="row">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
        (
            (row.key, row.label, row.sessions, row.attendances, row.officers_trained, row.agencies_reached)
            + (row.countries_reached,)
            for row in rows
        ),
    )


def _with_as_of(response: HttpResponse, report) -> HttpResponse:
    """Say in HTTP which moment the figures reflect, for caches and scripts."""
    response["Last-Modified"] = http_date(report.as_of.timestamp())
    return response


def _preparing() -> HttpResponse:
    response = HttpResponse(
        _("The figures for this year and these filters are being prepared: try again in a minute."),
        status=202,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(PREPARING_RETRY_SECONDS)
    return response


def _charts(report) -> list[tuple[str, str]]:
    """(caption, inline SVG) pairs: sessions and officers per month, officers by region, top countries."""
    months = report.breakdowns["month"]
    specs = [
        (_("Sessions per month"), charts.column_chart, [(row.key[5:], row.sessions) for row in months], "#2f6f9f"),
        (
            _("Officers trained per month"),
            charts.column_chart,
            [(row.key[5:], row.officers_trained) for row in months],
            "#7a4f9f",
        ),
        (
            _("Officers trained by region"),
            charts.bar_chart,
            [(row.label, row.officers_trained) for row in report.breakdowns["region"]],
            "#3d8b5f",
        ),
        (
            _("Countries ranked by officers trained (top 15)"),
            charts.bar_chart,
            [(row.label, row.officers_trained) for row in report.breakdowns["country"][:15]],
            "#b5673a",
        ),
    ]
    return [(title, draw(title=title, points=points, color=color)) for title, draw, points, color in specs]


_KEY_FIGURES = {
    "sessions_held",
    "officers_trained",
    "attendances",
    "agencies_reached",
    "countries_reached",
    "average_overall_rating",
    "net_promoter_score",
}


def _invalid(form) -> HttpResponse:
    messages = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
    return HttpResponse(messages, status=400, content_type="text/plain; charset=utf-8")


def _download_name(year: int, part: str, extension: str) -> str:
    return f"yearly-counts-{year}-{part}.{extension}"


@require_GET
@manager_required
def yearly_report_csv(request):
    """The summary, or one breakdown with ``?part=country``, as CSV."""
    form, year, filters = _parse(request)
    if not form.is_valid():
        return _invalid(form)
    part = request.GET.get("part") or "summary"
    if part not in ("summary", exports.FUNNEL_PART, exports.LEARNING_PART) and part not in BREAKDOWNS:
        return HttpResponse(
            _("Unknown part: choose summary, funnel, learning or a breakdown."), status=400, content_type="text/plain"
        )
    breakdowns = (part,) if part in BREAKDOWNS else ()
    report = served_report(year=year, filters=filters, breakdowns=breakdowns)
    if report is None:
        return _preparing()
    content = exports.CSV_BOM + exports.report_csv(report, by=None if part == "summary" else part)
    response = HttpResponse(content, content_type=exports.CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_download_name(year, part, "csv")}"'
    return _with_as_of(response, report)


@require_GET
@manager_required
def yearly_report_xlsx(request):
    form, year, filters = _parse(request)
    if not form.is_valid():
        return _invalid(form)
    report = served_report(year=year, filters=filters)
    if report is None:
        return _preparing()
    response = HttpResponse(
        exports.report_xlsx(report), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{_download_name(year, "all", "xlsx")}"'
    return _with_as_of(response, report)


@require_GET
@manager_required
def attendance_csv(request):
    """One row per counted attendance, streamed; officer identity only with ``?identity=1``."""
    form, year, filters = _parse(request)
    if not form.is_valid():
        return _invalid(form)
    include_identity = request.GET.get("identity") == "1"
    rows = exports.attendance_rows(year=year, filters=filters, include_identity=include_identity)
    response = StreamingHttpResponse(
        chain([exports.CSV_BOM], exports.stream_csv(rows)), content_type=exports.CSV_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{_download_name(year, "attendances", "csv")}"'
    return response
