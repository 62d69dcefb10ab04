"""Pages reached from a personal emailed link, walked in Chromium: the invitation RSVP and the survey."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from sessions import services
from sessions.models import Attendance, Invitation, Registration, SurveyResponse, TrainingSession
from tests.browser.helpers import PASSWORD, emails_to, link_in, verified_officer
from tests.factories import (
    AgencyEmailDomainFactory,
    AgencyFactory,
    AttendanceFactory,
    CountryFactory,
    InvitationFactory,
    ManagerFactory,
    OfficerFactory,
    RegistrationFactory,
    SurveyFactory,
    SurveyResponseFactory,
    TopicFactory,
    TrainingSessionFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def policia():
    agency = AgencyFactory(name="Policía Federal Ministerial", acronym="PFM", country=CountryFactory(code="MX"))
    AgencyEmailDomainFactory(agency=agency, domain="policia.gob.mx")
    return agency


def invite(session, pasted: str, language: str = "en") -> None:
    """What the back office's "Invite officers…" form does; the worker (eager here) sends the emails."""
    with transaction.atomic():
        services.invite_officers(session=session, by=ManagerFactory(), pasted=pasted, language=language)


def test_invitation_accepted_by_a_new_officer_signs_up_and_registers(page, screenshot, policia):
    session = TrainingSessionFactory(title="Rastreo de fondos ilícitos", language="es")
    invite(session, "luis@policia.gob.mx", language="es")
    (message,) = emails_to("luis@policia.gob.mx")
    assert message.subject == "Invitación: Rastreo de fondos ilícitos"

    page.goto(link_in(message, r"/invitations/"))
    assert page.inner_text("html").count("Rastreo de fondos ilícitos") >= 1
    assert page.locator("html").get_attribute("lang") == "es"
    page.get_by_role("button", name="Aceptar").click()

    # Sign-up, with the invited address already filled in.
    page.wait_for_url("**/accounts/signup/**")
    assert page.locator("#id_email").input_value() == "luis@policia.gob.mx"
    page.fill("#id_first_name", "Luis")
    page.fill("#id_last_name", "Ramírez")
    page.fill(".filter-input", "Ministerial")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.check("#id_privacy_consent")
    page.get_by_role("button", name="Registrarse").click()

    # Back on the invitation, registered without a second click.
    page.wait_for_url(f"**/invitations/{Invitation.objects.get().token}/")
    page.wait_for_selector(".invitation .success")
    assert page.inner_text(".invitation .success") == (
        "Está inscrito. Recibirá una confirmación con un archivo de calendario en su bandeja de entrada."
    )
    registration = Registration.objects.get(session=session, officer__user__email="luis@policia.gob.mx")
    assert (registration.status, registration.source) == (Registration.Status.CONFIRMED, "invitation")
    assert Invitation.objects.get().status == Invitation.Status.ACCEPTED
    assert [m.subject for m in emails_to("luis@policia.gob.mx")][-1] == (
        "Inscripción confirmada: Rastreo de fondos ilícitos"
    )
    screenshot(page, "invitation_accepted_new_officer")


def test_invitation_accepted_by_an_existing_officer_to_a_full_session_waitlists(page, screenshot, policia):
    session = TrainingSessionFactory(title="Blockchain fundamentals", capacity=1)
    RegistrationFactory(session=session, officer=OfficerFactory(agency=policia))
    verified_officer("ana@policia.gob.mx", agency=policia)
    invite(session, "ana@policia.gob.mx")
    (message,) = emails_to("ana@policia.gob.mx")

    page.goto(link_in(message, r"/invitations/"))
    page.get_by_role("button", name="Accept").click()
    page.wait_for_url("**/accounts/login/**")
    assert page.locator("#id_login").input_value() == "ana@policia.gob.mx"
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.wait_for_selector(".invitation .success")
    assert page.inner_text(".invitation .success") == (
        "The session is full: you are on the waitlist (position 1). We will email you if a seat frees up."
    )
    registration = Registration.objects.get(session=session, officer__user__email="ana@policia.gob.mx")
    assert (registration.status, registration.waitlist_position) == (Registration.Status.WAITLISTED, 1)
    screenshot(page, "invitation_accepted_waitlisted")


def test_invitation_declined_without_an_account(page, screenshot, policia):
    session = TrainingSessionFactory(title="Blockchain fundamentals")
    invite(session, "pedro@policia.gob.mx")
    (message,) = emails_to("pedro@policia.gob.mx")

    page.goto(link_in(message, r"/invitations/"))
    assert "This invitation was sent to pedro@policia.gob.mx." in page.inner_text(".invitation")
    page.get_by_role("button", name="Decline").click()
    page.wait_for_selector(".invitation[data-state=declined]")

    assert page.inner_text(".invitation .state") == "You declined this invitation. Thank you for letting us know."
    assert page.get_by_role("button", name="Accept").count() == 0
    assert Invitation.objects.get().status == Invitation.Status.DECLINED
    assert not Registration.objects.exists()
    screenshot(page, "invitation_declined")


def test_survey_in_the_attendee_language_validates_then_records_one_answer(page, screenshot):
    TopicFactory(slug="aml", name="Anti-money-laundering", name_es="Prevención del lavado de dinero")
    starts = timezone.now() - timedelta(days=1)
    session = TrainingSessionFactory(
        title="Rastreo de fondos ilícitos", starts_at=starts, ends_at=starts + timedelta(hours=3)
    )
    attendee = verified_officer("luis@policia.gob.mx", first_name="Luis", last_name="Ramírez", preferred_language="es")
    AttendanceFactory(
        registration=RegistrationFactory(session=session, officer=attendee), status=Attendance.Status.PRESENT
    )
    with transaction.atomic():
        services.complete_session(session=session, by=ManagerFactory())
    assert TrainingSession.objects.get().status == TrainingSession.Status.COMPLETED
    (message,) = emails_to("luis@policia.gob.mx")

    page.goto(link_in(message, r"/surveys/"))
    assert page.inner_text("h1") == "Su opinión"
    page.get_by_role("button", name="Enviar mis respuestas").click()
    page.wait_for_selector("[role=alert]")
    assert page.inner_text("[role=alert]") == "Corrija las respuestas señaladas abajo."
    assert page.inner_text("#overall_rating-error") == "Elija una valoración de 1 a 5."
    assert page.inner_text("#recommend_score-error") == "Elija una puntuación de 0 a 10."
    screenshot(page, "survey_errors_spanish")

    for name, value in (
        ("overall_rating", "5"),
        ("usefulness_rating", "4"),
        ("trainer_rating", "5"),
        ("recommend_score", "9"),
    ):
        page.locator(f"fieldset:has(input[name={name}])").get_by_label(value, exact=True).check()
    page.get_by_label("Prevención del lavado de dinero").check()
    page.fill("textarea[name=comments]", "Muy útil para nuestros casos.")
    page.get_by_role("button", name="Enviar mis respuestas").click()
    page.wait_for_selector("h1:has-text('Gracias')")

    response = SurveyResponse.objects.get()
    assert (response.overall_rating, response.recommend_score, response.comments) == (
        5,
        9,
        "Muy útil para nuestros casos.",
    )
    assert [topic.slug for topic in response.topics_wanted.all()] == ["aml"]

    page.reload()
    assert page.inner_text("h1") == "Ya respondida"
    screenshot(page, "survey_already_answered")


def test_personal_links_that_no_longer_work_say_so(page, screenshot):
    closed = TrainingSessionFactory(
        title="Blockchain fundamentals", registration_closes_at=timezone.now() - timedelta(hours=1)
    )
    expired = InvitationFactory(session=closed, email="pedro@policia.gob.mx", language="fr")
    survey = SurveyFactory(
        session=TrainingSessionFactory(title="Tracing illicit funds", status=TrainingSession.Status.COMPLETED),
        closes_at=timezone.now() - timedelta(days=1),
    )
    late = SurveyResponseFactory(survey=survey, registration=RegistrationFactory(session=survey.session), language="fr")

    page.goto(f"/invitations/{expired.token}/")
    assert page.inner_text(".invitation .state") == (
        "Cette invitation a expiré : les inscriptions à la session sont closes."
    )
    assert page.get_by_role("button", name="Accepter").count() == 0
    screenshot(page, "invitation_expired")

    page.goto(f"/surveys/{late.token}/")
    assert page.inner_text("h1") == "Questionnaire clos"

    response = page.goto("/invitations/not-a-real-token/")
    assert response.status == 404
    assert page.inner_text("h1") == "Page not found"
