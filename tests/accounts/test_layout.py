"""The layout's fixed pieces rendered once per language (``{% per_language %}``, accounts/templatetags/layout.py)
give every page what the templates gave without it, whoever views it, in each language, every time."""

import copy
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from agencies.models import Officer
from tests.factories import FocalPointFactory, ManagerFactory, OfficerFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db

WITH_PER_LANGUAGE = ("base.html", "portal/landing.html", "portal/session_list.html")
PAGES = ("landing", "sessions:list")


def without_per_language(name: str) -> str:
    """The template's text as it was before its fixed pieces were rendered once per language."""
    text = (Path(settings.BASE_DIR) / "templates" / name).read_text()
    assert "{% per_language %}" in text
    text = re.sub(r"{% (end)?per_language %}", "", text)
    return text.replace(" layout %}", " %}", 1)


def masked(html: str) -> str:
    """The page without its CSRF tokens (masked anew for each response)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken"', html)


def pages_seen_by(client, user, language: str) -> list[str]:
    client.logout()
    if user is not None:
        client.force_login(user)
    client.cookies["django_language"] = language
    return [masked(client.get(reverse(page)).content.decode()) for page in PAGES]


@pytest.fixture
def templates_without_per_language(settings):
    """Serve the three templates as they were, ahead of the project's own."""

    def use():
        templates = copy.deepcopy(settings.TEMPLATES)
        templates[0]["APP_DIRS"] = False
        templates[0]["OPTIONS"]["loaders"] = [
            ("django.template.loaders.locmem.Loader", {name: without_per_language(name) for name in WITH_PER_LANGUAGE}),
            "django.template.loaders.filesystem.Loader",
            "django.template.loaders.app_directories.Loader",
        ]
        settings.TEMPLATES = templates

    return use


@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_portal_pages_render_as_without_per_language_for_every_viewer(client, language, templates_without_per_language):
    TrainingSessionFactory()
    viewers = {
        "anonymous": None,
        "officer being verified": OfficerFactory(verification_status=Officer.Verification.PENDING).user,
        "focal point": FocalPointFactory().officer.user,
        "manager": ManagerFactory(),
    }
    # Twice: the second time from what the first rendered.
    seen = {who: [pages_seen_by(client, user, language) for _ in range(2)] for who, user in viewers.items()}

    templates_without_per_language()
    expected = {who: pages_seen_by(client, user, language) for who, user in viewers.items()}

    assert seen == {who: [pages, pages] for who, pages in expected.items()}
    assert len({pages[0] for pages in expected.values()}) == len(viewers)  # each viewer sees their own layout
