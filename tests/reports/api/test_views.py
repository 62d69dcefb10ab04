import pytest
from django.utils.http import http_date
from rest_framework.test import APIClient

from tests.factories import UserFactory

URL = "/api/v1/reports/yearly"


@pytest.fixture
def api_client():
    return APIClient()


def test_yearly_report_api_manager_gets_figures(api_client, manager_user, program):
    api_client.force_authenticate(manager_user)

    response = api_client.get(URL, {"year": 2024, "by": "country"})

    assert response.status_code == 200
    body = response.json()
    assert body["summary"]["officers_trained"] == 4
    assert body["previous"]["sessions_held"] == 1
    assert list(body["breakdowns"]) == ["country"]
    assert [row["key"] for row in body["breakdowns"]["country"]] == ["MX", "FR"]


def test_yearly_report_api_format_parameter_filters_sessions(api_client, manager_user, program):
    api_client.force_authenticate(manager_user)

    response = api_client.get(URL, {"year": 2024, "format": "in_person", "by": "format"})

    assert response.status_code == 200
    assert response.json()["summary"]["sessions_held"] == 1
    assert response.json()["filters"] == {"format": "in_person"}


@pytest.mark.parametrize(
    ("params", "field"),
    [({}, "year"), ({"year": "abc"}, "year"), ({"year": 1800}, "year"), ({"year": 2024, "by": "weekday"}, "by")],
)
def test_yearly_report_api_bad_parameters_are_400_with_field_messages(api_client, manager_user, params, field):
    api_client.force_authenticate(manager_user)

    response = api_client.get(URL, params)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_yearly_report_api_bad_format_is_400(api_client, manager_user):
    api_client.force_authenticate(manager_user)

    response = api_client.get(URL, {"year": 2024, "format": "webinar"})

    assert response.status_code == 400
    assert response.json()["errors"] == {"format": ['"webinar" is not a valid choice.']}


def test_yearly_report_api_trainer_is_refused(api_client, trainer):
    api_client.force_authenticate(trainer.user)

    assert api_client.get(URL, {"year": 2024}).status_code == 403


def test_yearly_report_api_officer_is_refused(api_client, officer):
    api_client.force_authenticate(officer.user)

    assert api_client.get(URL, {"year": 2024}).status_code == 403


def test_yearly_report_api_anonymous_is_refused(api_client, db):
    assert api_client.get(URL, {"year": 2024}).status_code in (401, 403)


def test_yearly_report_api_superuser_is_manager(api_client, db):
    api_client.force_authenticate(UserFactory(is_superuser=True, is_staff=True))

    assert api_client.get(URL, {"year": 2024}).status_code == 200


def test_yearly_report_api_is_in_openapi_schema(db):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)

    operation = schema["paths"]["/api/v1/reports/yearly"]["get"]
    assert operation["operationId"] == "reports_yearly"
    assert sorted(operation["responses"]) == ["200", "202", "400", "401", "403", "429"]
    assert {parameter["name"] for parameter in operation["parameters"]} == {"year", "by", "region", "format", "topic"}


def test_yearly_report_api_says_as_of(api_client, manager_user, program):
    from reports.models import StoredReport

    api_client.force_authenticate(manager_user)
    api_client.get(URL, {"year": 2024})
    computed_at = StoredReport.objects.get(year=2024, filters="").computed_at

    response = api_client.get(URL, {"year": 2024})

    assert response.json()["as_of"] == computed_at.isoformat()
    assert response["Last-Modified"] == http_date(computed_at.timestamp())


def test_yearly_report_api_large_year_is_202_while_prepared(api_client, manager_user, program, monkeypatch):
    from reports import store

    monkeypatch.setattr(store, "COMPUTE_IN_REQUEST_MAX_SESSIONS", 1)
    monkeypatch.setattr(store, "_enqueue_refresh", lambda *, year: None)
    api_client.force_authenticate(manager_user)

    response = api_client.get(URL, {"year": 2024})

    assert (response.status_code, response.json()["code"], response["Retry-After"]) == (202, "preparing", "10")
