"""A trainer checks people in at the door of a workshop in Mexico City on a phone, with and without a network.

The scans are made by entering codes signed by the server's own module (``sessions.checkin_codes``), as a
scanner that types does, and by searching by name; the browser is put offline with Playwright.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from sessions import checkin_codes
from sessions.models import Attendance, CheckIn, Registration, SessionTrainer, TrainingSession
from tests.browser.accessibility import PHONE, assert_fits_width, assert_no_serious_violations
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.helpers import sign_in, verified_user
from tests.factories import (
    AgencyFactory,
    CountryFactory,
    ManagerFactory,
    OfficerFactory,
    RegistrationFactory,
    SessionTrainerFactory,
    TrainerFactory,
    TrainingSessionFactory,
    UserFactory,
)
from trainingops import qr

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


def scan(page, code: str) -> None:
    page.fill("#check-in-code", code)
    page.locator("#check-in-code-form button[type=submit]").click()


def row(page, registration):
    return page.locator(f".check-in-scan[data-registration='{registration.pk}']")


def test_trainer_checks_in_offline_and_each_scan_reaches_the_server_once(page, workshop, screenshot):
    session, (ana, bruno, carla, diego) = workshop["session"], workshop["registrations"]
    other_session = TrainingSessionFactory()
    other_code = checkin_codes.sign_code(registration=RegistrationFactory(session=other_session))
    url = open_check_in(page, session)
    expect(page.locator("#check-in-roster")).to_contain_text("List of 3 confirmed seats saved on this device at")

    # Online: a code gives who it is within 200 ms, and is recorded at once.
    elapsed = page.evaluate(SCAN_AND_TIME, [checkin_codes.sign_code(registration=ana), "Ana López"])
    assert elapsed < RESULT_WITHIN_MS
    assert int(page.locator("#check-in-result").get_attribute("data-elapsed-ms")) < RESULT_WITHIN_MS
    expect(page.locator("#check-in-result-detail")).to_have_text("Fiscalía General de la República (FGR) · Checked in")
    expect(row(page, ana)).to_have_attribute("data-status", "checked_in")
    assert CheckIn.objects.filter(registration=ana).count() == 1

    # Offline: more scans, decided on the device and kept for later.
    page.context.set_offline(True)
    expect(page.locator("#check-in-network")).to_have_text(
        "Offline: scans are kept on this device and sent when the network is back."
    )
    elapsed = page.evaluate(SCAN_AND_TIME, [checkin_codes.sign_code(registration=bruno), "Bruno Benítez"])
    assert elapsed < RESULT_WITHIN_MS
    page.fill("#check-in-search", "cruz")
    page.get_by_role("button", name="Check in: Carla Cruz").click()
    expect(page.locator("#check-in-result-name")).to_have_text("Carla Cruz")
    scan(page, checkin_codes.sign_code(registration=ana))
    expect(page.locator("#check-in-result-name")).to_have_text("Ana López")
    expect(page.locator("#check-in-result-detail")).to_have_text(
        f"Fiscalía General de la República (FGR) · Already checked in at {ana_time(ana)}"
    )
    scan(page, other_code)
    expect(page.locator("#check-in-result-name")).to_have_text("This code is for another session.")
    forged = checkin_codes.sign_code(registration=bruno)[:-6] + "AAAAAA"
    scan(page, forged)
    expect(page.locator("#check-in-result-name")).to_have_text(
        "This code is forged or altered: its signature does not match."
    )
    expect(row(page, bruno).locator(".check-in-scan-status")).to_have_text("Waiting to sync")
    expect(page.locator("#check-in-pending")).to_have_text("2 waiting to sync")
    assert_fits_width(page)
    assert_no_serious_violations(page)
    screenshot(page, "check-in-phone-offline")

    # Closing the tab offline and opening the page again loses nothing.
    page.close()
    page = workshop_page = page.context.new_page()
    page.goto(url)
    expect(page.locator("#check-in[data-ready=true]")).to_have_count(1)
    expect(page.locator("#check-in-pending")).to_have_text("2 waiting to sync")
    expect(row(page, carla)).to_have_attribute("data-status", "waiting")
    assert CheckIn.objects.filter(session=session).count() == 1

    # Back online: the kept scans are sent, each recorded once.
    workshop_page.context.set_offline(False)
    expect(page.locator("#check-in-pending")).to_have_text("All scans sent")
    expect(row(page, bruno)).to_have_attribute("data-status", "checked_in")
    expect(row(page, carla)).to_have_attribute("data-status", "checked_in")
    page.evaluate("window.trainingOpsCheckIn.sync()")
    page.reload()
    expect(page.locator("#check-in[data-ready=true]")).to_have_count(1)
    assert sorted(CheckIn.objects.filter(session=session).values_list("registration_id", flat=True)) == sorted(
        [ana.pk, bruno.pk, carla.pk]
    )
    present = Attendance.objects.filter(registration__session=session, status=Attendance.Status.PRESENT)
    assert sorted(present.values_list("registration_id", flat=True)) == sorted([ana.pk, bruno.pk, carla.pk])
    assert not CheckIn.objects.filter(registration=diego).exists()

    # A cancelled seat's code: the server's refusal is shown on its row.
    scan(page, checkin_codes.sign_code(registration=diego))
    expect(row(page, diego)).to_have_attribute("data-status", "refused")
    expect(row(page, diego).locator(".check-in-scan-status")).to_have_text("This registration was cancelled.")
    assert_fits_width(page)


def ana_time(registration) -> str:
    """When the registration was checked in, as the page shows it: hours and minutes in the session's zone."""
    checked_in_at = Attendance.objects.get(registration=registration).checked_in_at
    return timezone.localtime(checked_in_at, registration.session.timezone).strftime("%H:%M")


def test_check_in_page_reads_a_code_from_a_photo(page, workshop):
    ana = workshop["registrations"][0]
    open_check_in(page, workshop["session"])

    page.set_input_files(
        "#check-in-photo",
        files=[
            {
                "name": "code.png",
                "mimeType": "image/png",
                "buffer": qr.qr_png(checkin_codes.sign_code(registration=ana)),
            }
        ],
    )

    expect(page.locator("#check-in-result-name")).to_have_text("Ana López")
    expect(row(page, ana)).to_have_attribute("data-status", "checked_in")
    assert CheckIn.objects.filter(registration=ana).count() == 1


def test_two_devices_scan_the_same_officer_offline_and_the_earliest_scan_is_kept(browser, live_server, page, workshop):
    session, bruno = workshop["session"], workshop["registrations"][1]
    manager = verified_user(ManagerFactory(email="maria@trainingops.example"))
    code = checkin_codes.sign_code(registration=bruno)
    # The second device: a manager's phone at the other door.
    other_context = browser.new_context(base_url=live_server.url, locale="en-US", viewport=PHONE)
    other = other_context.new_page()
    sign_in(other, manager.email, next_url=reverse("sessions:check_in", args=[session.pk]))
    expect(other.locator("#check-in[data-ready=true]")).to_have_count(1)
    other.wait_for_function("navigator.serviceWorker.controller !== null")
    open_check_in(page, session)

    other_context.set_offline(True)
    page.context.set_offline(True)
    scan(other, code)
    expect(other.locator("#check-in-result-name")).to_have_text("Bruno Benítez")
    page.wait_for_timeout(50)
    scan(page, code)
    expect(page.locator("#check-in-result-name")).to_have_text("Bruno Benítez")

    # The later scan reaches the server first; the earlier one, synced after, is the one kept.
    page.context.set_offline(False)
    expect(row(page, bruno)).to_have_attribute("data-status", "checked_in")
    other_context.set_offline(False)
    expect(row(other, bruno)).not_to_have_attribute("data-status", "waiting")

    scans = list(CheckIn.objects.filter(registration=bruno).order_by("scanned_at"))
    assert len(scans) == 2
    assert Attendance.objects.get(registration=bruno).checked_in_at == scans[0].scanned_at
    assert scans[0].recorded_by == manager
    other_context.close()


def camera_film(path, text: str) -> None:
    """A few seconds of a camera filming the printed code: MJPEG frames, as Chromium's fake camera reads them."""
    from io import BytesIO

    from PIL import Image

    code = Image.open(BytesIO(qr.qr_png(text))).convert("RGB")
    code.thumbnail((400, 400))
    frame = Image.new("RGB", (640, 480), "white")
    frame.paste(code, ((640 - code.width) // 2, (480 - code.height) // 2))
    buffer = BytesIO()
    frame.save(buffer, format="JPEG", quality=90)
    path.write_bytes(buffer.getvalue() * 30)


def test_check_in_page_scans_a_code_with_the_camera(browser, live_server, workshop, tmp_path):
    carla = workshop["registrations"][2]
    film = tmp_path / "camera.mjpeg"
    camera_film(film, checkin_codes.sign_code(registration=carla))
    camera_browser = browser.browser_type.launch(
        executable_path=str(CHROMIUM),
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={film}",
        ],
    )
    context = camera_browser.new_context(base_url=live_server.url, locale="en-US")
    context.grant_permissions(["camera"])
    page = context.new_page()
    try:
        open_check_in(page, workshop["session"])
        page.get_by_role("button", name="Scan with the camera").click()

        expect(page.locator("#check-in-result-name")).to_have_text("Carla Cruz")
        expect(row(page, carla)).to_have_attribute("data-status", "checked_in")
        page.get_by_role("button", name="Stop the camera").click()
        expect(page.locator("#check-in-camera")).to_be_hidden()
    finally:
        camera_browser.close()
    assert CheckIn.objects.filter(registration=carla).count() == 1


EXPIRE_KEPT_DATA = """() => new Promise((resolve, reject) => {
  const opening = indexedDB.open("trainingops-check-in");
  opening.onsuccess = () => {
    const transaction = opening.result.transaction(["rosters", "scans"], "readwrite");
    for (const name of ["rosters", "scans"]) {
      transaction.objectStore(name).openCursor().onsuccess = (event) => {
        const cursor = event.target.result;
        if (!cursor) return;
        cursor.update({ ...cursor.value, expires: Date.now() - 1 });
        cursor.continue();
      };
    }
    transaction.oncomplete = () => { opening.result.close(); resolve(true); };
  };
  opening.onerror = () => reject(opening.error);
})"""
NO_ED25519 = """(() => {
  const importKey = crypto.subtle.importKey.bind(crypto.subtle);
  crypto.subtle.importKey = (format, key, algorithm, ...rest) =>
    algorithm && algorithm.name === "Ed25519"
      ? Promise.reject(new DOMException("Unsupported", "NotSupportedError"))
      : importKey(format, key, algorithm, ...rest);
})();"""


def test_roster_and_sent_scans_kept_on_the_device_expire(page, workshop):
    ana, bruno = workshop["registrations"][:2]
    open_check_in(page, workshop["session"])
    expect(page.locator("#check-in-roster")).to_contain_text("List of 3 confirmed seats")
    scan(page, checkin_codes.sign_code(registration=ana))
    expect(row(page, ana)).to_have_attribute("data-status", "checked_in")
    page.context.set_offline(True)
    scan(page, checkin_codes.sign_code(registration=bruno))
    expect(row(page, bruno)).to_have_attribute("data-status", "waiting")

    page.evaluate(EXPIRE_KEPT_DATA)
    page.reload()
    expect(page.locator("#check-in[data-ready=true]")).to_have_count(1)

    # The names go with the roster; the scan not sent yet stays until it is.
    assert page.locator("#check-in-roster").inner_text() == ""
    assert page.locator(".check-in-scan").evaluate_all("rows => rows.map((row) => row.dataset.status)") == ["waiting"]
    scan(page, checkin_codes.sign_code(registration=ana))
    expect(page.locator("#check-in-result-name")).to_have_text(
        "The list of confirmed seats is not on this device yet: connect once to load it."
    )
    assert (
        page.evaluate(
            "() => new Promise((resolve) => { const o = indexedDB.open('trainingops-check-in');"
            " o.onsuccess = () => { const r = o.result.transaction('rosters').objectStore('rosters').count();"
            " r.onsuccess = () => resolve(r.result); }; })"
        )
        == 0
    )


def test_browser_without_ed25519_accepts_a_code_until_the_server_refuses_it(page, workshop):
    bruno = workshop["registrations"][1]
    page.add_init_script(NO_ED25519)
    open_check_in(page, workshop["session"])
    page.context.set_offline(True)

    forged = checkin_codes.sign_code(registration=bruno)[:-6] + "AAAAAA"
    scan(page, forged)

    expect(page.locator("#check-in-result-name")).to_have_text("Bruno Benítez")
    expect(page.locator("#check-in-result-detail")).to_have_text(
        "Fiscalía General de la República (FGR) · Checked in on this device; the server confirms the code when it syncs."
    )
    expect(row(page, bruno)).to_have_attribute("data-status", "waiting")
    page.context.set_offline(False)
    expect(row(page, bruno)).to_have_attribute("data-status", "refused")
    expect(row(page, bruno).locator(".check-in-scan-status")).to_have_text(
        "This code was not issued by this site or has been altered."
    )
    assert not CheckIn.objects.filter(registration=bruno).exists()


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
