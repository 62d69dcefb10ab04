"""Personal check-in codes (module, email, My trainings, session page) and self check-in pages."""

import base64
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from messaging.models import OutboundMessage
from sessions import checkin_codes, selectors
from sessions.check_in_views import self_check_in_url
from sessions.models import Attendance, CheckIn, Registration, TrainingSession
from sessions.services import cancel_registration, register_officer
from tests.factories import (
    ManagerFactory,
    OfficerFactory,
    RegistrationFactory,
    SessionTrainerFactory,
    TrainerFactory,
    TrainingSessionFactory,
)
from trainingops import qr

pytestmark = pytest.mark.django_db


# --- The code ------------------------------------------------------------------------------------


def test_code_round_trip_gives_session_and_registration():
    registration = RegistrationFactory()

    payload = checkin_codes.read_code(checkin_codes.sign_code(registration=registration))

    assert payload == checkin_codes.CodePayload(session_id=registration.session_id, registration_id=registration.pk)


def test_code_format_matches_the_contract():
    registration = RegistrationFactory()
    code = checkin_codes.sign_code(registration=registration)

    prefix, rest = code[:4], code[4:]
    payload, signature = rest.split(".")

    assert prefix == "TO1:"
    assert base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)) == (
        f'{{"s":{registration.session_id},"r":{registration.pk}}}'.encode()
    )
    assert "=" not in code
    assert len(base64.urlsafe_b64decode(signature + "==")) == 64


def test_code_verifies_with_the_public_key_alone():
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    code = checkin_codes.sign_code(registration=RegistrationFactory())
    payload, signature = code[4:].split(".")
    raw = base64.urlsafe_b64decode(checkin_codes.public_key() + "=")

    Ed25519PublicKey.from_public_bytes(raw).verify(base64.urlsafe_b64decode(signature + "=="), payload.encode())


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "malformed"),
        (None, "malformed"),
        ("TO2:abc.def", "malformed"),
        ("TO1:", "malformed"),
        ("TO1:abc", "malformed"),
        ("TO1:" + "a" * 400, "malformed"),
        ("TO1:éé.AAAA", "malformed"),
        ("TO1:eyJzIjoxLCJyIjoyfQ." + "A" * 86, "bad_signature"),
    ],
)
def test_code_unreadable_refused_with_reason(text, reason):
    with pytest.raises(checkin_codes.InvalidCode) as refused:
        checkin_codes.read_code(text)

    assert refused.value.reason == reason


def test_code_signed_with_another_key_is_bad_signature(settings):
    registration = RegistrationFactory()
    settings.CHECKIN_SIGNING_KEY = base64.b64encode(b"another-key-of-exactly-32-bytes!").decode()
    forged = checkin_codes.sign_code(registration=registration)
    settings.CHECKIN_SIGNING_KEY = base64.b64encode(b"test-only-check-in-key-32-bytes!").decode()

    with pytest.raises(checkin_codes.InvalidCode) as refused:
        checkin_codes.read_code(forged)

    assert refused.value.reason == "bad_signature"


# --- The confirmation email ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "subject", "sentence"),
    [
        ("en", "Registration confirmed", "Your personal check-in code is attached (check-in-code.png)"),
        ("es", "Inscripción confirmada", "Su código personal de registro de asistencia va adjunto (check-in-code.png)"),
        ("fr", "Inscription confirmée", "Votre code personnel d’enregistrement est joint (check-in-code.png)"),
    ],
)
def test_confirmation_email_attaches_the_personal_code(django_capture_on_commit_callbacks, language, subject, sentence):
    session = TrainingSessionFactory(title="Tracing")
    officer = OfficerFactory(user__email="ana@policia.gob.mx", preferred_language=language)

    with django_capture_on_commit_callbacks(execute=True):
        registration = register_officer(session=session, officer=officer, by=officer.user, source="portal")

    [email] = mail.outbox
    assert email.to == ["ana@policia.gob.mx"]
    assert email.subject.startswith(subject)
    assert sentence in email.body
    assert [(name, mimetype) for name, _content, mimetype in email.attachments] == [
        ("session.ics", "text/calendar"),
        ("check-in-code.png", "image/png"),
    ]
    png = email.attachments[1][1]
    assert png == qr.qr_png(checkin_codes.sign_code(registration=registration))
    assert png.startswith(b"\x89PNG")
    # Registering only queued the code's text: the image is drawn by the worker that sends the email.
    [stored] = [item for item in OutboundMessage.objects.get().attachments if item["filename"] == "check-in-code.png"]
    assert (stored["encoding"], stored["content"]) == ("qr-code", checkin_codes.sign_code(registration=registration))


# --- The code on My trainings and the session page ------------------------------------------------


@pytest.fixture
def officer_client(client):
    officer = OfficerFactory()
    client.force_login(officer.user)
    client.officer = officer
    return client


@pytest.mark.parametrize("kind", ["svg", "png"])
def test_personal_code_image_for_its_officer(officer_client, kind):
    registration = RegistrationFactory(officer=officer_client.officer)

    response = officer_client.get(reverse("sessions:check_in_code", args=[registration.pk, kind]))

    assert response.status_code == 200
    assert response["Content-Type"] == {"svg": "image/svg+xml", "png": "image/png"}[kind]
    assert response["Cache-Control"] == "private, no-store"
    text = checkin_codes.sign_code(registration=registration)
    expected = qr.qr_png(text) if kind == "png" else qr.qr_svg(text)
    assert response.content == expected


def test_personal_code_image_of_someone_else_is_404(officer_client):
    registration = RegistrationFactory()

    response = officer_client.get(reverse("sessions:check_in_code", args=[registration.pk, "svg"]))

    assert response.status_code == 404


def test_personal_code_image_unknown_kind_is_404(officer_client):
    registration = RegistrationFactory(officer=officer_client.officer)

    assert officer_client.get(f"/my-trainings/{registration.pk}/check-in-code.gif").status_code == 404


def test_personal_code_image_after_cancellation_is_404(officer_client):
    registration = RegistrationFactory(officer=officer_client.officer)
    cancel_registration(registration=registration, by=officer_client.officer.user)

    response = officer_client.get(reverse("sessions:check_in_code", args=[registration.pk, "svg"]))

    assert response.status_code == 404


def test_personal_code_image_needs_login(client):
    registration = RegistrationFactory()

    response = client.get(reverse("sessions:check_in_code", args=[registration.pk, "svg"]))

    assert response.status_code == 302


def test_my_trainings_shows_code_for_confirmed_seat_only(officer_client):
    confirmed = RegistrationFactory(officer=officer_client.officer)
    waitlisted = RegistrationFactory(
        officer=officer_client.officer, status=Registration.Status.WAITLISTED, waitlist_position=1
    )

    page = officer_client.get(reverse("sessions:my_trainings")).content.decode()

    assert reverse("sessions:check_in_code", args=[confirmed.pk, "svg"]) in page
    assert reverse("sessions:check_in_code", args=[waitlisted.pk, "svg"]) not in page


def test_session_page_shows_code_to_the_confirmed_officer(officer_client):
    registration = RegistrationFactory(officer=officer_client.officer)

    page = officer_client.get(reverse("sessions:detail", args=[registration.session_id])).content.decode()

    assert reverse("sessions:check_in_code", args=[registration.pk, "svg"]) in page


# --- Self check-in --------------------------------------------------------------------------------

START = timezone.now().replace(microsecond=0) + timedelta(days=1)


@pytest.fixture
def venue_session():
    return TrainingSessionFactory(starts_at=START, ends_at=START + timedelta(hours=3), self_check_in=True)


def self_url(session):
    return reverse("sessions:self_check_in", args=[session.pk, selectors.self_check_in_token(session)])


def test_self_check_in_during_session_marks_present(officer_client, venue_session):
    registration = RegistrationFactory(session=venue_session, officer=officer_client.officer)

    with time_machine.travel(START + timedelta(minutes=10), tick=False):
        shown = officer_client.get(self_url(venue_session))
        response = officer_client.post(self_url(venue_session))

    assert 'id="self-check-in-button"' in shown.content.decode()
    assert CheckIn.objects.count() == 1 or shown.status_code != 200
    assert response.status_code == 200
    assert "Checked in." in response.content.decode()
    check_in = CheckIn.objects.get()
    assert (check_in.via, check_in.recorded_by, check_in.scanned_at) == (
        "self",
        officer_client.officer.user,
        START + timedelta(minutes=10),
    )
    attendance = Attendance.objects.get(registration=registration)
    assert (attendance.status, attendance.checked_in_at) == ("present", START + timedelta(minutes=10))


def test_self_check_in_get_records_nothing(officer_client, venue_session):
    RegistrationFactory(session=venue_session, officer=officer_client.officer)

    with time_machine.travel(START, tick=False):
        officer_client.get(self_url(venue_session))

    assert CheckIn.objects.count() == 0


def test_self_check_in_twice_is_already_checked_in(officer_client, venue_session):
    RegistrationFactory(session=venue_session, officer=officer_client.officer)

    with time_machine.travel(START + timedelta(minutes=5), tick=False):
        officer_client.post(self_url(venue_session))
    with time_machine.travel(START + timedelta(minutes=50), tick=False):
        response = officer_client.post(self_url(venue_session))

    assert "Already checked in." in response.content.decode()
    assert Attendance.objects.get().checked_in_at == START + timedelta(minutes=5)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (START - timedelta(minutes=31), "Check-in opens at"),
        (START - timedelta(minutes=29), "Checked in."),
        (START + timedelta(hours=3, seconds=-1), "Checked in."),
        (START + timedelta(hours=3), "Check-in for this session is closed."),
    ],
)
def test_self_check_in_window(officer_client, venue_session, moment, expected):
    RegistrationFactory(session=venue_session, officer=officer_client.officer)

    with time_machine.travel(moment, tick=False):
        shown = officer_client.get(self_url(venue_session)).content.decode()
        posted = officer_client.post(self_url(venue_session)).content.decode()

    if expected == "Checked in.":
        assert expected in posted
        assert CheckIn.objects.count() == 1
    else:
        assert expected in shown
        assert CheckIn.objects.count() == 0
        assert "Check-in is open only" in posted


def test_self_check_in_without_seat_or_cancelled_is_refused(officer_client, venue_session):
    with time_machine.travel(START, tick=False):
        nobody = officer_client.post(self_url(venue_session)).content.decode()
        registration = RegistrationFactory(session=venue_session, officer=officer_client.officer)
        cancel_registration(registration=registration, by=officer_client.officer.user)
        cancelled = officer_client.post(self_url(venue_session)).content.decode()

    assert "No registration of this session matches." in nobody
    assert "This registration was cancelled." in cancelled
    assert CheckIn.objects.count() == 0


def test_self_check_in_wrong_token_or_switched_off_is_404(officer_client, venue_session):
    other = TrainingSessionFactory(starts_at=START, self_check_in=False)

    wrong = reverse("sessions:self_check_in", args=[venue_session.pk, "0" * 32])
    off = reverse("sessions:self_check_in", args=[other.pk, selectors.self_check_in_token(other)])

    assert officer_client.get(wrong).status_code == 404
    assert officer_client.get(off).status_code == 404


def test_self_check_in_token_differs_per_session():
    first, second = TrainingSessionFactory.create_batch(2)

    assert selectors.self_check_in_token(first) != selectors.self_check_in_token(second)
    assert len(selectors.self_check_in_token(first)) == 32


def test_self_check_in_needs_login(client, venue_session):
    response = client.get(self_url(venue_session))

    assert response.status_code == 302


# --- The back office's check-in codes page -------------------------------------------------------


@override_settings(SITE_URL="https://training.example.org")
def test_check_in_codes_page_shows_self_link_and_personal_codes_to_trainer(client, venue_session):
    trainer = TrainerFactory()
    SessionTrainerFactory(session=venue_session, trainer=trainer)
    registration = RegistrationFactory(session=venue_session)
    client.force_login(trainer.user)

    response = client.get(reverse("admin:training_trainingsession_check_in_codes", args=[venue_session.pk]))
    image = client.get(
        reverse("admin:training_trainingsession_personal_code_image", args=[venue_session.pk, registration.pk])
    )
    venue_image = client.get(reverse("admin:training_trainingsession_self_check_in_image", args=[venue_session.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert self_check_in_url(venue_session) in page
    assert self_check_in_url(venue_session).startswith("https://training.example.org/sessions/")
    assert str(registration.officer) in page
    assert image.content == qr.qr_svg(checkin_codes.sign_code(registration=registration))
    assert venue_image.content == qr.qr_svg(self_check_in_url(venue_session))


def test_check_in_codes_page_other_trainer_is_403(client, venue_session):
    trainer = TrainerFactory()
    client.force_login(trainer.user)

    response = client.get(reverse("admin:training_trainingsession_check_in_codes", args=[venue_session.pk]))

    assert response.status_code == 403


def test_self_check_in_switched_on_in_back_office_form(client):
    manager = ManagerFactory()
    session = TrainingSessionFactory(status=TrainingSession.Status.DRAFT)
    client.force_login(manager)
    form_page = client.get(reverse("admin:training_trainingsession_change", args=[session.pk])).content.decode()

    assert 'name="self_check_in"' in form_page
