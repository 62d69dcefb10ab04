"""Forms of the officer's own profile, and the agency picker shared with sign-up."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, TrainingRequest
from reports.selectors import YEAR_MAX, YEAR_MIN


def grouped_agency_choices() -> list:
    """Active agencies grouped by country (localised country names, alphabetical)."""
    groups: dict = {}
    for agency in Agency.objects.filter(is_active=True).select_related("country").order_by("name"):
        groups.setdefault(agency.country.localized_name, []).append((str(agency.pk), str(agency)))
    return [("", _("Choose your agency"))] + sorted(groups.items(), key=lambda item: item[0])


class AgencyChoiceField(forms.TypedChoiceField):
    """A <select> with one <optgroup> per country; the portal's script adds a type-to-filter box."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Agency"))
        kwargs.setdefault("help_text", _("Type part of the agency's or the country's name to filter the list."))
        kwargs.setdefault("error_messages", {"invalid_choice": _("Choose an agency from the list.")})
        super().__init__(coerce=self._to_agency, empty_value=None, **kwargs)
        self.widget.attrs.update(
            {
                "data-filterable": "agency",
                "data-filter-placeholder": _("Filter by agency or country"),
                "class": "agency-select",
            }
        )

    def refresh_choices(self):
        self.choices = grouped_agency_choices()

    @staticmethod
    def _to_agency(value):
        return Agency.objects.select_related("country").get(pk=int(value), is_active=True)

    def valid_value(self, value):
        return str(value).isdigit() and Agency.objects.filter(pk=int(value), is_active=True).exists()


class OfficerDetailsForm(forms.Form):
    """What an officer tells about themselves, at sign-up and later in their profile."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    agency = AgencyChoiceField()
    job_title = forms.CharField(label=_("Job title"), max_length=150, required=False)
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=settings.LANGUAGES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].refresh_choices()


class ProfileForm(OfficerDetailsForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].help_text = _(
            "Changing your agency sends your account back to verification before you can register again."
        )


class DeleteAccountForm(forms.Form):
    confirm = forms.CharField(
        label=_("Type DELETE to confirm"),
        max_length=20,
        help_text=_("Your account and personal data are erased. This cannot be undone."),
    )

    def clean_confirm(self):
        value = self.cleaned_data["confirm"].strip()
        if value.upper() not in ("DELETE", str(_("DELETE")).upper()):
            raise forms.ValidationError(_("Type DELETE to confirm."))
        return value


class AgencyYearForm(forms.Form):
    """The agency page's year selector (the figures of one year, as the yearly report counts them)."""

    year = forms.IntegerField(label=_("Year"), min_value=YEAR_MIN, max_value=YEAR_MAX, required=False)


class OfficerDecisionForm(forms.Form):
    """A focal point's answer to an officer claiming their agency; a rejection gives its reason."""

    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))], widget=forms.HiddenInput
    )
    reason = forms.CharField(label=_("Reason for the rejection"), max_length=1000, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Give the officer a reason for the rejection."))
        return cleaned


class ReconfirmationNoteForm(forms.Form):
    """A focal point's note to managers about what is wrong in the agency's domains or focal points."""

    note = forms.CharField(
        label=_("What is wrong?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For example a domain your agency no longer uses, or a focal point who has left."),
    )

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        if not note:
            raise forms.ValidationError(_("Say what is wrong."))
        return note


class DeclineRequestForm(forms.Form):
    """The reason a manager gives an agency for declining its training request (quoted in the email)."""

    reason = forms.CharField(label=_("Reason for declining"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give the agency a reason for declining."))
        return reason


def _language_choices():
    from sessions.models import SESSION_LANGUAGES

    return SESSION_LANGUAGES


class TrainingRequestFieldsMixin:
    """The content rules of a request (``agencies.services.validate_request_fields``), as field errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "expected_officers" in self.fields:
            self.fields["expected_officers"] = forms.IntegerField(
                label=_("Expected number of officers"),
                min_value=1,
                max_value=100000,
                error_messages={"min_value": _("Expect at least one officer.")},
            )

    def clean(self):
        cleaned = super().clean()
        needed = ("topics", "period_start", "period_end", "expected_officers")
        if all(cleaned.get(name) is not None for name in needed):
            from agencies.services import TrainingRequestError, validate_request_fields

            try:
                validate_request_fields(**{name: cleaned[name] for name in needed})
            except TrainingRequestError as error:
                self.add_error(error.field, error.message)
        return cleaned


class TrainingRequestForm(TrainingRequestFieldsMixin, forms.ModelForm):
    """A focal point's request for a training for their agency (the agency page)."""

    language = forms.ChoiceField(label=_("Preferred language"), choices=_language_choices)

    class Meta:
        model = TrainingRequest
        fields = TrainingRequest.ASKED_FIELDS
        widgets = {
            "topics": forms.CheckboxSelectMultiple,
            "period_start": forms.DateInput(attrs={"type": "date"}),
            "period_end": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {"topics": {"required": _("Choose at least one topic.")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = self.fields["topics"].queryset.order_by("name")
        self.fields["venue_offered"].help_text = _("Leave empty if your agency cannot host the training.")


class TrainingRequestAdminForm(TrainingRequestFieldsMixin, forms.ModelForm):
    """A manager's request on behalf of an agency (the back office's add form)."""

    class Meta:
        model = TrainingRequest
        fields = ["agency", *TrainingRequest.ASKED_FIELDS]
        error_messages = {"topics": {"required": _("Choose at least one topic.")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "language" in self.fields:  # absent when the admin shows a saved request (read-only)
            self.fields["language"] = forms.ChoiceField(label=_("Preferred language"), choices=_language_choices)
