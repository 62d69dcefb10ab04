"""The portal's sign-up: allauth's form plus the officer profile (ACCOUNT_SIGNUP_FORM_CLASS)."""

from django.conf import settings
from django.utils.translation import get_language

from agencies import services as agency_services
from agencies.forms import OfficerDetailsForm


class OfficerSignupForm(OfficerDetailsForm):
    """Extra sign-up fields; allauth builds its own form on top of this class."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = (get_language() or settings.LANGUAGE_CODE)[:2]
        if current in dict(settings.LANGUAGES):
            self.fields["preferred_language"].initial = current

    def signup(self, request, user):
        """Called by allauth once the user row exists: create the officer profile."""
        agency_services.create_officer(
            user=user,
            agency=self.cleaned_data["agency"],
            job_title=self.cleaned_data.get("job_title", ""),
            preferred_language=self.cleaned_data["preferred_language"],
        )
