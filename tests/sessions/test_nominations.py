"""Nominations within quotas: the services, every refusal, seat accounting, the sweeps and emails."""

from datetime import timedelta

import pytest
from django.utils import timezone

from messaging.models import OutboundMessage
from sessions import selectors, services
from sessions.models import Invitation, Nomination, Registration, TrainingSession
from sessions.tasks import release_nomination_seats
from tests.factories import (
    AgencyFactory,
    FocalPointFactory,
    ManagerFactory,
    OfficerFactory,
    RegistrationFactory,
    SessionQuotaFactory,
    TrainingSessionFactory,
)

pytestmark = pytest.mark.django_db

MODE = TrainingSession.RegistrationMode


def nomination_session(*, mode=MODE.NOMINATION, capacity=10, **kwargs):
    return TrainingSessionFactory(registration_mode=mode, capacity=capacity, **kwargs)


def focal_point(agency=None):
    return FocalPointFactory(officer=OfficerFactory(agency=agency or AgencyFactory())).officer


def test_nominating_an_officer_registers_them_confirmed_and_emails_them():
    session = nomination_session()
    fp = focal_point()
    officer = OfficerFactory(agency=fp.agency, user__email="ana@policia.gob.mx")

    [nomination] = services.nominate(session=session, officers=[officer], by=fp.user)

    assert nomination.status == Nomination.Status.CONFIRMED
    assert nomination.nominated_by == fp.user
    registration = Registration.objects.get(session=session, officer=officer)
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.source == Registration.Source.NOMINATION
    assert nomination.registration == registration
    assert list(OutboundMessage.objects.values_list("kind", "recipient")) == [
        ("registration_confirmed", "ana@policia.gob.mx")
    ]
    assert nomination.history.first().history_user == fp.user


def test_with_approval_a_nomination_holds_a_seat_until_a_manager_approves():
    session = nomination_session(mode=MODE.NOMINATION_APPROVAL, capacity=1)
    fp = focal_point()
    officer = OfficerFactory(agency=fp.agency, user__email="ana@policia.gob.mx")

    [nomination] = services.nominate(session=session, officers=[officer], by=fp.user)

    assert nomination.status == Nomination.Status.PENDING
    assert not Registration.objects.filter(session=session).exists()
    assert selectors.seats_left(session) == 0
    assert list(OutboundMessage.objects.values_list("kind", "recipient")) == [
        ("nomination_pending", "ana@policia.gob.mx")
    ]

    manager = ManagerFactory()
    services.approve_nomination(nomination=nomination, by=manager)

    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.CONFIRMED
    assert nomination.decided_by == manager
    assert nomination.registration.status == Registration.Status.CONFIRMED
    assert selectors.seats_left(session) == 0
    assert OutboundMessage.objects.filter(kind="registration_confirmed").count() == 1


def test_a_manager_rejects_a_nomination_the_seat_is_freed_and_the_officer_told():
    session = nomination_session(mode=MODE.NOMINATION_APPROVAL, capacity=1)
    fp = focal_point()
    officer = OfficerFactory(agency=fp.agency, user__email="ana@policia.gob.mx")
    [nomination] = services.nominate(session=session, officers=[officer], by=fp.user)

    services.reject_nomination(nomination=nomination, by=ManagerFactory())

    assert Nomination.objects.get().status == Nomination.Status.REJECTED
    assert selectors.seats_left(session) == 1
    assert OutboundMessage.objects.filter(kind="nomination_rejected", recipient="ana@policia.gob.mx").count() == 1


def test_a_focal_point_cannot_approve_nominations():
    session = nomination_session(mode=MODE.NOMINATION_APPROVAL)
    fp = focal_point()
    [nomination] = services.nominate(session=session, officers=[OfficerFactory(agency=fp.agency)], by=fp.user)

    with pytest.raises(services.NominationError) as error:
        services.approve_nomination(nomination=nomination, by=fp.user)

    assert error.value.code == "permission_denied"
    assert Nomination.objects.get().status == Nomination.Status.PENDING


def test_withdrawing_a_nomination_cancels_the_seat_and_promotes_the_waitlist():
    session = nomination_session(capacity=1)
    fp = focal_point()
    officer = OfficerFactory(agency=fp.agency)
    [nomination] = services.nominate(session=session, officers=[officer], by=fp.user)
    waiting = RegistrationFactory(
        session=session, officer=OfficerFactory(agency=fp.agency), status="waitlisted", waitlist_position=1
    )

    services.withdraw_nomination(nomination=nomination, by=fp.user)

    assert nomination.status == Nomination.Status.WITHDRAWN
    assert Registration.objects.get(session=session, officer=officer).status == Registration.Status.CANCELLED
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED


def test_an_email_nomination_invites_and_holds_a_seat_until_accepted():
    session = nomination_session(capacity=2)
    fp = focal_point()

    [nomination] = services.nominate(session=session, emails=["New.Officer@Policia.gob.mx"], by=fp.user)

    assert nomination.status == Nomination.Status.INVITED
    assert nomination.email == "new.officer@policia.gob.mx"
    assert nomination.invitation.agency == fp.agency
    assert selectors.seats_left(session) == 1
    assert list(OutboundMessage.objects.values_list("kind", "recipient")) == [
        ("invitation", "new.officer@policia.gob.mx")
    ]

    newcomer = OfficerFactory(agency=fp.agency, user__email="new.officer@policia.gob.mx")
    registration = services.accept_invitation(invitation=nomination.invitation, officer=newcomer)

    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.CONFIRMED
    assert nomination.officer == newcomer
    assert nomination.email == ""
    assert registration.status == Registration.Status.CONFIRMED
    assert selectors.seats_left(session) == 1


def test_an_invited_nominee_of_another_agency_cannot_take_the_seat():
    session = nomination_session()
    fp = focal_point()
    [nomination] = services.nominate(session=session, emails=["x@other.org"], by=fp.user)
    outsider = OfficerFactory(user__email="x@other.org")

    with pytest.raises(services.NominationError) as error:
        services.accept_invitation(invitation=nomination.invitation, officer=outsider)

    assert error.value.code == "other_agency"
    assert not Registration.objects.filter(session=session).exists()
    assert Nomination.objects.get().status == Nomination.Status.INVITED


def test_held_seats_are_released_after_the_nomination_deadline_by_the_sweep():
    now = timezone.now()
    session = nomination_session(capacity=1, nomination_deadline=now + timedelta(days=1))
    fp = focal_point()
    services.nominate(session=session, emails=["late@policia.gob.mx"], by=fp.user)
    waiting = RegistrationFactory(session=session, status="waitlisted", waitlist_position=1)

    assert services.expire_nominations(now=now) == 0
    assert services.expire_nominations(now=now + timedelta(days=2)) == 1
    assert services.expire_nominations(now=now + timedelta(days=2)) == 0

    nomination = Nomination.objects.get()
    assert nomination.status == Nomination.Status.EXPIRED
    assert nomination.invitation.status == Invitation.Status.DECLINED
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED


# --- Seat accounting with quotas ---------------------------------------------------------------


def test_reserved_seats_are_kept_from_other_agencies_and_the_pool_is_shared():
    session = TrainingSessionFactory(capacity=5)
    reserved = SessionQuotaFactory(session=session, seats=3).agency
    other = AgencyFactory()

    assert selectors.seats_left(session) == 5
    assert selectors.seats_left(session, agency_id=reserved.pk) == 5
    assert selectors.seats_left(session, agency_id=other.pk) == 2

    for _ in range(2):
        services.register_officer(session=session, officer=OfficerFactory(agency=other), source="portal")
    late = services.register_officer(session=session, officer=OfficerFactory(agency=other), source="portal")

    assert late.status == Registration.Status.WAITLISTED
    assert selectors.seats_left(session, agency_id=reserved.pk) == 3
    # The reserved agency's officers take their quota first, then nothing else is left.
    for _ in range(3):
        placed = services.register_officer(session=session, officer=OfficerFactory(agency=reserved), source="portal")
        assert placed.status == Registration.Status.CONFIRMED
    assert selectors.seats_left(session) == 0


def test_an_agency_takes_from_its_quota_first_then_the_unreserved_pool():
    session = nomination_session(capacity=4)
    fp = focal_point()
    SessionQuotaFactory(session=session, agency=fp.agency, seats=2)
    officers = [OfficerFactory(agency=fp.agency) for _ in range(4)]

    services.nominate(session=session, officers=officers, by=fp.user)

    assert Registration.objects.filter(session=session, status="confirmed").count() == 4
    assert selectors.seats_left(session) == 0


def test_the_quota_release_sweep_gives_unused_seats_to_the_waitlist_in_order_once():
    now = timezone.now()
    session = TrainingSessionFactory(capacity=3, quota_release_at=now + timedelta(days=1))
    SessionQuotaFactory(session=session, seats=2)
    other = AgencyFactory()
    first, second, third = (
        services.register_officer(session=session, officer=OfficerFactory(agency=other), source="portal")
        for _ in range(3)
    )
    assert [first.status, second.status, third.status] == ["confirmed", "waitlisted", "waitlisted"]

    assert services.release_quotas(now=now) == 0
    assert services.release_quotas(now=now + timedelta(days=2)) == 1
    assert services.release_quotas(now=now + timedelta(days=2)) == 0

    statuses = dict(Registration.objects.filter(session=session).values_list("pk", "status"))
    assert [statuses[first.pk], statuses[second.pk], statuses[third.pk]] == ["confirmed"] * 3
    assert OutboundMessage.objects.filter(kind="registration_promoted").count() == 2


def test_the_beat_task_runs_both_sweeps():
    now = timezone.now()
    session = nomination_session(capacity=2, nomination_deadline=now + timedelta(minutes=1))
    fp = focal_point()
    services.nominate(session=session, emails=["a@policia.gob.mx"], by=fp.user)
    TrainingSession.objects.filter(pk=session.pk).update(
        nomination_deadline=now - timedelta(minutes=1), quota_release_at=now - timedelta(minutes=1)
    )

    assert release_nomination_seats() == {"expired": 1, "released": 1}
    assert release_nomination_seats() == {"expired": 0, "released": 0}


# --- Refusals: each a clear error, nothing saved -------------------------------------------------


def refused(code, **kwargs):
    before = (Nomination.objects.count(), Registration.objects.count(), OutboundMessage.objects.count())
    with pytest.raises(services.NominationError) as error:
        services.nominate(**kwargs)
    assert error.value.code == code
    assert str(error.value.message)
    assert (Nomination.objects.count(), Registration.objects.count(), OutboundMessage.objects.count()) == before
    return error.value


def test_nominating_an_officer_of_another_agency_is_refused():
    fp = focal_point()
    error = refused("other_agency", session=nomination_session(), officers=[OfficerFactory()], by=fp.user)
    assert str(error.message) == "You may only nominate officers of your own agency."


def test_nominating_beyond_the_quota_is_refused_and_nothing_of_the_batch_is_saved():
    session = nomination_session(capacity=2)
    fp = focal_point()
    SessionQuotaFactory(session=session, agency=fp.agency, seats=1)
    SessionQuotaFactory(session=session, seats=1)
    officers = [OfficerFactory(agency=fp.agency) for _ in range(2)]

    error = refused("quota_full", session=session, officers=officers, by=fp.user)

    assert str(error.message) == "Your agency's quota for this session is used up."


def test_nominating_beyond_capacity_is_refused():
    session = nomination_session(capacity=1)
    fp = focal_point()
    RegistrationFactory(session=session)
    refused("session_full", session=session, officers=[OfficerFactory(agency=fp.agency)], by=fp.user)


def test_nominating_after_the_deadline_is_refused():
    session = nomination_session(nomination_deadline=timezone.now() - timedelta(minutes=1))
    fp = focal_point()
    refused("deadline_passed", session=session, officers=[OfficerFactory(agency=fp.agency)], by=fp.user)


def test_nominating_twice_is_refused():
    session = nomination_session()
    fp = focal_point()
    officer = OfficerFactory(agency=fp.agency)
    services.nominate(session=session, officers=[officer], by=fp.user)
    refused("already_nominated", session=session, officers=[officer], by=fp.user)
    services.nominate(session=session, emails=["a@policia.gob.mx"], by=fp.user)
    refused("already_nominated", session=session, emails=["A@policia.gob.mx"], by=fp.user)


def test_nominating_for_an_open_session_is_refused():
    fp = focal_point()
    session = nomination_session(mode=MODE.OPEN)
    refused("not_by_nomination", session=session, officers=[OfficerFactory(agency=fp.agency)], by=fp.user)


def test_nominating_for_a_cancelled_session_is_refused():
    fp = focal_point()
    session = nomination_session(status=TrainingSession.Status.CANCELLED)
    refused("cancelled", session=session, officers=[OfficerFactory(agency=fp.agency)], by=fp.user)


def test_an_officer_who_is_not_a_focal_point_cannot_nominate():
    someone = OfficerFactory()
    refused(
        "not_focal_point",
        session=nomination_session(),
        officers=[OfficerFactory(agency=someone.agency)],
        by=someone.user,
    )


def test_an_unverified_officer_cannot_be_nominated():
    fp = focal_point()
    pending = OfficerFactory(agency=fp.agency, verification_status="pending")
    refused("nominee_not_verified", session=nomination_session(), officers=[pending], by=fp.user)


def test_an_invalid_address_is_refused():
    fp = focal_point()
    refused("invalid_email", session=nomination_session(), emails=["not-an-address"], by=fp.user)


def test_self_registration_on_a_nomination_session_is_refused():
    session = nomination_session()
    with pytest.raises(services.RegistrationError) as error:
        services.register_officer(session=session, officer=OfficerFactory(), source=Registration.Source.PORTAL)
    assert error.value.code == "by_nomination"
    assert (
        str(error.value.message) == "This session is by nomination: your agency's focal point nominates its officers."
    )
    assert not Registration.objects.exists()
