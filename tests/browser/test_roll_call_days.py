"""Sessions of several days on a phone: the trainer's roll of one day (the session's attendance follows), the
officer's session page listing the days."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import formats, timezone
from playwright.sync_api import expect

from sessions.models import Attendance, DayAttendance, SessionTrainer, TrainingSession
from tests.browser.accessibility import assert_fits_width, assert_no_serious_violations
from tests.browser.helpers import sign_in, verified_officer, verified_user
from tests.factories import (
    RegistrationFactory,
    SessionDayFactory,
    SessionTrainerFactory,
    TrainerFactory,
    TrainingSessionFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def three_days(roles):
    """A workshop (UTC) over three days, the last today, with four confirmed officers."""
    trainer = TrainerFactory(user__email="lena@trainingops.example", user__first_name="Lena")
    verified_user(trainer.user)
    midnight = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    session = TrainingSessionFactory(
        title="Tracing illicit funds: three-day workshop",
        format=TrainingSession.Format.IN_PERSON,
        starts_at=midnight - timedelta(days=2),
        ends_at=midnight + timedelta(hours=23),
    )
    SessionTrainerFactory(session=session, trainer=trainer, role=SessionTrainer.Role.LEAD)
    days = [
        SessionDayFactory(
            session=session,
            date=(midnight - timedelta(days=offset)).date(),
            starts_at_time=time(0),
            ends_at_time=time(4),
        )
        for offset in (2, 1, 0)
    ]
    registrations = RegistrationFactory.create_batch(4, session=session)
    return {"session": session, "days": days, "registrations": registrations}


def test_trainer_takes_the_roll_of_one_day_on_a_phone(page, live_server, screenshot, three_days):
    session, days, registrations = three_days["session"], three_days["days"], three_days["registrations"]
    roll_call = reverse("admin:training_trainingsession_roll_call", args=[session.pk])
    page.set_viewport_size(PHONE)
    sign_in(page, "lena@trainingops.example", next_url=roll_call)
    page.wait_for_url(f"**{roll_call}")

    # Today's roll first; the first day is one tap away.
    expect(page.locator("#roll-days a[aria-current=page]")).to_have_count(1)
    page.locator("#roll-days a").first.click()
    page.wait_for_url(f"**{roll_call}?day={days[0].pk}")
    assert page.locator(".roll-row input[name^=note-]").count() == 0
    page.locator(f"#roll-{registrations[0].pk} label.roll-absent").click()
    expect(page.locator(f"#roll-{registrations[0].pk} .roll-feedback")).to_have_text("Saved")
    page.get_by_role("button", name="All confirmed present").click()
    expect(page.get_by_text("Roll call saved.")).to_be_visible()
    assert_fits_width(page)
    assert_no_serious_violations(page)
    screenshot(page, "admin-roll-call-day-phone")

    assert sorted(DayAttendance.objects.filter(day=days[0]).values_list("status", flat=True)) == [
        "absent",
        "present",
        "present",
        "present",
    ]
    assert sorted(Attendance.objects.filter(session=session).values_list("status", flat=True)) == [
        "absent",
        "partial",
        "partial",
        "partial",
    ]


def test_officer_reads_the_days_of_a_workshop_on_a_phone(page, screenshot):
    officer = verified_officer("ana@policia.gob.mx")
    zone = ZoneInfo("America/Mexico_City")
    first = (timezone.now() + timedelta(days=20)).astimezone(zone).date()
    session = TrainingSessionFactory(
        title="Tracing illicit funds: three-day workshop",
        timezone="America/Mexico_City",
        starts_at=datetime.combine(first, time(9), tzinfo=zone),
        ends_at=datetime.combine(first + timedelta(days=2), time(13), tzinfo=zone),
    )
    for offset, ends in ((0, time(17)), (1, time(17)), (2, time(13))):
        SessionDayFactory(
            session=session, date=first + timedelta(days=offset), starts_at_time=time(9), ends_at_time=ends
        )

    page.set_viewport_size(PHONE)
    sign_in(page, officer.user.email)
    page.goto(f"/sessions/{session.pk}/")

    expect(page.locator("#session-days li")).to_have_count(3)
    assert (
        page.locator("#session-days li").last.inner_text()
        == f"{formats.date_format(first + timedelta(days=2))}, 9 a.m. – 1 p.m."
    )
    assert_fits_width(page)
    assert_no_serious_violations(page)
    screenshot(page, "portal-session-days-phone")
