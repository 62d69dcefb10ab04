"""A session's title and description in English, Spanish and French, read in the reader's language
with fallback (sessions/translation.py), on every surface: portal, emails, calendar files,
certificates, back office, exports; and the migration that copied the existing text into English."""

import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar
from pypdf import PdfReader

from reports.exports import attendance_rows
from sessions.models import Attendance, Registration, TrainingSession
from sessions.services import copy_session, invite_officers
from sessions.services.certificates import issue_certificate, render_certificate_pdf
from sessions.translation import reading_order
from tests.factories import (
    AgencyFactory,
    AttendanceFactory,
    ManagerFactory,
    OfficerFactory,
    RegistrationFactory,
    SessionTrainerFactory,
    TrainerFactory,
    TrainingSessionFactory,
)

pytestmark = pytest.mark.django_db

TRILINGUAL = {
    "title": "Tracing illicit funds",
    "title_es": "Rastreo de fondos ilícitos",
    "title_fr": "Traçage des fonds illicites",
    "description": "Follow the money on-chain.",
    "description_es": "Seguir el dinero en la cadena.",
    "description_fr": "Suivre l'argent sur la chaîne.",
}


def read_in(language: str, session: TrainingSession) -> tuple[str, str]:
    with translation.override(language):
        return session.title, session.description


# --- Fallback rules ------------------------------------------------------------------------------


def test_reading_order_is_reader_then_session_language_then_english():
    assert [reading_order("fr", "es"), reading_order("es", "es"), reading_order("fr", "de")] == [
        ("fr", "es", "en"),
        ("es", "en", "fr"),
        ("fr", "en", "es"),
    ]


def test_session_without_english_text_still_reads_a_title():
    session = TrainingSessionFactory(title="", title_fr="Traçage", language="en")

    assert [read_in(language, session)[0] for language in ("en", "es")] == ["Traçage", "Traçage"]


def test_session_text_reads_each_language_when_translated():
    session = TrainingSessionFactory(**TRILINGUAL)

    assert [read_in(language, session) for language in ("en", "es", "fr")] == [
        ("Tracing illicit funds", "Follow the money on-chain."),
        ("Rastreo de fondos ilícitos", "Seguir el dinero en la cadena."),
        ("Traçage des fonds illicites", "Suivre l'argent sur la chaîne."),
    ]


def test_empty_translation_falls_back_to_the_session_language_then_english():
    spanish_taught = TrainingSessionFactory(title="Tracing illicit funds", title_es="Rastreo", language="es")
    english_taught = TrainingSessionFactory(title="Tracing illicit funds", title_es="Rastreo", language="en")

    assert [read_in("fr", spanish_taught)[0], read_in("fr", english_taught)[0], read_in("de", spanish_taught)[0]] == [
        "Rastreo",
        "Tracing illicit funds",
        "Tracing illicit funds",
    ]


def test_values_rows_fall_back_per_session_like_instances():
    TrainingSessionFactory(title="Tracing", title_es="Rastreo", language="es")
    TrainingSessionFactory(title="Seizing", title_fr="Saisie", language="en")

    with translation.override("fr"):
        rows = list(TrainingSession.objects.order_by("id").values("title", "language"))

    assert rows == [{"title": "Rastreo", "language": "es"}, {"title": "Saisie", "language": "en"}]


# --- Portal --------------------------------------------------------------------------------------


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer.user)
    return client


def titles_on(client, url: str, language: str) -> list[str]:
    client.cookies["django_language"] = language
    content = client.get(url).content.decode()
    return re.findall(r'<h3><a href="/sessions/\d+/">([^<]*)</a></h3>', content)


def test_session_list_shows_each_reader_their_language(officer_client):
    TrainingSessionFactory(**TRILINGUAL)

    shown = [titles_on(officer_client, reverse("sessions:list"), language) for language in ("en", "es", "fr")]

    assert shown == [["Tracing illicit funds"], ["Rastreo de fondos ilícitos"], ["Traçage des fonds illicites"]]


def test_landing_cards_fall_back_to_english_without_a_french_title(officer_client):
    TrainingSessionFactory(title="Tracing illicit funds", title_es="Rastreo de fondos ilícitos")

    assert [titles_on(officer_client, "/", "es"), titles_on(officer_client, "/", "fr")] == [
        ["Rastreo de fondos ilícitos"],
        ["Tracing illicit funds"],
    ]


def test_session_detail_in_spanish_shows_spanish_title_and_description(officer_client):
    session = TrainingSessionFactory(**TRILINGUAL)
    officer_client.cookies["django_language"] = "es"

    content = officer_client.get(reverse("sessions:detail", args=[session.pk])).content.decode()

    assert re.findall(r"<h1>([^<]*)</h1>", content) == ["Rastreo de fondos ilícitos"]
    assert "Seguir el dinero en la cadena." in content
    assert "Follow the money on-chain." not in content


def test_my_trainings_shows_titles_in_the_reader_language(officer_client, officer):
    session = TrainingSessionFactory(**TRILINGUAL)
    RegistrationFactory(session=session, officer=officer)
    officer_client.cookies["django_language"] = "fr"

    content = officer_client.get(reverse("sessions:my_trainings")).content.decode()

    assert re.findall(rf'<a href="/sessions/{session.pk}/">([^<]*)</a>', content) == ["Traçage des fonds illicites"]


def test_portal_search_finds_a_session_by_its_title_in_another_language(officer_client):
    TrainingSessionFactory(title="Tracing illicit funds", title_es="Rastreo de fondos ilícitos")
    TrainingSessionFactory(title="Ransomware briefing")

    found = titles_on(officer_client, reverse("sessions:list") + "?q=rastreo", "en")

    assert found == ["Tracing illicit funds"]


def test_portal_search_longer_than_allowed_is_a_form_error(officer_client):
    officer_client.cookies["django_language"] = "en"

    response = officer_client.get(reverse("sessions:list"), {"q": "x" * 101})

    assert response.status_code == 200
    assert response.context["form"].errors == {"q": ["Ensure this value has at most 100 characters (it has 101)."]}


@pytest.mark.parametrize("item_count", [1, 8])
def test_session_list_in_french_query_count_does_not_grow_with_translations(
    officer_client, django_assert_num_queries, item_count
):
    for number in range(item_count):
        TrainingSessionFactory(title=f"Session {number}", title_fr=f"Séance {number}" if number % 2 else "")
    officer_client.cookies["django_language"] = "fr"

    # The same bound as the English list (tests/sessions/test_views.py).
    with django_assert_num_queries(7):
        response = officer_client.get(reverse("sessions:list"))

    assert len(response.context["sessions"]) == item_count


# --- Emails and calendar files -------------------------------------------------------------------


def ics_summary(content: str) -> str:
    return str(Calendar.from_ical(content).walk("VEVENT")[0]["summary"])


def test_confirmation_email_and_ics_are_in_the_recipient_language(
    officer_client, officer, django_capture_on_commit_callbacks
):
    officer.preferred_language = "es"
    officer.save()
    session = TrainingSessionFactory(**TRILINGUAL)
    officer_client.cookies["django_language"] = "en"  # the page's language is not the email's

    with django_capture_on_commit_callbacks(execute=True):
        officer_client.post(reverse("sessions:register", args=[session.pk]))

    message = mail.outbox[0]
    assert message.subject == "Inscripción confirmada: Rastreo de fondos ilícitos"
    assert "Rastreo de fondos ilícitos" in message.body
    assert "Tracing illicit funds" not in message.body
    assert ics_summary(message.attachments[0][1]) == "Rastreo de fondos ilícitos"


def test_french_recipient_without_french_title_gets_the_session_language(
    officer_client, officer, django_capture_on_commit_callbacks
):
    officer.preferred_language = "fr"
    officer.save()
    session = TrainingSessionFactory(
        title="Tracing illicit funds", title_es="Rastreo de fondos ilícitos", language="es"
    )

    with django_capture_on_commit_callbacks(execute=True):
        officer_client.post(reverse("sessions:register", args=[session.pk]))

    message = mail.outbox[0]
    assert message.subject == "Inscription confirmée : Rastreo de fondos ilícitos"
    assert ics_summary(message.attachments[0][1]) == "Rastreo de fondos ilícitos"


def test_invitations_fan_out_each_in_the_invitee_language(django_capture_on_commit_callbacks):
    session = TrainingSessionFactory(title="Tracing illicit funds", title_es="Rastreo de fondos ilícitos")
    agency = AgencyFactory()
    for language in ("en", "es", "fr"):
        OfficerFactory(agency=agency, preferred_language=language, user__email=f"{language}@policia.example")

    with django_capture_on_commit_callbacks(execute=True):
        invite_officers(session=session, by=ManagerFactory(), agency_ids=[agency.pk])

    assert sorted((message.to[0], message.subject) for message in mail.outbox) == [
        ("en@policia.example", "You are invited: Tracing illicit funds"),
        ("es@policia.example", "Invitación: Rastreo de fondos ilícitos"),
        ("fr@policia.example", "Invitation : Tracing illicit funds"),
    ]


def test_calendar_download_is_in_the_requester_language(officer_client, officer):
    session = TrainingSessionFactory(**TRILINGUAL)
    RegistrationFactory(session=session, officer=officer)
    officer_client.cookies["django_language"] = "fr"

    response = officer_client.get(reverse("sessions:calendar", args=[session.pk]))

    assert ics_summary(response.content.decode()) == "Traçage des fonds illicites"


# --- Certificates --------------------------------------------------------------------------------


def certified(officer_language: str, **session_fields) -> Registration:
    start = timezone.now() - timedelta(days=2)
    session = TrainingSessionFactory(
        status=TrainingSession.Status.COMPLETED, starts_at=start, ends_at=start + timedelta(hours=3), **session_fields
    )
    SessionTrainerFactory(session=session)
    registration = RegistrationFactory(session=session, officer=OfficerFactory(preferred_language=officer_language))
    AttendanceFactory(registration=registration, status=Attendance.Status.PRESENT)
    return registration


def pdf_text(certificate) -> str:
    return "".join(
        PdfReader(io.BytesIO(render_certificate_pdf(certificate=certificate))).pages[0].extract_text().split()
    )


def test_certificate_prints_the_title_in_the_certificate_language():
    certificate = issue_certificate(registration=certified("fr", **TRILINGUAL))

    assert certificate.session_title == "Traçage des fonds illicites"
    assert "Traçagedesfondsillicites" in pdf_text(certificate)
    assert "Attestationdeparticipation" in pdf_text(certificate)


def test_certificate_without_translation_prints_the_fallback_title():
    registration = certified("fr", title="Tracing illicit funds", title_es="Rastreo", language="en")

    with translation.override("es"):  # the request's language does not matter
        certificate = issue_certificate(registration=registration)

    assert certificate.session_title == "Tracing illicit funds"


# --- Back office ---------------------------------------------------------------------------------


def test_admin_form_shows_three_languages_and_saves_them(client):
    from tests.sessions.test_admin import add_form_data

    manager = ManagerFactory()
    client.force_login(manager)
    trainer = TrainerFactory()
    data = add_form_data(**{"session_trainers-0-trainer": str(trainer.pk)}) | {
        "title_es": "Rastreo de fondos ilícitos",
        "title_fr": "Traçage des fonds illicites",
        "description_es": "Seguir el dinero.",
        "description_fr": "",
    }

    page = client.get(reverse("admin:training_trainingsession_add"))
    response = client.post(reverse("admin:training_trainingsession_add"), data)

    form = page.context["adminform"].form
    labels = [str(form.fields[name].label) for name in ("title_en", "title_es", "title_fr")]
    assert labels == ["Title (English)", "Title (Spanish)", "Title (French)"]
    assert [form.fields[name].required for name in ("title_en", "title_es", "title_fr")] == [True, False, False]
    assert response.status_code == 302
    session = TrainingSession.objects.get()
    assert [session.title_en, session.title_es, session.title_fr, session.description_es, session.description_fr] == [
        "Tracing illicit funds",
        "Rastreo de fondos ilícitos",
        "Traçage des fonds illicites",
        "Seguir el dinero.",
        "",
    ]


def test_admin_form_without_english_title_is_refused(client):
    from tests.sessions.test_admin import add_form_data

    client.force_login(ManagerFactory())

    response = client.post(
        reverse("admin:training_trainingsession_add"), add_form_data(title_en="", title_es="Solo en español")
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["title_en"] == ["This field is required."]
    assert TrainingSession.objects.count() == 0


def test_admin_search_finds_sessions_by_any_language(client):
    client.force_login(ManagerFactory())
    wanted = TrainingSessionFactory(title="Tracing illicit funds", title_fr="Traçage des fonds illicites")
    TrainingSessionFactory(title="Ransomware briefing")

    response = client.get(reverse("admin:training_trainingsession_changelist"), {"q": "traçage"})

    assert list(response.context["cl"].result_list) == [wanted]


def test_admin_registration_search_finds_session_by_spanish_title(client):
    client.force_login(ManagerFactory())
    wanted = RegistrationFactory(session=TrainingSessionFactory(title="Tracing", title_es="Rastreo"))
    RegistrationFactory()

    response = client.get(reverse("admin:training_registration_changelist"), {"q": "rastreo"})

    assert list(response.context["cl"].result_list) == [wanted]


# --- Copies, history, exports --------------------------------------------------------------------


def test_copy_session_copies_every_translation():
    session = TrainingSessionFactory(**TRILINGUAL)

    copy = copy_session(session=session, starts_at=session.starts_at + timedelta(days=30), by=ManagerFactory())

    names = ("title_en", "title_es", "title_fr", "description_en", "description_es", "description_fr")
    assert [getattr(copy, name) for name in names] == [getattr(session, name) for name in names]


def test_history_keeps_each_translation():
    session = TrainingSessionFactory(**TRILINGUAL)
    session.title_es = "Rastreo, segunda edición"
    session.save()

    versions = session.history.order_by("history_id")

    assert [(v.title_en, v.title_es, v.title_fr) for v in versions] == [
        ("Tracing illicit funds", "Rastreo de fondos ilícitos", "Traçage des fonds illicites"),
        ("Tracing illicit funds", "Rastreo, segunda edición", "Traçage des fonds illicites"),
    ]


def test_attendance_export_prints_the_english_title_in_any_language():
    start = timezone.now().replace(month=3, day=10) - timedelta(days=366)
    session = TrainingSessionFactory(
        **TRILINGUAL, status=TrainingSession.Status.COMPLETED, starts_at=start, ends_at=start + timedelta(hours=2)
    )
    AttendanceFactory(registration=RegistrationFactory(session=session))

    titles = []
    for language in ("en", "es", "fr"):
        with translation.override(language):
            titles.append(list(attendance_rows(year=start.year))[1][2])

    assert titles == ["Tracing illicit funds"] * 3


# --- The migration -------------------------------------------------------------------------------

BEFORE = [("training", "0012_invitation_request_default_agency")]
AFTER = [("training", "0013_session_text_in_three_languages")]


@pytest.mark.django_db(transaction=True)
def test_migration_copies_existing_title_and_description_into_english():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    session = old.get_model("training", "TrainingSession").objects.create(
        title="Seminario: rastreo", description="Ciudad de México"
    )
    old.get_model("training", "HistoricalTrainingSession").objects.create(
        id=session.pk, uuid=session.uuid, title="Seminario", description="", history_date=timezone.now(),
        history_type="+", created_at=timezone.now(), updated_at=timezone.now(), timezone="UTC",
    )  # fmt: skip

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    row = new.get_model("training", "TrainingSession").objects.get(pk=session.pk)
    history = new.get_model("training", "HistoricalTrainingSession").objects.get(id=session.pk)

    assert [row.title_en, row.description_en, row.title_es, row.title_fr] == [
        "Seminario: rastreo",
        "Ciudad de México",
        None,
        None,
    ]
    assert history.title_en == "Seminario"
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
