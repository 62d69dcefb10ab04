import pytest


@pytest.fixture(autouse=True)
def _fast_media_and_site(settings):
    settings.SITE_URL = "https://training.example.org"


@pytest.fixture
def manager_user(db):
    from tests.factories import ManagerFactory

    return ManagerFactory()


@pytest.fixture
def trainer(db):
    from tests.factories import TrainerFactory

    return TrainerFactory()


@pytest.fixture
def officer(db):
    from tests.factories import OfficerFactory

    return OfficerFactory()


@pytest.fixture
def countries(django_db_blocker):
    """All 249 countries, for transactional tests (their flush empties the migration's rows)."""
    import importlib

    from django.apps import apps

    loader = importlib.import_module("agencies.migrations.0002_load_countries")
    with django_db_blocker.unblock():
        loader.load_countries(apps, None)


@pytest.fixture(autouse=True)
def _fresh_local_cache(settings):
    """allauth's rate limits live in the cache: start each test with none used up (locmem only)."""
    if settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache":
        from django.core.cache import cache

        cache.clear()
