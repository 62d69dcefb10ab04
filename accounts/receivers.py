"""Receivers of Django's and allauth's own signals for the accounts app."""

from django.contrib.auth.signals import user_logged_in
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
