"""The portal's session cards (``/`` and ``/sessions/``), kept rendered in the cache for every viewer.

A card shows its session's row (title in the active language, start, zone, format, language, city
and country, status, capacity, seats taken), its topics, and depends on the active language and the
viewer's time zone — never on who views it. So each card's HTML is kept under a digest of all of
that: a changed seat count, title or status is another key, never a stale card. What the row does
not carry (topic names and slugs, a session's topic links, country names) is covered by a catalogue
version kept with each card, replaced when a topic or a country is saved or deleted or a session's
topics change (``forget_cards_on_changes``): a card kept under another version is rendered again.
A list asks the cache once for the version and all its cards, and reads the topics of the missing
ones only (one query) to render them with ``session_card``.

Like every cache of ours this is an accelerator: with Redis down the backend answers from the
process's memory (``trainingops/cache.py``). A change written around the models (``QuerySet.update``,
raw SQL) on topics or countries is not seen here: ``CARD_SECONDS`` bounds it.
"""

import functools
import hashlib
import uuid
from collections.abc import Sequence
from datetime import tzinfo
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.urls import get_script_prefix
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from agencies.models import Country
from sessions.models import Topic, TrainingSession
from sessions.templatetags.portal_cards import session_card
from sessions.translation import translation_field_names

CARD_SECONDS = 10 * 60
# What a card shows of its session's row (and so of its key): the lists read only these columns.
ROW_FIELDS = (
    *translation_field_names("title"),
    "starts_at",
    "timezone",
    "format",
    "language",
    "city",
    "country__name",
    "status",
    "capacity",
)
CATALOGUE_KEY = "sessions:card-catalogue"


def session_cards(sessions: Sequence[TrainingSession], viewer_timezone: tzinfo | None) -> list[SafeString]:
    """The cards of sessions read by ``sessions.views._list_queryset`` (with ``seats_taken`` and the
    country), in their order: from the cache, the missing ones rendered and kept."""
    if not sessions:
        return []
    viewer = _viewer_part(viewer_timezone)
    keys = [_card_key(session, viewer) for session in sessions]
    # One round trip: each card is kept with the catalogue version it was rendered under.
    found = cache.get_many([CATALOGUE_KEY, *keys])
    version = found.pop(CATALOGUE_KEY, None) or _catalogue_version()
    cards = {key: html for key, (kept_version, html) in found.items() if kept_version == version}
    missing = [(session, key) for session, key in zip(sessions, keys, strict=True) if key not in cards]
    if missing:
        prefetch_related_objects([session for session, _key in missing], "topics")
        rendered = {key: str(session_card(session, viewer_timezone)) for session, key in missing}
        cache.set_many({key: [version, html] for key, html in rendered.items()}, CARD_SECONDS)
        cards.update(rendered)
    return [mark_safe(cards[key]) for key in keys]  # noqa: S308 — session_card's escaped HTML


def _viewer_part(viewer_timezone: tzinfo | None) -> str:
    zone = getattr(viewer_timezone, "key", "") if viewer_timezone else ""
    return f"{get_language()}|{zone}|{get_script_prefix()}"


def _card_key(session: TrainingSession, viewer: str) -> str:
    shown = (
        viewer,
        session.pk,
        session.title,
        session.starts_at.isoformat(),
        session.timezone.key,
        session.format,
        session.language,
        session.city,
        session.country_id,
        session.country.name if session.country_id else "",
        session.status,
        session.capacity,
        session.seats_taken,
    )
    return f"sessions:card:{rendering_version()}:{hashlib.blake2b(repr(shown).encode(), digest_size=16).hexdigest()}"


@functools.cache
def rendering_version() -> str:
    """A digest of what writes the portal's cached HTML besides its data: the code of the cards and
    of the filter form, its template, and the compiled translations as deployed. A deploy that
    changes any of them reads none of the HTML kept by the previous one."""
    from sessions import forms as filter_form  # the form keeps its fields' HTML under this version too
    from sessions.templatetags import portal_cards, portal_time

    sources = [Path(module.__file__) for module in (portal_cards, portal_time, filter_form)]
    sources += [Path(settings.BASE_DIR, "templates", filter_form.FIELDS_TEMPLATE)]
    sources += sorted(Path(settings.BASE_DIR, "locale").glob("*/LC_MESSAGES/django.mo"))
    digest = hashlib.blake2b(digest_size=6)
    for source in sources:
        digest.update(source.read_bytes() if source.exists() else b"-")
    return digest.hexdigest()


def _catalogue_version() -> str:
    """The version not found in the cache (evicted, or never set): a new one, so that no card kept
    under an older one comes back."""
    version = uuid.uuid4().hex
    if not cache.add(CATALOGUE_KEY, version, None):
        version = cache.get(CATALOGUE_KEY) or version
    return version


def forget_cards(**kwargs) -> None:
    """A topic or country was saved or deleted, or a session's topics changed: every card is
    rendered again. At once, and again on commit: a list read between the change and its commit
    may have kept the old topics under the first new version."""
    if kwargs.get("action", "post_").startswith("pre_"):  # m2m_changed: only once the links changed
        return
    _new_catalogue_version()
    transaction.on_commit(_new_catalogue_version)


def _new_catalogue_version() -> None:
    cache.set(CATALOGUE_KEY, uuid.uuid4().hex, None)


def forget_cards_on_changes() -> None:
    """Connected once by the sessions app when models are loaded."""
    for model in (Topic, Country):
        for signal in (post_save, post_delete):
            signal.connect(forget_cards, sender=model, dispatch_uid=f"session-cards-{model.__name__}")
    m2m_changed.connect(forget_cards, sender=TrainingSession.topics.through, dispatch_uid="session-cards-topics")
