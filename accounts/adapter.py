"""allauth adapter: allauth's own emails (verification, password reset) in the user's language.

These emails go straight through Django's mail backend, not through the messaging log: they
are transactional one-offs whose links expire, and allauth owns their sending and rate limits.
"""

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils import translation

from accounts.models import User


def language_for_email(email: str) -> str | None:
    user = User.objects.filter(email__iexact=email).select_related("officer").first()
    if user is None:
        return None
    officer = getattr(user, "officer", None)
    return officer.preferred_language if officer else None


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        language = language_for_email(email) or translation.get_language() or settings.LANGUAGE_CODE
        with translation.override(language):
            super().send_mail(template_prefix, email, context)
