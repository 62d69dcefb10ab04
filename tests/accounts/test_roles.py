import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accounts.models import User
from accounts.roles import MANAGERS, TRAINERS, is_manager, role_of_user, sync_role_groups
from tests.factories import ManagerFactory, StaffTrainerUserFactory, UserFactory

pytestmark = pytest.mark.django_db


def codenames(group_name):
    group = Group.objects.get(name=group_name)
    return {
        f"{app}.{codename}" for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


def test_migration_creates_trainers_group_with_its_permissions():
    assert codenames(TRAINERS) == {
        "training.view_trainingsession",
        "training.add_trainingsession",
        "training.change_trainingsession",
        "training.view_sessiontrainer",
        "training.add_sessiontrainer",
        "training.change_sessiontrainer",
        "training.delete_sessiontrainer",
        "training.view_registration",
        "training.add_registration",
        "training.change_registration",
        "training.view_attendance",
        "training.add_attendance",
        "training.change_attendance",
        "training.view_topic",
        "training.view_trainer",
        "training.view_invitation",
        "training.add_invitation",
        "training.change_invitation",
        "training.view_survey",
        "training.view_surveyresponse",
        "training.view_historicaltrainingsession",
        "training.view_historicalregistration",
        "training.view_historicalattendance",
        "training.view_sessionquota",
        "training.add_sessionquota",
        "training.change_sessionquota",
        "training.delete_sessionquota",
        "training.view_nomination",
        "training.view_sessionday",
        "training.add_sessionday",
        "training.change_sessionday",
        "training.delete_sessionday",
        "training.view_dayattendance",
        "training.add_dayattendance",
        "training.change_dayattendance",
        "training.view_historicaldayattendance",
        "training.view_checkin",
        "training.view_question",
        "training.add_question",
        "training.change_question",
        "training.view_questionoption",
        "training.add_questionoption",
        "training.change_questionoption",
        "training.delete_questionoption",
        "training.view_knowledgecheck",
        "training.add_knowledgecheck",
        "training.change_knowledgecheck",
        "training.view_knowledgecheckattempt",
        "training.view_historicalquestion",
        "training.view_historicalknowledgecheck",
        "messaging.view_outboundmessage",
        "agencies.view_country",
        "agencies.view_agency",
    }


def test_migration_gives_managers_every_permission_of_our_apps():
    granted = codenames(MANAGERS)

    for app_label in ("agencies", "training", "messaging"):
        for model in apps.get_app_config(app_label).get_models():
            for action in ("add", "change", "delete", "view"):
                assert f"{app_label}.{action}_{model._meta.model_name}" in granted
    assert {"accounts.view_user", "accounts.change_user", "auth.view_group", "auth.change_group"} <= granted
    assert "accounts.delete_user" not in granted


def test_migrations_leave_celery_beat_permissions_to_superusers():
    granted = codenames(MANAGERS) | codenames(TRAINERS)

    assert sorted(name for name in granted if name.startswith("django_celery_beat.")) == []


def test_withdrawing_superuser_only_permissions_takes_beat_back_from_managers():
    # The state an older database is in: the Managers group was granted beat's permissions.
    managers = Group.objects.get(name=MANAGERS)
    beat = Permission.objects.filter(content_type__app_label="django_celery_beat")
    managers.permissions.add(*beat)
    by_hand = UserFactory()
    by_hand.user_permissions.add(beat.get(codename="change_periodictask"))
    before = codenames(MANAGERS) - {
        f"django_celery_beat.{codename}" for codename in beat.values_list("codename", flat=True)
    }

    withdraw = importlib.import_module("accounts.migrations.0005_celery_beat_for_superusers_only").withdraw
    withdraw(apps, None)

    assert codenames(MANAGERS) == before
    assert list(by_hand.user_permissions.values_list("codename", flat=True)) == ["change_periodictask"]


def test_sync_role_groups_is_idempotent():
    before = (codenames(MANAGERS), codenames(TRAINERS))

    sync_role_groups(apps)
    sync_role_groups(apps)

    assert (codenames(MANAGERS), codenames(TRAINERS)) == before
    assert Group.objects.filter(name__in=[MANAGERS, TRAINERS]).count() == 2


def test_sync_role_groups_keeps_permissions_granted_by_hand():
    trainers = Group.objects.get(name=TRAINERS)
    extra = Group.objects.get(name=MANAGERS).permissions.get(codename="delete_topic")
    trainers.permissions.add(extra)

    sync_role_groups(apps)

    assert "training.delete_topic" in codenames(TRAINERS)


def test_trainer_may_not_delete_sessions_nor_manage_agencies():
    user = StaffTrainerUserFactory()

    assert user.has_perm("training.change_trainingsession") is True
    assert user.has_perm("training.delete_trainingsession") is False
    assert user.has_perm("agencies.change_agency") is False


def test_is_manager_for_group_and_superuser_only():
    assert is_manager(ManagerFactory()) is True
    assert is_manager(UserFactory(is_superuser=True)) is True
    assert is_manager(StaffTrainerUserFactory()) is False


def test_is_manager_false_for_an_inactive_manager():
    assert is_manager(ManagerFactory(is_active=False)) is False


def test_is_manager_and_role_of_user_read_the_role_once(django_assert_num_queries):
    user = User.objects.get(pk=ManagerFactory().pk)

    with django_assert_num_queries(1):
        answers = (is_manager(user), role_of_user(user).is_manager, is_manager(user))

    assert answers == (True, True, True)


def test_back_office_page_reads_the_role_once_and_no_officer_for_staff(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(ManagerFactory())
    url = reverse("admin:accounts_privacynotice_changelist")
    client.get(url)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)

    assert response.status_code == 200
    sql = [query["sql"] for query in queries]
    assert sum('"auth_group"."name"' in statement or "EXISTS" in statement for statement in sql) == 1, sql
    assert not any('FROM "agencies_officer"' in statement for statement in sql), sql


def test_manager_cannot_make_anyone_superuser(client):
    manager = ManagerFactory()
    client.force_login(manager)

    response = client.get(reverse("admin:accounts_user_change", args=[manager.pk]))

    assert response.status_code == 200
    assert "is_superuser" not in response.context["adminform"].form.fields
    assert "groups" in response.context["adminform"].form.fields
