"""A trainer schedules a session in the back office, end to end in Chromium."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from sessions.models import SessionTrainer, TrainingSession
from tests.factories import TrainerFactory

PASSWORD = "correct-horse-battery"  # set by UserFactory


@pytest.mark.django_db(transaction=True)
def test_trainer_drafts_assigns_and_publishes_a_session(page, screenshot, countries, roles):
    trainer = TrainerFactory(user__first_name="Lena", user__last_name="Okonkwo", user__email="lena@trainingops.example")
    EmailAddress.objects.update_or_create(
        user=trainer.user, email=trainer.user.email, defaults={"verified": True, "primary": True}
    )
    day = (timezone.now() + timedelta(days=30)).date().isoformat()

    # The admin sends the trainer through allauth's sign-in page.
    page.set_viewport_size({"width": 1600, "height": 900})
    page.goto("/admin/")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.fill("input[name=login]", "lena@trainingops.example")
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(re.compile(r"/admin/$"))

    # Draft a seminar in Mexico City time, with the trainer assigned as lead.
    page.goto("/admin/training/trainingsession/add/")
    # Times are typed in the session's zone: no note about the browser being ahead of the server.
    assert page.locator(".timezonewarning").count() == 0
    page.fill("input[name=title_en]", "Tracing illicit funds — Mexico City")
    page.select_option("select[name=format]", TrainingSession.Format.VIRTUAL)
    page.select_option("select[name=timezone]", "America/Mexico_City")
    page.fill("input[name=starts_at_0]", day)
    page.fill("input[name=starts_at_1]", "09:00")
    page.fill("input[name=ends_at_0]", day)
    page.fill("input[name=ends_at_1]", "17:00")
    page.fill("input[name=meeting_url]", "https://meet.example.org/tracing")
    page.fill("input[name=capacity]", "35")
    page.click("#session_trainers-0 .select2-selection")
    page.fill(".select2-search--dropdown .select2-search__field", "Okonkwo")
    page.click(".select2-results__option:has-text('Lena Okonkwo')")
    page.click("input[name=_save]")
    page.wait_for_selector("text=was added successfully")

    session = TrainingSession.objects.get()
    assert session.status == TrainingSession.Status.DRAFT
    assert session.starts_at.astimezone(UTC).time() == datetime(2000, 1, 1, 15, 0, tzinfo=UTC).time()
    assert list(session.session_trainers.values_list("trainer", "role")) == [(trainer.pk, SessionTrainer.Role.LEAD)]

    # Publish it with the changelist action.
    page.check(f"input[name=_selected_action][value='{session.pk}']")
    page.select_option("select[name=action]", "publish_sessions")
    page.click("button[name=index]")
    page.wait_for_selector("text=“Tracing illicit funds — Mexico City” is published.")
    screenshot(page, "admin_trainer_publishes_session")

    session.refresh_from_db()
    assert session.status == TrainingSession.Status.PUBLISHED
