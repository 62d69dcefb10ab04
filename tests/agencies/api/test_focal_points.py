"""/api/v1/agencies/{id}/officers/ and /api/v1/agencies/{id}/focal-points/: who may, what, bad bodies."""

from datetime import timedelta

import pytest
import yaml
from django.utils import timezone

from agencies.models import FocalPoint, Officer
from tests.api_fixtures import token_client
from tests.factories import AgencyFactory, FocalPointFactory, OfficerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agency():
    return AgencyFactory(name="Policía Federal")


@pytest.fixture
def focal_point(agency):
    return FocalPointFactory(
        officer=OfficerFactory(agency=agency, user=UserFactory(first_name="Lucía", last_name="Ramos"))
    )


@pytest.fixture
def focal_point_client(focal_point):
    return token_client(focal_point.officer.user)


@pytest.fixture
def other_focal_point_client():
    return token_client(FocalPointFactory().officer.user)


@pytest.fixture
def agency_officer_client(agency):
    return token_client(OfficerFactory(agency=agency).user)


def _officers_url(agency):
    return f"/api/v1/agencies/{agency.pk}/officers/"


def _focal_points_url(agency):
    return f"/api/v1/agencies/{agency.pk}/focal-points/"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anon", 401),
        ("agency_officer", 403),
        ("focal_point", 200),
        ("other_focal_point", 403),
        ("trainer", 403),
        ("manager", 200),
    ],
)
def test_agency_officers_permissions(request, agency, focal_point, role, status):
    client = request.getfixturevalue(f"{role}_client")

    response = client.get(_officers_url(agency))

    assert response.status_code == status
    if status != 200:
        assert set(response.json()) == {"detail", "code", "errors"}


def test_agency_officers_lists_own_agency_only(focal_point_client, agency, focal_point):
    pending = OfficerFactory(
        agency=agency,
        verification_status=Officer.Verification.PENDING,
        user=UserFactory(first_name="Ana", last_name="Gil"),
    )
    OfficerFactory()

    response = focal_point_client.get(_officers_url(agency))

    rows = [(row["id"], row["verification_status"], row["is_focal_point"]) for row in response.json()["results"]]
    assert rows == [(pending.pk, "pending", False), (focal_point.officer_id, "verified", True)]
    assert response.json()["results"][1]["email"] == focal_point.officer.user.email


def test_agency_officers_unknown_agency_is_404(manager_client):
    response = manager_client.get("/api/v1/agencies/987654/officers/")

    assert (response.status_code, response.json()["code"]) == (404, "not_found")


@pytest.mark.parametrize("item_count", [1, 30])
def test_agency_officers_query_count_is_bounded(focal_point_client, agency, django_assert_num_queries, item_count):
    OfficerFactory.create_batch(item_count, agency=agency)

    # Token with user and role, focal-point agency, the agency, the count, the page.
    with django_assert_num_queries(5):
        response = focal_point_client.get(_officers_url(agency), {"page_size": 50})

    assert response.json()["count"] == item_count + 1


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anon", 401),
        ("agency_officer", 403),
        ("focal_point", 403),
        ("other_focal_point", 403),
        ("trainer", 403),
        ("manager", 200),
    ],
)
def test_focal_points_list_permissions(request, agency, focal_point, role, status):
    response = request.getfixturevalue(f"{role}_client").get(_focal_points_url(agency))

    assert response.status_code == status


@pytest.mark.parametrize("item_count", [1, 20])
def test_focal_points_list_query_count_is_bounded(manager_client, agency, django_assert_num_queries, item_count):
    for _ in range(item_count):
        FocalPointFactory(officer=OfficerFactory(agency=agency))
    FocalPointFactory(
        officer=OfficerFactory(agency=agency),
        appointed_at=timezone.now() - timedelta(days=30),
        withdrawn_at=timezone.now(),
    )

    # Token with user and role, the agency, the count, the page.
    with django_assert_num_queries(4):
        response = manager_client.get(_focal_points_url(agency), {"page_size": 50})

    assert [row["is_active"] for row in response.json()["results"]] == [True] * item_count + [False]


def test_manager_appoints_focal_point(manager_client, manager, agency):
    officer = OfficerFactory(agency=agency)

    response = manager_client.post(_focal_points_url(agency), {"officer": officer.pk}, format="json")

    assert response.status_code == 201
    term = FocalPoint.objects.get()
    assert (term.officer, term.appointed_by, term.withdrawn_at) == (officer, manager, None)
    assert response.json()["id"] == term.pk
    assert term.history.get().history_user == manager


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({}, "officer", "This field is required."),
        ({"officer": "abc"}, "officer", "Incorrect type. Expected pk value, received str."),
        ({"officer": 987654}, "officer", 'Invalid pk "987654" - object does not exist.'),
    ],
)
def test_appoint_bad_body_is_400(manager_client, agency, body, field, message):
    response = manager_client.post(_focal_points_url(agency), body, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {field: [message]}
    assert FocalPoint.objects.count() == 0


def test_appoint_officer_of_another_agency_is_400(manager_client, agency):
    outsider = OfficerFactory()

    response = manager_client.post(_focal_points_url(agency), {"officer": outsider.pk}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Invalid input.",
        "code": "other_agency",
        "errors": {"officer": ["This officer belongs to another agency."]},
    }
    assert FocalPoint.objects.count() == 0


def test_appoint_pending_officer_is_400(manager_client, agency):
    pending = OfficerFactory(agency=agency, verification_status=Officer.Verification.PENDING)

    response = manager_client.post(_focal_points_url(agency), {"officer": pending.pk}, format="json")

    assert (response.status_code, response.json()["errors"]) == (
        400,
        {"officer": ["Only a verified officer can be a focal point."]},
    )


def test_appoint_twice_is_409(manager_client, agency, focal_point):
    response = manager_client.post(_focal_points_url(agency), {"officer": focal_point.officer_id}, format="json")

    assert (response.status_code, response.json()["code"]) == (409, "already_focal_point")
    assert FocalPoint.objects.count() == 1


@pytest.mark.parametrize("role", ["focal_point", "agency_officer", "trainer"])
def test_appoint_refused_to_non_managers(request, agency, focal_point, role):
    officer = OfficerFactory(agency=agency)

    response = request.getfixturevalue(f"{role}_client").post(_focal_points_url(agency), {"officer": officer.pk})

    assert response.status_code == 403
    assert FocalPoint.objects.count() == 1


def test_manager_withdraws_focal_point(manager_client, manager, agency, focal_point):
    response = manager_client.delete(f"{_focal_points_url(agency)}{focal_point.pk}/")

    focal_point.refresh_from_db()
    assert response.status_code == 200
    assert (response.json()["is_active"], focal_point.withdrawn_by) == (False, manager)
    again = manager_client.delete(f"{_focal_points_url(agency)}{focal_point.pk}/")
    assert (again.status_code, again.json()["code"]) == (409, "already_withdrawn")


def test_withdraw_term_of_another_agency_is_404(manager_client, focal_point):
    response = manager_client.delete(f"{_focal_points_url(AgencyFactory())}{focal_point.pk}/")

    focal_point.refresh_from_db()
    assert (response.status_code, focal_point.withdrawn_at) == (404, None)


def test_withdraw_refused_to_focal_point(focal_point_client, agency, focal_point):
    response = focal_point_client.delete(f"{_focal_points_url(agency)}{focal_point.pk}/")

    focal_point.refresh_from_db()
    assert (response.status_code, focal_point.withdrawn_at) == (403, None)


def test_schema_documents_agency_endpoints(manager_client):
    paths = yaml.safe_load(manager_client.get("/api/schema/").content)["paths"]

    assert set(paths["/api/v1/agencies/{id}/focal-points/"]) >= {"get", "post"}
    assert set(paths["/api/v1/agencies/{id}/focal-points/{focal_point_id}/"]) >= {"delete"}
    assert set(paths["/api/v1/agencies/{id}/officers/"]) >= {"get"}
