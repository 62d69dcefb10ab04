import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db


def test_staff_without_totp_is_sent_to_mfa_setup(client, settings, manager_user):
    settings.STAFF_MFA_REQUIRED = True
    client.force_login(manager_user)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_staff_with_totp_passes(client, settings, manager_user):
    settings.STAFF_MFA_REQUIRED = True
    Authenticator.objects.create(user=manager_user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(manager_user)

    assert client.get("/admin/").status_code == 200


def test_staff_may_reach_account_pages_without_totp(client, settings, manager_user):
    settings.STAFF_MFA_REQUIRED = True
    client.force_login(manager_user)

    response = client.get(reverse("mfa_activate_totp"))

    assert response.status_code in (200, 302)
    assert response.get("Location", "") != reverse("mfa_activate_totp")


def test_setting_off_lets_staff_through(client, settings, manager_user):
    settings.STAFF_MFA_REQUIRED = False
    client.force_login(manager_user)

    assert client.get("/admin/").status_code == 200


def test_officers_are_not_asked_for_mfa(client, settings):
    settings.STAFF_MFA_REQUIRED = True
    client.force_login(OfficerFactory().user)

    assert client.get("/").status_code == 200


def test_officer_language_used_on_a_browser_without_language_cookie(client):
    from tests.factories import OfficerFactory

    officer = OfficerFactory(preferred_language="fr")
    client.force_login(officer.user)

    response = client.get("/my-trainings/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response.headers["Content-Language"] == "fr"
    assert response.cookies["django_language"].value == "fr"


def test_officer_language_cookie_choice_wins_over_profile(client):
    from tests.factories import OfficerFactory

    officer = OfficerFactory(preferred_language="fr")
    client.force_login(officer.user)
    client.cookies["django_language"] = "es"

    response = client.get("/my-trainings/")

    assert response.headers["Content-Language"] == "es"
    assert "django_language" not in response.cookies
