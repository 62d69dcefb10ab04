"""GET /api/v1/sessions/?open_to=MX: sessions whose audience includes officers from a country."""

import pytest

from sessions.models import TrainingSession
from tests.factories import AgencyFactory, CountryFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/sessions/"


def test_open_to_lists_sessions_for_the_country_its_agencies_and_everyone(manager_client):
    mexico, argentina = CountryFactory(code="MX"), CountryFactory(code="AR")
    for_agency = TrainingSessionFactory(audience=TrainingSession.Audience.RESTRICTED)
    for_agency.audience_agencies.add(AgencyFactory(country=mexico))
    for_country = TrainingSessionFactory(audience=TrainingSession.Audience.RESTRICTED)
    for_country.audience_countries.add(mexico)
    in_mexico_for_argentina = TrainingSessionFactory(audience=TrainingSession.Audience.RESTRICTED, country=mexico)
    in_mexico_for_argentina.audience_countries.add(argentina)
    open_to_all = TrainingSessionFactory()

    open_to = manager_client.get(LIST_URL, {"open_to": "mx"})
    held_in = manager_client.get(LIST_URL, {"country": "MX"})

    assert sorted(item["id"] for item in open_to.json()["results"]) == sorted(
        [for_agency.pk, for_country.pk, open_to_all.pk]
    )
    assert [item["id"] for item in held_in.json()["results"]] == [in_mexico_for_argentina.pk]


@pytest.mark.parametrize("value", ["MEX", "1", "M"])
def test_open_to_that_is_not_a_two_letter_code_is_400(manager_client, value):
    response = manager_client.get(LIST_URL, {"open_to": value})

    assert response.status_code == 400
    assert response.json()["errors"] == {"open_to": ["Enter a two-letter country code, e.g. MX."]}
