"""Receivers of Django's and allauth's own signals for the accounts app."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from accounts.middleware import remember_accepted_version
from accounts.selectors import current_notice_version


@receiver(user_logged_in, dispatch_uid="accounts-privacy-version-on-login")
def remember_privacy_version(sender, request, user, **kwargs):
    """At sign-in, note which notice version the user accepted, so pages need not ask each time."""
    if request is None or not hasattr(request, "session") or user.is_staff:
        return
    remember_accepted_version(request, user)
    current_notice_version()


@receiver(user_logged_out, dispatch_uid="accounts-clear-site-data-on-logout")
def clear_site_data_on_logout(sender, request, user, **kwargs):
    """At sign-out, have the browser forget what pages kept on the device (the check-in page's roster and
    scans, its service worker): ``ClearSiteDataOnLogoutMiddleware`` adds the header to the response."""
    if request is not None:
        request.clears_site_data = True
