"""The roll call page of the back office: who may use it, what it shows, and what its posts save."""

import json
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from agencies.models import PendingOfficer
from sessions.models import Attendance, Registration, TrainingSession
from tests.factories import (
    AgencyFactory,
    AttendanceFactory,
    OfficerFactory,
    RegistrationFactory,
    SessionTrainerFactory,
    TrainerFactory,
    TrainingSessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def roll_call_url(session):
    return reverse("admin:training_trainingsession_roll_call", args=[session.pk])


def mark_url(session):
    return reverse("admin:training_trainingsession_roll_call_mark", args=[session.pk])


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def running(trainer):
    session = TrainingSessionFactory(starts_at=timezone.now() - timedelta(hours=1))
    SessionTrainerFactory(session=session, trainer=trainer)
    return session


@pytest.fixture
def trainer_client(client, trainer):
    client.force_login(trainer.user)
    return client


def registered(session, first_name, *, status=Registration.Status.CONFIRMED, **user_fields):
    officer = OfficerFactory(user=UserFactory(first_name=first_name, last_name="Pérez", **user_fields))
    position = 1 if status == Registration.Status.WAITLISTED else None
    return RegistrationFactory(session=session, officer=officer, status=status, waitlist_position=position)


def statuses(session) -> dict[str, tuple[str, str]]:
    return {
        attendance.registration.officer.user.first_name: (attendance.status, attendance.note)
        for attendance in Attendance.objects.filter(session=session).select_related("registration__officer__user")
    }


# --- Who may use it ---


def test_trainer_of_the_session_sees_the_roll_by_name(trainer_client, running):
    registered(running, "Zoe")
    registered(running, "Ana")
    registered(running, "Waiting", status=Registration.Status.WAITLISTED)
    registered(running, "Gone", status=Registration.Status.CANCELLED)

    response = trainer_client.get(roll_call_url(running))

    assert response.status_code == 200
    assert [line.name for line in response.context["lines"]] == ["Ana Pérez", "Zoe Pérez"]
    assert [line.name for line in response.context["waitlisted"]] == ["Waiting Pérez"]
    assert "Gone Pérez" not in response.content.decode()


def test_manager_may_take_any_roll_call(client, manager_user, running):
    client.force_login(manager_user)

    assert client.get(roll_call_url(running)).status_code == 200


def test_trainer_of_another_session_is_forbidden(client, running):
    registration = registered(running, "Ana")
    client.force_login(TrainerFactory().user)

    page = client.get(roll_call_url(running))
    mark = client.post(mark_url(running), {"registration": registration.pk, "status": "present"})

    assert (page.status_code, mark.status_code) == (403, 403)
    assert Attendance.objects.count() == 0


def test_officer_is_sent_to_the_admin_login(client, running):
    client.force_login(OfficerFactory().user)

    response = client.get(roll_call_url(running))

    assert (response.status_code, response.url) == (302, f"/admin/login/?next={roll_call_url(running)}")


def test_unknown_session_is_not_found(trainer_client):
    assert trainer_client.get(reverse("admin:training_trainingsession_roll_call", args=[999999])).status_code == 404


@pytest.mark.parametrize("item_count", [1, 35])
def test_roll_call_query_count_does_not_grow_with_registrations(
    trainer_client, running, django_assert_num_queries, item_count
):
    for registration in RegistrationFactory.create_batch(item_count, session=running):
        AttendanceFactory(registration=registration, status=Attendance.Status.ABSENT)
    PendingOfficer.objects.create(email="walk.in@policia.gob.mx", name="Walk In", agency=AgencyFactory())

    with django_assert_num_queries(10):
        response = trainer_client.get(roll_call_url(running))

    assert len(response.context["lines"]) == item_count


# --- Saving without JavaScript ---


def test_posted_roll_call_saves_taps_and_notes_through_the_service(trainer_client, trainer, running):
    ana, ben, cy = registered(running, "Ana"), registered(running, "Ben"), registered(running, "Cy")

    response = trainer_client.post(
        roll_call_url(running),
        {
            f"status-{ana.pk}": "present",
            f"note-{ana.pk}": "",
            f"status-{ben.pk}": "partial",
            f"note-{ben.pk}": " left at noon ",
            f"note-{cy.pk}": "",
        },
    )

    assert (response.status_code, response.url) == (302, roll_call_url(running))
    assert messages_of(response) == ["Roll call saved."]
    assert statuses(running) == {"Ana": ("present", ""), "Ben": ("partial", "left at noon")}
    attendance = Attendance.objects.get(registration=ben)
    assert (attendance.recorded_by, attendance.history.get().history_user) == (trainer.user, trainer.user)


def test_all_confirmed_present_keeps_those_already_marked(trainer_client, running):
    ana, ben, cy = registered(running, "Ana"), registered(running, "Ben"), registered(running, "Cy")
    AttendanceFactory(registration=ben, status=Attendance.Status.EXCUSED, note="sick")

    trainer_client.post(roll_call_url(running), {"all_present": "1", f"status-{cy.pk}": "absent"})

    assert statuses(running) == {"Ana": ("present", ""), "Ben": ("excused", "sick"), "Cy": ("absent", "")}
    assert Attendance.objects.get(registration=ana).recorded_by is not None


def test_note_without_status_is_a_line_error_and_nothing_is_saved(trainer_client, running):
    ana, ben = registered(running, "Ana"), registered(running, "Ben")

    response = trainer_client.post(
        roll_call_url(running), {f"status-{ana.pk}": "present", f"note-{ben.pk}": "who is this?"}
    )

    assert response.status_code == 200
    assert [line.error for line in response.context["lines"]] == [
        "",
        "Choose present, partial, absent or excused for this note.",
    ]
    assert messages_of(response) == ["Nothing was saved: correct the lines marked."]
    assert Attendance.objects.count() == 0


def test_a_refused_line_saves_nothing(trainer_client, running):
    ana, ben = registered(running, "Ana"), registered(running, "Ben")

    response = trainer_client.post(roll_call_url(running), {f"status-{ana.pk}": "present", f"status-{ben.pk}": "late"})

    assert response.status_code == 200
    assert [line.error for line in response.context["lines"]] == ["", "Unknown attendance status."]
    assert Attendance.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"starts_at": timezone.now() + timedelta(days=2)},
            "Attendance can be taken from two hours before the session starts.",
        ),
        ({"status": TrainingSession.Status.CANCELLED}, "Attendance is taken only for published or completed sessions."),
    ],
)
def test_session_not_taking_attendance_says_why_and_saves_nothing(trainer_client, trainer, fields, message):
    session = TrainingSessionFactory(**{"starts_at": timezone.now() - timedelta(hours=1), **fields})
    SessionTrainerFactory(session=session, trainer=trainer)
    ana = registered(session, "Ana")

    page = trainer_client.get(roll_call_url(session))
    post = trainer_client.post(roll_call_url(session), {f"status-{ana.pk}": "present"})
    walk_in = trainer_client.post(
        roll_call_url(session),
        {"action": "walk_in", "name": "Zoe", "email": "zoe@example.org", "agency": AgencyFactory().pk},
    )

    assert page.context["closed"] == message
    assert 'id="roll-all-present"' not in page.content.decode()
    assert (post.status_code, messages_of(post)) == (302, [message])
    assert walk_in.status_code == 302
    assert (Attendance.objects.count(), PendingOfficer.objects.count()) == (0, 0)


# --- One tap at a time (the page's script) ---


def test_mark_saves_one_tap(trainer_client, running):
    ana = registered(running, "Ana")

    response = trainer_client.post(mark_url(running), {"registration": ana.pk, "status": "partial", "note": "late"})

    assert (response.status_code, json.loads(response.content)) == (
        200,
        {"status": "partial", "note": "late", "message": "Saved"},
    )
    assert statuses(running) == {"Ana": ("partial", "late")}


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"status": "late"}, "Unknown attendance status."),
        ({"status": "present", "note": "x" * 301}, "The note is too long (at most 300 characters)."),
        ({"status": "present", "registration": "abc"}, "No registration with this id in this session."),
        ({"status": "present", "registration": "elsewhere"}, "No registration with this id in this session."),
    ],
)
def test_mark_refuses_bad_input_as_json(trainer_client, running, data, error):
    ana = registered(running, "Ana")
    elsewhere = RegistrationFactory()
    data = {"registration": ana.pk, **data}
    if data["registration"] == "elsewhere":
        data["registration"] = elsewhere.pk

    response = trainer_client.post(mark_url(running), data)

    assert (response.status_code, json.loads(response.content)) == (400, {"error": error})
    assert Attendance.objects.count() == 0


def test_mark_only_takes_posts(trainer_client, running):
    assert trainer_client.get(mark_url(running)).status_code == 405


# --- Walk-ins ---


def test_walk_in_without_account_is_added_from_the_page(trainer_client, running):
    agency = AgencyFactory(name="Gendarmerie nationale")

    response = trainer_client.post(
        roll_call_url(running),
        {"action": "walk_in", "name": "Zoé Martin", "email": "zoe.martin@example.fr", "agency": agency.pk},
    )

    assert (response.status_code, messages_of(response)) == (302, ["Zoé Martin was added as a walk-in: Present."])
    registration = Registration.objects.get(session=running)
    assert (registration.pending_officer.email, registration.agency, registration.attendance.status) == (
        "zoe.martin@example.fr",
        agency,
        "present",
    )
    page = trainer_client.get(roll_call_url(running))
    assert [(line.name, line.email) for line in page.context["lines"]] == [("Zoé Martin", "zoe.martin@example.fr")]


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"email": "zoe@"}, {"email": ["Enter a valid email address."]}),
        ({"name": ""}, {"name": ["This field is required."]}),
        ({"agency": ""}, {"agency": ["This field is required."]}),
        ({"email": "ana@policia.gob.mx"}, {"email": ["This person is already on the roll of this session."]}),
    ],
)
def test_walk_in_mistakes_are_field_messages_and_save_nothing(trainer_client, running, data, errors):
    registered(running, "Ana", email="ana@policia.gob.mx")
    post = {"action": "walk_in", "name": "Zoé", "email": "zoe@example.fr", "agency": AgencyFactory().pk, **data}

    response = trainer_client.post(roll_call_url(running), post)

    assert response.status_code == 200
    assert response.context["walk_in_form"].errors == errors
    assert (PendingOfficer.objects.count(), Registration.objects.count(), Attendance.objects.count()) == (0, 1, 0)
