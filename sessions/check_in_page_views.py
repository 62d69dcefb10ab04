"""The trainer's check-in page (issue 15): scan personal codes on a phone, with or without a network.

The page itself carries no one's personal data: its script (``static/training/check_in.js``) reads
the session's roster from the API (``GET /api/v1/sessions/<id>/check-ins/roster/``), keeps it and
the scans in the browser's IndexedDB, decides each scan from there, and sends the scans in batches
to ``POST /api/v1/sessions/<id>/check-ins/``, which records them through the check-in service.

A service worker, served from under the page's own path so that its scope is that page and nothing
else, keeps the page and its static files for when the venue's network is gone. Signing out clears
what it kept (``accounts.middleware.ClearSiteDataOnLogoutMiddleware``).
"""

import hashlib
import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.roles import may_manage_session, role_of
from sessions.models import TrainingSession

# What the page needs offline besides itself; the worker keeps these (``check_in_service_worker``).
PAGE_STATIC_FILES = (
    "css/portal.css",
    "js/portal.js",
    "training/check_in.css",
    "training/check_in.js",
    "vendor/jsqr/jsQR.js",
)
WORKER_SCRIPT = "training/check_in_worker.js"
# Most scans a request carries (the API takes up to 500).
SYNC_BATCH_SIZE = 200


def _session_for_check_in(request, session_id: int) -> TrainingSession:
    """The session, if the user may check people in: its trainers and the managers
    (``accounts.roles.may_manage_session``). Others get a 404 (not staff) or a 403 (staff)."""
    role = role_of(request)
    if not role.is_staff_role:
        raise Http404
    session = get_object_or_404(TrainingSession.objects.select_related("country"), pk=session_id)
    if not may_manage_session(role, session.pk, request=request):
        raise PermissionDenied
    return session


def _page_words() -> dict[str, str]:
    """The sentences the script shows, in the page's language (a scan is decided in the browser)."""
    return {
        "checked_in": gettext("Checked in"),
        "waiting": gettext("Waiting to sync"),
        "unverified": gettext("Checked in on this device; the server confirms the code when it syncs."),
        "already": gettext("Already checked in at %(time)s"),
        "malformed": gettext("This is not a check-in code of TrainingOps."),
        "bad_signature": gettext("This code is forged or altered: its signature does not match."),
        "wrong_session": gettext("This code is for another session."),
        "cancelled": gettext("This registration was cancelled."),
        "not_on_roster": gettext("Not on the saved list of confirmed seats: the server decides when it syncs."),
        "no_roster": gettext("The list of confirmed seats is not on this device yet: connect once to load it."),
        "roster_saved": gettext("List of %(count)s confirmed seats saved on this device at %(time)s."),
        "online": gettext("Online"),
        "offline": gettext("Offline: scans are kept on this device and sent when the network is back."),
        "pending": gettext("%(count)s waiting to sync"),
        "all_synced": gettext("All scans sent"),
        "sign_in_again": gettext("Not sent: sign in again, then come back to this page."),
        "sync_failed": gettext("Not sent yet: the server did not answer. Trying again shortly."),
        "no_camera": gettext("The camera cannot be used here: enter the code or search by name."),
        "no_code_in_photo": gettext("No code found in this photo."),
        "check_in": gettext("Check in"),
        "stop_camera": gettext("Stop the camera"),
        "start_camera": gettext("Scan with the camera"),
    }


@login_required
@require_GET
def check_in_page(request, pk: int):
    """The check-in page of one session (the scans are taken by the script and the API)."""
    session = _session_for_check_in(request, pk)
    context = {
        "session": session,
        "page_config": {
            "session": session.pk,
            "rosterUrl": reverse("session-check-in-roster", kwargs={"session_pk": session.pk}),
            "checkInsUrl": reverse("session-check-in-list", kwargs={"session_pk": session.pk}),
            "workerUrl": reverse("sessions:check_in_worker", args=[session.pk]),
            "scope": reverse("sessions:check_in", args=[session.pk]),
            "batchSize": SYNC_BATCH_SIZE,
            "timezone": str(session.timezone),
            "words": _page_words(),
        },
    }
    return render(request, "portal/check_in.html", context)


@login_required
@require_GET
@never_cache
def check_in_service_worker(request, pk: int):
    """The page's service worker: its settings (what to keep, under which name), then the shared script.

    Served from under the page's path, so the browser gives it that page as its scope and it never
    sees another page of the site. The cache name changes with the files it keeps, so a deployment
    that changes them replaces the old copies.
    """
    session = _session_for_check_in(request, pk)
    page = reverse("sessions:check_in", args=[session.pk])
    files = [static(name) for name in PAGE_STATIC_FILES]
    version = hashlib.sha256(json.dumps([page, *files]).encode()).hexdigest()[:12]
    settings = {"cache": f"check-in-{session.pk}-{version}", "prefix": f"check-in-{session.pk}-", "page": page}
    body = (
        f"self.CHECK_IN = {json.dumps({**settings, 'files': files})};\n"
        f"importScripts({json.dumps(static(WORKER_SCRIPT))});\n"
    )
    return HttpResponse(body, content_type="text/javascript; charset=utf-8")
