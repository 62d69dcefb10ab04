"""A trainer takes a roll call of 35 on a phone, adds a walk-in without an account, who later signs up."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from agencies.models import PendingOfficer
from sessions.models import Attendance, Registration, SessionTrainer, TrainingSession
from tests.browser.helpers import PASSWORD, emails_to, link_in, sign_in, verified_user
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

PHONE = {"width": 390, "height": 844}
FIRST_NAMES = ["Ana", "Bruno", "Carla", "Diego", "Elena", "Fernando", "Gabriela", "Hugo", "Inés", "Javier", "Karina"]
LAST_NAMES = ["Álvarez", "Benítez", "Cruz", "Domínguez", "Escobar", "Fuentes", "Guzmán", "Herrera", "Ibarra"]
WALK_IN_EMAIL = "zoe.martin@interieur.example"


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def line(page, registration):
    return page.locator(f"#roll-{registration.pk}")


@pytest.fixture
def workshop(countries, roles):
    """An in-person workshop in Mexico City that ended an hour ago, with 35 confirmed investigators."""
    trainer = TrainerFactory(user__email="lena@trainingops.example", user__first_name="Lena")
    verified_user(trainer.user)
    starts = timezone.now() - timedelta(hours=7)
    session = TrainingSessionFactory(
        title="Tracing illicit funds",
        format=TrainingSession.Format.IN_PERSON,
        city="Mexico City",
        starts_at=starts,
        ends_at=starts + timedelta(hours=6),
        timezone="America/Mexico_City",
        capacity=35,
    )
    SessionTrainerFactory(session=session, trainer=trainer, role=SessionTrainer.Role.LEAD)
    agency = AgencyFactory(name="Fiscalía General de la República", acronym="FGR", country=CountryFactory(code="MX"))
    registrations = []
    for index in range(35):
        first, last = FIRST_NAMES[index % len(FIRST_NAMES)], LAST_NAMES[index // len(FIRST_NAMES)]
        user = UserFactory(first_name=first, last_name=f"{last} {index:02d}", email=f"officer{index:02d}@fgr.example")
        registrations.append(RegistrationFactory(session=session, officer=OfficerFactory(user=user, agency=agency)))
    gendarmerie = AgencyFactory(name="Gendarmerie nationale", acronym="GN", country=CountryFactory(code="FR"))
    return {"session": session, "registrations": registrations, "gendarmerie": gendarmerie}


def test_trainer_takes_a_roll_call_of_35_on_a_phone_and_the_walk_in_claims_it(
    page, browser, live_server, screenshot, workshop
):
    session, registrations = workshop["session"], workshop["registrations"]
    absent, partial, noted = registrations[0], registrations[1], registrations[2]
    roll_call = reverse("admin:training_trainingsession_roll_call", args=[session.pk])
    page.set_viewport_size(PHONE)
    sign_in(page, "lena@trainingops.example", next_url=roll_call)
    page.wait_for_url(f"**{roll_call}")
    assert page.locator(".roll-row").count() == 35
    assert no_sideways_scroll(page)

    # Taps are saved one by one, without reloading the page.
    line(page, absent).locator("label.roll-absent").click()
    expect(line(page, absent).locator(".roll-feedback")).to_have_text("Saved")
    line(page, partial).locator("label.roll-partial").click()
    expect(line(page, partial).locator(".roll-feedback")).to_have_text("Saved")
    line(page, noted).locator("label.roll-present").click()
    line(page, noted).locator("input[name^=note-]").fill("Arrived at 10:15")
    line(page, noted).locator("input[name^=note-]").press("Tab")
    expect(line(page, noted).locator(".roll-feedback")).to_have_text("Saved")
    assert Attendance.objects.get(registration=noted).note == "Arrived at 10:15"

    # The search filters the list as one types, by name, agency or email, accents or not.
    page.fill("#roll-search", "benitez 13")
    expect(page.locator(".roll-row:visible")).to_have_count(1)
    assert page.locator(".roll-row:visible .roll-name").inner_text() == "Carla Benítez 13"
    page.fill("#roll-search", "fgr")
    expect(page.locator(".roll-row:visible")).to_have_count(35)
    page.fill("#roll-search", "nobody here")
    expect(page.locator("#roll-no-match")).to_be_visible()
    page.fill("#roll-search", "")

    page.get_by_role("button", name="All confirmed present").click()
    expect(page.get_by_text("Roll call saved.")).to_be_visible()
    assert no_sideways_scroll(page)

    # A walk-in without an account.
    page.fill("#id_name", "Zoé Martin")
    page.fill("#id_email", WALK_IN_EMAIL)
    page.select_option("#id_agency", label="Gendarmerie nationale (GN)")
    page.get_by_role("button", name="Add walk-in").click()
    expect(page.get_by_text("Zoé Martin was added as a walk-in: Present.")).to_be_visible()
    assert page.locator(".roll-row").count() == 36
    assert no_sideways_scroll(page)
    screenshot(page, "admin-roll-call-phone")

    saved = dict(Attendance.objects.filter(session=session).values_list("registration_id", "status"))
    expected = {registration.pk: "present" for registration in registrations}
    expected.update({absent.pk: "absent", partial.pk: "partial"})
    walk_in = Registration.objects.get(session=session, pending_officer__email=WALK_IN_EMAIL)
    assert saved == {**expected, walk_in.pk: "present"}
    assert (walk_in.officer, walk_in.source, walk_in.agency) == (None, "walk_in", workshop["gendarmerie"])

    # The walk-in signs up with that address on their own phone and confirms it.
    context = browser.new_context(base_url=live_server.url, locale="en-US", viewport=PHONE)
    phone = context.new_page()
    phone.goto("/accounts/signup/")
    phone.fill("#id_email", WALK_IN_EMAIL)
    phone.fill("#id_first_name", "Zoé")
    phone.fill("#id_last_name", "Martin")
    phone.fill(".filter-input", "Gendarmerie")
    phone.fill("#id_password1", PASSWORD)
    phone.fill("#id_password2", PASSWORD)
    phone.check("#id_privacy_consent")
    phone.get_by_role("button", name="Sign up").click()
    phone.wait_for_url("**/accounts/confirm-email/")
    (message,) = emails_to(WALK_IN_EMAIL)
    phone.goto(link_in(message, r"/accounts/confirm-email/"))
    phone.locator("main form button[type=submit]").click()
    phone.wait_for_url(lambda url: "/confirm-email/" not in url)

    walk_in.refresh_from_db()
    assert walk_in.officer.user.email == WALK_IN_EMAIL
    assert PendingOfficer.objects.get().claimed_by == walk_in.officer
    phone.goto("/my-trainings/")
    attended = phone.locator("#past :is(tr, li, article)", has_text="Tracing illicit funds")
    expect(attended).to_have_count(1)
    assert "Present" in attended.inner_text()
    screenshot(phone, "portal-walk-in-claimed-phone")
    context.close()

    page.goto(roll_call)
    assert page.locator(f"#roll-{walk_in.pk} .roll-name").inner_text() == "Zoé Martin"
