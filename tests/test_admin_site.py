import re

import pytest
from django.urls import reverse

from tests.factories import ManagerFactory, UserFactory

pytestmark = pytest.mark.django_db

BEAT_MODELS = ("periodictask", "clockedschedule", "crontabschedule", "solarschedule", "intervalschedule")


def index_app_labels(client):
    response = client.get(reverse("admin:index"))
    return [app["app_label"] for app in response.context["app_list"]]


@pytest.mark.parametrize(
    ("language", "header", "title", "index_title"),
    [
        ("en", "TrainingOps back office", "TrainingOps", "Back office"),
        ("es", "Administración de TrainingOps", "TrainingOps", "Administración"),
        ("fr", "Administration de TrainingOps", "TrainingOps", "Back-office"),
    ],
)
def test_admin_index_names_trainingops_in_each_language(client, language, header, title, index_title):
    client.force_login(ManagerFactory())

    response = client.get(reverse("admin:index"), headers={"accept-language": language})

    html = response.content.decode()
    assert re.search(r'<div id="site-name"><a href="/admin/">(.*?)</a>', html).group(1) == header
    assert re.search(r"<title>(.*?)</title>", html).group(1) == f"{index_title} | {title}"


def test_admin_index_hides_celery_beat_from_managers(client):
    client.force_login(ManagerFactory())

    assert "django_celery_beat" not in index_app_labels(client)


def test_admin_index_shows_celery_beat_to_superusers(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    assert "django_celery_beat" in index_app_labels(client)


@pytest.mark.parametrize("model_name", BEAT_MODELS)
def test_celery_beat_admin_pages_forbidden_to_managers(client, model_name):
    client.force_login(ManagerFactory())

    changelist = client.get(reverse(f"admin:django_celery_beat_{model_name}_changelist"))
    add = client.get(reverse(f"admin:django_celery_beat_{model_name}_add"))

    assert (changelist.status_code, add.status_code) == (403, 403)


def test_celery_beat_app_page_forbidden_to_managers(client):
    client.force_login(ManagerFactory())

    response = client.get(reverse("admin:app_list", args=["django_celery_beat"]))

    assert response.status_code == 404


@pytest.mark.parametrize("model_name", BEAT_MODELS)
def test_celery_beat_admin_pages_open_to_superusers(client, model_name):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.get(reverse(f"admin:django_celery_beat_{model_name}_changelist"))

    assert response.status_code == 200
