"""Knowledge checks walked in Chromium: an officer takes the pre-test from the confirmation email, later
the post-test from the survey email, on a phone; the session's trainer then sees the learning gain."""

from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.db import transaction
from django.utils import timezone

from sessions import services
from sessions.models import KnowledgeCheckAttempt, Registration, TrainingSession
from tests.browser.accessibility import DESKTOP, PHONE, assert_fits_width, assert_no_serious_violations
from tests.browser.helpers import emails_to, link_in, sign_in, verified_officer, verified_user
from tests.factories import (
    ManagerFactory,
    QuestionFactory,
    SessionTrainerFactory,
    StaffTrainerUserFactory,
    TrainerFactory,
    TrainingSessionFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def question(text: str, options: list[tuple[str, bool]]):
    made = QuestionFactory(text_en=text, text_es=f"{text} (es)", text_fr=f"{text} (fr)", options=0)
    for position, (label, correct) in enumerate(options):
        made.options.create(position=position, text_en=label, is_correct=correct)
    return made


def answer(page, questions: dict[str, str]) -> None:
    """Pick, in each question's group (its legend), the option with this label."""
    for legend, label in questions.items():
        page.locator("fieldset", has=page.locator("legend", has_text=legend)).get_by_label(label, exact=True).check()


def test_officer_takes_pre_and_post_test_and_trainer_sees_the_gain(page, screenshot, roles):
    trainer = TrainerFactory(
        user=verified_user(
            StaffTrainerUserFactory(email="tess@trainingops.example", first_name="Tess", last_name="Trainer")
        )
    )
    session = TrainingSessionFactory(title="Tracing illicit funds", starts_at=timezone.now() + timedelta(days=5))
    SessionTrainerFactory(session=session, trainer=trainer)
    mixer = question("Which service is a mixer?", [("Tornado Cash", True), ("Ledger", False)])
    kyc = question("What does KYC stand for?", [("Know your customer", True), ("Keep your coins", False)])
    with transaction.atomic():
        services.set_knowledge_check(session=session, kind="pre", questions=[mixer, kyc], by=None)
        services.set_knowledge_check(session=session, kind="post", questions=[mixer, kyc], by=None)
    officer = verified_officer("luis@policia.gob.mx", first_name="Luis", last_name="Ramírez")
    with transaction.atomic():
        registration = services.register_officer(session=session, officer=officer, source=Registration.Source.PORTAL)

    # The pre-test, from the confirmation email, on a phone.
    (confirmation,) = emails_to("luis@policia.gob.mx")
    page.set_viewport_size(PHONE)
    sign_in(page, "luis@policia.gob.mx", next_url=urlparse(link_in(confirmation, r"/pre-test/")).path)
    assert page.inner_text("h1") == "Knowledge check before the session"
    assert_no_serious_violations(page)
    assert_fits_width(page)
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_selector("[role=alert]")
    assert page.inner_text("[role=alert]") == "Please answer the questions marked below."
    answer(page, {"Which service is a mixer?": "Ledger", "What does KYC stand for?": "Know your customer"})
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_selector("#knowledge-check-result")
    assert "Your score: 1 of 2 questions right." in page.inner_text("#knowledge-check-result")
    assert_fits_width(page)
    screenshot(page, "knowledge_check_pre_test_phone")

    # The session takes place; the survey email brings the post-test.
    starts = timezone.now() - timedelta(hours=4)
    TrainingSession.objects.filter(pk=session.pk).update(starts_at=starts, ends_at=starts + timedelta(hours=3))
    session.refresh_from_db()
    registration = Registration.objects.select_related("session").get(pk=registration.pk)
    manager = ManagerFactory()
    with transaction.atomic():
        services.record_attendance(registration=registration, status="present", by=manager)
    with transaction.atomic():
        services.complete_session(session=session, by=manager)
    survey_email = emails_to("luis@policia.gob.mx")[-1]
    page.goto(link_in(survey_email, r"/knowledge-check/"))
    assert page.inner_text("h1") == "Knowledge check after the session"
    assert_no_serious_violations(page)
    assert_fits_width(page)
    answer(page, {"Which service is a mixer?": "Tornado Cash", "What does KYC stand for?": "Know your customer"})
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_selector("#knowledge-check-result")
    assert "Your score: 2 of 2 questions right." in page.inner_text("#knowledge-check-result")
    screenshot(page, "knowledge_check_post_test_phone")
    assert KnowledgeCheckAttempt.objects.count() == 2

    # The trainer's back office: the session's page shows the gain.
    page.context.clear_cookies()
    page.set_viewport_size(DESKTOP)
    sign_in(page, "tess@trainingops.example", next_url=f"/admin/training/trainingsession/{session.pk}/change/")
    summary = page.locator(".field-knowledge_checks_summary").inner_text()
    assert "Pre-test, post-test and learning gain" in summary
    assert (
        "Learning gain: +50.0 points over 1 officer who took both tests (pre-test 50.0 %, post-test 100.0 %)."
        in summary
    )
    screenshot(page, "knowledge_check_trainer_sees_gain")
