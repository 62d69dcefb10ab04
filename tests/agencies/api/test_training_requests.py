"""/api/v1/training-requests/: who may create, list and read; state changes as actions; bad bodies."""

from datetime import timedelta

import pytest
import yaml
from django.core import mail
from django.utils import timezone

from agencies.models import TrainingRequest
from sessions.models import TrainingSession
from tests.api_fixtures import token_client
from tests.factories import (
    AgencyFactory,
    FocalPointFactory,
    OfficerFactory,
    TopicFactory,
    TrainingRequestFactory,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/training-requests/"
State = TrainingRequest.State


@pytest.fixture
def agency():
    return AgencyFactory(name="Policía Federal")


@pytest.fixture
def focal_point(agency):
    return FocalPointFactory(officer=OfficerFactory(agency=agency))


@pytest.fixture
def focal_point_client(focal_point):
    return token_client(focal_point.officer.user)


@pytest.fixture
def other_focal_point_client():
    return token_client(FocalPointFactory().officer.user)


@pytest.fixture
def agency_officer_client(agency):
    return token_client(OfficerFactory(agency=agency).user)


def _body(**overrides):
    today = timezone.localdate()
    body = {
        "topics": [TopicFactory(slug="virtual-assets").slug],
        "format": "hybrid",
        "language": "fr",
        "period_start": (today + timedelta(days=10)).isoformat(),
        "period_end": (today + timedelta(days=40)).isoformat(),
        "expected_officers": 12,
    }
    return body | overrides


@pytest.mark.parametrize(
    ("role", "list_status", "count"),
    [
        ("anon", 401, None),
        ("agency_officer", 403, None),
        ("focal_point", 200, 1),
        ("other_focal_point", 200, 0),
        ("trainer", 403, None),
        ("manager", 200, 2),
    ],
)
def test_list_permissions_and_scope(request, agency, focal_point, role, list_status, count):
    TrainingRequestFactory(agency=agency)
    TrainingRequestFactory()
    client = request.getfixturevalue(f"{role}_client")

    response = client.get(URL)

    assert response.status_code == list_status
    if count is None:
        assert set(response.json()) == {"detail", "code", "errors"}
    else:
        assert response.json()["count"] == count


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anon", 401),
        ("agency_officer", 403),
        ("focal_point", 200),
        ("other_focal_point", 404),
        ("trainer", 403),
        ("manager", 200),
    ],
)
def test_read_permissions(request, agency, focal_point, role, status):
    training_request = TrainingRequestFactory(agency=agency, expected_officers=7)
    response = request.getfixturevalue(f"{role}_client").get(f"{URL}{training_request.pk}/")
    assert response.status_code == status
    if status == 200:
        assert (response.json()["expected_officers"], response.json()["state"]) == (7, "submitted")


def test_focal_point_creates_for_own_agency(focal_point_client, agency, focal_point):
    response = focal_point_client.post(URL, _body(), format="json")

    assert response.status_code == 201
    body = response.json()
    assert (body["agency"], body["state"], body["topics"], body["language"], body["expected_officers"]) == (
        agency.pk,
        "submitted",
        ["virtual-assets"],
        "fr",
        12,
    )
    assert TrainingRequest.objects.get().requested_by == focal_point.officer.user
    assert len(mail.outbox) == 0  # sent by the worker after the commit (on_commit not run in tests)


def test_focal_point_may_not_create_for_another_agency(focal_point_client):
    other = AgencyFactory()
    response = focal_point_client.post(URL, _body(agency=other.pk), format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert TrainingRequest.objects.count() == 0


def test_manager_creates_for_any_agency_and_must_name_it(manager_client, agency):
    missing = manager_client.post(URL, _body(), format="json")
    assert missing.status_code == 400
    assert missing.json()["errors"] == {"agency": ["Choose the agency the training is for."]}

    response = manager_client.post(URL, _body(agency=agency.pk), format="json")
    assert response.status_code == 201
    assert response.json()["agency"] == agency.pk


@pytest.mark.parametrize("role", ["anon", "agency_officer", "trainer"])
def test_create_refused_to_other_roles(request, role):
    response = request.getfixturevalue(f"{role}_client").post(URL, _body(), format="json")
    assert response.status_code in (401, 403)
    assert TrainingRequest.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"topics": []}, "topics", "Choose at least one topic."),
        ({"topics": ["no-such-topic"]}, "topics", "Object with slug=no-such-topic does not exist."),
        ({"period_start": "2001-01-01", "period_end": "2001-01-02"}, "period_start", "cannot start in the past"),
        ({"period_end": "2001-01-02"}, "period_end", "must end on or after its start"),
        ({"expected_officers": 0}, "expected_officers", "Expect at least one officer."),
        ({"expected_officers": -2}, "expected_officers", "Expect at least one officer."),
        ({"expected_officers": "x"}, "expected_officers", "A valid integer is required."),
        ({"format": "pigeon"}, "format", "is not a valid choice."),
        ({"period_start": "yesterday"}, "period_start", "Date has wrong format."),
    ],
)
def test_bad_bodies_are_400_in_the_documented_format(focal_point_client, overrides, field, message):
    response = focal_point_client.post(URL, _body(**overrides), format="json")

    assert response.status_code == 400
    body = response.json()
    assert (body["detail"], set(body)) == ("Invalid input.", {"detail", "code", "errors"})
    assert any(message in text for text in body["errors"][field])
    assert TrainingRequest.objects.count() == 0


def test_manager_walks_a_request_to_scheduled(manager_client, agency):
    training_request = TrainingRequestFactory(agency=agency, expected_officers=18)
    url = f"{URL}{training_request.pk}/"

    assert manager_client.post(f"{url}review/").json()["state"] == "under_review"
    assert manager_client.post(f"{url}accept/").json()["state"] == "accepted"
    response = manager_client.post(f"{url}create-session/")

    assert response.status_code == 201
    session = TrainingSession.objects.get(pk=response.json()["session"])
    assert (response.json()["state"], session.status, session.capacity, session.host_agency) == (
        "scheduled",
        "draft",
        18,
        agency,
    )


def test_transition_out_of_order_is_409(manager_client):
    training_request = TrainingRequestFactory(state=State.DECLINED)
    response = manager_client.post(f"{URL}{training_request.pk}/accept/")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "A request that is declined cannot be accepted.",
        "code": "invalid_transition",
        "errors": {},
    }


def test_decline_needs_a_reason(manager_client):
    training_request = TrainingRequestFactory()
    missing = manager_client.post(f"{URL}{training_request.pk}/decline/", {}, format="json")
    blank = manager_client.post(f"{URL}{training_request.pk}/decline/", {"reason": "  "}, format="json")
    assert (missing.status_code, blank.status_code) == (400, 400)
    training_request.refresh_from_db()
    assert training_request.state == State.SUBMITTED

    done = manager_client.post(f"{URL}{training_request.pk}/decline/", {"reason": "No trainer"}, format="json")
    assert (done.json()["state"], done.json()["decline_reason"]) == ("declined", "No trainer")


def test_focal_point_may_not_triage_but_may_withdraw(focal_point_client, agency):
    training_request = TrainingRequestFactory(agency=agency)
    refused = focal_point_client.post(f"{URL}{training_request.pk}/accept/")
    assert (refused.status_code, refused.json()["detail"]) == (403, "Only managers may triage training requests.")

    withdrawn = focal_point_client.post(f"{URL}{training_request.pk}/withdraw/")
    assert withdrawn.json()["state"] == "withdrawn"


@pytest.mark.parametrize("item_count", [1, 25])
def test_list_query_count_is_constant(manager_client, django_assert_num_queries, item_count):
    for _ in range(item_count):
        TrainingRequestFactory(topics=[TopicFactory(), TopicFactory()])

    # The token with its user and role, the count, the page, the topics.
    with django_assert_num_queries(4):
        response = manager_client.get(URL, {"page_size": 100})

    assert response.json()["count"] == item_count


@pytest.mark.parametrize("item_count", [1, 25])
def test_focal_point_list_query_count_is_constant(focal_point_client, agency, django_assert_num_queries, item_count):
    for _ in range(item_count):
        TrainingRequestFactory(agency=agency)

    # As a manager's, and the focal point's agency.
    with django_assert_num_queries(5):
        response = focal_point_client.get(URL, {"page_size": 100})

    assert response.json()["count"] == item_count


def test_schema_documents_training_request_endpoints(manager_client):
    paths = yaml.safe_load(manager_client.get("/api/schema/").content)["paths"]

    assert set(paths["/api/v1/training-requests/"]) >= {"get", "post"}
    assert set(paths["/api/v1/training-requests/{id}/"]) >= {"get"}
    for name in ("review", "accept", "decline", "withdraw", "create-session"):
        assert set(paths[f"/api/v1/training-requests/{{id}}/{name}/"]) == {"post"}
