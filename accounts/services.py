"""Writes of the accounts app: publishing the privacy notice and recording consent to it."""

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import PrivacyConsent, PrivacyNotice, User
from accounts.selectors import forget_current_notice_version
from trainingops.actors import on_behalf


@on_behalf
@transaction.atomic
def publish_privacy_notice(*, text_en: str, text_es: str, text_fr: str, by: User | None) -> PrivacyNotice:
    """Publish a new version of the privacy notice; earlier versions stay as they were.

    Officers who accepted an earlier version are asked to accept this one on their next visit
    (``accounts.middleware.PrivacyConsentMiddleware``); the cached current version is dropped once
    the new row is committed.
    """
    last = PrivacyNotice.objects.select_for_update().aggregate(last=Max("version"))["last"] or 0
    notice = PrivacyNotice.objects.create(
        version=last + 1,
        text_en=text_en.strip(),
        text_es=text_es.strip(),
        text_fr=text_fr.strip(),
        published_at=timezone.now(),
        published_by=by,
    )
    transaction.on_commit(forget_current_notice_version)
    return notice


def record_privacy_consent(*, user: User, notice: PrivacyNotice) -> PrivacyConsent:
    """Record that ``user`` accepted ``notice`` now; accepting the same version again changes nothing."""
    existing = PrivacyConsent.objects.filter(user=user, notice=notice).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return PrivacyConsent.objects.create(user=user, notice=notice, consented_at=timezone.now())
    except IntegrityError:
        # A second tab accepted at the same moment: keep its row.
        return PrivacyConsent.objects.get(user=user, notice=notice)
