"""The check-in API: roster, batches of scans (idempotent by nonce, hostile items refused one by one), list."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sessions.api.serializers.check_ins import read_check_in_item
from sessions.checkin_codes import sign_code
from sessions.models import Attendance, CheckIn, Registration
from sessions.services import cancel_registration, record_check_ins
from tests.factories import (
    AttendanceFactory,
    OfficerFactory,
    RegistrationFactory,
    SessionTrainerFactory,
    TrainerFactory,
    TrainingSessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def running_session(trainer_profile):
    session = TrainingSessionFactory(starts_at=timezone.now() - timedelta(hours=1), timezone="America/Mexico_City")
    SessionTrainerFactory(session=session, trainer=trainer_profile)
    return session


def url(session, tail=""):
    return f"/api/v1/sessions/{session.pk}/check-ins/{tail}"


def scan(registration, nonce, scanned_at=None, **extra):
    scanned_at = scanned_at or timezone.now() - timedelta(minutes=30)
    return {"nonce": nonce, "code": sign_code(registration=registration), "scanned_at": scanned_at.isoformat(), **extra}


def post(client, session, items):
    return client.post(url(session), {"check_ins": items}, format="json")


def outcome(response):
    return [(row["nonce"], row["status"], row["reason"]) for row in response.json()["results"]]


def test_check_in_scan_marks_present_and_records_actor(trainer_client, trainer_profile, running_session):
    registration = RegistrationFactory(session=running_session)
    scanned_at = timezone.now() - timedelta(minutes=20)

    response = post(trainer_client, running_session, [scan(registration, "nonce-0001", scanned_at)])

    assert response.status_code == 200
    [result] = response.json()["results"]
    assert result["status"] == "checked_in"
    assert result["reason"] is None
    assert result["message"] == "Checked in."
    assert result["registration"] == registration.pk
    assert result["name"] == str(registration.officer)
    assert result["agency"] == str(registration.agency)
    attendance = Attendance.objects.get(registration=registration)
    assert (attendance.status, attendance.checked_in_at, attendance.recorded_by) == (
        "present",
        scanned_at,
        trainer_profile.user,
    )
    check_in = CheckIn.objects.get()
    assert (check_in.nonce, check_in.via, check_in.recorded_by, check_in.scanned_at) == (
        "nonce-0001",
        "code",
        trainer_profile.user,
        scanned_at,
    )
    assert attendance.history.first().history_user == trainer_profile.user


def test_check_in_search_by_registration_id(manager_client, running_session):
    registration = RegistrationFactory(session=running_session)
    item = {"nonce": "search-01", "registration": registration.pk, "scanned_at": timezone.now().isoformat()}

    response = post(manager_client, running_session, [item])

    assert outcome(response) == [("search-01", "checked_in", None)]
    assert CheckIn.objects.get().via == "search"


def test_check_in_same_batch_twice_records_once(trainer_client, running_session):
    first, second = RegistrationFactory.create_batch(2, session=running_session)
    items = [scan(first, "replay-001"), scan(second, "replay-002")]

    answers = [post(trainer_client, running_session, items).json() for _ in range(2)]

    assert answers[0] == answers[1]
    assert [row["status"] for row in answers[1]["results"]] == ["checked_in", "checked_in"]
    assert CheckIn.objects.count() == 2
    assert Attendance.objects.count() == 2


def test_check_in_two_devices_keep_earliest_scan(trainer_client, running_session):
    registration = RegistrationFactory(session=running_session)
    later, earlier = timezone.now() - timedelta(minutes=5), timezone.now() - timedelta(minutes=40)

    first = post(trainer_client, running_session, [scan(registration, "device-a-1", later)]).json()["results"][0]
    second = post(trainer_client, running_session, [scan(registration, "device-b-1", earlier)]).json()["results"][0]

    assert first["status"] == "checked_in"
    assert second["status"] == "already_checked_in"
    assert second["message"] == "Already checked in."
    kept = earlier.astimezone(running_session.timezone).isoformat()
    assert second["checked_in_at"] == kept
    assert Attendance.objects.get(registration=registration).checked_in_at == earlier
    again = post(trainer_client, running_session, [scan(registration, "device-a-1", later)]).json()["results"][0]
    assert (again["status"], again["checked_in_at"]) == ("checked_in", kept)


def test_check_in_keeps_roll_call_note_and_partial(trainer_client, running_session):
    attendance = AttendanceFactory(
        registration__session=running_session, status="partial", note="Left at noon", checked_in_at=timezone.now()
    )

    response = post(trainer_client, running_session, [scan(attendance.registration, "noted-0001")])

    assert outcome(response) == [("noted-0001", "already_checked_in", None)]
    attendance.refresh_from_db()
    assert (attendance.status, attendance.note) == ("partial", "Left at noon")


def test_check_in_hostile_items_refused_each_with_reason_others_kept(trainer_client, running_session):
    good = RegistrationFactory(session=running_session)
    cancelled = RegistrationFactory(session=running_session)
    cancel_registration(registration=cancelled, by=cancelled.officer.user)
    other_session = RegistrationFactory(session=TrainingSessionFactory())
    code = sign_code(registration=good)
    payload, signature = code.split(".")
    forged = f"{payload[:-2]}{'A' if payload[-2] != 'A' else 'B'}{payload[-1]}.{signature}"
    altered = f"{payload}.{signature[:10]}{'A' if signature[10] != 'A' else 'B'}{signature[11:]}"
    now = timezone.now()
    items = [
        scan(other_session, "hostile-01"),
        {"nonce": "hostile-02", "code": forged, "scanned_at": now.isoformat()},
        {"nonce": "hostile-03", "code": altered, "scanned_at": now.isoformat()},
        scan(cancelled, "hostile-04"),
        scan(good, "hostile-05", now - timedelta(days=3)),
        {"nonce": "hostile-06", "code": "TO1:nonsense", "scanned_at": now.isoformat()},
        {"nonce": "hostile-07", "registration": other_session.pk, "scanned_at": now.isoformat()},
        {"nonce": "x", "code": code, "scanned_at": now.isoformat()},
        {"nonce": "hostile-09", "code": code},
        {"nonce": "hostile-10", "code": code, "scanned_at": "2026-12-01T09:00:00"},
        {"nonce": "hostile-11", "code": code, "registration": good.pk, "scanned_at": now.isoformat()},
        "not an object",
        {"nonce": "hostile-13", "code": code, "scanned_at": "9999-12-31T23:59:59-14:00"},
        scan(good, "hostile-14", now + timedelta(hours=2)),
        scan(good, "good-scan-01"),
    ]

    response = post(trainer_client, running_session, items)

    assert response.status_code == 200
    assert outcome(response) == [
        ("hostile-01", "refused", "wrong_session"),
        ("hostile-02", "refused", "bad_signature"),
        ("hostile-03", "refused", "bad_signature"),
        ("hostile-04", "refused", "cancelled"),
        ("hostile-05", "refused", "outside_session_days"),
        ("hostile-06", "refused", "malformed"),
        ("hostile-07", "refused", "unknown_registration"),
        ("", "refused", "malformed"),
        ("hostile-09", "refused", "malformed"),
        ("hostile-10", "refused", "malformed"),
        ("hostile-11", "refused", "malformed"),
        ("", "refused", "malformed"),
        ("hostile-13", "refused", "malformed"),
        ("hostile-14", "refused", "outside_session_days"),
        ("good-scan-01", "checked_in", None),
    ]
    results = response.json()["results"]
    assert results[0]["message"] == "This code is for another session."
    assert results[3]["message"] == "This registration was cancelled."
    assert [check_in.nonce for check_in in CheckIn.objects.all()] == ["good-scan-01"]
    assert list(Attendance.objects.values_list("registration_id", flat=True)) == [good.pk]


def test_check_in_code_of_registration_cancelled_after_it_was_sent(trainer_client, running_session):
    registration = RegistrationFactory(session=running_session)
    code = sign_code(registration=registration)
    registration.status = Registration.Status.CANCELLED
    registration.save()

    response = post(
        trainer_client,
        running_session,
        [{"nonce": "late-cancel", "code": code, "scanned_at": timezone.now().isoformat()}],
    )

    assert outcome(response) == [("late-cancel", "refused", "cancelled")]


def test_check_in_batch_over_500_items_is_400_batch_too_large(trainer_client, running_session):
    registration = RegistrationFactory(session=running_session)
    items = [scan(registration, f"big-batch-{index:05d}") for index in range(10_000)]

    response = post(trainer_client, running_session, items)

    assert response.status_code == 400
    assert response.json()["code"] == "batch_too_large"
    assert CheckIn.objects.count() == 0


@pytest.mark.parametrize("body", [[], {"check_ins": "all"}, {"check_ins": None}, {}, "text"])
def test_check_in_body_not_a_batch_is_400(trainer_client, running_session, body):
    response = trainer_client.post(url(running_session), body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_check_in_far_outside_session_days_refused(trainer_client, trainer_profile):
    session = TrainingSessionFactory(starts_at=timezone.now() - timedelta(days=5), timezone="Asia/Manila")
    SessionTrainerFactory(session=session, trainer=trainer_profile)
    registration = RegistrationFactory(session=session)
    last_day_end = session.ends_at.astimezone(session.timezone).replace(hour=23, minute=59, second=0, microsecond=0)

    response = post(
        trainer_client,
        session,
        [
            scan(registration, "far-after-01", timezone.now()),
            scan(registration, "far-before-1", session.starts_at - timedelta(hours=2, minutes=1)),
            scan(registration, "last-day-end", last_day_end),
        ],
    )

    assert outcome(response) == [
        ("far-after-01", "refused", "outside_session_days"),
        ("far-before-1", "refused", "outside_session_days"),
        ("last-day-end", "checked_in", None),
    ]


def test_check_in_other_trainer_and_officer_get_404_or_403(officer_client, officer_profile, running_session):
    other_trainer = TrainerFactory()
    from tests.api_fixtures import token_client

    RegistrationFactory(session=running_session, officer=officer_profile)
    assert token_client(other_trainer.user).get(url(running_session, "roster/")).status_code == 404
    assert (
        token_client(other_trainer.user).post(url(running_session), {"check_ins": []}, format="json").status_code == 404
    )
    assert officer_client.get(url(running_session, "roster/")).status_code == 403
    assert officer_client.post(url(running_session), {"check_ins": []}, format="json").status_code == 403


def test_check_in_roster_lists_confirmed_by_name(trainer_client, running_session):
    bruno = RegistrationFactory(
        session=running_session, officer=OfficerFactory(user=UserFactory(first_name="Bruno", last_name="Díaz"))
    )
    ana = RegistrationFactory(
        session=running_session, officer=OfficerFactory(user=UserFactory(first_name="Ana", last_name="Ruiz"))
    )
    RegistrationFactory(session=running_session, status=Registration.Status.CANCELLED)
    AttendanceFactory(registration=bruno, checked_in_at=running_session.starts_at)

    body = trainer_client.get(url(running_session, "roster/")).json()

    zone = running_session.timezone
    assert [(row["id"], row["name"], row["checked_in_at"]) for row in body["registrations"]] == [
        (ana.pk, "Ana Ruiz", None),
        (bruno.pk, "Bruno Díaz", running_session.starts_at.astimezone(zone).isoformat()),
    ]
    assert body["registrations"][0]["agency"] == str(ana.agency)
    assert body["session"]["id"] == running_session.pk
    assert body["session"]["timezone"] == "America/Mexico_City"
    assert (
        body["session"]["check_in_opens_at"]
        == (running_session.starts_at - timedelta(hours=2)).astimezone(zone).isoformat()
    )
    assert len(body["public_key"]) == 43


@pytest.mark.parametrize("count", [1, 30])
def test_check_in_roster_query_count_does_not_grow(trainer_client, running_session, count, django_assert_num_queries):
    for registration in RegistrationFactory.create_batch(count, session=running_session):
        AttendanceFactory(registration=registration)
    # Token and role, the session, trained sessions, the roster in one statement.
    # One more for the session's days (a session of several days shows the day's check-ins).
    with django_assert_num_queries(5):
        response = trainer_client.get(url(running_session, "roster/"))
    assert len(response.json()["registrations"]) == count


@pytest.mark.parametrize("count", [1, 30])
def test_check_in_list_query_count_does_not_grow(trainer_client, running_session, count, django_assert_num_queries):
    registrations = RegistrationFactory.create_batch(count, session=running_session)
    items = [scan(registration, f"list-{index:04d}") for index, registration in enumerate(registrations)]
    record_check_ins(
        session=running_session, items=[read_check_in_item(item) for item in items], by=trainer_client.user
    )
    # Token and role, the session, trained sessions, the count and the page.
    with django_assert_num_queries(5):
        response = trainer_client.get(url(running_session))
    body = response.json()
    assert body["count"] == count
    assert body["results"][0]["nonce"] == "list-0000"
    assert body["results"][0]["via"] == "code"


def test_check_in_same_nonce_in_another_session_is_another_scan(trainer_client, trainer_profile, running_session):
    other = TrainingSessionFactory(starts_at=running_session.starts_at, timezone="America/Mexico_City")
    SessionTrainerFactory(session=other, trainer=trainer_profile)
    here, there = RegistrationFactory(session=running_session), RegistrationFactory(session=other)

    first = post(trainer_client, running_session, [scan(here, "shared-nonce-1")])
    second = post(trainer_client, other, [scan(there, "shared-nonce-1")])

    assert outcome(first) == [("shared-nonce-1", "checked_in", None)]
    assert outcome(second) == [("shared-nonce-1", "checked_in", None)]
    assert sorted(CheckIn.objects.values_list("session_id", "registration_id")) == sorted(
        [(running_session.pk, here.pk), (other.pk, there.pk)]
    )
