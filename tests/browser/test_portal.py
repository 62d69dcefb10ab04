"""The officer portal walked in Chromium: sign-up, email verification, registration, waitlist."""

import re

import pytest
from django.core import mail

from sessions.models import Registration
from tests.factories import (
    AgencyEmailDomainFactory,
    AgencyFactory,
    CountryFactory,
    OfficerFactory,
    TrainingSessionFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-Long-passphrase-42"
CONFIRM_LINK = re.compile(r"https?://[^\s]+/accounts/confirm-email/[^\s]+/")


def verification_link(email: str) -> str:
    messages = [message for message in mail.outbox if message.to == [email]]
    assert len(messages) == 1
    return CONFIRM_LINK.search(messages[0].body).group(0)


def sign_up(page, *, email: str, agency_query: str, language_label: str, submit_label: str) -> None:
    page.goto("/accounts/signup/")
    page.fill("#id_email", email)
    page.fill("#id_first_name", "Ana")
    page.fill("#id_last_name", "López")
    page.fill(".filter-input", agency_query)
    page.fill("#id_job_title", "Investigadora")
    page.select_option("#id_preferred_language", label=language_label)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.check("#id_privacy_consent")
    page.get_by_role("button", name=submit_label).click()


def confirm_email(page, email: str) -> None:
    page.goto(verification_link(email))
    page.locator("main form button[type=submit]").click()


def sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()


@pytest.fixture
def mexican_agency(countries):
    agency = AgencyFactory(name="Policía Federal Ministerial", acronym="PFM", country=CountryFactory(code="MX"))
    AgencyEmailDomainFactory(agency=agency, domain="policia.gob.mx")
    AgencyFactory(name="Gendarmerie nationale", acronym="GN", country=CountryFactory(code="FR"))
    return agency


def test_portal_sign_up_verify_register_and_cancel(page, screenshot, mexican_agency):
    session = TrainingSessionFactory(title="Tracing illicit funds", capacity=5)

    sign_up(
        page, email="ana@policia.gob.mx", agency_query="Ministerial", language_label="English", submit_label="Sign up"
    )
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    confirm_email(page, "ana@policia.gob.mx")
    page.wait_for_url(re.compile(r"/$"))

    page.goto(f"/sessions/{session.pk}/")
    page.get_by_role("button", name="Register").click()
    page.wait_for_selector("#registration-status")
    assert "your seat is confirmed" in page.inner_text("#registration-status")
    assert page.inner_text("#meeting-link") == "https://meet.example.org/session"
    registration = Registration.objects.get(session=session, officer__user__email="ana@policia.gob.mx")
    assert registration.agency == mexican_agency
    assert [m.subject for m in mail.outbox if m.to == ["ana@policia.gob.mx"]][-1] == (
        "Registration confirmed: Tracing illicit funds"
    )

    page.get_by_role("link", name="My trainings").first.click()
    assert "Tracing illicit funds" in page.inner_text("#upcoming")

    page.goto(f"/sessions/{session.pk}/")
    page.get_by_role("button", name="Cancel my registration").click()
    page.wait_for_selector(".alert-success")
    assert "Your registration was cancelled." in page.inner_text(".messages")
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    screenshot(page, "portal_sign_up_register_cancel")


def test_portal_second_officer_waitlisted_then_promoted(browser, live_server, page, screenshot, countries):
    session = TrainingSessionFactory(title="Blockchain fundamentals", capacity=1)
    first = OfficerFactory(user__email="first@policia.gob.mx")
    second = OfficerFactory(user__email="second@policia.gob.mx")
    for officer in (first, second):
        officer.user.set_password(PASSWORD)
        officer.user.save()

    sign_in(page, "first@policia.gob.mx")
    page.goto(f"/sessions/{session.pk}/")
    page.get_by_role("button", name="Register").click()
    page.wait_for_selector("#registration-status")

    other_context = browser.new_context(base_url=live_server.url, locale="en-US", timezone_id="America/Mexico_City")
    other = other_context.new_page()
    sign_in(other, "second@policia.gob.mx")
    other.goto(f"/sessions/{session.pk}/")
    other.get_by_role("button", name="Join the waitlist").click()
    other.wait_for_selector("#registration-status")
    assert "position 1" in other.inner_text("#registration-status")
    assert other.locator("#meeting-link").count() == 0

    page.get_by_role("button", name="Cancel my registration").click()
    page.wait_for_selector(".alert-success")

    other.reload()
    assert "your seat is confirmed" in other.inner_text("#registration-status")
    assert other.inner_text("#meeting-link") == "https://meet.example.org/session"
    assert other.inner_text("#viewer-time").endswith("your time, Mexico City")
    promoted = [m for m in mail.outbox if m.to == ["second@policia.gob.mx"]]
    assert [m.subject for m in promoted] == [
        "You are on the waitlist: Blockchain fundamentals",
        "A seat is yours: Blockchain fundamentals",
    ]
    assert promoted[-1].attachments[0][0] == "session.ics"
    screenshot(other, "portal_waitlisted_then_promoted")
    other_context.close()


def test_portal_sign_up_in_spanish(page, screenshot, mexican_agency):
    session = TrainingSessionFactory(title="Rastreo de fondos ilícitos", language="es")
    page.goto("/accounts/signup/")
    page.select_option("#language-select", "es")
    page.wait_for_selector("html[lang=es]")

    sign_up(
        page,
        email="luis@policia.gob.mx",
        agency_query="Ministerial",
        language_label="Español",
        submit_label="Registrarse",
    )
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    subjects = [m.subject for m in mail.outbox if m.to == ["luis@policia.gob.mx"]]
    assert subjects == ["Confirme su dirección de correo electrónico para TrainingOps"]
    confirm_email(page, "luis@policia.gob.mx")
    page.wait_for_url(re.compile(r"/$"))

    page.goto(f"/sessions/{session.pk}/")
    page.get_by_role("button", name="Inscribirse").click()
    page.wait_for_selector("#registration-status")
    assert "su plaza está confirmada" in page.inner_text("#registration-status")
    assert [m.subject for m in mail.outbox if m.to == ["luis@policia.gob.mx"]][-1] == (
        "Inscripción confirmada: Rastreo de fondos ilícitos"
    )
    screenshot(page, "portal_sign_up_spanish")
