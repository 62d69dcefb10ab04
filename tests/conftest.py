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
