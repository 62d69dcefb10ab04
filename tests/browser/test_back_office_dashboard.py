"""A trainer's back office in Chromium: the home dashboard, the calendar on a desk and on a phone, and a
double-booking warned about once."""

import re
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from sessions.models import TrainingSession
from tests.browser.helpers import PASSWORD, verified_user
from tests.factories import SessionTrainerFactory, TrainerFactory, TrainingSessionFactory

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def trained_session(trainer, **fields):
    session = TrainingSessionFactory(**fields)
    SessionTrainerFactory(session=session, trainer=trainer)
    return session


def sign_in_to_back_office(page, email):
    page.goto("/admin/")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(re.compile(r"/admin/$"))


@pytest.mark.django_db(transaction=True)
def test_trainer_works_from_the_dashboard_and_the_calendar(page, screenshot, countries, roles):
    trainer = TrainerFactory(user__email="lena@trainingops.example", user__first_name="Lena", user__last_name="Roth")
    verified_user(trainer.user)
    now = timezone.now().replace(second=0, microsecond=0)
    trained_session(trainer, title="Tracing illicit funds", starts_at=now, ends_at=now + timedelta(hours=2))
    next_week = (now + timedelta(days=7)).astimezone(UTC).replace(hour=10, minute=0)
    trained_session(
        trainer, title="Seizing digital assets", starts_at=next_week, ends_at=next_week + timedelta(hours=2)
    )
    later = trained_session(
        trainer,
        title="AML case studies",
        status=TrainingSession.Status.DRAFT,
        timezone="UTC",
        starts_at=next_week + timedelta(hours=4),
        ends_at=next_week + timedelta(hours=6),
    )

    # The dashboard: this week's session, and the draft to publish.
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_to_back_office(page, "lena@trainingops.example")
    this_week = page.locator("#this-week")
    this_week.get_by_role("link", name="Tracing illicit funds").wait_for()
    assert page.locator("#drafts").get_by_role("link").all_inner_texts() == ["AML case studies"]
    assert "times in Paris" in page.locator(".back-office-home").inner_text()
    screenshot(page, "back-office-dashboard")

    # The calendar, week by week, on a desk: the days side by side.
    page.get_by_role("link", name="Open the calendar").click()
    page.wait_for_url(re.compile(r"/calendar/\?view=week"))
    page.get_by_role("link", name="Next week →").click()
    page.get_by_role("link", name="Seizing digital assets").wait_for()
    days = page.locator(".calendar-week > li")
    assert days.nth(0).bounding_box()["y"] == days.nth(1).bounding_box()["y"]
    screenshot(page, "back-office-calendar-week-desktop")

    # On a phone: the days stack, nothing scrolls sideways, in the week and in the month.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert days.nth(1).bounding_box()["y"] > days.nth(0).bounding_box()["y"]
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    screenshot(page, "back-office-calendar-week-phone")
    page.get_by_role("link", name="Month", exact=True).click()
    page.wait_for_url(re.compile(r"view=month"))
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    screenshot(page, "back-office-calendar-month-phone")
    page.goto("/admin/")
    page.locator("#this-week").wait_for()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    screenshot(page, "back-office-dashboard-phone")

    # Moving the draft onto the other session warns once; saving it again does not repeat it.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/admin/training/trainingsession/{later.pk}/change/")
    page.fill("input[name=starts_at_1]", "11:00")
    page.fill("input[name=ends_at_1]", "13:00")
    page.locator("input[name=_continue]").click()
    warnings = page.locator("ul.messagelist li.warning")
    warnings.first.wait_for()
    seen_in_paris = next_week.astimezone(ZoneInfo("Europe/Paris"))  # the browser's zone
    period = f"{seen_in_paris:%-d %b %H:%M}–{seen_in_paris + timedelta(hours=2):%H:%M}"
    assert warnings.all_inner_texts() == [
        f"Double-booked with “Seizing digital assets” ({period} (Paris)): trainer Lena Roth."
    ]
    page.locator("input[name=_continue]").click()
    page.locator("ul.messagelist li.success").wait_for()
    assert warnings.count() == 0
    screenshot(page, "back-office-double-booking-once")
