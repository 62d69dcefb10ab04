"""The privacy notice's page, and the page where a signed-in officer accepts a new version."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from accounts import selectors, services
from accounts.middleware import PRIVACY_SESSION_KEY


def _notice_context(notice) -> dict:
    return {
        "notice": notice,
        "notice_text": notice.text_in(get_language()),
        "support_email": settings.SUPPORT_EMAIL,
    }


def privacy_notice(request):
    notice = selectors.current_privacy_notice()
    if notice is None:
        raise Http404
    return render(request, "portal/privacy_notice.html", _notice_context(notice))


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed and target.startswith("/") else "/"


@login_required
@require_http_methods(["GET", "POST"])
def accept_privacy_notice(request):
    """Show the current notice; accepting it records the consent and goes back where the officer was."""
    notice = selectors.current_privacy_notice()
    if notice is None:
        return redirect(_safe_next(request))
    if request.method == "POST":
        services.record_privacy_consent(user=request.user, notice=notice)
        request.session[PRIVACY_SESSION_KEY] = notice.version
        return redirect(_safe_next(request))
    context = {**_notice_context(notice), "next": _safe_next(request)}
    context["accepted_before"] = selectors.accepted_notice_version(request.user)
    return render(request, "portal/privacy_accept.html", context)
