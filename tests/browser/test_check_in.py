"""A trainer checks people in at the door of a workshop in Mexico City on a phone, with and without a network.

The scans are made by entering codes signed by the server's own module (``sessions.checkin_codes``), as a
scanner that types does, and by searching by name; the browser is put offline with Playwright.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from sessions.models import Registration, SessionTrainer, TrainingSession
from tests.browser.accessibility import PHONE, assert_fits_width, assert_no_serious_violations
from tests.browser.helpers import sign_in, verified_user
from tests.factories import (
    AgencyFactory,
    CountryFactory,
    OfficerFactory,
    RegistrationFactory,
    SessionTrainerFactory,
    TrainerFactory,
    TrainingSessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

TRAINER_EMAIL = "lena@trainingops.example"
RESULT_WITHIN_MS = 200

# The time from submitting a code to its result on the page, measured in the page.
SCAN_AND_TIME = """([code, expected]) => new Promise((resolve) => {
  const name = document.getElementById("check-in-result-name");
  const observer = new MutationObserver(() => {
    if (name.textContent === expected) { observer.disconnect(); resolve(performance.now() - started); }
  });
  observer.observe(name, { childList: true, characterData: true, subtree: true });
  document.getElementById("check-in-code").value = code;
  const started = performance.now();
  document.getElementById("check-in-code-form").requestSubmit();
})"""

KEPT_ON_DEVICE = """async () => ({
  caches: (await caches.keys()).length,
  workers: (await navigator.serviceWorker.getRegistrations()).length,
  databases: (await indexedDB.databases()).map((database) => database.name),
})"""


@pytest.fixture
def workshop(countries, roles):
    """A workshop in Mexico City happening now: three confirmed investigators, one cancelled seat."""
    trainer = TrainerFactory(user__email=TRAINER_EMAIL, user__first_name="Lena")
    verified_user(trainer.user)
    starts = timezone.now() - timedelta(hours=1)
    session = TrainingSessionFactory(
        title="Tracing illicit funds",
        format=TrainingSession.Format.IN_PERSON,
        city="Mexico City",
        starts_at=starts,
        ends_at=starts + timedelta(hours=7),
        timezone="America/Mexico_City",
        capacity=35,
    )
    SessionTrainerFactory(session=session, trainer=trainer, role=SessionTrainer.Role.LEAD)
    agency = AgencyFactory(name="Fiscalía General de la República", acronym="FGR", country=CountryFactory(code="MX"))
    people = [("Ana", "López"), ("Bruno", "Benítez"), ("Carla", "Cruz"), ("Diego", "Domínguez")]
    registrations = []
    for index, (first, last) in enumerate(people):
        user = UserFactory(first_name=first, last_name=last, email=f"officer{index}@fgr.example")
        registrations.append(RegistrationFactory(session=session, officer=OfficerFactory(user=user, agency=agency)))
    registrations[3].status = Registration.Status.CANCELLED
    registrations[3].save(update_fields=["status"])
    return {"session": session, "registrations": registrations, "trainer": trainer}


def open_check_in(page, session):
    url = reverse("sessions:check_in", args=[session.pk])
    page.set_viewport_size(PHONE)
    sign_in(page, TRAINER_EMAIL, next_url=url)
    page.wait_for_url(f"**{url}")
    expect(page.locator("#check-in[data-ready=true]")).to_have_count(1)
    # The page's service worker has kept the page and taken it over: it now opens offline too.
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    return url


def test_check_in_page_fits_a_phone_and_passes_axe(page, workshop, screenshot):
    open_check_in(page, workshop["session"])

    assert_fits_width(page)
    assert_no_serious_violations(page)
    page.fill("#check-in-code", "not a code")
    page.locator("#check-in-code-form button[type=submit]").click()
    expect(page.locator("#check-in-result-name")).to_have_text("This is not a check-in code of TrainingOps.")
    assert_fits_width(page)
    assert_no_serious_violations(page)
    screenshot(page, "check-in-phone-empty")


def test_check_in_page_opens_offline_and_its_worker_keeps_to_it_until_sign_out(page, workshop):
    url = open_check_in(page, workshop["session"])

    # Offline, the page comes from the device.
    page.context.set_offline(True)
    page.reload()
    expect(page.locator("#check-in[data-ready=true]")).to_have_count(1)
    expect(page.locator("#check-in-network")).to_have_text(
        "Offline: scans are kept on this device and sent when the network is back."
    )
    page.context.set_offline(False)

    # No other page goes through the check-in page's worker.
    page.goto("/sessions/")
    assert page.evaluate("navigator.serviceWorker.controller") is None
    page.goto(url)
    assert page.evaluate(KEPT_ON_DEVICE)["workers"] == 1

    # Signing out clears what the page kept on the device.
    page.locator("label[for=nav-toggle]").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(lambda current: "/check-in/" not in current)
    assert page.evaluate(KEPT_ON_DEVICE) == {"caches": 0, "workers": 0, "databases": []}


def test_check_in_page_refuses_a_trainer_of_another_session(page, workshop):
    other = TrainerFactory(user__email="marc@trainingops.example")
    verified_user(other.user)
    url = reverse("sessions:check_in", args=[workshop["session"].pk])
    sign_in(page, "marc@trainingops.example")

    response = page.goto(url)

    assert response.status == 403
    assert page.locator("#check-in").count() == 0


def test_check_in_page_is_not_found_for_an_officer(page, workshop):
    officer = workshop["registrations"][0].officer
    verified_user(officer.user)
    url = reverse("sessions:check_in", args=[workshop["session"].pk])
    sign_in(page, officer.user.email)

    response = page.goto(url)

    assert response.status == 404
