"""Every change records who made it: a person, or the named task or command (issue 11, point 6)."""

import sys

import pytest
from celery import shared_task
from django.core import management
from django.urls import reverse

import manage
from sessions import services
from sessions.models import Registration, TrainingSession
from tests.factories import ManagerFactory, RegistrationFactory, SessionTrainerFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db


@shared_task
def _cancel_first_session_registration_on_its_own():
    services.cancel_registration(registration=Registration.objects.order_by("pk").first())


@shared_task
def _cancel_first_session_registration_for(manager_id):
    from accounts.models import User

    registration = Registration.objects.order_by("pk").first()
    services.cancel_registration(registration=registration, by=User.objects.get(pk=manager_id))


def _published_registration():
    session = TrainingSessionFactory(status=TrainingSession.Status.PUBLISHED)
    SessionTrainerFactory(session=session)
    return RegistrationFactory(session=session, status=Registration.Status.CONFIRMED)


def _latest_change(registration):
    return registration.history.order_by("-history_id").values_list("history_user", "history_actor").first()


def test_change_made_by_a_task_on_its_own_names_the_task():
    registration = _published_registration()

    _cancel_first_session_registration_on_its_own.delay()

    assert _latest_change(registration) == (None, f"task {__name__}._cancel_first_session_registration_on_its_own")


def test_change_made_by_a_task_for_a_person_records_the_person():
    registration = _published_registration()
    manager = ManagerFactory()

    _cancel_first_session_registration_for.delay(manager.pk)

    assert _latest_change(registration) == (manager.pk, "")


def test_service_called_with_by_records_that_person_whoever_calls_it():
    registration = _published_registration()
    manager = ManagerFactory()

    services.cancel_registration(registration=registration, by=manager)

    assert _latest_change(registration) == (manager.pk, "")


def test_change_made_by_a_command_names_the_command(monkeypatch):
    registration = _published_registration()
    code = "from sessions import services; from sessions.models import Registration; "
    code += f"services.cancel_registration(registration=Registration.objects.get(pk={registration.pk}))"
    monkeypatch.setattr(sys, "argv", ["manage.py", "shell", "-c", code])
    # Run the command as manage.py would, without closing the test's database connection afterwards.
    monkeypatch.setattr(management, "execute_from_command_line", lambda argv: management.call_command(*argv[1:]))

    manage.main()

    assert _latest_change(registration) == (None, "command shell")


def test_admin_history_shows_the_task_by_name(client):
    registration = _published_registration()
    _cancel_first_session_registration_on_its_own.delay()
    manager = ManagerFactory()
    client.force_login(manager)

    response = client.get(reverse("admin:training_registration_history", args=[registration.pk]))

    assert f"task {__name__}._cancel_first_session_registration_on_its_own" in response.content.decode()


def test_change_made_through_the_api_records_the_token_user():
    from tests.api_fixtures import token_client

    registration = _published_registration()
    manager = ManagerFactory()

    response = token_client(manager).post(f"/api/v1/registrations/{registration.pk}/cancel/")

    assert response.status_code == 200
    assert _latest_change(registration) == (manager.pk, "")
