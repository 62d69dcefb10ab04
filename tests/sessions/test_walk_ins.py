"""Walk-ins by name, email and agency: recorded without an account, claimed at sign-up, erased on request."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from django.contrib.admin.models import DELETION, LogEntry
from django.utils import timezone

from agencies import services as agency_services
from agencies.models import PendingOfficer
from reports.selectors import yearly_report
from sessions import services
from sessions.models import Attendance, Registration, TrainingSession
from tests.agencies.test_erasure import rows_mentioning
from tests.factories import (
    AgencyFactory,
    OfficerFactory,
    RegistrationFactory,
    SessionTrainerFactory,
    TrainerFactory,
    TrainingSessionFactory,
    UserFactory,
)
from tests.reports.conftest import running_program
from tests.reports.test_report_follows_changes import assert_report_is_exact

pytestmark = pytest.mark.django_db

NAME, EMAIL = "Zacarías Villaseñor", "zacarias.villasenor@policia.gob.mx"


@pytest.fixture
def agency():
    return AgencyFactory(name="Policía Federal Ministerial", acronym="PFM")


@pytest.fixture
def running(trainer):
    session = TrainingSessionFactory(starts_at=timezone.now() - timedelta(hours=1), capacity=1)
    SessionTrainerFactory(session=session, trainer=trainer)
    return session


def walk_in(session, agency, by, **overrides):
    values = {"name": NAME, "email": EMAIL, "agency": agency, "by": by, **overrides}
    return services.add_walk_in(session=session, **values)


def sign_up(email: str, *, confirmed: bool = True, **fields):
    return OfficerFactory(user=UserFactory(email=email, confirmed_email=confirmed), **fields)


def test_walk_in_without_account_gets_a_pending_officer_and_a_seat_beyond_capacity(running, agency, trainer):
    RegistrationFactory(session=running)  # the one seat is taken

    attendance = walk_in(running, agency, trainer.user, email=" Zacarias.Villasenor@Policia.gob.mx ", note="late")

    pending = PendingOfficer.objects.get()
    registration = attendance.registration
    assert (pending.email, pending.name, pending.agency, pending.created_by) == (EMAIL, NAME, agency, trainer.user)
    assert (registration.officer, registration.pending_officer, registration.officer_key) == (
        None,
        pending,
        pending.uuid,
    )
    assert (registration.status, registration.source, registration.agency, registration.country_id) == (
        Registration.Status.CONFIRMED,
        Registration.Source.WALK_IN,
        agency,
        agency.country_id,
    )
    assert (attendance.status, attendance.note, attendance.recorded_by, attendance.officer_key) == (
        Attendance.Status.PRESENT,
        "late",
        trainer.user,
        pending.uuid,
    )
    assert registration.history.get().history_user == trainer.user
    assert pending.history.get().history_user == trainer.user


def test_walk_in_of_an_existing_officer_registers_that_officer(running, agency, trainer):
    officer = OfficerFactory(user__email=EMAIL)

    attendance = walk_in(running, agency, trainer.user, email=EMAIL.upper(), status=Attendance.Status.PARTIAL)

    assert (attendance.registration.officer, attendance.registration.source, attendance.status) == (
        officer,
        Registration.Source.WALK_IN,
        Attendance.Status.PARTIAL,
    )
    assert PendingOfficer.objects.count() == 0


def test_walk_in_from_the_waitlist_is_confirmed(running, agency, trainer):
    officer = OfficerFactory(user__email=EMAIL)
    waiting = RegistrationFactory(
        session=running, officer=officer, status=Registration.Status.WAITLISTED, waitlist_position=1
    )

    walk_in(running, agency, trainer.user)

    waiting.refresh_from_db()
    assert (waiting.status, waiting.waitlist_position, waiting.attendance.status) == ("confirmed", None, "present")


@pytest.mark.parametrize("address", [EMAIL, EMAIL.upper()])
def test_walk_in_already_on_the_roll_is_refused_and_nothing_changes(running, agency, trainer, address):
    first = walk_in(running, agency, trainer.user, note="first")

    with pytest.raises(services.AttendanceError) as refused:
        walk_in(running, AgencyFactory(), trainer.user, email=address, name="Someone Else", note="second")

    assert (str(refused.value.message), refused.value.field) == (
        "This person is already on the roll of this session.",
        "email",
    )
    pending = PendingOfficer.objects.get()
    assert (pending.name, pending.agency, Registration.objects.count()) == (NAME, agency, 1)
    assert Attendance.objects.get().note == first.note


def test_registered_officer_is_already_on_the_roll(running, agency, trainer):
    RegistrationFactory(session=running, officer=OfficerFactory(user__email=EMAIL))

    with pytest.raises(services.AttendanceError) as refused:
        walk_in(running, agency, trainer.user)

    assert str(refused.value.message) == "This person is already on the roll of this session."
    assert Attendance.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": "   "}, "name", "Enter the person's name."),
        ({"name": "x" * 201}, "name", "This name is too long."),
        ({"email": "zacarias@"}, "email", "Enter a valid email address."),
        ({"email": ""}, "email", "Enter a valid email address."),
        ({"agency": None}, "agency", "Choose the person's agency."),
        ({"status": Attendance.Status.ABSENT}, "status", "A walk-in is present or partial."),
    ],
)
def test_walk_in_validation_saves_nothing(running, agency, trainer, overrides, field, message):
    with pytest.raises(services.AttendanceError) as refused:
        walk_in(running, overrides.pop("agency", agency), trainer.user, **overrides)

    assert (refused.value.field, str(refused.value.message)) == (field, message)
    assert (PendingOfficer.objects.count(), Registration.objects.count()) == (0, 0)


def test_walk_in_of_an_inactive_agency_is_refused(running, trainer):
    with pytest.raises(services.AttendanceError) as refused:
        walk_in(running, AgencyFactory(is_active=False), trainer.user)

    assert refused.value.field == "agency"


def test_walk_in_with_a_staff_address_is_refused(running, agency, trainer):
    with pytest.raises(services.AttendanceError) as refused:
        walk_in(running, agency, trainer.user, email=trainer.user.email)

    assert str(refused.value.message) == "This address belongs to a staff account, not an officer."
    assert Registration.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"starts_at": timezone.now() + timedelta(days=1)},
            "Attendance can be taken from two hours before the session starts.",
        ),
        ({"status": TrainingSession.Status.CANCELLED}, "Attendance is taken only for published or completed sessions."),
    ],
)
def test_walk_in_only_when_the_session_takes_attendance(agency, trainer, fields, message):
    session = TrainingSessionFactory(**{"starts_at": timezone.now() - timedelta(hours=1), **fields})

    with pytest.raises(services.AttendanceError) as refused:
        walk_in(session, agency, trainer.user)

    assert str(refused.value.message) == message
    assert (PendingOfficer.objects.count(), Registration.objects.count()) == (0, 0)


def test_the_same_person_in_two_sessions_is_one_pending_officer(running, agency, trainer):
    other = TrainingSessionFactory(starts_at=timezone.now() - timedelta(days=2))
    walk_in(other, AgencyFactory(), trainer.user, name="Zacarias V.")

    walk_in(running, agency, trainer.user)

    pending = PendingOfficer.objects.get()
    assert (pending.name, pending.agency) == (NAME, agency)
    assert set(Attendance.objects.values_list("officer_key", flat=True)) == {pending.uuid}


def test_sign_up_with_the_address_claims_the_walk_ins(running, agency, trainer):
    other = TrainingSessionFactory(starts_at=timezone.now() - timedelta(days=2))
    walk_in(other, agency, trainer.user)
    walk_in(running, agency, trainer.user)
    officer = sign_up(EMAIL.upper(), agency=AgencyFactory())

    claimed = services.claim_walk_ins(user=officer.user)

    assert claimed == 2
    assert sorted(Registration.objects.filter(officer=officer).values_list("session_id", flat=True)) == sorted(
        [other.pk, running.pk]
    )
    assert set(Registration.objects.values_list("officer_key", flat=True)) == {officer.uuid}
    assert set(Attendance.objects.values_list("officer_key", "agency")) == {(officer.uuid, agency.pk)}
    pending = PendingOfficer.objects.get()
    assert (pending.claimed_by, pending.history.latest().history_user) == (officer, officer.user)
    assert services.claim_walk_ins(user=officer.user) == 0


def test_confirming_the_address_claims_the_walk_in(running, agency, trainer):
    walk_in(running, agency, trainer.user)
    officer = sign_up(EMAIL, confirmed=False)
    address = EmailAddress.objects.create(user=officer.user, email=EMAIL, verified=False, primary=True)
    assert services.claim_walk_ins(user=officer.user) == 0  # an address typed, not proven

    address.verified = True
    address.save()
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)

    assert Registration.objects.get().officer == officer


def test_claim_onto_the_officers_own_registration_counts_once(running, agency, trainer):
    walk_in(running, agency, trainer.user, note="at the back")
    officer = sign_up(EMAIL)
    own = RegistrationFactory(session=running, officer=officer, status=Registration.Status.CANCELLED)

    services.claim_walk_ins(user=officer.user)

    own.refresh_from_db()
    assert Registration.objects.get() == own
    assert (own.status, own.attendance.status, own.attendance.note, own.attendance.officer_key) == (
        Registration.Status.CONFIRMED,
        Attendance.Status.PRESENT,
        "at the back",
        officer.uuid,
    )


def test_erasing_the_officer_who_claimed_erases_the_walk_in_record(running, agency, trainer):
    walk_in(running, agency, trainer.user, note=f"came with {NAME}")
    officer = sign_up(EMAIL)
    services.claim_walk_ins(user=officer.user)

    agency_services.erase_officer(officer=officer, by=officer.user)

    assert rows_mentioning(NAME, EMAIL) == []
    assert PendingOfficer.objects.count() == 0
    attendance = Attendance.objects.get()
    assert (attendance.status, attendance.officer_key, attendance.agency) == ("present", officer.uuid, agency)


def test_erasing_a_walk_in_who_never_signed_up(running, agency, trainer, manager_user):
    walk_in(running, agency, trainer.user, note=f"{NAME} left early")
    pending = PendingOfficer.objects.get()

    agency_services.erase_pending_officer(pending=pending, by=manager_user)

    assert rows_mentioning(NAME, EMAIL) == []
    attendance = Attendance.objects.get()
    assert (attendance.status, attendance.officer_key, attendance.note) == ("present", pending.uuid, "")
    entry = LogEntry.objects.get(action_flag=DELETION)
    assert (entry.user, entry.object_repr) == (manager_user, f"pendingofficer #{pending.pk}")


def test_only_a_manager_erases_a_walk_in(running, agency, trainer):
    walk_in(running, agency, TrainerFactory().user)

    with pytest.raises(agency_services.OfficerError):
        agency_services.erase_pending_officer(pending=PendingOfficer.objects.get(), by=trainer.user)

    assert PendingOfficer.objects.count() == 1


def test_walk_in_counts_once_in_the_yearly_report_before_and_after_the_claim(manager_user):
    program = running_program(manager_user)
    year, before = program["year"], yearly_report(year=program["year"]).current
    for session in (program["under_way"], program["last_month"]):
        services.add_walk_in(session=session, name=NAME, email=EMAIL, agency=program["gendarmerie"], by=manager_user)

    walked_in = yearly_report(year=year).current
    services.claim_walk_ins(user=sign_up(EMAIL, agency=program["policia"]).user)
    claimed = yearly_report(year=year).current

    assert (walked_in.officers_trained, walked_in.attendances) == (before.officers_trained + 1, before.attendances + 2)
    assert (claimed.officers_trained, claimed.attendances, claimed.agencies_reached) == (
        walked_in.officers_trained,
        walked_in.attendances,
        walked_in.agencies_reached,
    )
    assert_report_is_exact(year)


def test_address_left_by_its_claimant_waits_for_a_claim_again(running, agency, trainer):
    earlier = TrainingSessionFactory(starts_at=timezone.now() - timedelta(days=2))
    walk_in(earlier, agency, trainer.user)
    officer = sign_up(EMAIL)
    services.claim_walk_ins(user=officer.user)
    officer.user.email = "zacarias@private.example"
    officer.user.save()

    walk_in(running, agency, trainer.user)

    pending = PendingOfficer.objects.get()
    assert (pending.claimed_by, Registration.objects.get(session=running).pending_officer) == (None, pending)
    assert Registration.objects.get(session=earlier).officer == officer
