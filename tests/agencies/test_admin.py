import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse

from agencies.models import Officer
from sessions.models import Registration
from tests.factories import OfficerFactory, RegistrationFactory, TrainingSessionFactory, UserFactory

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


@pytest.fixture
def manager_client(client, manager_user):
    client.force_login(manager_user)
    return client


def erase_action(officers, **extra):
    return {"action": "erase_selected", "_selected_action": [officer.pk for officer in officers], **extra}


def test_officer_admin_erase_asks_for_confirmation_first(manager_client):
    officer = OfficerFactory(user__first_name="Ana", user__last_name="Quiroga")

    response = manager_client.post(reverse("admin:agencies_officer_changelist"), erase_action([officer]))

    assert response.status_code == 200
    assert response.templates[0].name == "admin/agencies/officer/erase_selected_confirmation.html"
    assert f"Ana Quiroga &lt;{officer.user.email}&gt;, {officer.agency}" in response.content.decode()
    assert Officer.objects.filter(pk=officer.pk).exists()


def test_officer_admin_erase_confirmed_erases_frees_seat_and_logs_the_manager(
    manager_client, manager_user, django_capture_on_commit_callbacks
):
    officer = OfficerFactory()
    registration = RegistrationFactory(officer=officer, session=TrainingSessionFactory(capacity=1))
    waiting = RegistrationFactory(
        session=registration.session, status=Registration.Status.WAITLISTED, waitlist_position=1
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            reverse("admin:agencies_officer_changelist"), erase_action([officer], post="yes"), follow=True
        )

    waiting.refresh_from_db()
    entry = LogEntry.objects.get(action_flag=DELETION)
    assert [str(message) for message in response.context["messages"]] == ["1 officer erased."]
    assert not Officer.objects.filter(pk=officer.pk).exists()
    assert waiting.status == Registration.Status.CONFIRMED
    assert [message.to for message in mail.outbox] == [[waiting.officer.user.email]]
    assert (entry.user, entry.object_repr) == (manager_user, f"officer #{officer.pk}")


def test_officer_admin_erase_is_for_managers_only(client):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_officer", "change_officer"]))
    client.force_login(staff)
    officer = OfficerFactory()

    listing = client.get(reverse("admin:agencies_officer_changelist"))
    client.post(reverse("admin:agencies_officer_changelist"), erase_action([officer], post="yes"))

    actions = [name for name, _label in listing.context["action_form"].fields["action"].choices]
    assert actions == ["", "approve_selected", "reject_selected"]
    assert Officer.objects.filter(pk=officer.pk).exists()


def test_officer_admin_offers_erasure_instead_of_plain_delete(manager_client):
    officer = OfficerFactory()

    listing = manager_client.get(reverse("admin:agencies_officer_changelist"))
    delete_page = manager_client.get(reverse("admin:agencies_officer_delete", args=[officer.pk]))

    actions = [name for name, _label in listing.context["action_form"].fields["action"].choices]
    assert actions == ["", "approve_selected", "reject_selected", "appoint_focal_points", "erase_selected"]
    assert delete_page.status_code == 403
