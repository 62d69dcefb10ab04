from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from sessions.models import Attendance, Registration
from tests.factories import (
    AttendanceFactory,
    OfficerFactory,
    RegistrationFactory,
    SessionTrainerFactory,
    TrainingSessionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def running_session(trainer_profile):
    session = TrainingSessionFactory(starts_at=timezone.now() - timedelta(hours=1))
    SessionTrainerFactory(session=session, trainer=trainer_profile)
    return session


def url(session):
    return f"/api/v1/sessions/{session.pk}/attendance/"


@pytest.mark.parametrize("role", ["manager", "trainer"])
def test_attendance_sheet_staff_reads_it(request, role, running_session):
    client = request.getfixturevalue(f"{role}_client")
    attendance = AttendanceFactory(registration__session=running_session, note="On time")
    RegistrationFactory(session=running_session, status=Registration.Status.CANCELLED)
    response = client.get(url(running_session))
    assert response.status_code == 200
    assert [(row["registration_id"], row["status"], row["note"]) for row in response.json()] == [
        (attendance.registration_id, "present", "On time")
    ]


def test_attendance_sheet_officer_is_403(officer_client, officer_profile, running_session):
    RegistrationFactory(session=running_session, officer=officer_profile)
    assert officer_client.get(url(running_session)).status_code == 403
    assert officer_client.post(url(running_session), [], format="json").status_code == 403


@pytest.mark.parametrize("registration_count", [1, 50])
def test_attendance_sheet_query_count_does_not_grow(
    manager_client, running_session, registration_count, django_assert_num_queries
):
    for _ in range(registration_count):
        AttendanceFactory(registration__session=running_session)
    # The token with its role, the session, and the sheet in one statement.
    with django_assert_num_queries(3):
        response = manager_client.get(url(running_session))
    assert len(response.json()) == registration_count


def test_attendance_sheet_body_lines_in_the_session_time_zone(manager_client, running_session):
    running_session.timezone = "America/Mexico_City"
    running_session.save(update_fields=["timezone"])
    attendance = AttendanceFactory(
        registration__session=running_session,
        registration__officer__user__first_name="Ana",
        registration__officer__user__last_name="Ruiz",
        checked_in_at=datetime(2026, 1, 24, 15, 2, tzinfo=UTC),
        note="On time",
    )
    Attendance.objects.filter(pk=attendance.pk).update(recorded_at=datetime(2026, 1, 24, 15, 3, tzinfo=UTC))
    registered = attendance.registration
    unrecorded = RegistrationFactory(
        session=running_session, status=Registration.Status.WAITLISTED, waitlist_position=1
    )
    erased = RegistrationFactory(session=running_session, source=Registration.Source.WALK_IN)
    Registration.objects.filter(pk=erased.pk).update(officer=None)

    response = manager_client.get(url(running_session))

    assert response.json() == [
        {
            "registration_id": registered.pk,
            "officer": {
                "uuid": str(registered.officer.uuid),
                "name": "Ana Ruiz",
                "email": registered.officer.user.email,
            },
            "registration_status": "confirmed",
            "source": "portal",
            "agency": registered.agency_id,
            "country": registered.country_id,
            "status": "present",
            "checked_in_at": "2026-01-24T09:02:00-06:00",
            "note": "On time",
            "recorded_at": "2026-01-24T09:03:00-06:00",
        },
        {
            "registration_id": unrecorded.pk,
            "officer": {
                "uuid": str(unrecorded.officer.uuid),
                "name": f"{unrecorded.officer.user.first_name} {unrecorded.officer.user.last_name}",
                "email": unrecorded.officer.user.email,
            },
            "registration_status": "waitlisted",
            "source": "portal",
            "agency": unrecorded.agency_id,
            "country": unrecorded.country_id,
            "status": None,
            "checked_in_at": None,
            "note": "",
            "recorded_at": None,
        },
        {
            "registration_id": erased.pk,
            "officer": None,
            "registration_status": "confirmed",
            "source": "walk_in",
            "agency": erased.agency_id,
            "country": erased.country_id,
            "status": None,
            "checked_in_at": None,
            "note": "",
            "recorded_at": None,
        },
    ]


def test_attendance_bulk_by_id_and_email_with_walk_in(trainer_client, trainer_profile, running_session):
    first = RegistrationFactory(session=running_session)
    second = RegistrationFactory(session=running_session)
    walk_in = OfficerFactory()
    payload = [
        {"registration_id": first.pk, "status": "present"},
        {"email": second.officer.user.email.upper(), "status": "absent", "note": "Sick"},
        {"email": walk_in.user.email, "status": "partial"},
    ]
    response = trainer_client.post(url(running_session), payload, format="json")
    assert response.status_code == 200
    statuses = {row["officer"]["email"]: (row["status"], row["source"]) for row in response.json()}
    assert statuses == {
        first.officer.user.email: ("present", "portal"),
        second.officer.user.email: ("absent", "portal"),
        walk_in.user.email: ("partial", "walk_in"),
    }
    walk_in_registration = Registration.objects.get(session=running_session, officer=walk_in)
    assert walk_in_registration.source == Registration.Source.WALK_IN
    assert Attendance.objects.get(registration=second).recorded_by == trainer_profile.user


def test_attendance_bulk_is_all_or_nothing(manager_client, running_session):
    registration = RegistrationFactory(session=running_session)
    other_session_registration = RegistrationFactory()
    payload = [
        {"registration_id": registration.pk, "status": "present"},
        {"registration_id": other_session_registration.pk, "status": "present"},
        {"email": "nobody@nowhere.example", "status": "present"},
    ]
    response = manager_client.put(url(running_session), payload, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "1.registration_id": ["No registration with this id in this session."],
        "2.email": ["No officer account has this email."],
    }
    assert Attendance.objects.count() == 0
    assert Registration.objects.filter(session=running_session).count() == 1


def test_attendance_bulk_item_validation_errors_per_index(manager_client, running_session):
    payload = [{"status": "present"}, {"registration_id": 1, "status": "late"}]
    response = manager_client.post(url(running_session), payload, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "0.non_field_errors": ["Give exactly one of registration_id and email."],
        "1.status": ['"late" is not a valid choice.'],
    }


def test_attendance_bulk_not_a_list_is_400(manager_client, running_session):
    response = manager_client.post(url(running_session), {"status": "present"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "not_a_list"


def test_attendance_bulk_repeated_request_changes_nothing(manager_client, running_session):
    registration = RegistrationFactory(session=running_session)
    walk_in = OfficerFactory()
    payload = [
        {"registration_id": registration.pk, "status": "present", "note": "Front row"},
        {"email": walk_in.user.email, "status": "present"},
    ]
    first = manager_client.post(url(running_session), payload, format="json")
    history_rows = Attendance.history.count()
    recorded = list(Attendance.objects.order_by("id").values("id", "status", "note", "checked_in_at", "recorded_at"))
    second = manager_client.post(url(running_session), payload, format="json")
    assert second.status_code == 200
    assert second.json() == first.json()
    assert list(Attendance.objects.order_by("id").values("id", "status", "note", "checked_in_at", "recorded_at")) == (
        recorded
    )
    assert Attendance.history.count() == history_rows
    assert Registration.objects.filter(session=running_session).count() == 2


def test_attendance_bulk_listed_twice_is_400(manager_client, running_session):
    registration = RegistrationFactory(session=running_session)
    payload = [
        {"registration_id": registration.pk, "status": "present"},
        {"email": registration.officer.user.email, "status": "absent"},
    ]
    response = manager_client.post(url(running_session), payload, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"1.non_field_errors": ["This registration is listed twice."]}


def test_attendance_bulk_other_trainer_is_403(manager_client, running_session):
    from tests.api_fixtures import token_client
    from tests.factories import TrainerFactory

    registration = RegistrationFactory(session=running_session)
    client = token_client(TrainerFactory().user)
    response = client.post(
        url(running_session), [{"registration_id": registration.pk, "status": "present"}], format="json"
    )
    assert response.status_code == 403
    assert Attendance.objects.count() == 0


def test_attendance_bulk_before_session_is_400(manager_client):
    session = TrainingSessionFactory(starts_at=timezone.now() + timedelta(days=3))
    registration = RegistrationFactory(session=session)
    response = manager_client.post(
        url(session), [{"registration_id": registration.pk, "status": "present"}], format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "0.non_field_errors": ["Attendance can be taken from two hours before the session starts."]
    }
