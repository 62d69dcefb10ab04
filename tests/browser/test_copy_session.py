"""A trainer runs a session again from the back office, on a phone, in Chromium."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from allauth.account.models import EmailAddress

from sessions.models import SessionTrainer, TrainingSession
from tests.factories import SessionTrainerFactory, TopicFactory, TrainerFactory, TrainingSessionFactory

PASSWORD = "correct-horse-battery"  # set by UserFactory


@pytest.mark.django_db(transaction=True)
def test_trainer_copies_a_session_to_new_dates_on_a_phone(page, screenshot, countries, roles):
    trainer = TrainerFactory(user__email="lena@trainingops.example")
    EmailAddress.objects.update_or_create(
        user=trainer.user, email=trainer.user.email, defaults={"verified": True, "primary": True}
    )
    start = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    session = TrainingSessionFactory(
        title="Tracing illicit funds",
        status=TrainingSession.Status.COMPLETED,
        starts_at=start,
        ends_at=start + timedelta(hours=6),
        timezone="America/Mexico_City",
    )
    session.topics.set([TopicFactory()])
    SessionTrainerFactory(session=session, trainer=trainer, role=SessionTrainer.Role.LEAD)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/admin/training/trainingsession/{session.pk}/copy/")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.fill("input[name=login]", "lena@trainingops.example")
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(re.compile(r"/copy/$"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    page.fill("input[name=starts_at_0]", "2026-09-01")
    page.fill("input[name=starts_at_1]", "08:00")
    page.get_by_role("button", name="Make the copy").click()

    page.wait_for_url(re.compile(r"/admin/training/trainingsession/\d+/change/$"))
    copy = TrainingSession.objects.exclude(pk=session.pk).get()
    assert (copy.title, copy.status, copy.starts_at) == (
        "Tracing illicit funds",
        TrainingSession.Status.DRAFT,
        datetime(2026, 9, 1, 14, 0, tzinfo=UTC),
    )
    assert list(copy.session_trainers.values_list("trainer_id", "role")) == [(trainer.pk, "lead")]
    screenshot(page, "admin-copy-session-phone")
