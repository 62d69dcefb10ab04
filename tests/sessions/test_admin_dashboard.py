"""The back office's home page: this week's sessions and what needs doing, per role."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import Officer
from sessions.models import Attendance, Registration, TrainingSession
from tests.factories import (
    AttendanceFactory,
    ManagerFactory,
    OfficerFactory,
    RegistrationFactory,
    SessionTrainerFactory,
    SurveyFactory,
    TrainerFactory,
    TrainingSessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

INDEX = reverse("admin:index")


def change_url(session):
    return reverse("admin:training_trainingsession_change", args=[session.pk])


def trained_session(trainer, **kwargs):
    session = TrainingSessionFactory(**kwargs)
    SessionTrainerFactory(session=session, trainer=trainer)
    return session


def test_smoke(client):
    manager = ManagerFactory()
    client.force_login(manager)
    TrainingSessionFactory(starts_at=timezone.now() + timedelta(hours=1))
    response = client.get(INDEX)
    open("/tmp/dash/index.html", "w").write(response.content.decode())
    assert response.status_code == 200
    response = client.get(reverse("admin:training_trainingsession_calendar"))
    open("/tmp/dash/cal.html", "w").write(response.content.decode())
    assert response.status_code == 200
    response = client.get(reverse("admin:training_trainingsession_calendar") + "?view=week")
    open("/tmp/dash/week.html", "w").write(response.content.decode())
    assert response.status_code == 200
