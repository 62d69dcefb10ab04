"""Account middleware: staff MFA enrolment, the officer's preferred language, the privacy notice's acceptance."""

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode

from accounts.language import remember_language
from accounts.selectors import accepted_notice_version, current_notice_version
from agencies.models import Officer

# Paths a staff member without MFA may still use: the account pages (which include the MFA
# set-up itself), the language switch, static files and the health check.
ALLOWED_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/healthz")


class StaffMFARequiredMiddleware:
    """Staff must enrol a TOTP authenticator before using anything but the account pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_enrol(request):
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    @staticmethod
    def _must_enrol(request) -> bool:
        if not getattr(settings, "STAFF_MFA_REQUIRED", False):
            return False
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_staff:
            return False
        if request.path.startswith(ALLOWED_PREFIXES):
            return False
        return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class OfficerLanguageMiddleware:
    """Show the portal in an officer's preferred language until this browser picks one.

    Django remembers a choice made with the language switcher (or the profile) in a cookie; an
    officer who logs in on a browser without that cookie would otherwise get the browser's
    language. The cookie is set on the way out, so the profile is read once per browser.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = self._preferred_language(request)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if language and settings.LANGUAGE_COOKIE_NAME not in response.cookies:
            remember_language(response, language)
        return response

    @staticmethod
    def _preferred_language(request) -> str | None:
        if settings.LANGUAGE_COOKIE_NAME in request.COOKIES or request.path.startswith("/api/"):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_staff:
            return None
        officer = Officer.objects.filter(user=user).values_list("preferred_language", flat=True).first()
        return officer if officer in dict(settings.LANGUAGES) else None


# Pages an officer who has not accepted the current privacy notice may still open: the notice and its
# acceptance, the account pages (sign out, email confirmation), erasing the account, the API (tokens
# and clients cannot accept anything), the back office and the pages reached by a personal link.
PRIVACY_EXEMPT_PREFIXES = (
    "/privacy/",
    "/accounts/",
    "/profile/delete/",
    "/profile/personal-data.json",
    "/api/",
    "/admin/",
    "/i18n/",
    "/static/",
    "/healthz",
    "/invitations/",
    "/surveys/",
    "/certificates/",
)
PRIVACY_SESSION_KEY = "privacy_notice_accepted"


def remember_accepted_version(request, user) -> int:
    """Store in the session the latest notice version ``user`` accepted, and return it."""
    version = accepted_notice_version(user)
    request.session[PRIVACY_SESSION_KEY] = version
    return version


class PrivacyConsentMiddleware:
    """Send a signed-in officer to accept a newly published privacy notice before anything else.

    The accepted version is kept in the session and the current one in the cache, so a page costs
    no query once both are known; the database is asked only when they differ (a new version, or
    a consent given in another browser).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_accept(request):
            return redirect(f"{reverse('privacy:accept')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _must_accept(request) -> bool:
        if request.path.startswith(PRIVACY_EXEMPT_PREFIXES):
            return False
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_staff:
            return False
        current = current_notice_version()
        if not current or request.session.get(PRIVACY_SESSION_KEY, 0) >= current:
            return False
        return remember_accepted_version(request, user) < current


class ClearSiteDataOnLogoutMiddleware:
    """On the response that signs someone out (back office or portal), ask the browser to clear this site's
    storage and cache: the check-in page keeps a session's roster, its scans and a service worker on the
    device, which must not outlive the sign-in (``accounts.receivers.clear_site_data_on_logout``)."""

    HEADER = '"cache", "storage"'

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "clears_site_data", False):
            response["Clear-Site-Data"] = self.HEADER
        return response
