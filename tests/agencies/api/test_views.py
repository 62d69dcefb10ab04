import pytest

from tests.factories import AgencyFactory, CountryFactory

pytestmark = pytest.mark.django_db


def test_agency_list_officer_sees_active_only(officer_client, officer_profile):
    AgencyFactory(is_active=False)
    response = officer_client.get("/api/v1/agencies/", {"page_size": 100})
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["results"]] == [officer_profile.agency_id]


@pytest.mark.parametrize("role", ["manager", "trainer"])
def test_agency_list_staff_sees_inactive_too(request, role):
    client = request.getfixturevalue(f"{role}_client")
    inactive = AgencyFactory(is_active=False, name="Zeta")
    response = client.get("/api/v1/agencies/", {"is_active": "false"})
    assert [item["id"] for item in response.json()["results"]] == [inactive.pk]


def test_agency_list_filters_by_country_and_kind(manager_client):
    fiu = AgencyFactory(country=CountryFactory(code="BR"), kind="fiu")
    AgencyFactory(country=CountryFactory(code="BR"), kind="police")
    response = manager_client.get("/api/v1/agencies/", {"country": "br", "kind": "fiu"})
    assert [item["id"] for item in response.json()["results"]] == [fiu.pk]


def test_agency_list_anonymous_is_401(anon_client):
    assert anon_client.get("/api/v1/agencies/").status_code == 401


def test_agency_detail_unknown_is_404(manager_client):
    assert manager_client.get("/api/v1/agencies/987654/").status_code == 404


@pytest.mark.parametrize("agency_count", [1, 50])
def test_agency_list_query_count_does_not_grow(manager_client, agency_count, django_assert_max_num_queries):
    for _ in range(agency_count):
        AgencyFactory()
    with django_assert_max_num_queries(4):
        response = manager_client.get("/api/v1/agencies/", {"page_size": 100})
    assert response.json()["count"] == agency_count


def test_agency_create_is_405(manager_client):
    assert manager_client.post("/api/v1/agencies/", {"name": "X"}, format="json").status_code == 405


@pytest.mark.parametrize("role", ["manager", "trainer", "officer"])
def test_country_detail_by_code_any_role(request, role):
    client = request.getfixturevalue(f"{role}_client")
    response = client.get("/api/v1/countries/mx/")
    assert response.status_code == 200
    assert response.json()["code"] == "MX"
    assert response.json()["name"] == "Mexico"


def test_country_list_by_region(officer_client):
    response = officer_client.get("/api/v1/countries/", {"region": "South America", "page_size": 100})
    codes = [item["code"] for item in response.json()["results"]]
    assert "BR" in codes
    assert "FR" not in codes


def test_country_detail_unknown_is_404(officer_client):
    assert officer_client.get("/api/v1/countries/zz/").status_code == 404


def test_country_list_anonymous_is_401(anon_client):
    assert anon_client.get("/api/v1/countries/").status_code == 401


def test_country_list_query_count(officer_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = officer_client.get("/api/v1/countries/", {"page_size": 100})
    assert len(response.json()["results"]) == 100
