"""The officer's own pages (profile, personal data download, account deletion) and a focal point's agency page."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.language import remember_language
from accounts.roles import focal_point_agency_id, focal_point_condition
from agencies import selectors, services
from agencies.forms import (
    AgencyYearForm,
    DeleteAccountForm,
    OfficerDecisionForm,
    ProfileForm,
    ReconfirmationNoteForm,
    TrainingRequestForm,
)
from agencies.models import Agency, AgencyReconfirmation, Officer, TrainingRequest
from agencies.services.reconfirmation import is_open_for_confirmation
from reports.selectors import ReportFilters
from reports.store import served_report


def _officer_or_404(request):
    officer = getattr(request.user, "officer", None)
    if officer is None:
        raise Http404(_("This page is for agency officers."))
    return officer


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    officer = _officer_or_404(request)
    initial = {
        "first_name": request.user.first_name,
        "last_name": request.user.last_name,
        "agency": officer.agency_id,
        "job_title": officer.job_title,
        "preferred_language": officer.preferred_language,
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            officer = services.update_officer_profile(officer=officer, **form.cleaned_data)
        except services.OfficerError as error:
            form.add_error("agency", str(error))
        else:
            translation.activate(officer.preferred_language)
            messages.success(request, _("Your profile was saved."))
            response = redirect("agencies:profile")
            remember_language(response, officer.preferred_language)
            return response
    return render(request, "portal/profile.html", {"form": form, "officer": officer})


@login_required
def personal_data(request):
    """Download everything the portal holds about the signed-in officer, as JSON."""
    officer = _officer_or_404(request)
    data = services.export_officer_data(officer=officer)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json; charset=utf-8"
    )
    filename = f"trainingops-personal-data-{timezone.now():%Y%m%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    officer = _officer_or_404(request)
    form = DeleteAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.erase_officer(officer=officer, by=request.user)
        logout(request)
        messages.success(request, _("Your account and personal data were deleted."))
        return redirect("landing")
    return render(request, "portal/delete_account.html", {"form": form})


# --- The agency page of a focal point ----------------------------------------------------------

AGENCY_PAGE_SIZE = 25


def _focal_point_agency_or_403(request) -> Agency:
    """The agency the signed-in user coordinates; anyone else (officers included) is refused.

    The officer is loaded once with their agency and the focal-point flag, which the layout and
    ``accounts.roles.focal_point_agency_id`` then reuse without another query.
    """
    officer = (
        Officer.objects.select_related("agency__country")
        .annotate(is_focal_point=focal_point_condition())
        .filter(user=request.user)
        .first()
    )
    if officer is not None:
        officer.user = request.user
    if focal_point_agency_id(request.user) is None:
        raise PermissionDenied(_("This page is for your agency's focal points."))
    return officer.agency


def _page(request, queryset, name: str):
    return Paginator(queryset, AGENCY_PAGE_SIZE).get_page(request.GET.get(name))


@login_required
@require_GET
def agency(request):
    """The focal point's view of their agency: people, sessions, attendance, certificates, figures."""
    agency = _focal_point_agency_or_403(request)
    form = AgencyYearForm(request.GET)
    year = (form.cleaned_data["year"] if form.is_valid() else None) or timezone.localdate().year
    # The stored figures, as the yearly report serves them (refreshed in the background after a change);
    # None while a large year is being prepared.
    report = served_report(year=year, filters=ReportFilters(agency=agency.pk), breakdowns=())
    context = {
        "agency": agency,
        "year": year,
        "year_form": form,
        "figures": report.current if report else None,
        "as_of": report.as_of if report else None,
        "focal_points": selectors.active_focal_points(agency_id=agency.pk),
        "pending": _page(request, selectors.pending_officers(agency_id=agency.pk), "pending_page"),
        "officers": _page(request, selectors.agency_officers(agency_id=agency.pk), "officers_page"),
        "upcoming": _page(request, selectors.upcoming_registrations(agency_id=agency.pk), "upcoming_page"),
        "attendance": _page(request, selectors.past_attendance(agency_id=agency.pk), "attendance_page"),
        "certificates": _page(request, selectors.agency_certificates(agency_id=agency.pk), "certificates_page"),
        "decision_form": OfficerDecisionForm(),
        "reconfirmation_open": is_open_for_confirmation(agency, today=timezone.localdate()),
        "requests": _page(request, selectors.training_requests(agency_id=agency.pk), "requests_page"),
    }
    return render(request, "portal/agency.html", context)


@login_required
@require_POST
def decide_officer(request, pk: int):
    """Approve or reject an officer who claims the focal point's agency (the agency page's buttons)."""
    agency = _focal_point_agency_or_403(request)
    officer = get_object_or_404(Officer.objects.select_related("user"), pk=pk, agency=agency)
    form = OfficerDecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("agencies:agency")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.decide_pending_officer(
            officer=officer, by=request.user, approve=approve, reason=form.cleaned_data["reason"]
        )
    except services.OfficerError as error:
        messages.error(request, str(error))
    else:
        name = officer.user.get_full_name() or officer.user.email
        if approve:
            messages.success(
                request, _("%(name)s is now a verified officer of your agency and was told by email.") % {"name": name}
            )
        else:
            messages.success(
                request, _("%(name)s's affiliation was rejected and they were told by email.") % {"name": name}
            )
    return redirect("agencies:agency")


@login_required
@require_http_methods(["GET", "POST"])
def reconfirmation(request):
    """The yearly reconfirmation: the agency's domains and focal points, "these are right", or a note."""
    agency = _focal_point_agency_or_403(request)
    note_form = ReconfirmationNoteForm(request.POST if request.POST.get("answer") == "problem" else None)
    if request.method == "POST":
        try:
            if request.POST.get("answer") == "confirm":
                services.confirm_agency_details(agency=agency, by=request.user)
                messages.success(request, _("Thank you: your agency's details are confirmed for another year."))
                return redirect("agencies:reconfirmation")
            if note_form.is_valid():
                services.report_agency_problem(agency=agency, by=request.user, note=note_form.cleaned_data["note"])
                messages.success(request, _("Thank you: the program managers will read your note."))
                return redirect("agencies:reconfirmation")
        except services.ReconfirmationError as error:
            messages.error(request, str(error))
            return redirect("agencies:reconfirmation")
    agency.refresh_from_db(fields=["reconfirmation_due_on"])
    context = {
        "agency": agency,
        "due_on": agency.reconfirmation_due_on,
        "is_open": is_open_for_confirmation(agency, today=timezone.localdate()),
        "domains": agency.email_domains.all(),
        "focal_points": selectors.active_focal_points(agency_id=agency.pk),
        "last_confirmation": agency.reconfirmations.filter(kind=AgencyReconfirmation.Kind.CONFIRMED)
        .select_related("by")
        .first(),
        "note_form": note_form,
    }
    return render(request, "portal/agency_reconfirmation.html", context, status=400 if note_form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def new_training_request(request):
    """A focal point asks for a training for their agency; managers are told in the back office."""
    agency = _focal_point_agency_or_403(request)
    form = TrainingRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.submit_training_request(
                agency=agency,
                by=request.user,
                topics=data["topics"],
                format=data["format"],
                language=data["language"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                expected_officers=data["expected_officers"],
                venue_offered=data["venue_offered"],
                notes=data["notes"],
            )
        except services.TrainingRequestError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, _("Your training request was sent. We emailed you a confirmation."))
            return redirect(f"{reverse('agencies:agency')}#requests")
    return render(request, "portal/training_request_form.html", {"agency": agency, "form": form})


@login_required
@require_POST
def withdraw_training_request(request, pk: int):
    """The agency's focal point withdraws a request not yet scheduled."""
    agency = _focal_point_agency_or_403(request)
    training_request = get_object_or_404(TrainingRequest, pk=pk, agency=agency)
    try:
        services.withdraw_training_request(request=training_request, by=request.user)
    except services.TrainingRequestError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The training request was withdrawn."))
    return redirect(f"{reverse('agencies:agency')}#requests")
