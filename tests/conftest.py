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


@pytest.fixture
def roles(django_db_blocker):
    """The Managers and Trainers groups, for transactional tests (their flush empties them)."""
    from django.apps import apps

    from accounts.roles import sync_role_groups

    with django_db_blocker.unblock():
        sync_role_groups(apps)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """allauth's rate limits live in the cache: start each test with none used up.

    On Redis only this run's keys are removed (settings_test gives them a per-run prefix),
    so the broker's keys in the same database are left alone.
    """
    from django.core.cache import cache

    if hasattr(cache, "delete_pattern"):
        cache.delete_pattern("*")
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A request made with the test client leaves its language active in this thread (LocaleMiddleware
    activates it, nothing deactivates it): without this, a test ending on a French page would make
    the next test's service messages French."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def _forget_remembered_tokens():
    """Each web process remembers tokens for a second: no test sees another test's."""
    from trainingops.api.authentication import recent_tokens

    recent_tokens.clear()
    yield
    recent_tokens.clear()


@pytest.fixture(autouse=True)
def _forget_redis_outages():
    """A process skips a Redis it found down for a few seconds: no test inherits another test's outage."""
    from trainingops import redis_outage

    redis_outage.forget()
    yield
    redis_outage.forget()
