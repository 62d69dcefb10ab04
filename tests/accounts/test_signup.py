import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from agencies.models import Officer
from messaging.models import OutboundMessage
from messaging.services import retry_failed_messages
from tests.factories import AgencyEmailDomainFactory, AgencyFactory, OfficerFactory
from trainingops.celery import app as celery_app

pytestmark = pytest.mark.django_db


def signup_data(agency_row, **overrides):
    return {
        "email": "ana@policia.gob.mx",
        "first_name": "Ana",
        "last_name": "López",
        "agency": agency_row.pk,
        "job_title": "Investigator",
        "preferred_language": "es",
        "password1": "a-Long-passphrase-42",
        "password2": "a-Long-passphrase-42",
        "privacy_consent": "on",
        **overrides,
    }


def test_signup_with_agency_domain_creates_pending_officer_and_sends_verification(
    client, django_capture_on_commit_callbacks
):
    domain = AgencyEmailDomainFactory(domain="policia.gob.mx")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_signup"), signup_data(domain.agency))

    assert response.status_code == 302
    officer = Officer.objects.get(user__email="ana@policia.gob.mx")
    assert (officer.agency, officer.verification_status, officer.preferred_language) == (
        domain.agency,
        Officer.Verification.PENDING,
        "es",
    )
    assert (officer.user.first_name, officer.user.last_name, officer.job_title) == ("Ana", "López", "Investigator")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ana@policia.gob.mx"]
    assert re.search(r"http://testserver/accounts/confirm-email/\S+/", mail.outbox[0].body)


def test_signup_verification_email_in_chosen_language(client, django_capture_on_commit_callbacks):
    agency = AgencyFactory()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_signup"), signup_data(agency, email="ana@gmail.com", preferred_language="fr"))

    assert mail.outbox[0].subject == "Confirmez votre adresse e-mail pour TrainingOps"


def test_signup_other_domain_is_pending(client):
    agency = AgencyFactory()

    client.post(reverse("account_signup"), signup_data(agency, email="ana@gmail.com"))

    assert Officer.objects.get(user__email="ana@gmail.com").verification_status == Officer.Verification.PENDING


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"agency": ""}, "agency", "This field is required."),
        ({"agency": "999999"}, "agency", "Choose an agency from the list."),
        ({"first_name": ""}, "first_name", "This field is required."),
        (
            {"preferred_language": "xx"},
            "preferred_language",
            "Select a valid choice. xx is not one of the available choices.",
        ),
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
    ],
)
def test_signup_bad_input_shows_field_error_and_creates_nothing(client, overrides, field, message):
    agency = AgencyFactory()

    response = client.post(reverse("account_signup"), signup_data(agency, **overrides))

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert Officer.objects.count() == 0


def test_signup_errors_in_spanish(client):
    client.cookies["django_language"] = "es"

    response = client.post(reverse("account_signup"), signup_data(AgencyFactory(), agency="999999"))

    assert response.context["form"].errors["agency"] == ["Elija una agencia de la lista."]


def test_signup_page_renders_grouped_agency_picker(client):
    agency = AgencyFactory()

    content = client.get(reverse("account_signup")).content.decode()

    assert f'<optgroup label="{agency.country.localized_name}">' in content
    assert 'data-filterable="agency"' in content


def test_login_after_email_confirmation(client, django_capture_on_commit_callbacks):
    agency = AgencyFactory()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_signup"), signup_data(agency, email="bo@gmail.com"))
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+/)", mail.outbox[0].body).group(1)

    client.post(link)

    assert EmailAddress.objects.get(email="bo@gmail.com").verified is True


class RefusingBackend:
    """A mail server that is down."""

    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        raise ConnectionRefusedError(111, "Connection refused")

    def close(self):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")


def test_signup_while_mail_server_is_down_succeeds_and_sends_later(
    client, settings, monkeypatch, django_capture_on_commit_callbacks
):
    agency = AgencyFactory()
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    # Without propagation, eager mode runs the task's retries in place, as a worker would later.
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_signup"), signup_data(agency, email="bo@gmail.com"))

    assert response.status_code == 302
    assert Officer.objects.filter(user__email="bo@gmail.com").exists()
    message = OutboundMessage.objects.get(recipient="bo@gmail.com")
    assert message.kind == "account_email_confirmation_signup"
    # Eager mode runs every retry at once (a worker spaces them 30 s, 60 s, … apart): attempts ran out.
    assert message.status == OutboundMessage.Status.FAILED
    assert message.attempts == settings.MESSAGING_MAX_ATTEMPTS
    assert "Connection refused" in message.last_error
    assert mail.outbox == []

    # The server is back: the admin's "retry" action sends it.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        retry_failed_messages(message_ids=[message.pk])

    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.SENT
    assert mail.outbox[0].to == ["bo@gmail.com"]
    assert re.search(r"http://testserver/accounts/confirm-email/\S+/", mail.outbox[0].body)


def test_password_reset_email_goes_through_the_log_in_the_officers_language(client, django_capture_on_commit_callbacks):
    officer = OfficerFactory(user__email="carla@policia.gob.mx", preferred_language="es")
    EmailAddress.objects.update_or_create(
        user=officer.user, email=officer.user.email, defaults={"verified": True, "primary": True}
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": "carla@policia.gob.mx"})

    assert response.status_code == 302
    message = OutboundMessage.objects.get(recipient="carla@policia.gob.mx")
    assert (message.kind, message.language, message.user_id, message.status) == (
        "account_password_reset_key",
        "es",
        officer.user_id,
        OutboundMessage.Status.SENT,
    )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["carla@policia.gob.mx"]
    assert mail.outbox[0].subject == message.subject
    assert re.search(r"http://testserver/accounts/password/reset/key/\S+/", mail.outbox[0].body)


def test_login_page_links_once_to_password_reset(client):
    content = client.get(reverse("account_login")).content.decode()

    assert content.count(f'href="{reverse("account_reset_password")}"') == 1
