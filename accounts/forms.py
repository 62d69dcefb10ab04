"""The portal's sign-up: allauth's form plus the officer profile (ACCOUNT_SIGNUP_FORM_CLASS)."""

from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts import selectors
from accounts.services import record_privacy_consent
from agencies import services as agency_services
from agencies.forms import OfficerDetailsForm


class OfficerSignupForm(OfficerDetailsForm):
    """Extra sign-up fields; allauth builds its own form on top of this class."""

    privacy_consent = forms.BooleanField(
        label=_("I have read the privacy notice above and agree to the processing of my personal data it describes."),
        error_messages={"required": _("Please accept the privacy notice to create your account.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = (get_language() or settings.LANGUAGE_CODE)[:2]
        if current in dict(settings.LANGUAGES):
            self.fields["preferred_language"].initial = current
        self.privacy_notice = selectors.current_privacy_notice()
        self.privacy_notice_text = self.privacy_notice.text_in(current) if self.privacy_notice else ""
        if self.privacy_notice is None:  # nothing to consent to before a notice is published
            del self.fields["privacy_consent"]

    def signup(self, request, user):
        """Called by allauth once the user row exists: create the officer profile, record the consent."""
        agency_services.create_officer(
            user=user,
            agency=self.cleaned_data["agency"],
            job_title=self.cleaned_data.get("job_title", ""),
            preferred_language=self.cleaned_data["preferred_language"],
        )
        if self.privacy_notice is not None:
            record_privacy_consent(user=user, notice=self.privacy_notice)
