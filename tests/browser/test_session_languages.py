"""In Chromium: switching the portal's language changes the sessions' titles, with fallback."""

import pytest

from sessions.models import TrainingSession
from tests.browser.helpers import sign_in, verified_officer, verified_user
from tests.factories import SessionTrainerFactory, TrainerFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db(transaction=True)


def card_titles(page) -> list[str]:
    return [title.strip() for title in page.locator(".grid h3").all_inner_texts()]


def switch_to(page, language: str) -> None:
    page.select_option("#language-select", language)
    page.wait_for_selector(f"html[lang={language}]")


def test_switching_language_changes_session_titles(page, screenshot):
    verified_officer("ana@policia.gob.mx")
    tracing = TrainingSessionFactory(
        title="Tracing illicit funds",
        title_es="Rastreo de fondos ilícitos",
        title_fr="Traçage des fonds illicites",
        description="Follow the money on-chain.",
        description_es="Seguir el dinero en la cadena.",
    )
    TrainingSessionFactory(
        title="Seizing crypto assets", title_es="Decomiso de criptoactivos", language="es", starts_at=tracing.ends_at
    )
    sign_in(page, "ana@policia.gob.mx")
    page.goto("/sessions/")
    assert card_titles(page) == ["Tracing illicit funds", "Seizing crypto assets"]

    switch_to(page, "es")
    assert card_titles(page) == ["Rastreo de fondos ilícitos", "Decomiso de criptoactivos"]
    screenshot(page, "portal_session_titles_es")

    # No French title for the second: it is shown in the language it is taught in.
    switch_to(page, "fr")
    assert card_titles(page) == ["Traçage des fonds illicites", "Decomiso de criptoactivos"]

    page.get_by_role("link", name="Traçage des fonds illicites").click()
    page.wait_for_url(f"**/sessions/{tracing.pk}/")
    assert page.inner_text("h1") == "Traçage des fonds illicites"
    # No French description: the session is taught in English, so the English one is shown.
    assert page.get_by_text("Follow the money on-chain.").count() == 1
    screenshot(page, "portal_session_detail_fr_fallback")


def test_trainer_writes_a_title_in_three_languages_in_the_back_office(page, screenshot, roles):
    trainer = TrainerFactory(user__email="lena@trainingops.example")
    verified_user(trainer.user)
    session = TrainingSessionFactory(title="Tracing illicit funds", status=TrainingSession.Status.DRAFT)
    SessionTrainerFactory(session=session, trainer=trainer)
    page.set_viewport_size({"width": 1400, "height": 1000})
    sign_in(page, trainer.user.email, next_url=f"/admin/training/trainingsession/{session.pk}/change/")

    labels = page.locator("fieldset").first.locator("label").all_inner_texts()
    assert labels == [
        "Title (English):",
        "Description (English):",
        "Title (Spanish):",
        "Description (Spanish):",
        "Title (French):",
        "Description (French):",
    ]
    page.fill("input[name=title_es]", "Rastreo de fondos ilícitos")
    page.fill("input[name=title_fr]", "Traçage des fonds illicites")
    screenshot(page, "admin_session_title_three_languages")
    page.click("input[name=_continue]")
    page.wait_for_selector("text=was changed successfully")

    session.refresh_from_db()
    assert (session.title_en, session.title_es, session.title_fr) == (
        "Tracing illicit funds",
        "Rastreo de fondos ilícitos",
        "Traçage des fonds illicites",
    )
