"""Virtual attendance from a meeting report: matching, thresholds, idempotency, atomicity, the command, the admin."""

from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from sessions import services
from sessions.meeting_reports import parse_meeting_report
from sessions.models import Attendance, PendingMeetingReport, Registration
from sessions.tasks import purge_expired_meeting_reports
from tests.factories import (
    AgencyFactory,
    OfficerFactory,
    RegistrationFactory,
    SessionTrainerFactory,
    TrainerFactory,
    TrainingSessionFactory,
    UserFactory,
)
from trainingops.actors import acting

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).parent.parent / "data" / "meeting_reports"
ZOOM = SAMPLES / "zoom_participants.csv"


def report(name="zoom_participants.csv"):
    return parse_meeting_report((SAMPLES / name).read_bytes())


def register(session, email, first, last):
    officer = OfficerFactory(user=UserFactory(email=email, first_name=first, last_name=last))
    return RegistrationFactory(session=session, officer=officer)


@pytest.fixture
def session(trainer):
    """Two hours, ended a few minutes ago: 90 minutes present (75 %), 30 partial (25 %)."""
    ends = timezone.now() - timedelta(minutes=5)
    session = TrainingSessionFactory(starts_at=ends - timedelta(hours=2), ends_at=ends)
    SessionTrainerFactory(session=session, trainer=trainer)
    return session


@pytest.fixture
def roll(session):
    return {
        "maria": register(session, "Maria.Perez@policia.example", "María José", "Pérez"),
        "jean": register(session, "jean.dupont@gendarmerie.example", "Jean", "Dupont"),
        "zoe": register(session, "zoe.l@interieur.example", "Zoé", "Lefèvre"),
    }


def statuses(session):
    return {
        attendance.registration.officer.user.email.lower(): attendance.status
        for attendance in Attendance.objects.filter(
            registration__session=session, registration__officer__isnull=False
        ).select_related("registration__officer__user")
    }


@pytest.mark.parametrize("name", ["zoom_participants.csv", "teams_attendance.csv", "webex_attendees.csv"])
def test_plan_matches_by_email_then_by_name_and_weighs_time(session, roll, name):
    plan = services.plan_meeting_attendance(session=session, report=report(name))

    matched = [(line.registration, line.matched_by, line.participant.minutes, line.status) for line in plan.matched]
    assert matched == [
        (roll["maria"], "email", 111, "present"),
        (roll["jean"], "email", 20, "absent"),
        (roll["zoe"], "name", 45, "partial"),
    ]
    assert [line.participant.name for line in plan.unmatched][:1] == ["Ana Gómez"]


def test_thresholds_are_the_sessions_own(session, roll):
    session.present_threshold_percent, session.partial_threshold_percent = 95, 10
    session.save()

    plan = services.plan_meeting_attendance(session=session, report=report())

    assert [line.status for line in plan.matched] == ["partial", "partial", "partial"]


def test_import_saves_email_matches_and_confirmed_name_matches_only(session, roll, trainer):
    result = services.import_meeting_attendance(session=session, report=report(), by=trainer.user)

    assert (result.saved, result.unconfirmed) == (2, 1)
    assert statuses(session) == {"maria.perez@policia.example": "present", "jean.dupont@gendarmerie.example": "absent"}
    history = Attendance.history.filter(registration_id=roll["maria"].pk).get()
    assert history.history_user == trainer.user

    zoe_key = next(
        line.participant.key
        for line in services.plan_meeting_attendance(session=session, report=report()).matched
        if line.matched_by == "name"
    )
    services.import_meeting_attendance(session=session, report=report(), by=trainer.user, confirmed_names={zoe_key})

    assert statuses(session)["zoe.l@interieur.example"] == "partial"


def test_importing_the_same_file_again_changes_nothing(session, roll, trainer):
    agency = AgencyFactory()
    walk_ins = {"ana.gomez@pnp.example": agency}
    services.import_meeting_attendance(session=session, report=report(), by=trainer.user, walk_ins=walk_ins)
    rows = (Attendance.history.count(), Registration.objects.count())

    result = services.import_meeting_attendance(session=session, report=report(), by=trainer.user, walk_ins=walk_ins)

    assert (result.saved, result.walk_ins) == (0, 0)
    assert (Attendance.history.count(), Registration.objects.count()) == rows
    walk_in = Registration.objects.get(source=Registration.Source.WALK_IN)
    assert (walk_in.pending_officer.name, walk_in.attendance.status) == ("Ana Gómez", "present")


def test_a_note_already_written_is_kept(session, roll, trainer):
    services.record_attendance(registration=roll["jean"], status="partial", by=trainer.user, note="poor connection")

    services.import_meeting_attendance(session=session, report=report(), by=trainer.user)

    attendance = Attendance.objects.get(registration=roll["jean"])
    assert (attendance.status, attendance.note) == ("absent", "poor connection")


def test_an_error_mid_way_saves_nothing(session, roll, trainer):
    with (
        mock.patch("sessions.services.meeting_attendance.add_walk_in", side_effect=services.AttendanceError("boom")),
        pytest.raises(services.AttendanceError),
    ):
        services.import_meeting_attendance(
            session=session, report=report(), by=trainer.user, walk_ins={"ana.gomez@pnp.example": AgencyFactory()}
        )

    assert Attendance.objects.count() == 0
    assert Registration.objects.filter(source=Registration.Source.WALK_IN).count() == 0


def test_walk_in_without_email_is_refused(session, roll, trainer):
    with pytest.raises(services.AttendanceError) as refused:
        services.import_meeting_attendance(
            session=session, report=report(), by=trainer.user, walk_ins={"name:ipad de sala 3": AgencyFactory()}
        )

    assert str(refused.value.message) == "iPad de Sala 3 has no email in the report: add them from the roll call."
    assert Attendance.objects.count() == 0


def test_command_records_attendance_as_the_command(session, roll, capsys):
    with acting(name="command import_meeting_attendance"):
        call_command("import_meeting_attendance", "--session", str(session.pk), str(ZOOM))

    out = capsys.readouterr().out
    assert "Zoom report: 5 participants." in out
    assert "Zoë LEFÈVRE: 45 min, partial (by name, needs --accept-name-matches)" in out
    assert "Ana Gómez: 100 min, not on the roll" in out
    assert "Saved 2 attendance records; nothing else changed." in out
    history = Attendance.history.filter(registration_id=roll["maria"].pk).get()
    assert (history.history_user, history.history_actor) == (None, "command import_meeting_attendance")


def test_command_dry_run_saves_nothing(session, roll, capsys):
    call_command("import_meeting_attendance", "--session", str(session.pk), str(ZOOM), "--dry-run")

    assert "Dry run: nothing was saved." in capsys.readouterr().out
    assert Attendance.objects.count() == 0


def test_command_accepts_name_matches_when_asked(session, roll):
    call_command("import_meeting_attendance", "--session", str(session.pk), str(ZOOM), "--accept-name-matches")

    assert statuses(session)["zoe.l@interieur.example"] == "partial"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--session", "999999", str(ZOOM)], "No training session has the id 999999."),
        (
            ["--session", "{pk}", "/nonexistent/report.csv"],
            "Cannot read /nonexistent/report.csv: No such file or directory.",
        ),
        (["--session", "{pk}", str(Path(__file__))], "No participant list was found in this file."),
    ],
)
def test_command_refuses_bad_arguments_and_files(session, roll, args, message):
    args = [arg.format(pk=session.pk) for arg in args]
    with pytest.raises(CommandError) as refused:
        call_command("import_meeting_attendance", *args)

    assert str(refused.value).startswith(message)
    assert Attendance.objects.count() == 0


def test_command_exit_code_on_a_bad_session_id():
    from django.core.management import ManagementUtility

    utility = ManagementUtility(["manage.py", "import_meeting_attendance", "--session", "abc", str(ZOOM)])
    with pytest.raises(SystemExit) as exited:
        utility.execute()
    assert exited.value.code == 2


# The back office page


def page_url(session):
    return reverse("admin:training_trainingsession_meeting_attendance", args=[session.pk])


def test_trainer_of_another_session_is_refused(client, session):
    other = TrainerFactory()
    client.force_login(other.user)

    assert client.get(page_url(session)).status_code == 403
    assert client.post(page_url(session), {"action": "preview"}).status_code == 403


def test_preview_then_confirm_from_the_kept_file(client, session, roll, trainer):
    client.force_login(trainer.user)
    with ZOOM.open("rb") as upload:
        preview = client.post(page_url(session), {"action": "preview", "report": upload})

    assert preview.status_code == 200
    text = preview.content.decode()
    assert "María José Pérez" in text
    assert "by name" in text
    assert "Ana Gómez" in text
    assert Attendance.objects.count() == 0
    zoe_key = next(line.participant.key for line in preview.context["plan"].matched if line.matched_by == "name")
    agency = AgencyFactory()

    done = client.post(
        page_url(session),
        {
            "action": "confirm",
            "confirm_name": [zoe_key],
            "walk_in": ["ana.gomez@pnp.example"],
            "agency-ana.gomez@pnp.example": str(agency.pk),
        },
    )

    assert done.status_code == 302
    assert done["Location"] == reverse("admin:training_trainingsession_roll_call", args=[session.pk])
    assert statuses(session) == {
        "maria.perez@policia.example": "present",
        "jean.dupont@gendarmerie.example": "absent",
        "zoe.l@interieur.example": "partial",
    }
    assert Registration.objects.get(source=Registration.Source.WALK_IN).pending_officer.email == "ana.gomez@pnp.example"


def test_the_upload_is_kept_as_a_row_of_its_uploader_not_in_the_login_session_and_goes_on_confirm(
    client, session, roll, trainer
):
    client.force_login(trainer.user)
    with ZOOM.open("rb") as upload:
        client.post(page_url(session), {"action": "preview", "report": upload})

    kept = PendingMeetingReport.objects.get()
    assert (kept.session, kept.uploaded_by, bytes(kept.data)) == (session, trainer.user, ZOOM.read_bytes())
    assert kept.expires_at == kept.uploaded_at + services.meeting_attendance.PENDING_REPORT_LIFETIME
    assert "María" not in str(dict(client.session))

    client.post(page_url(session), {"action": "confirm", "confirm_name": []})

    assert PendingMeetingReport.objects.count() == 0


def test_an_expired_upload_is_not_used_and_the_sweep_deletes_it(client, session, roll, trainer):
    client.force_login(trainer.user)
    with ZOOM.open("rb") as upload:
        client.post(page_url(session), {"action": "preview", "report": upload})
    PendingMeetingReport.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = client.post(page_url(session), {"action": "confirm"})

    assert "Upload the report again" in response.content.decode()
    assert Attendance.objects.count() == 0
    assert purge_expired_meeting_reports() == 1
    assert PendingMeetingReport.objects.count() == 0


def test_another_trainers_upload_is_not_theirs_to_confirm(client, session, roll, trainer):
    services.keep_meeting_report(session=session, by=UserFactory(), data=ZOOM.read_bytes())
    client.force_login(trainer.user)

    response = client.post(page_url(session), {"action": "confirm"})

    assert "Upload the report again" in response.content.decode()
    assert Attendance.objects.count() == 0


def test_confirm_without_a_kept_file_asks_for_the_file_again(client, session, roll, trainer):
    client.force_login(trainer.user)

    response = client.post(page_url(session), {"action": "confirm"})

    assert response.status_code == 200
    assert "Upload the report again" in response.content.decode()
    assert Attendance.objects.count() == 0


def test_a_bad_file_is_shown_on_the_form(client, session, trainer):
    client.force_login(trainer.user)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("report.xlsx", b"PK\x03\x04" + b"\x00" * 50)
    response = client.post(page_url(session), {"action": "preview", "report": upload})

    assert response.status_code == 200
    assert "This is a spreadsheet or another binary file, not a participant report in CSV." in response.content.decode()


def test_command_exits_with_status_1_and_the_reason_on_a_bad_file(session, capsys, tmp_path):
    from django.core.management import ManagementUtility

    spreadsheet = tmp_path / "report.xlsx"
    spreadsheet.write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    utility = ManagementUtility(
        ["manage.py", "import_meeting_attendance", "--session", str(session.pk), str(spreadsheet)]
    )

    with pytest.raises(SystemExit) as exited:
        utility.execute()

    assert exited.value.code == 1
    assert "This is a spreadsheet or another binary file, not a participant report in CSV." in capsys.readouterr().err


def test_a_draft_session_is_refused_with_the_reason(client, trainer):
    session = TrainingSessionFactory(status="draft")
    SessionTrainerFactory(session=session, trainer=trainer)
    client.force_login(trainer.user)

    with ZOOM.open("rb") as upload:
        response = client.post(page_url(session), {"action": "preview", "report": upload})

    assert "Attendance is taken only for published or completed sessions." in response.content.decode()
    assert response.context["plan"] is None


def many_participants(count: int) -> bytes:
    rows = ["Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes)"]
    rows += [f"Person {index},person{index}@example.org,,,{index % 120}" for index in range(count)]
    return "\r\n".join(rows).encode()


@pytest.mark.parametrize("count", [1, 40])
def test_preview_queries_do_not_grow_with_the_report(client, session, trainer, django_assert_max_num_queries, count):
    from django.core.files.uploadedfile import SimpleUploadedFile

    for index in range(count):
        register(session, f"person{index}@example.org", "Person", str(index))
    client.force_login(trainer.user)
    upload = SimpleUploadedFile("participants.csv", many_participants(count))

    # Keeping the upload (a savepoint, a delete, an insert) replaced the login session's save: +1;
    # +2 for the days: the session's (for ?day=) and whether it has any (a one-day session's report has none).
    with django_assert_max_num_queries(15):
        response = client.post(page_url(session), {"action": "preview", "report": upload})

    assert len(response.context["plan"].matched) == count


def test_page_in_spanish(client, session, trainer):
    client.force_login(trainer.user)
    trainer.user.language = "es"

    response = client.get(page_url(session), HTTP_ACCEPT_LANGUAGE="es")

    assert "Informe de participantes (Zoom, Microsoft Teams o Webex)" in response.content.decode()


def test_thresholds_are_set_on_the_session_form_and_partial_may_not_exceed_present(client, manager_user):
    from sessions.models import TrainingSession
    from tests.sessions.test_admin import ADD, add_form_data

    client.force_login(manager_user)

    refused = client.post(ADD, add_form_data(present_threshold_percent="50", partial_threshold_percent="60"))
    client.post(ADD, add_form_data(present_threshold_percent="80", partial_threshold_percent=""))

    assert "The partial threshold must not exceed the present threshold." in refused.content.decode()
    session = TrainingSession.objects.get()
    assert (session.present_threshold_percent, session.partial_threshold_percent) == (80, 25)


def test_a_copy_keeps_the_thresholds(session, trainer):
    session.present_threshold_percent, session.partial_threshold_percent = 90, 50
    session.save()

    copy = services.copy_session(session=session, starts_at=timezone.now() + timedelta(days=30), by=trainer.user)

    assert (copy.present_threshold_percent, copy.partial_threshold_percent) == (90, 50)
