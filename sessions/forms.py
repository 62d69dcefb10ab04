import hashlib

from django import forms
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from sessions.cards import rendering_version
from sessions.models import SESSION_LANGUAGES, TrainingSession
from sessions.selectors import (
    SEARCH_MAX_LENGTH,
    audience_includes_country,
    search_sessions,
    session_filter_choices,
    starting_in_local_month,
)


def _html_attributes(attrs: dict) -> str:
    # As django/forms/widgets/attrs.html: True gives a bare attribute, False none.
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class PlainSelect(forms.Select):
    """A select written in Python, to the same HTML as Django's select.html and select_option.html.

    The template engine rendered an include per option: the four selects of the session filters
    were a sixth of the session list's time.
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        html = [f'<select name="{conditional_escape(widget["name"])}"{_html_attributes(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                html.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            html.extend(
                f'\n  <option value="{conditional_escape(option["value"])}"{_html_attributes(option["attrs"])}>'
                f"{conditional_escape(option['label'])}</option>\n"
                for option in options
            )
            if group_name:
                html.append("\n  </optgroup>")
        html.append("\n</select>")
        return mark_safe("".join(html))  # noqa: S308 — every value above is escaped


class CountryCodeField(forms.ChoiceField):
    """A country's ISO code, in either case ("mx" is Mexico)."""

    def to_python(self, value):
        return super().to_python(value).strip().upper()


class PlainDateInput(forms.DateInput):
    """A date input written in Python, to the same HTML as Django's input.html (see ``PlainSelect``)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else f' value="{conditional_escape(str(widget["value"]))}"'
        attributes = _html_attributes(widget["attrs"])
        return mark_safe(f'<input type="{widget["type"]}" name="{conditional_escape(name)}"{shown}{attributes}>')  # noqa: S308 — escaped


FIELDS_TEMPLATE = "portal/includes/session_filter_fields.html"
FIELDS_SECONDS = 10 * 60


class SessionFilterForm(forms.Form):
    """The filters of the portal's session list; every field is optional."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    topic = forms.ChoiceField(label=_("Topic"), required=False, widget=PlainSelect)
    format = forms.ChoiceField(
        label=_("Format"),
        required=False,
        choices=[("", _("Any format")), *TrainingSession.Format.choices],
        widget=PlainSelect,
    )
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("Any language")), *SESSION_LANGUAGES], widget=PlainSelect
    )
    # Two questions an officer asks: where is it held, and may officers from my country attend?
    country = CountryCodeField(label=_("Held in"), required=False, widget=PlainSelect)
    open_to = CountryCodeField(label=_("Open to officers from"), required=False, widget=PlainSelect)
    month = forms.RegexField(
        label=_("Month"),
        required=False,
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        error_messages={"invalid": _("Enter a month as YYYY-MM.")},
        widget=PlainDateInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = session_filter_choices()
        self.fields["topic"].choices = [("", _("Any topic")), *choices.topics]
        self.fields["country"].choices = [("", _("Any country")), *choices.venue_countries]
        self.fields["open_to"].choices = [("", _("Any country")), *choices.audience_countries]

    def filter(self, queryset):
        """Apply the valid filters; invalid ones are reported on the form and ignored."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        if data.get("q"):
            queryset = search_sessions(queryset, data["q"])
        if data.get("topic"):
            queryset = queryset.filter(topics__slug=data["topic"])
        if data.get("format"):
            queryset = queryset.filter(format=data["format"])
        if data.get("language"):
            queryset = queryset.filter(language=data["language"])
        if data.get("country"):
            queryset = queryset.filter(country_id=data["country"])
        if data.get("open_to"):
            queryset = queryset.filter(audience_includes_country(data["open_to"]))
        if data.get("month"):
            year, month = (int(part) for part in data["month"].split("-"))
            queryset = starting_in_local_month(queryset, year=year, month=month)
        return queryset

    def fields_html(self) -> SafeString:
        """The fields as the session list shows them (``FIELDS_TEMPLATE``).

        Every page of the list shows them, the same for every viewer: kept in the cache under a
        digest of what they show (the language, the choices and the values the widgets read), so a
        new topic or country is a new key, never a stale form. A form with errors, or with a search's
        free text (what an officer types is neither shared nor worth a cache entry per spelling), is
        rendered each time.
        """
        if self.errors or self.data.get("q"):
            return render_to_string(FIELDS_TEMPLATE, {"form": self})
        key = f"sessions:filter-fields:{rendering_version()}:{self._fields_digest()}"
        html = cache.get(key)
        if html is None:
            html = str(render_to_string(FIELDS_TEMPLATE, {"form": self}))
            cache.set(key, html, FIELDS_SECONDS)
        return mark_safe(html)  # noqa: S308 — the template's escaped HTML

    def _fields_digest(self) -> str:
        shown = (
            get_language(),
            self.is_bound,
            [
                field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
                for name, field in self.fields.items()
            ],
            [
                (value, str(label))
                for name in ("topic", "country", "open_to")
                for value, label in self.fields[name].choices
            ],
        )
        return hashlib.blake2b(repr(shown).encode(), digest_size=16).hexdigest()

    @property
    def active_count(self) -> int:
        """How many filters are in force, for the folded form's summary on a phone."""
        return sum(1 for value in getattr(self, "cleaned_data", {}).values() if value)

    @property
    def has_month(self) -> bool:
        return bool(self.is_bound and getattr(self, "cleaned_data", {}).get("month"))
