import json

import pytest
from django.core import mail
from django.urls import reverse

from agencies.models import Officer
from sessions.models import Registration
from tests.factories import AgencyFactory, OfficerFactory, RegistrationFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer.user)
    return client


def profile_data(officer, **overrides):
    return {
        "first_name": "Ana",
        "last_name": "López",
        "agency": officer.agency_id,
        "job_title": "Analyst",
        "preferred_language": "es",
        **overrides,
    }


def test_profile_save_updates_fields_and_language(officer_client, officer):
    response = officer_client.post(reverse("agencies:profile"), profile_data(officer))

    officer.refresh_from_db()
    assert response.status_code == 302
    assert (officer.user.first_name, officer.preferred_language) == ("Ana", "es")
    assert response.cookies["django_language"].value == "es"


def test_profile_change_agency_goes_back_to_pending(officer_client, officer):
    other = AgencyFactory()

    officer_client.post(reverse("agencies:profile"), profile_data(officer, agency=other.pk))

    officer.refresh_from_db()
    assert (officer.agency, officer.verification_status) == (other, Officer.Verification.PENDING)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"agency": "999999"}, "agency", "Choose an agency from the list."),
        ({"agency": "abc"}, "agency", "Choose an agency from the list."),
        ({"first_name": ""}, "first_name", "This field is required."),
        (
            {"preferred_language": "de"},
            "preferred_language",
            "Select a valid choice. de is not one of the available choices.",
        ),
    ],
)
def test_profile_bad_input_shows_field_error(officer_client, officer, overrides, field, message):
    response = officer_client.post(reverse("agencies:profile"), profile_data(officer, **overrides))

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]


def test_profile_field_errors_in_french(officer_client, officer):
    officer_client.cookies["django_language"] = "fr"

    response = officer_client.post(reverse("agencies:profile"), profile_data(officer, agency="999999"))

    assert response.context["form"].errors["agency"] == ["Choisissez une agence dans la liste."]


def test_profile_inactive_agency_is_refused(officer_client, officer):
    inactive = AgencyFactory(is_active=False)

    response = officer_client.post(reverse("agencies:profile"), profile_data(officer, agency=inactive.pk))

    officer.refresh_from_db()
    assert response.context["form"].errors["agency"] == ["Choose an agency from the list."]
    assert officer.agency != inactive


def test_profile_agency_select_groups_by_country(officer_client, officer):
    response = officer_client.get(reverse("agencies:profile"))

    content = response.content.decode()
    assert f'<optgroup label="{officer.agency.country.localized_name}">' in content
    assert 'data-filterable="agency"' in content


def test_personal_data_download_is_own_json(officer_client, officer):
    mine = RegistrationFactory(officer=officer)
    other = RegistrationFactory()

    response = officer_client.get(reverse("agencies:personal_data"))

    data = json.loads(response.content)
    assert response["Content-Disposition"].startswith("attachment;")
    assert data["account"]["email"] == officer.user.email
    assert [row["session"] for row in data["registrations"]] == [mine.session.title]
    assert other.officer.user.email not in response.content.decode()


def test_delete_account_requires_typed_confirmation(officer_client, officer):
    response = officer_client.post(reverse("agencies:delete_account"), {"confirm": "nope"})

    assert response.context["form"].errors["confirm"] == ["Type DELETE to confirm."]
    assert Officer.objects.filter(pk=officer.pk).exists()


def test_delete_account_erases_and_logs_out(officer_client, officer):
    registration = RegistrationFactory(officer=officer)

    response = officer_client.post(reverse("agencies:delete_account"), {"confirm": "DELETE"})

    registration.refresh_from_db()
    assert response.status_code == 302
    assert registration.officer is None
    assert Registration.objects.count() == 1
    assert not Officer.objects.filter(pk=officer.pk).exists()
    assert officer_client.get(reverse("sessions:my_trainings")).status_code == 302


def test_delete_account_gives_upcoming_seat_to_next_waitlisted(
    officer_client, officer, django_capture_on_commit_callbacks
):
    seat = RegistrationFactory(officer=officer, session=TrainingSessionFactory(capacity=1))
    waiting = RegistrationFactory(session=seat.session, status=Registration.Status.WAITLISTED, waitlist_position=1)

    with django_capture_on_commit_callbacks(execute=True):
        officer_client.post(reverse("agencies:delete_account"), {"confirm": "DELETE"})

    seat.refresh_from_db()
    waiting.refresh_from_db()
    assert (seat.status, waiting.status) == (Registration.Status.CANCELLED, Registration.Status.CONFIRMED)
    assert [message.to for message in mail.outbox] == [[waiting.officer.user.email]]


@pytest.mark.parametrize("name", ["agencies:profile", "agencies:personal_data", "agencies:delete_account"])
def test_profile_pages_require_login(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_pending_officer_sees_banner(client):
    officer = OfficerFactory(verification_status=Officer.Verification.PENDING)
    client.force_login(officer.user)

    response = client.get("/")

    assert "Your affiliation is being checked." in response.content.decode()


def test_rejected_officer_sees_reason(client):
    officer = OfficerFactory(verification_status=Officer.Verification.REJECTED, rejection_reason="Unknown unit.")
    client.force_login(officer.user)

    content = client.get("/").content.decode()

    assert "Your affiliation could not be confirmed." in content
    assert "Unknown unit." in content
