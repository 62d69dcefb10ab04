from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from agencies.models import Country
from sessions.models import SESSION_LANGUAGES, Topic, TrainingSession
from sessions.selectors import starting_in_local_month


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


# The filter's topic and country options, per language, kept in the cache (Redis, or this process's
# memory while Redis is down) until a topic, country or session changes; the timeout bounds what a
# change made around the models (QuerySet.update, raw SQL) leaves stale.
FILTER_CHOICES_SECONDS = 600


def _filter_choices_key(language: str) -> str:
    # By the language's first two letters, as Topic.localized_name reads it.
    return f"portal:session-filter-choices:{language[:2]}"


def filter_choices() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(topic options, options of the countries that have sessions), labels in the current language.

    Every view of the session list shows them; read from the cache, they cost no query.
    """
    key = _filter_choices_key(get_language() or settings.LANGUAGE_CODE)
    choices = cache.get(key)
    if choices is None:
        topics = [(topic.slug, topic.localized_name) for topic in Topic.objects.all()]
        countries = Country.objects.filter(sessions__isnull=False).distinct()
        choices = (
            sorted(topics, key=lambda item: item[1]),
            sorted(((country.code, country.localized_name) for country in countries), key=lambda item: item[1]),
        )
        cache.set(key, choices, FILTER_CHOICES_SECONDS)
    return choices


def forget_filter_choices(**kwargs) -> None:
    """A topic, country or session was saved or deleted: read the options again, now and once committed
    (a view reading the old rows meanwhile may have stored them again)."""
    keys = [_filter_choices_key(code) for code, _name in settings.LANGUAGES]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def connect_signals() -> None:
    """Called by the sessions app once models are loaded."""
    from django.db.models.signals import post_delete, post_save

    for model in (Topic, Country, TrainingSession):
        for signal in (post_save, post_delete):
            signal.connect(forget_filter_choices, sender=model, dispatch_uid=f"filter-choices-{model.__name__}")


class PlainDateInput(forms.DateInput):
    """A date input written in Python, to the same HTML as Django's input.html (see ``PlainSelect``)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else f' value="{conditional_escape(str(widget["value"]))}"'
        attributes = _html_attributes(widget["attrs"])
        return mark_safe(f'<input type="{widget["type"]}" name="{conditional_escape(name)}"{shown}{attributes}>')  # noqa: S308 — escaped


class SessionFilterForm(forms.Form):
    """The filters of the portal's session list; every field is optional."""

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
    country = forms.ChoiceField(label=_("Country"), required=False, widget=PlainSelect)
    month = forms.RegexField(
        label=_("Month"),
        required=False,
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        error_messages={"invalid": _("Enter a month as YYYY-MM.")},
        widget=PlainDateInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        topics, countries = filter_choices()
        self.fields["topic"].choices = [("", _("Any topic")), *topics]
        self.fields["country"].choices = [("", _("Any country")), *countries]

    def filter(self, queryset):
        """Apply the valid filters; invalid ones are reported on the form and ignored."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        if data.get("topic"):
            queryset = queryset.filter(topics__slug=data["topic"])
        if data.get("format"):
            queryset = queryset.filter(format=data["format"])
        if data.get("language"):
            queryset = queryset.filter(language=data["language"])
        if data.get("country"):
            queryset = queryset.filter(country_id=data["country"])
        if data.get("month"):
            year, month = (int(part) for part in data["month"].split("-"))
            queryset = starting_in_local_month(queryset, year=year, month=month)
        return queryset

    @property
    def has_month(self) -> bool:
        return bool(self.is_bound and getattr(self, "cleaned_data", {}).get("month"))
