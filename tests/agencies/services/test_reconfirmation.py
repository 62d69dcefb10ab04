"""The yearly reconfirmation (agencies.services.reconfirmation): its schedule, answers and expiry."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError

from accounts.roles import focal_point_agency_id
from agencies import services
from agencies.models import Agency, AgencyReconfirmation, FocalPoint, Officer
from agencies.tasks import sweep_reconfirmations
from messaging.models import OutboundMessage
from tests.factories import (
    AgencyEmailDomainFactory,
    AgencyFactory,
    FocalPointFactory,
    ManagerFactory,
    OfficerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

APPOINTED = date(2026, 3, 10)
DUE = date(2027, 3, 10)


def _on(day: date, hour: int = 9):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=UTC), tick=False)


def _fresh(user):
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def agency():
    agency = AgencyFactory(name="Policía Federal Ministerial", acronym="PFM")
    AgencyEmailDomainFactory(agency=agency, domain="fgr.org.mx")
    return agency


@pytest.fixture
def focal_point(agency):
    """Lucía, appointed on 10 March 2026: her agency's reconfirmation is due on 10 March 2027."""
    officer = OfficerFactory(
        agency=agency,
        user=UserFactory(email="lucia.ramos@fgr.org.mx", first_name="Lucía", last_name="Ramos"),
        preferred_language="es",
    )
    with _on(APPOINTED):
        return services.appoint_focal_point(agency=agency, officer=officer, by=ManagerFactory())


@pytest.fixture(autouse=True)
def _deliver_on_commit(django_capture_on_commit_callbacks):
    """The outbox hands messages to the worker on commit: deliver them as the transaction ends."""
    global _capture
    _capture = django_capture_on_commit_callbacks


def _sweep_on(day: date) -> dict:
    with _on(day), _capture(execute=True):
        return sweep_reconfirmations.delay().get()


def _sent():
    return [(message.to, message.subject) for message in mail.outbox]


# --- The due date --------------------------------------------------------------------------------


def test_first_focal_point_sets_the_due_date_a_year_after_appointment(agency, focal_point):
    agency.refresh_from_db()
    assert agency.reconfirmation_due_on == DUE


def test_second_focal_point_leaves_the_due_date(agency, focal_point):
    with _on(date(2026, 9, 1)):
        services.appoint_focal_point(agency=agency, officer=OfficerFactory(agency=agency), by=ManagerFactory())

    agency.refresh_from_db()
    assert agency.reconfirmation_due_on == DUE


def test_appointing_after_every_focal_point_left_starts_a_new_year(agency, focal_point):
    manager = ManagerFactory()
    with _on(date(2026, 6, 1)):
        services.withdraw_focal_point(focal_point=focal_point, by=manager)
    with _on(date(2027, 5, 2)):
        services.appoint_focal_point(agency=agency, officer=OfficerFactory(agency=agency), by=manager)

    agency.refresh_from_db()
    assert agency.reconfirmation_due_on == date(2028, 5, 2)


def test_due_date_of_an_appointment_on_29_february_is_28_february():
    officer = OfficerFactory()
    with _on(date(2028, 2, 29)):
        services.appoint_focal_point(agency=officer.agency, officer=officer, by=ManagerFactory())

    officer.agency.refresh_from_db()
    assert officer.agency.reconfirmation_due_on == date(2029, 2, 28)


# --- The schedule: a notice 30 days ahead, one reminder 7 days ahead, nothing twice -------------


def test_nothing_is_sent_31_days_ahead(focal_point):
    mail.outbox.clear()

    assert _sweep_on(DUE - timedelta(days=31)) == {"emails": 0, "withdrawn": 0}
    assert mail.outbox == []


def test_notice_is_sent_30_days_ahead_once_in_the_focal_points_language(focal_point):
    mail.outbox.clear()

    assert _sweep_on(DUE - timedelta(days=30)) == {"emails": 1, "withdrawn": 0}
    _sweep_on(DUE - timedelta(days=30))
    _sweep_on(DUE - timedelta(days=29))
    _sweep_on(DUE - timedelta(days=8))

    assert _sent() == [(["lucia.ramos@fgr.org.mx"], "Confirme los datos de su agencia antes del 10 de marzo de 2027")]
    body = mail.outbox[0].body
    assert "fgr.org.mx" in body
    assert "Lucía Ramos" in body
    assert "http://testserver/agency/reconfirmation/" in body or "/agency/reconfirmation/" in body
    message = OutboundMessage.objects.get()
    assert (
        message.idempotency_key == f"agency_reconfirmation:notice:{focal_point.agency_id}:2027-03-10:{focal_point.pk}"
    )


def test_one_reminder_is_sent_7_days_ahead(focal_point):
    _sweep_on(DUE - timedelta(days=30))
    mail.outbox.clear()

    _sweep_on(DUE - timedelta(days=7))
    _sweep_on(DUE - timedelta(days=7))
    _sweep_on(DUE - timedelta(days=1))
    _sweep_on(DUE)

    assert _sent() == [
        (["lucia.ramos@fgr.org.mx"], "Recordatorio: confirme los datos de su agencia antes del 10 de marzo de 2027")
    ]


def test_sweep_that_missed_the_notice_sends_it_first_and_the_reminder_a_day_later(focal_point):
    mail.outbox.clear()

    _sweep_on(DUE - timedelta(days=5))
    kinds_first_day = list(OutboundMessage.objects.values_list("kind", flat=True))
    _sweep_on(DUE - timedelta(days=4))

    assert kinds_first_day == ["agency_reconfirmation"]
    assert sorted(OutboundMessage.objects.values_list("kind", flat=True)) == [
        "agency_reconfirmation",
        "agency_reconfirmation_reminder",
    ]


def test_focal_point_appointed_after_the_notice_gets_their_own(agency, focal_point):
    _sweep_on(DUE - timedelta(days=30))
    late = OfficerFactory(agency=agency, user=UserFactory(email="pablo@fgr.org.mx"), preferred_language="en")
    with _on(DUE - timedelta(days=20)):
        services.appoint_focal_point(agency=agency, officer=late, by=ManagerFactory())
    mail.outbox.clear()

    _sweep_on(DUE - timedelta(days=20))

    assert _sent() == [(["pablo@fgr.org.mx"], "Please confirm your agency's details by March 10, 2027")]


def test_confirmed_agency_gets_no_reminder_and_keeps_its_focal_points(focal_point):
    _sweep_on(DUE - timedelta(days=30))
    with _on(DUE - timedelta(days=10)):
        services.confirm_agency_details(agency=focal_point.agency, by=focal_point.officer.user)
    mail.outbox.clear()

    _sweep_on(DUE - timedelta(days=7))
    _sweep_on(DUE + timedelta(days=1))

    assert mail.outbox == []
    assert FocalPoint.objects.get(pk=focal_point.pk).is_active


# --- Answers --------------------------------------------------------------------------------------


def test_confirm_records_who_and_when_and_moves_the_due_date_a_year_on(focal_point):
    user = focal_point.officer.user
    with _on(DUE - timedelta(days=12), hour=14):
        answer = services.confirm_agency_details(agency=focal_point.agency, by=user)

    assert (answer.kind, answer.due_on, answer.by, answer.at) == (
        AgencyReconfirmation.Kind.CONFIRMED,
        DUE,
        user,
        datetime(2027, 2, 26, 14, tzinfo=UTC),
    )
    assert Agency.objects.get(pk=focal_point.agency_id).reconfirmation_due_on == date(2028, 3, 10)


def test_confirming_twice_moves_the_due_date_once(focal_point):
    other = OfficerFactory(agency=focal_point.agency)
    FocalPointFactory(officer=other)
    with _on(DUE - timedelta(days=3)):
        services.confirm_agency_details(agency=focal_point.agency, by=focal_point.officer.user)
        with pytest.raises(services.ReconfirmationError, match="Nothing is due for confirmation yet."):
            services.confirm_agency_details(agency=focal_point.agency, by=other.user)

    assert Agency.objects.get(pk=focal_point.agency_id).reconfirmation_due_on == date(2028, 3, 10)
    assert AgencyReconfirmation.objects.count() == 1


def test_confirming_before_the_notice_is_refused(focal_point):
    with _on(DUE - timedelta(days=31)), pytest.raises(services.ReconfirmationError) as raised:
        services.confirm_agency_details(agency=focal_point.agency, by=focal_point.officer.user)

    assert raised.value.code == "not_due"
    assert Agency.objects.get(pk=focal_point.agency_id).reconfirmation_due_on == DUE


def test_database_refuses_two_confirmations_of_one_due_date(focal_point):
    row = {"agency": focal_point.agency, "kind": "confirmed", "due_on": DUE, "at": datetime(2027, 3, 1, tzinfo=UTC)}
    AgencyReconfirmation.objects.create(**row)

    with pytest.raises(IntegrityError):
        AgencyReconfirmation.objects.create(**row)


def test_note_about_something_wrong_is_stored_and_does_not_confirm(focal_point):
    user = focal_point.officer.user
    with _on(DUE - timedelta(days=20)):
        answer = services.report_agency_problem(
            agency=focal_point.agency, by=user, note="  Ya no usamos pgr.gob.mx; Juan Pérez dejó la agencia.  "
        )

    assert (answer.kind, answer.note, answer.by, answer.due_on) == (
        AgencyReconfirmation.Kind.PROBLEM,
        "Ya no usamos pgr.gob.mx; Juan Pérez dejó la agencia.",
        user,
        DUE,
    )
    assert Agency.objects.get(pk=focal_point.agency_id).reconfirmation_due_on == DUE


def test_empty_note_is_refused(focal_point):
    with pytest.raises(services.ReconfirmationError, match="Say what is wrong."):
        services.report_agency_problem(agency=focal_point.agency, by=focal_point.officer.user, note="   ")

    assert AgencyReconfirmation.objects.count() == 0


@pytest.mark.parametrize("who", ["other_agency_focal_point", "plain_officer", "manager", "withdrawn_focal_point"])
def test_only_the_agencys_focal_points_may_answer(focal_point, who):
    agency = focal_point.agency
    if who == "other_agency_focal_point":
        user = FocalPointFactory().officer.user
    elif who == "plain_officer":
        user = OfficerFactory(agency=agency).user
    elif who == "manager":
        user = ManagerFactory()
    else:
        term = FocalPointFactory(officer=OfficerFactory(agency=agency))
        services.withdraw_focal_point(focal_point=term, by=ManagerFactory())
        user = _fresh(term.officer.user)

    with _on(DUE - timedelta(days=3)):
        for answer in (
            lambda: services.confirm_agency_details(agency=agency, by=user),
            lambda: services.report_agency_problem(agency=agency, by=user, note="Wrong"),
        ):
            with pytest.raises(services.ReconfirmationError) as raised:
                answer()
            assert raised.value.code == "not_focal_point"

    assert AgencyReconfirmation.objects.count() == 0
    assert Agency.objects.get(pk=agency.pk).reconfirmation_due_on == DUE


# --- Expiry ---------------------------------------------------------------------------------------


def _agency_state(agency_id: int) -> dict:
    return Agency.objects.filter(pk=agency_id).values().get()


def test_unconfirmed_agency_loses_its_focal_points_the_day_after_the_due_date(agency, focal_point):
    second = FocalPointFactory(officer=OfficerFactory(agency=agency, user=UserFactory(email="ana@fgr.org.mx")))
    other_agency_term = FocalPointFactory()
    other_agency_term.agency.reconfirmation_due_on = DUE + timedelta(days=100)
    other_agency_term.agency.save()
    AgencyReconfirmation.objects.create(
        agency=agency, kind="problem", due_on=DUE, at=datetime(2027, 3, 1, tzinfo=UTC), note="Dominio viejo"
    )
    before = _agency_state(agency.pk)
    domains = list(agency.email_domains.values_list("domain", flat=True))
    assert _sweep_on(DUE)["withdrawn"] == 0
    mail.outbox.clear()

    done = _sweep_on(DUE + timedelta(days=1))

    assert done["withdrawn"] == 2
    assert FocalPoint.objects.get(pk=other_agency_term.pk).is_active
    terms = FocalPoint.objects.filter(pk__in=[focal_point.pk, second.pk]).order_by("pk")
    assert [(term.withdrawn_at, term.withdrawn_by) for term in terms] == [
        (datetime(2027, 3, 11, 9, tzinfo=UTC), None),
        (datetime(2027, 3, 11, 9, tzinfo=UTC), None),
    ]
    latest = focal_point.history.order_by("-history_id").first()
    assert (latest.history_user, latest.history_actor) == (None, "task agencies.tasks.sweep_reconfirmations")
    assert sorted(_sent()) == [
        (["ana@fgr.org.mx"], "Your role as focal point of Policía Federal Ministerial (PFM) has ended"),
        (["lucia.ramos@fgr.org.mx"], "Su función de punto focal de Policía Federal Ministerial (PFM) ha terminado"),
    ]
    assert focal_point_agency_id(_fresh(focal_point.officer.user)) is None
    # Nothing else of the agency or its people changes.
    assert _agency_state(agency.pk) == before
    assert list(agency.email_domains.values_list("domain", flat=True)) == domains
    assert AgencyReconfirmation.objects.filter(agency=agency).count() == 1
    officer = Officer.objects.get(pk=focal_point.officer_id)
    assert (officer.verification_status, officer.agency_id) == (Officer.Verification.VERIFIED, agency.pk)


def test_expiry_runs_once(agency, focal_point):
    _sweep_on(DUE + timedelta(days=1))
    mail.outbox.clear()

    assert _sweep_on(DUE + timedelta(days=1)) == {"emails": 0, "withdrawn": 0}
    assert _sweep_on(DUE + timedelta(days=2)) == {"emails": 0, "withdrawn": 0}
    assert mail.outbox == []


def test_withdrawing_is_still_refused_without_a_person_unless_lapsed(focal_point):
    with pytest.raises(services.FocalPointError):
        services.withdraw_focal_point(focal_point=focal_point, by=None)

    assert FocalPoint.objects.get(pk=focal_point.pk).is_active


# --- Erasure ----------------------------------------------------------------------------------------


def test_erasing_the_author_erases_the_note_and_keeps_the_answer(focal_point):
    user = focal_point.officer.user
    with _on(DUE - timedelta(days=20)):
        services.report_agency_problem(agency=focal_point.agency, by=user, note="Soy Lucía Ramos, el dominio cambió")

    services.erase_officer(officer=focal_point.officer, by=ManagerFactory())

    assert list(AgencyReconfirmation.objects.values_list("kind", "note", "by")) == [
        ("problem", services.ERASED_NAME, None)
    ]
