"""The agency page's training requests: the request form, the list, withdrawing; who may use them."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from agencies.models import TrainingRequest
from tests.factories import (
    AgencyFactory,
    FocalPointFactory,
    ManagerFactory,
    OfficerFactory,
    TopicFactory,
    TrainerFactory,
    TrainingRequestFactory,
)

pytestmark = pytest.mark.django_db
NEW_URL = "/agency/requests/new/"


@pytest.fixture
def focal_point(db):
    return FocalPointFactory(officer=OfficerFactory(agency=AgencyFactory(name="Policía Federal")))


@pytest.fixture
def other_focal_point(db):
    return FocalPointFactory(officer=OfficerFactory(agency=AgencyFactory(name="Gendarmerie")))


def _client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _viewer(kind, focal_point, other_focal_point):
    return {
        "anonymous": None,
        "officer": OfficerFactory(agency=focal_point.agency).user,
        "focal point": focal_point.officer.user,
        "focal point of another agency": other_focal_point.officer.user,
        "trainer": TrainerFactory().user,
        "manager": ManagerFactory(),
    }[kind]


def _form(**overrides):
    today = timezone.localdate()
    data = {
        "topics": [TopicFactory(name="Virtual assets").pk],
        "format": "in_person",
        "language": "es",
        "period_start": (today + timedelta(days=20)).isoformat(),
        "period_end": (today + timedelta(days=50)).isoformat(),
        "expected_officers": "30",
        "venue_offered": "Academia de Policía",
        "notes": "",
    }
    return data | overrides


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("anonymous", 302),
        ("officer", 403),
        ("focal point", 200),
        ("focal point of another agency", 200),
        ("trainer", 403),
        ("manager", 403),
    ],
)
def test_request_form_permissions(kind, status, focal_point, other_focal_point):
    response = _client_for(_viewer(kind, focal_point, other_focal_point)).get(NEW_URL)
    assert response.status_code == status
    if status == 200:
        agency = focal_point.agency if kind == "focal point" else other_focal_point.agency
        assert f"For {agency}." in response.content.decode()


def test_focal_point_submits_a_request_and_sees_it_listed(focal_point, django_capture_on_commit_callbacks):
    client = _client_for(focal_point.officer.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(NEW_URL, _form())

    assert response.status_code == 302
    assert response["Location"] == "/agency/#requests"
    request = TrainingRequest.objects.get()
    assert (request.agency, request.requested_by, request.expected_officers, request.language) == (
        focal_point.agency,
        focal_point.officer.user,
        30,
        "es",
    )
    assert [message.subject for message in mail.outbox] == ["We received your training request"]
    page = client.get("/agency/").content.decode()
    assert "Virtual assets" in page
    assert "Submitted" in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"topics": []}, "topics", "Choose at least one topic."),
        ({"period_start": "2001-01-01", "period_end": "2001-02-01"}, "period_start", "cannot start in the past"),
        (
            {"period_end": (timezone.localdate() + timedelta(days=5)).isoformat()},
            "period_end",
            "must end on or after its start",
        ),
        ({"expected_officers": "0"}, "expected_officers", "Expect at least one officer."),
        ({"expected_officers": "-3"}, "expected_officers", "Expect at least one officer."),
        ({"expected_officers": "many"}, "expected_officers", "Enter a whole number."),
        ({"format": "carrier pigeon"}, "format", "Select a valid choice."),
    ],
)
def test_bad_input_shows_the_field_error_and_saves_nothing(focal_point, overrides, field, message):
    response = _client_for(focal_point.officer.user).post(NEW_URL, _form(**overrides))

    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert TrainingRequest.objects.count() == 0
    assert mail.outbox == []


def test_focal_point_withdraws_own_request(focal_point):
    request = TrainingRequestFactory(agency=focal_point.agency, requested_by=focal_point.officer.user)
    response = _client_for(focal_point.officer.user).post(f"/agency/requests/{request.pk}/withdraw/", follow=True)
    request.refresh_from_db()
    assert request.state == TrainingRequest.State.WITHDRAWN
    assert "The training request was withdrawn." in response.content.decode()


def test_withdrawing_a_scheduled_request_is_an_error(focal_point):
    request = TrainingRequestFactory(agency=focal_point.agency, state=TrainingRequest.State.SCHEDULED)
    response = _client_for(focal_point.officer.user).post(f"/agency/requests/{request.pk}/withdraw/", follow=True)
    request.refresh_from_db()
    assert request.state == TrainingRequest.State.SCHEDULED
    assert "A request that is scheduled cannot be withdrawn." in response.content.decode()


@pytest.mark.parametrize(
    ("kind", "status"),
    [("anonymous", 302), ("officer", 403), ("focal point of another agency", 404), ("trainer", 403), ("manager", 403)],
)
def test_withdraw_refused_to_others(kind, status, focal_point, other_focal_point):
    request = TrainingRequestFactory(agency=focal_point.agency)
    response = _client_for(_viewer(kind, focal_point, other_focal_point)).post(
        f"/agency/requests/{request.pk}/withdraw/"
    )
    assert response.status_code == status
    request.refresh_from_db()
    assert request.state == TrainingRequest.State.SUBMITTED


def test_other_agency_requests_are_not_listed(focal_point, other_focal_point):
    TrainingRequestFactory(agency=other_focal_point.agency, topics=[TopicFactory(name="Gendarmerie topic")])
    page = _client_for(focal_point.officer.user).get("/agency/").content.decode()
    assert "Gendarmerie topic" not in page
    assert "Your agency has not requested a training yet." in page


def test_request_form_in_spanish(focal_point):
    client = _client_for(focal_point.officer.user)
    client.cookies["django_language"] = "es"
    spanish = client.get(NEW_URL).content.decode()
    client.cookies["django_language"] = "fr"
    french = client.get(NEW_URL).content.decode()
    assert ("Solicitar una formación" in spanish, "Demander une formation" in french) == (True, True)
