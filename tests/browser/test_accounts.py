"""Account pages in Chromium: a pending sign-up, password reset from the emailed link, password change."""

import re

import pytest

from agencies.models import Officer
from messaging.models import OutboundMessage
from tests.browser.helpers import PASSWORD, emails_to, link_in, sign_in, verified_officer
from tests.factories import AgencyEmailDomainFactory, AgencyFactory, CountryFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "Another-long-passphrase-77"


def test_sign_up_outside_agency_domains_is_pending_and_told_why(page, screenshot):
    agency = AgencyFactory(name="Policía Federal Ministerial", acronym="PFM", country=CountryFactory(code="MX"))
    AgencyEmailDomainFactory(agency=agency, domain="policia.gob.mx")
    session = TrainingSessionFactory(title="Tracing illicit funds")

    page.goto("/accounts/signup/")
    page.fill("#id_email", "ana.lopez@gmail.example")
    page.fill("#id_first_name", "Ana")
    page.fill("#id_last_name", "López")
    page.fill(".filter-input", "Ministerial")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url("**/accounts/confirm-email/")
    (message,) = emails_to("ana.lopez@gmail.example")
    page.goto(link_in(message, r"/accounts/confirm-email/"))
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector(".banner-warning")

    assert Officer.objects.get(user__email="ana.lopez@gmail.example").verification_status == "pending"
    assert "is not on one of the verified domains of Policía Federal Ministerial (PFM)" in page.inner_text(
        ".banner-warning"
    )
    page.goto(f"/sessions/{session.pk}/")
    assert page.locator("#registration-box").get_by_text("You can register once your affiliation is verified.")
    assert page.get_by_role("button", name="Register").count() == 0
    screenshot(page, "accounts_pending_officer")


def test_password_reset_from_the_emailed_link(page, screenshot):
    verified_officer("ana@policia.gob.mx")

    page.goto("/accounts/login/")
    screenshot(page, "accounts_login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.wait_for_url("**/accounts/password/reset/")
    page.fill("input[name=email]", "ana@policia.gob.mx")
    page.get_by_role("button", name="Reset My Password").click()
    page.wait_for_url("**/accounts/password/reset/done/")
    assert "sent you an email" in page.inner_text("main")

    # The email went through the message log like every other one, and was delivered once.
    (logged,) = OutboundMessage.objects.filter(recipient="ana@policia.gob.mx")
    assert (logged.kind, logged.status) == ("account_password_reset_key", OutboundMessage.Status.SENT)
    (message,) = emails_to("ana@policia.gob.mx")
    assert message.subject == "[TrainingOps] Password Reset Email"

    page.goto(link_in(message, r"/accounts/password/reset/key/"))
    page.fill("input[name=password1]", NEW_PASSWORD)
    page.fill("input[name=password2]", NEW_PASSWORD)
    # The stage's hidden "Cancel" form is not drawn as an empty box under the form.
    assert page.locator("#logout-from-stage").is_hidden()
    screenshot(page, "accounts_password_reset_form")
    page.get_by_role("button", name="Change Password").click()
    page.wait_for_url(re.compile(r"/accounts/password/reset/key/done/$"))
    assert "Your password is now changed." in page.inner_text("main")
    screenshot(page, "accounts_password_reset_done")

    sign_in(page, "ana@policia.gob.mx", password=NEW_PASSWORD)
    assert page.get_by_role("button", name="Sign out").is_visible()

    # The link worked once.
    page.goto(link_in(message, r"/accounts/password/reset/key/"))
    assert "The password reset link was invalid" in page.inner_text("main")


def test_password_change_from_the_profile(page, screenshot):
    verified_officer("ana@policia.gob.mx")

    sign_in(page, "ana@policia.gob.mx")
    page.goto("/profile/")
    page.get_by_role("link", name="Change password").click()
    page.wait_for_url("**/accounts/password/change/")
    page.fill("input[name=oldpassword]", "not my password")
    page.fill("input[name=password1]", NEW_PASSWORD)
    page.fill("input[name=password2]", NEW_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("text=Please type your current password.")

    page.fill("input[name=oldpassword]", PASSWORD)
    page.fill("input[name=password1]", NEW_PASSWORD)
    page.fill("input[name=password2]", NEW_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("text=Password successfully changed.")
    screenshot(page, "accounts_password_changed")

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "ana@policia.gob.mx", password=NEW_PASSWORD)
    assert page.get_by_role("link", name="My trainings").first.is_visible()
