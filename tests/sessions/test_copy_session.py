"""Run it again: copy a session to new dates (issue 13)."""

from datetime import UTC, datetime, timedelta

import pytest

from sessions import services
from sessions.models import Registration, SessionTrainer, TrainingSession
from tests.api_fixtures import token_client
from tests.factories import (
    AgencyFactory,
    CountryFactory,
    ManagerFactory,
    RegistrationFactory,
    SessionTrainerFactory,
    TopicFactory,
    TrainerFactory,
    TrainingSessionFactory,
)

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
NEW_START = datetime(2026, 9, 1, 14, 0, tzinfo=UTC)


def _held_session():
    session = TrainingSessionFactory(
        title="Tracing illicit funds",
        description="Hands-on tracing.",
        status=TrainingSession.Status.COMPLETED,
        starts_at=START,
        ends_at=START + timedelta(hours=6),
        registration_closes_at=START - timedelta(days=1),
        capacity=35,
        audience=TrainingSession.Audience.RESTRICTED,
        timezone="America/Mexico_City",
    )
    session.topics.set([TopicFactory()])
    session.audience_agencies.set([AgencyFactory()])
    session.audience_countries.set([CountryFactory(code="MX")])
    SessionTrainerFactory(session=session, role=SessionTrainer.Role.LEAD)
    SessionTrainerFactory(session=session, trainer=TrainerFactory(), role=SessionTrainer.Role.CO_TRAINER)
    RegistrationFactory(session=session, status=Registration.Status.CONFIRMED)
    return session


def _what_carries_over(session):
    return {
        "title": session.title,
        "description": session.description,
        "capacity": session.capacity,
        "audience": session.audience,
        "timezone": str(session.timezone),
        "topics": set(session.topics.values_list("pk", flat=True)),
        "agencies": set(session.audience_agencies.values_list("pk", flat=True)),
        "countries": set(session.audience_countries.values_list("pk", flat=True)),
        "trainers": set(session.session_trainers.values_list("trainer_id", "role")),
    }


def test_copy_session_is_a_draft_at_the_new_dates_with_the_same_program():
    session = _held_session()

    copy = services.copy_session(session=session, starts_at=NEW_START, by=ManagerFactory())

    assert _what_carries_over(copy) == _what_carries_over(session)
    assert (copy.status, copy.starts_at, copy.ends_at, copy.registration_closes_at) == (
        TrainingSession.Status.DRAFT,
        NEW_START,
        NEW_START + timedelta(hours=6),
        NEW_START - timedelta(days=1),
    )
    assert copy.registrations.count() == 0


def test_copy_session_through_the_api_by_its_trainer():
    session = _held_session()
    lead = session.session_trainers.get(role=SessionTrainer.Role.LEAD).trainer

    response = token_client(lead.user).post(
        f"/api/v1/sessions/{session.pk}/copy/", {"starts_at": NEW_START.isoformat()}, format="json"
    )

    assert response.status_code == 201
    copy = TrainingSession.objects.get(pk=response.json()["id"])
    assert (copy.title, copy.status, copy.starts_at) == ("Tracing illicit funds", "draft", NEW_START)


def test_copy_session_refused_to_a_trainer_of_another_session():
    session = _held_session()

    response = token_client(TrainerFactory().user).post(
        f"/api/v1/sessions/{session.pk}/copy/", {"starts_at": NEW_START.isoformat()}, format="json"
    )

    assert response.status_code == 403
    assert TrainingSession.objects.count() == 1


def test_copy_session_to_a_date_out_of_range_is_a_field_error_and_saves_nothing():
    session = _held_session()

    response = token_client(ManagerFactory()).post(
        f"/api/v1/sessions/{session.pk}/copy/", {"starts_at": "2999-01-01T09:00:00Z"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["starts_at"]
    assert TrainingSession.objects.count() == 1


def test_copy_session_in_the_back_office_types_the_start_in_the_sessions_zone(client):
    session = _held_session()
    manager = ManagerFactory()
    client.force_login(manager)

    action = client.post(
        "/admin/training/trainingsession/",
        {"action": "copy_to_new_dates", "_selected_action": [session.pk]},
    )
    response = client.post(action.url, {"starts_at_0": "2026-09-01", "starts_at_1": "08:00"})

    copy = TrainingSession.objects.exclude(pk=session.pk).get()
    assert response.url == f"/admin/training/trainingsession/{copy.pk}/change/"
    # 08:00 in Mexico City (UTC-6, no daylight saving since 2022) is 14:00 UTC.
    assert (copy.starts_at, copy.status) == (NEW_START, TrainingSession.Status.DRAFT)
    assert _what_carries_over(copy) == _what_carries_over(session)


def test_copy_session_in_the_back_office_refuses_a_date_out_of_range(client):
    session = _held_session()
    client.force_login(ManagerFactory())

    response = client.post(
        f"/admin/training/trainingsession/{session.pk}/copy/", {"starts_at_0": "2999-09-01", "starts_at_1": "08:00"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["starts_at"]
    assert TrainingSession.objects.count() == 1
