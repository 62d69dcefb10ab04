"""The portal's sign-up: allauth's form plus the officer profile (ACCOUNT_SIGNUP_FORM_CLASS)."""

from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from agencies import services as agency_services
from agencies.forms import AgencyChoiceField


class OfficerSignupForm(forms.Form):
    """Extra sign-up fields; allauth builds its own form on top of this class."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    agency = AgencyChoiceField()
    job_title = forms.CharField(label=_("Job title"), max_length=150, required=False)
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=settings.LANGUAGES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].refresh_choices()
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
