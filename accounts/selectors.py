"""Reads of the accounts app: the current privacy notice and whether a user has accepted it."""

from django.core.cache import cache

from accounts.models import PrivacyConsent, PrivacyNotice

CURRENT_NOTICE_CACHE_KEY = "privacy-notice:current-version"
# The version is cached so that a signed-in page does not ask the database for it each time.
CURRENT_NOTICE_CACHE_SECONDS = 300


def current_privacy_notice() -> PrivacyNotice | None:
    """The latest published version of the privacy notice (None before any is published)."""
    return PrivacyNotice.objects.order_by("-version").first()


def current_notice_version() -> int:
    """The latest version's number (0 when there is none), from the cache when it holds it."""
    version = cache.get(CURRENT_NOTICE_CACHE_KEY)
    if version is None:
        version = PrivacyNotice.objects.order_by("-version").values_list("version", flat=True).first() or 0
        cache.set(CURRENT_NOTICE_CACHE_KEY, version, CURRENT_NOTICE_CACHE_SECONDS)
    return version


def forget_current_notice_version() -> None:
    cache.delete(CURRENT_NOTICE_CACHE_KEY)


def accepted_notice_version(user) -> int:
    """The highest version of the notice ``user`` accepted (0 when none)."""
    return (
        PrivacyConsent.objects.filter(user=user)
        .order_by("-notice__version")
        .values_list("notice__version", flat=True)
        .first()
        or 0
    )
