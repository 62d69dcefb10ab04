"""/api/v1/sessions/{id}/nominations/: create, list, withdraw, approve, reject; roles, errors, queries."""

import pytest
import yaml

from sessions.models import Nomination, Registration, TrainingSession
from tests.api_fixtures import token_client
from tests.factories import (
    FocalPointFactory,
    NominationFactory,
    OfficerFactory,
    SessionQuotaFactory,
    SessionTrainerFactory,
    TrainingSessionFactory,
)

pytestmark = pytest.mark.django_db


def url(session, *rest):
    return "/".join([f"/api/v1/sessions/{session.pk}/nominations", *map(str, rest), ""])


@pytest.fixture
def session():
    return TrainingSessionFactory(registration_mode=TrainingSession.RegistrationMode.NOMINATION, capacity=10)


@pytest.fixture
def focal_point():
    return FocalPointFactory().officer


@pytest.fixture
def focal_point_client(focal_point):
    return token_client(focal_point.user)


def test_a_focal_point_nominates_officers_and_addresses(focal_point_client, focal_point, session):
    officer = OfficerFactory(agency=focal_point.agency)

    response = focal_point_client.post(
        url(session), {"officers": [officer.pk], "emails": ["new@policia.gob.mx"], "language": "es"}, format="json"
    )

    assert response.status_code == 201
    assert [(item["officer"], item["email"], item["status"]) for item in response.json()] == [
        (officer.pk, "", "confirmed"),
        (None, "new@policia.gob.mx", "invited"),
    ]
    assert Registration.objects.get(session=session).officer == officer


def test_nominating_another_agency_s_officer_is_a_409_and_saves_nothing(focal_point_client, session):
    response = focal_point_client.post(url(session), {"officers": [OfficerFactory().pk]}, format="json")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "You may only nominate officers of your own agency.",
        "code": "other_agency",
        "errors": {"officer": ["You may only nominate officers of your own agency."]},
    }
    assert not Nomination.objects.exists()


def test_nominating_beyond_the_quota_is_a_409(focal_point_client, focal_point):
    session = TrainingSessionFactory(registration_mode=TrainingSession.RegistrationMode.NOMINATION, capacity=2)
    SessionQuotaFactory(session=session, agency=focal_point.agency, seats=1)
    SessionQuotaFactory(session=session, seats=1)
    officers = [OfficerFactory(agency=focal_point.agency).pk for _ in range(2)]

    response = focal_point_client.post(url(session), {"officers": officers}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "quota_full"
    assert not Nomination.objects.exists()


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"officers": ["Choose at least one officer or enter an email address."]}),
        ({"officers": ["x"]}, {"officers.0": ["A valid integer is required."]}),
        ({"emails": ["nope"]}, {"emails.0": ["Enter a valid email address."]}),
        ({"officers": [999999]}, {"officers": ["No such officer."]}),
        ({"officers": "1"}, {"officers": ['Expected a list of items but got type "str".']}),
    ],
)
def test_bad_bodies_are_400_in_the_documented_format(focal_point_client, session, body, errors):
    response = focal_point_client.post(url(session), body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] in ("invalid", "required", "not_a_list")
    assert response.json()["errors"] == errors
    assert not Nomination.objects.exists()


def test_an_officer_who_is_not_a_focal_point_is_403(officer_client, officer_profile, session):
    response = officer_client.post(
        url(session), {"officers": [OfficerFactory(agency=officer_profile.agency).pk]}, format="json"
    )
    assert response.status_code == 403
    assert officer_client.get(url(session)).status_code == 403


def test_self_registration_through_the_api_is_refused_on_a_nomination_session(officer_client, session):
    response = officer_client.post("/api/v1/registrations/", {"session": session.pk}, format="json")

    assert response.status_code == 409
    assert (
        response.json()["detail"] == "This session is by nomination: your agency's focal point nominates its officers."
    )
    assert not Registration.objects.exists()


@pytest.mark.parametrize(
    ("role", "visible"),
    [("focal_point", ["own"]), ("other_focal_point", []), ("trainer", ["own", "other"]), ("manager", ["own", "other"])],
)
def test_the_list_is_scoped_by_role(request, role, visible, session, focal_point):
    own = NominationFactory(session=session, officer=OfficerFactory(agency=focal_point.agency))
    other = NominationFactory(session=session)
    names = {own.pk: "own", other.pk: "other"}
    if role == "other_focal_point":
        client = token_client(FocalPointFactory().officer.user)
    elif role == "trainer":
        client = token_client(SessionTrainerFactory(session=session).trainer.user)
    else:
        client = request.getfixturevalue(f"{role}_client")

    response = client.get(url(session))

    assert response.status_code == 200
    assert [names[item["id"]] for item in response.json()["results"]] == visible


def test_a_trainer_of_another_session_cannot_list(session):
    NominationFactory(session=session)
    client = token_client(SessionTrainerFactory().trainer.user)
    assert client.get(url(session)).status_code == 403


def test_withdraw_by_the_focal_point(focal_point_client, focal_point, session):
    nomination = NominationFactory(session=session, officer=OfficerFactory(agency=focal_point.agency))

    response = focal_point_client.post(url(session, nomination.pk, "withdraw"))

    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"


def test_another_focal_point_cannot_see_or_withdraw(session):
    nomination = NominationFactory(session=session)
    client = token_client(FocalPointFactory().officer.user)

    assert client.post(url(session, nomination.pk, "withdraw")).status_code == 404
    assert Nomination.objects.get().status == Nomination.Status.PENDING


def test_managers_approve_and_reject_focal_points_cannot(manager_client, focal_point_client, focal_point):
    session = TrainingSessionFactory(registration_mode=TrainingSession.RegistrationMode.NOMINATION_APPROVAL)
    first, second = (
        NominationFactory(session=session, officer=OfficerFactory(agency=focal_point.agency)) for _ in "12"
    )

    assert focal_point_client.post(url(session, first.pk, "approve")).status_code == 403
    approved = manager_client.post(url(session, first.pk, "approve"))
    rejected = manager_client.post(url(session, second.pk, "reject"))
    again = manager_client.post(url(session, second.pk, "reject"))

    assert (approved.status_code, approved.json()["status"]) == (200, "confirmed")
    assert (rejected.status_code, rejected.json()["status"]) == (200, "rejected")
    assert (again.status_code, again.json()["code"]) == (409, "not_pending")


@pytest.mark.parametrize("count", [1, 30])
def test_the_list_query_count_does_not_grow(focal_point_client, focal_point, session, count, django_assert_num_queries):
    for _ in range(count):
        NominationFactory(session=session, officer=OfficerFactory(agency=focal_point.agency))

    with django_assert_num_queries(5):
        response = focal_point_client.get(url(session), {"page_size": 100})

    assert len(response.json()["results"]) == count


def test_the_endpoint_is_in_the_schema(manager_client):
    paths = yaml.safe_load(manager_client.get("/api/schema/").content)["paths"]
    assert "/api/v1/sessions/{session_pk}/nominations/" in paths
    assert "/api/v1/sessions/{session_pk}/nominations/{id}/approve/" in paths
