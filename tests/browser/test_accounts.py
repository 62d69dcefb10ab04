"""Account pages in Chromium: a pending sign-up, password reset from the emailed link, password change."""

import re

import pytest
from allauth.account.models import EmailAddress

from agencies.models import Officer
from messaging.models import OutboundMessage
from tests.browser.helpers import PASSWORD, emails_to, link_in, sign_in, verified_officer, verified_user
from tests.factories import (
    AgencyEmailDomainFactory,
    AgencyFactory,
    CountryFactory,
    TrainerFactory,
    TrainingSessionFactory,
)

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
    page.check("#id_privacy_consent")
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
    assert message.subject == "Reset your TrainingOps password"

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


def current_totp_code(secret: str) -> str:
    """What the staff member's authenticator app shows now."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def test_staff_enrols_an_authenticator_then_signs_in_with_a_code(page, screenshot, settings, roles):
    settings.STAFF_MFA_REQUIRED = True
    trainer = TrainerFactory(user__email="lena@trainingops.example", user__first_name="Lena")
    verified_user(trainer.user)

    sign_in(page, "lena@trainingops.example", next_url="/admin/")
    # The back office stays closed until an authenticator is set up; allauth first asks for the
    # password again before any change to how the account signs in, even right after signing in.
    page.wait_for_url("**/accounts/reauthenticate/**")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/accounts/2fa/totp/activate/")
    secret = page.locator("#authenticator_secret").input_value()
    page.fill("input[name=code]", "000000")
    page.get_by_role("button", name="Activate").click()
    page.wait_for_selector("text=Incorrect code.")
    page.fill("input[name=code]", current_totp_code(secret))
    screenshot(page, "accounts_staff_mfa_activate")
    page.get_by_role("button", name="Activate").click()
    page.wait_for_url(lambda url: "/totp/activate/" not in url)

    page.goto("/admin/")
    assert page.inner_text("#site-name") == "TrainingOps back office"
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/admin/logout/")

    sign_in(page, "lena@trainingops.example", next_url="/admin/")
    page.wait_for_url("**/accounts/2fa/authenticate/**")
    page.fill("input[name=code]", current_totp_code(secret))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/admin/")
    assert page.get_by_role("link", name="Training sessions").first.is_visible()
    screenshot(page, "accounts_staff_mfa_signed_in")


def test_email_addresses_page_adds_and_confirms_an_address(page, screenshot):
    verified_officer("ana@policia.gob.mx")

    sign_in(page, "ana@policia.gob.mx")
    page.goto("/profile/")
    page.get_by_role("link", name="Email addresses").click()
    page.wait_for_url("**/accounts/email/")
    assert "ana@policia.gob.mx" in page.inner_text("main")
    page.fill("input[type=email][name=email]", "ana.lopez@fgr.example")
    page.get_by_role("button", name="Add Email").click()
    page.wait_for_selector("text=Confirmation email sent to ana.lopez@fgr.example.")

    (message,) = emails_to("ana.lopez@fgr.example")
    page.goto(link_in(message, r"/accounts/confirm-email/"))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_selector("text=You have confirmed ana.lopez@fgr.example.")
    page.goto("/accounts/email/")
    # Each address sits beside its radio button, its states shown as badges.
    row = page.locator("label", has_text="ana.lopez@fgr.example")
    radio = page.locator(f"#{row.get_attribute('for')}").bounding_box()
    assert abs(row.bounding_box()["y"] - radio["y"]) < radio["height"]
    assert row.locator(".badge-ok").inner_text() == "Verified"
    assert page.locator(".nav-toggle-label").is_hidden()  # the phone menu button, on a desktop screen
    screenshot(page, "accounts_email_addresses")
    assert EmailAddress.objects.get(email="ana.lopez@fgr.example").verified
