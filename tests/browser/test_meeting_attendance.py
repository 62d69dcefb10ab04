"""A trainer uploads Zoom's participant report, checks the preview, confirms, and sees the roll call marked."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from sessions.models import Attendance, Registration
from tests.browser.helpers import sign_in, verified_user
from tests.factories import (
    AgencyFactory,
    OfficerFactory,
    RegistrationFactory,
    SessionTrainerFactory,
    TrainerFactory,
    TrainingSessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

ZOOM = Path(__file__).parent.parent / "data" / "meeting_reports" / "zoom_participants.csv"


def test_trainer_imports_a_zoom_report_and_sees_the_statuses_on_the_roll_call(page, live_server, screenshot, roles):
    trainer = TrainerFactory(user__email="lena@trainingops.example")
    verified_user(trainer.user)
    ends = timezone.now() - timedelta(minutes=10)
    session = TrainingSessionFactory(
        title="Investigación financiera", starts_at=ends - timedelta(hours=2), ends_at=ends
    )
    SessionTrainerFactory(session=session, trainer=trainer)

    def register(email, first, last):
        user = UserFactory(email=email, first_name=first, last_name=last)
        return RegistrationFactory(session=session, officer=OfficerFactory(user=user))

    maria = register("maria.perez@policia.example", "María José", "Pérez")
    jean = register("jean.dupont@gendarmerie.example", "Jean", "Dupont")
    zoe = register("zoe.l@interieur.example", "Zoé", "Lefèvre")
    AgencyFactory(name="Policía Nacional del Perú")
    roll_call = reverse("admin:training_trainingsession_roll_call", args=[session.pk])

    sign_in(page, "lena@trainingops.example", next_url=roll_call)
    page.wait_for_url(f"**{roll_call}")
    page.locator("#meeting-attendance-link").click()
    page.set_input_files("#id_report", str(ZOOM))
    page.get_by_role("button", name="Preview").click()

    preview = page.locator("#meeting-preview tbody tr")
    expect(preview).to_have_count(3)
    expect(preview.nth(0)).to_contain_text("María José Pérez")
    expect(preview.nth(0)).to_contain_text("111")
    expect(preview.nth(0)).to_contain_text("Present")
    expect(preview.nth(2)).to_contain_text("by name: confirm")
    expect(page.locator("#meeting-unmatched")).to_contain_text("Ana Gómez")
    screenshot(page, "meeting-attendance-preview")
    assert Attendance.objects.count() == 0

    preview.nth(2).get_by_role("checkbox").check()
    ana = page.locator("#meeting-unmatched tbody tr", has_text="Ana Gómez")
    ana.get_by_role("checkbox").check()
    ana.locator("select").select_option(label="Policía Nacional del Perú")
    page.get_by_role("button", name="Save the attendance").click()

    page.wait_for_url(f"**{roll_call}")
    expect(page.get_by_text("Attendance saved from the meeting report: 3 changed, 1 walk-ins added.")).to_be_visible()
    for registration, status in ((maria, "present"), (jean, "absent"), (zoe, "partial")):
        expect(page.locator(f"#roll-{registration.pk} input[value={status}]")).to_be_checked()
    walk_in = Registration.objects.get(source=Registration.Source.WALK_IN)
    expect(page.locator(f"#roll-{walk_in.pk}")).to_contain_text("Ana Gómez")
    screenshot(page, "meeting-attendance-roll-call")
