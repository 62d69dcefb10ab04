import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from agencies.models import Officer
from tests.factories import AgencyEmailDomainFactory, AgencyFactory

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
        **overrides,
    }


def test_signup_with_agency_domain_creates_verified_officer_and_sends_verification(client):
    domain = AgencyEmailDomainFactory(domain="policia.gob.mx")

    response = client.post(reverse("account_signup"), signup_data(domain.agency))

    assert response.status_code == 302
    officer = Officer.objects.get(user__email="ana@policia.gob.mx")
    assert (officer.agency, officer.verification_status, officer.preferred_language) == (
        domain.agency,
        Officer.Verification.VERIFIED,
        "es",
    )
    assert (officer.user.first_name, officer.user.last_name, officer.job_title) == ("Ana", "López", "Investigator")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ana@policia.gob.mx"]
    assert re.search(r"http://testserver/accounts/confirm-email/\S+/", mail.outbox[0].body)


def test_signup_verification_email_in_chosen_language(client):
    agency = AgencyFactory()

    client.post(reverse("account_signup"), signup_data(agency, email="ana@gmail.com", preferred_language="fr"))

    assert mail.outbox[0].subject == "[TrainingOps] Confirmez votre adresse e-mail"


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


def test_login_after_email_confirmation(client):
    agency = AgencyFactory()
    client.post(reverse("account_signup"), signup_data(agency, email="bo@gmail.com"))
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+/)", mail.outbox[0].body).group(1)

    client.post(link)

    assert EmailAddress.objects.get(email="bo@gmail.com").verified is True
