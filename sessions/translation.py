"""A session's title and description in English, Spanish and French (django-modeltranslation).

The library adds ``title_en``, ``title_es``, ``title_fr`` (and the same for ``description``) next to
the original columns and makes ``session.title`` read the active language, so every template,
email, calendar file and certificate that prints ``session.title`` inside the reader's language
prints the reader's title. English is required; Spanish and French may be left empty, and an
empty translation falls back by ``reading_order``: the language the session is taught in when
the portal has it, then English. Queries on ``title`` are rewritten by the library to the active
language's column; searching across the three is ``sessions.selectors.search_sessions``.

The historical model of django-simple-history is registered too, so each history row keeps the
three translations (it was built from the model before this module ran).

The library keeps the original ``title`` and ``description`` columns; they hold the text as read in
the language active at the last save, and nothing should read them directly: use the translated
fields (``title_en`` …) or ``session.title``. Reports and exports print ``title_en``.
"""

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db.models import F, OrderBy, Value
from django.db.models.functions import Coalesce, NullIf
from modeltranslation.fields import TranslationFieldDescriptor
from modeltranslation.thread_context import fallbacks_enabled
from modeltranslation.translator import TranslationOptions, translator
from modeltranslation.utils import build_localized_fieldname, get_language

from sessions.models import Question, QuestionOption, TrainingSession

TRANSLATED_FIELDS = ("title", "description")
CONTENT_LANGUAGES: tuple[str, ...] = tuple(settings.MODELTRANSLATION_LANGUAGES)
DEFAULT_CONTENT_LANGUAGE: str = settings.MODELTRANSLATION_DEFAULT_LANGUAGE


def reading_order(reader: str, session_language: str | None) -> tuple[str, ...]:
    """The languages tried, in order, for a reader: theirs, the session's own (if a portal language),
    English, then any other (a row written without English, e.g. by a script, still shows a title)."""
    order = [reader]
    if session_language in CONTENT_LANGUAGES:
        order.append(session_language)
    order += [DEFAULT_CONTENT_LANGUAGE, *CONTENT_LANGUAGES]
    return tuple(dict.fromkeys(order))


def translation_field_names(name: str) -> tuple[str, ...]:
    """``title`` -> ``("title_en", "title_es", "title_fr")``."""
    return tuple(build_localized_fieldname(name, language) for language in CONTENT_LANGUAGES)


# The back office's and the API's editable text, grouped by language: title then description.
TEXT_FIELDS_BY_LANGUAGE = tuple(
    build_localized_fieldname(name, language) for language in CONTENT_LANGUAGES for name in TRANSLATED_FIELDS
)


def title_ordering(*, descending: bool = False) -> OrderBy:
    """Order sessions by their title as the reader sees it: their language's, else English.

    (The session's own language is left out: one SQL expression for every row is enough to sort.)
    """
    column = build_localized_fieldname("title", get_language())
    english = build_localized_fieldname("title", DEFAULT_CONTENT_LANGUAGE)
    title = Coalesce(NullIf(F(column), Value("")), F(english))
    return title.desc() if descending else title.asc()


# Each translated field's column per language: ``_COLUMNS["title"]["es"] == "title_es"``.
_COLUMNS = {
    name: dict(zip(CONTENT_LANGUAGES, translation_field_names(name), strict=True)) for name in TRANSLATED_FIELDS
}


def first_translation(read: Callable[[str], Any], name: str, languages: Iterable[str]) -> str:
    """The first non-empty translation of ``name`` in ``languages``; ``read`` gives a column's value."""
    columns = _COLUMNS[name]
    for language in languages:
        value = read(columns[language])
        if value:
            return value
    return ""


def _languages_for(reader: str, session_language: str | None) -> tuple[str, ...]:
    return reading_order(reader, session_language) if fallbacks_enabled() else (reader,)


class RowTexts:
    """Title and description of plain session rows (``.values()`` of the translation columns and
    ``language``) in the active language, by the same rule as ``session.title``: the language is
    looked up once and each session language's reading order computed once, not per row."""

    def __init__(self):
        self._reader = get_language()
        self._orders: dict[str | None, tuple[str, ...]] = {}

    def __call__(self, row: Mapping[str, Any], name: str) -> str:
        language = row["language"]
        order = self._orders.get(language)
        if order is None:
            order = self._orders[language] = _languages_for(self._reader, language)
        return first_translation(row.get, name, order)


class SessionTextDescriptor(TranslationFieldDescriptor):
    """The library's descriptor with the session's own language inserted before English.

    The library's fallbacks are one fixed list per site; a Spanish-taught session read in French is
    better shown in Spanish than in English when its French title is empty. Every translation
    column is listed as a fallback so that ``.values("title", "language")`` selects them all and the
    library's value iterator asks this descriptor per row (no query per row either way).
    """

    def __get__(self, instance, owner):
        if instance is None:
            return self
        languages = _languages_for(get_language(), instance.__dict__.get("language"))
        return first_translation(lambda column: getattr(instance, column, None), self.field.name, languages)


class TrainingSessionTranslation(TranslationOptions):
    fields = TRANSLATED_FIELDS
    required_languages = (DEFAULT_CONTENT_LANGUAGE,)


class HistoricalTrainingSessionTranslation(TranslationOptions):
    fields = TRANSLATED_FIELDS


translator.register(TrainingSession, TrainingSessionTranslation)
translator.register(TrainingSession.history.model, HistoricalTrainingSessionTranslation)

for _name in TRANSLATED_FIELDS:
    setattr(
        TrainingSession,
        _name,
        SessionTextDescriptor(
            TrainingSession._meta.get_field(_name), fallback_languages={"default": CONTENT_LANGUAGES}
        ),
    )


# Knowledge checks: a question's and an option's text in the three languages; English required, an
# empty translation falls back to English (the library's default fallback).
class QuestionTranslation(TranslationOptions):
    fields = ("text",)
    required_languages = (DEFAULT_CONTENT_LANGUAGE,)
    fallback_languages = {"default": (DEFAULT_CONTENT_LANGUAGE,)}


class HistoricalQuestionTranslation(TranslationOptions):
    fields = ("text",)


translator.register(Question, QuestionTranslation)
translator.register(QuestionOption, QuestionTranslation)
# Their history keeps the three texts (the historical models were built before this module ran).
translator.register(Question.history.model, HistoricalQuestionTranslation)
translator.register(QuestionOption.history.model, HistoricalQuestionTranslation)
