"""Account middleware: staff MFA enrolment, and the officer's preferred language."""

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation

from accounts.language import remember_language
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
