"""Managers edit the privacy notice in the back office by publishing new versions."""

import pytest
from django.urls import reverse

from accounts.models import PrivacyNotice
from tests.factories import ManagerFactory, OfficerFactory, TrainerFactory

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:accounts_privacynotice_add")


@pytest.fixture
def manager_client(client):
    manager = ManagerFactory()
    client.force_login(manager)
    client.manager = manager
    return client


def test_new_version_form_is_prefilled_with_the_current_text(manager_client):
    response = manager_client.get(ADD_URL)

    assert response.status_code == 200
    assert response.context["adminform"].form.initial["text_es"] == PrivacyNotice.objects.get(version=1).text_es


def test_manager_publishes_a_new_version_and_the_history_names_them(manager_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(ADD_URL, {"text_en": "New.", "text_es": "Nuevo.", "text_fr": "Nouveau."})

    assert response.status_code == 302
    notice = PrivacyNotice.objects.get(version=2)
    assert (notice.text_en, notice.published_by) == ("New.", manager_client.manager)
    assert notice.history.get().history_user == manager_client.manager
    assert PrivacyNotice.objects.get(version=1).text_en.startswith("Who is responsible")


def test_empty_text_is_a_field_error_and_publishes_nothing(manager_client):
    response = manager_client.post(ADD_URL, {"text_en": "", "text_es": "Nuevo.", "text_fr": "Nouveau."})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["text_en"] == ["This field is required."]
    assert PrivacyNotice.objects.count() == 1


def test_a_published_version_cannot_be_changed(manager_client):
    notice = PrivacyNotice.objects.get(version=1)
    url = reverse("admin:accounts_privacynotice_change", args=[notice.pk])

    page = manager_client.get(url)
    manager_client.post(url, {"text_en": "Rewritten.", "text_es": "x", "text_fr": "x"})

    assert page.status_code == 200
    assert 'name="text_en"' not in page.content.decode()
    notice.refresh_from_db()
    assert notice.text_en.startswith("Who is responsible")


def test_trainers_cannot_publish_a_notice(client):
    client.force_login(TrainerFactory().user)

    assert client.get(ADD_URL).status_code == 403


@pytest.mark.parametrize("item_count", [1, 10])
def test_consent_list_query_count_is_bounded(manager_client, django_assert_num_queries, item_count):
    OfficerFactory.create_batch(item_count)
    url = reverse("admin:accounts_privacyconsent_changelist")
    manager_client.get(url)

    with django_assert_num_queries(9):
        response = manager_client.get(url)

    assert response.context["cl"].result_count == item_count


@pytest.mark.parametrize("item_count", [1, 10])
def test_notice_list_query_count_is_bounded(manager_client, django_assert_num_queries, item_count):
    from tests.factories import PrivacyNoticeFactory

    PrivacyNoticeFactory.create_batch(item_count)
    url = reverse("admin:accounts_privacynotice_changelist")
    manager_client.get(url)

    with django_assert_num_queries(8):
        response = manager_client.get(url)

    assert response.context["cl"].result_count == item_count + 1
