import pytest
from django.core import mail
from django.urls import reverse

from agencies.models import Officer
from tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser(email="boss@trainingops.example", password="x")
    client.force_login(user)
    return client


def test_officer_admin_bulk_approve_emails_each(admin_client, django_capture_on_commit_callbacks):
    officers = OfficerFactory.create_batch(2, verification_status=Officer.Verification.PENDING)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:agencies_officer_changelist"),
            {"action": "approve_selected", "_selected_action": [officer.pk for officer in officers]},
            follow=True,
        )

    assert response.status_code == 200
    assert set(Officer.objects.values_list("verification_status", flat=True)) == {"verified"}
    assert sorted(message.to[0] for message in mail.outbox) == sorted(officer.user.email for officer in officers)


def test_officer_admin_bulk_reject(admin_client, django_capture_on_commit_callbacks):
    officer = OfficerFactory(verification_status=Officer.Verification.PENDING)

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:agencies_officer_changelist"),
            {"action": "reject_selected", "_selected_action": [officer.pk]},
        )

    officer.refresh_from_db()
    assert officer.verification_status == Officer.Verification.REJECTED
    assert mail.outbox[0].subject == "We could not confirm your affiliation"


@pytest.mark.parametrize(
    "url_name",
    ["admin:agencies_officer_changelist", "admin:agencies_agency_changelist", "admin:agencies_country_changelist"],
)
def test_agency_admin_pages_render(admin_client, url_name):
    OfficerFactory()

    assert admin_client.get(reverse(url_name)).status_code == 200
