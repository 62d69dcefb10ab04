"""The privacy notice in Chromium: consent at sign-up, and a new version accepted once after a manager edits it."""

import pytest
from allauth.account.models import EmailAddress

from accounts.models import PrivacyConsent, PrivacyNotice
from tests.browser.helpers import PASSWORD, sign_in, verified_officer, verified_user
from tests.factories import AgencyEmailDomainFactory, AgencyFactory, CountryFactory, ManagerFactory

pytestmark = pytest.mark.django_db(transaction=True)


def fill_sign_up(page, email: str) -> None:
    page.goto("/accounts/signup/")
    page.fill("#id_email", email)
    page.fill("#id_first_name", "Ana")
    page.fill("#id_last_name", "López")
    page.fill(".filter-input", "Ministerial")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)


def test_sign_up_requires_consent_and_records_the_current_version(page, screenshot):
    agency = AgencyFactory(name="Policía Federal Ministerial", acronym="PFM", country=CountryFactory(code="MX"))
    AgencyEmailDomainFactory(agency=agency, domain="policia.gob.mx")

    fill_sign_up(page, "ana@policia.gob.mx")
    assert "How long we keep it" in page.inner_text(".privacy-scroll")
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_selector("#field-privacy_consent .error-text")

    assert page.inner_text("#field-privacy_consent .error-text") == (
        "Please accept the privacy notice to create your account."
    )
    assert PrivacyConsent.objects.count() == 0
    screenshot(page, "privacy_sign_up_without_consent")

    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.check("#id_privacy_consent")
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url("**/accounts/confirm-email/")

    consent = PrivacyConsent.objects.get()
    assert (consent.user.email, consent.notice.version) == ("ana@policia.gob.mx", 1)
    assert page.get_by_role("button", name="Send the link again").is_visible()
    assert page.get_by_role("link", name="support@trainingops.example").is_visible()
    screenshot(page, "privacy_verification_sent")


def test_manager_publishes_a_new_version_and_the_officer_accepts_it_once(page, browser, live_server, screenshot, roles):
    officer = verified_officer("carla@policia.gob.mx")
    manager = verified_user(ManagerFactory(email="lead@trainingops.example"))
    EmailAddress.objects.filter(user=manager).update(verified=True)

    sign_in(page, manager.email)
    page.goto("/admin/accounts/privacynotice/add/")
    assert page.input_value("#id_text_en").startswith("Who is responsible for your data")
    page.fill("#id_text_en", "Version two: we now also keep your check-in times.")
    page.locator("input[name=_save]").click()
    page.wait_for_url("**/admin/accounts/privacynotice/")
    assert list(PrivacyNotice.objects.values_list("version", flat=True)) == [2, 1]
    screenshot(page, "privacy_notice_versions")

    officer_context = browser.new_context(
        base_url=live_server.url, locale="en-US", viewport={"width": 390, "height": 844}
    )
    officer_page = officer_context.new_page()
    sign_in(officer_page, officer.user.email, next_url="/my-trainings/")
    officer_page.wait_for_url("**/privacy/accept/**")

    assert officer_page.inner_text("h1") == "Our privacy notice has changed"
    assert "we now also keep your check-in times" in officer_page.inner_text(".privacy-notice-text")
    assert officer_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(officer_page, "privacy_accept_new_version_phone")
    officer_page.get_by_role("button", name="I accept the privacy notice").click()
    officer_page.wait_for_url("**/my-trainings/")

    officer_page.goto("/sessions/")
    assert "/privacy/accept/" not in officer_page.url
    assert list(officer.user.privacy_consents.values_list("notice__version", flat=True)) == [2, 1]
    officer_context.close()


def test_privacy_page_reads_in_spanish_on_a_phone(browser, live_server, screenshot):
    context = browser.new_context(base_url=live_server.url, locale="es-MX", viewport={"width": 390, "height": 844})
    page = context.new_page()

    page.goto("/")
    page.get_by_role("link", name="Aviso de privacidad").click()
    page.wait_for_url("**/privacy/")

    assert page.inner_text("h1") == "Aviso de privacidad"
    headings = page.locator(".privacy-notice-text h2").all_inner_texts()
    assert headings[:3] == ["Responsable de sus datos", "Qué datos tratamos", "Para qué los tratamos"]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "privacy_notice_es_phone")
    context.close()
