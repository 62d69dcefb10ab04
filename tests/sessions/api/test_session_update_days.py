"""PATCH /api/v1/sessions/{id}/ of a session of several days: a start or end leaving a day outside is a 400."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from sessions import services
from sessions.models import SessionDay, TrainingSession
from tests.factories import SessionTrainerFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db

MEXICO = ZoneInfo("America/Mexico_City")


@pytest.fixture
def workshop(trainer_profile):
    session = TrainingSessionFactory(
        starts_at=datetime(2030, 3, 10, 9, tzinfo=MEXICO),
        ends_at=datetime(2030, 3, 12, 17, tzinfo=MEXICO),
        timezone="America/Mexico_City",
        status=TrainingSession.Status.PUBLISHED,
    )
    SessionTrainerFactory(session=session, trainer=trainer_profile)
    days = [services.DayHours(date(2030, 3, day), time(9), time(17)) for day in (10, 11, 12)]
    services.set_session_days(session=session, days=days, by=None)
    return session


def url(session):
    return f"/api/v1/sessions/{session.pk}/"


def test_patch_start_leaving_a_day_outside_is_400_and_saves_nothing(trainer_client, workshop):
    before = TrainingSession.objects.get(pk=workshop.pk)

    response = trainer_client.patch(
        url(workshop), {"starts_at": "2030-03-11T09:00:00-06:00", "title_en": "Moved"}, format="json"
    )

    message = "The session's day of 2030-03-10 would fall outside this start and end; change its days too."
    assert response.status_code == 400
    assert response.json() == {"detail": "Invalid input.", "code": "invalid", "errors": {"starts_at": [message]}}
    after = TrainingSession.objects.get(pk=workshop.pk)
    assert (after.starts_at, after.title_en, after.sequence) == (before.starts_at, before.title_en, before.sequence)
    assert after.history.count() == before.history.count()
    assert SessionDay.objects.filter(session=workshop).count() == 3


def test_patch_end_before_the_last_day_ends_is_400(manager_client, workshop):
    response = manager_client.patch(url(workshop), {"ends_at": "2030-03-11T17:00:00-06:00"}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "ends_at": ["The session's day of 2030-03-12 would fall outside this start and end; change its days too."]
    }
    assert TrainingSession.objects.get(pk=workshop.pk).ends_at == datetime(2030, 3, 12, 17, tzinfo=MEXICO)


def test_patch_end_still_holding_the_days_is_saved(trainer_client, workshop):
    response = trainer_client.patch(url(workshop), {"ends_at": "2030-03-12T18:00:00-06:00"}, format="json")

    assert response.status_code == 200
    assert TrainingSession.objects.get(pk=workshop.pk).ends_at == datetime(2030, 3, 12, 18, tzinfo=MEXICO)


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("es", "El día 2030-03-10 de la sesión quedaría fuera de este inicio y fin; modifique también sus días."),
        (
            "fr",
            "Le jour du 2030-03-10 de la session serait en dehors de ce début et de cette fin ; "
            "modifiez également ses jours.",
        ),
    ],
)
def test_patch_start_leaving_a_day_outside_speaks_the_caller_language(trainer_client, workshop, language, message):
    response = trainer_client.patch(
        url(workshop), {"starts_at": "2030-03-11T09:00:00-06:00"}, format="json", HTTP_ACCEPT_LANGUAGE=language
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"starts_at": [message]}
