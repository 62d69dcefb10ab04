"""The managers' impact summary page, its downloads, and the public page of a published summary."""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import get_template
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from reports.impact import ImpactSummary, format_items, headline_items, impact_summary
from reports.impact_files import KINDS, impact_file
from reports.impact_pdf import PAPERS, hours_rule, map_title
from reports.models import PublishedImpactSummary
from reports.selectors import YEAR_MAX, YEAR_MIN, last_complete_year, report_years
from reports.services import PublicationError, publish_impact_summary, withdraw_impact_summary
from reports.views import PREPARING_RETRY_SECONDS, _preparing, manager_required

# How long browsers and shared caches may keep a published summary (a withdrawal shows after this).
PUBLIC_MAX_AGE = 60


class ImpactForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=YEAR_MIN, max_value=YEAR_MAX, required=False)
    paper = forms.ChoiceField(choices=[(key, key) for key in PAPERS], required=False)


def _parse(request) -> tuple[ImpactForm, int, str]:
    form = ImpactForm(request.GET)
    if not form.is_valid():
        return form, last_complete_year(), "a4"
    return form, form.cleaned_data["year"] or last_complete_year(), form.cleaned_data["paper"] or "a4"


def _context(summary: ImpactSummary) -> dict:
    return {
        "summary": summary,
        "figures": summary.figures,
        "headline": headline_items(summary),
        "formats": format_items(summary),
        "map_title": map_title(summary),
        "hours_rule": hours_rule(),
        "downloads": [
            (("summary.pdf", "a4"), _("One-page summary (PDF, A4)")),
            (("summary.pdf", "letter"), _("One-page summary (PDF, Letter)")),
            (("map.png", ""), _("Map (PNG)")),
            (("map.svg", ""), _("Map (SVG)")),
            (("card.png", ""), _("Headline card (PNG)")),
            (("card.svg", ""), _("Headline card (SVG)")),
        ],
    }


@require_GET
@manager_required
def impact_page(request):
    form, year, _paper = _parse(request)
    summary = impact_summary(year=year)
    if summary is None:
        context = {"form": form, "year": year, "years": report_years(), "retry_seconds": PREPARING_RETRY_SECONDS}
        return render(request, "reports/preparing.html", context, status=202)
    context = _context(summary) | {
        "form": form,
        "years": report_years(),
        "publications": PublishedImpactSummary.objects.filter(year=year, withdrawn_at=None),
        "public": False,
    }
    response = render(request, "reports/impact.html", context, status=200 if form.is_valid() else 400)
    response["Last-Modified"] = http_date(summary.report.as_of.timestamp())
    return response


def _file_response(summary: ImpactSummary, *, kind: str, paper: str) -> HttpResponse:
    file = impact_file(summary, kind=kind, paper=paper)
    response = HttpResponse(file.content, content_type=file.content_type)
    disposition = "inline" if kind == "map.svg" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{file.filename}"'
    response["Last-Modified"] = http_date(summary.report.as_of.timestamp())
    return response


@require_GET
@manager_required
def impact_download(request, kind: str):
    if kind not in KINDS:
        raise Http404
    form, year, paper = _parse(request)
    if not form.is_valid():
        messages = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
        return HttpResponse(messages, status=400, content_type="text/plain; charset=utf-8")
    summary = impact_summary(year=year)
    if summary is None:
        return _preparing()
    return _file_response(summary, kind=kind, paper=paper)


@require_POST
@manager_required
def impact_publish(request):
    form = ImpactForm(request.POST)
    if not form.is_valid() or not form.cleaned_data["year"]:
        return HttpResponse(_("Choose a year to publish."), status=400, content_type="text/plain; charset=utf-8")
    year = form.cleaned_data["year"]
    try:
        publish_impact_summary(year=year, by=request.user)
    except PublicationError as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    return redirect(f"{reverse('reports:impact')}?year={year}")


@require_POST
@manager_required
def impact_withdraw(request, publication_id: int):
    try:
        publication = withdraw_impact_summary(publication_id=publication_id, by=request.user)
    except PublicationError as error:
        return HttpResponse(str(error), status=404, content_type="text/plain; charset=utf-8")
    return redirect(f"{reverse('reports:impact')}?year={publication.year}")


def _published(token: str) -> ImpactSummary | None:
    publication = get_object_or_404(PublishedImpactSummary, token=token, withdrawn_at=None)
    return impact_summary(year=publication.year)


def _public(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    return response


@require_GET
def public_impact_page(request, token: str):
    """A published summary: no login, counts and consented quotes only, cacheable for a few minutes."""
    summary = _published(token)
    if summary is None:
        return _preparing()
    # Rendered without the request: no context processor reads the session or the user, no CSRF
    # cookie is set, so the page is the same for everyone and shared caches may keep it.
    content = get_template("reports/impact_public.html").render(_context(summary) | {"public": True, "token": token})
    return _public(HttpResponse(content))


@require_GET
def public_impact_download(request, token: str, kind: str):
    if kind not in KINDS:
        raise Http404
    paper = request.GET.get("paper") or "a4"
    if paper not in PAPERS:
        return HttpResponse(_("Choose the paper: a4 or letter."), status=400, content_type="text/plain; charset=utf-8")
    summary = _published(token)
    if summary is None:
        return _preparing()
    return _public(_file_response(summary, kind=kind, paper=paper))
