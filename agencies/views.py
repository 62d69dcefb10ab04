"""The officer's own pages: profile, personal data download, account deletion."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.language import remember_language
from agencies import services
from agencies.forms import DeleteAccountForm, ProfileForm


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
