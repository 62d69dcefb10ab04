"""allauth adapter: allauth's own emails (verification, password reset) in the user's language,
sent through the messaging log like every other email.

allauth renders them (its templates, links and rate limits); the message is then logged and
handed to the worker, so a mail server that is down delays the email (retried with backoff,
visible in the admin's message log) instead of failing the sign-up or reset request.
"""

from uuid import uuid4

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.utils import translation
from django.utils.encoding import force_str

from accounts.models import User
from messaging.services import queue_message

PRODUCT_NAME = "TrainingOps"


def _user_for_email(email: str) -> User | None:
    return User.objects.filter(email__iexact=email).select_related("officer").first()


class AccountAdapter(DefaultAccountAdapter):
    def format_email_subject(self, subject: str) -> str:
        """Our subjects name TrainingOps themselves; allauth's others (MFA) get it in front."""
        subject = force_str(subject)
        return subject if PRODUCT_NAME in subject else f"{PRODUCT_NAME}: {subject}"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        user = _user_for_email(email)
        officer = getattr(user, "officer", None) if user else None
        language = (officer.preferred_language if officer else None) or translation.get_language()
        language = language or settings.LANGUAGE_CODE
        request = allauth_context.request
        full_context = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
            # Our templates (templates/account/email/) sign with the product's name, the portal's
            # address and the support address, never the host name of the request.
            "site_url": settings.SITE_URL,
            "support_email": settings.SUPPORT_EMAIL,
            **context,
        }
        with translation.override(language):
            message = self.render_mail(template_prefix, email, full_context)
        if message.content_subtype == "html":  # allauth found only an HTML template
            text, html = "", message.body
        else:
            text = message.body
            html = next(
                (body for body, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), ""
            )
        queue_message(
            kind=template_prefix.replace("/email/", "_").replace("/", "_")[:50],
            recipient=email,
            language=language,
            context={},
            # Each of these emails is a one-off (a new link each time): never deduplicated.
            idempotency_key=f"account:{uuid4().hex}",
            user=user,
            rendered=(message.subject, text, html),
        )
