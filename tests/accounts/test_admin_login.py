import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from tests.factories import OfficerFactory, StaffTrainerUserFactory

pytestmark = pytest.mark.django_db


def test_admin_login_redirects_to_allauth_login(client):
    response = client.get("/admin/login/?next=/admin/")

    assert (response.status_code, response.url) == (302, "/accounts/login/?next=%2Fadmin%2F")


def test_admin_index_sends_anonymous_user_through_allauth(client):
    response = client.get("/admin/", follow=True)

    assert response.redirect_chain[-1] == ("/accounts/login/?next=%2Fadmin%2F", 302)


def test_staff_login_through_allauth_reaches_the_admin(client):
    user = StaffTrainerUserFactory(email="lena@trainingops.example")
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})

    response = client.post(
        reverse("account_login"),
        {"login": "lena@trainingops.example", "password": "correct-horse-battery", "next": "/admin/"},
    )

    assert (response.status_code, response.url) == (302, "/admin/")
    assert client.get("/admin/").status_code == 200


def test_officer_cannot_use_the_admin_login(client):
    officer = OfficerFactory()
    client.force_login(officer.user)

    assert client.get("/admin/login/").status_code == 403


def test_user_admin_offers_no_plain_delete_of_an_officer(client):
    from tests.factories import ManagerFactory, OfficerFactory

    officer = OfficerFactory()
    superuser = ManagerFactory(is_superuser=True)
    client.force_login(superuser)

    page = client.get(f"/admin/accounts/user/{officer.user_id}/delete/")
    listing = client.get("/admin/accounts/user/")

    assert page.status_code == 403
    assert "delete_selected" not in listing.content.decode()
