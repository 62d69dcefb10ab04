from datetime import date, timedelta
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import is_manager
from agencies.models import Agency, AgencyEmailDomain
from demo.program import DEMO_PASSWORD, MANAGER_EMAIL, OFFICER_EMAIL, SURVEY_COMMENTS, TRAINER_EMAIL
from demo.seed import seed_demo
from reports.impact import consented_quotes
from reports.selectors import yearly_report
from sessions.models import (
    Attendance,
    DayAttendance,
    KnowledgeCheck,
    Question,
    Registration,
    SurveyResponse,
    Topic,
    Trainer,
    TrainingSession,
)

PROGRAM_COUNTRIES = {"AR", "BR", "CA", "FR", "DE", "IL", "NL", "PH", "SE", "KR", "GB", "MX"}


@pytest.fixture(scope="module")
def _demo_data(django_db_setup, django_db_blocker):
    """Seed once for the module inside a transaction that is rolled back afterwards.

    Each test still runs in its own savepoint (the ``db`` fixture), so what one test changes
    never leaks into another, and nothing leaks into other modules.
    """
    with django_db_blocker.unblock():
        block = transaction.atomic()
        block.__enter__()
        try:
            seed_demo()
            yield
        finally:
            transaction.set_rollback(True)
            block.__exit__(None, None, None)


@pytest.fixture
def seeded(_demo_data, db):
    return timezone.localdate().year - 1


def _counts():
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def _local_date(session):
    return session.starts_at.astimezone(session.timezone).date()


def test_seed_demo_agencies_cover_program_countries_and_interpol(seeded):
    assert Agency.objects.count() == 23
    assert set(Agency.objects.values_list("country_id", flat=True)) == PROGRAM_COUNTRIES
    interpol = Agency.objects.get(acronym="INTERPOL")
    assert (interpol.kind, interpol.country_id) == (Agency.Kind.INTERNATIONAL, "FR")
    assert AgencyEmailDomain.objects.get(domain="policia.gob.mx").agency.country_id == "MX"
    assert not Agency.objects.filter(email_domains__isnull=True).exists()


def test_seed_demo_topics_and_trainers(seeded):
    assert Topic.objects.count() == 7
    assert not Topic.objects.filter(name_es="").exists()
    assert not Topic.objects.filter(name_fr="").exists()
    assert Trainer.objects.count() == 6
    trainers = Trainer.objects.select_related("user").prefetch_related("topics", "user__groups")
    for trainer in trainers:
        assert trainer.user.is_staff
        assert [group.name for group in trainer.user.groups.all()] == ["Trainers"]
        assert trainer.bio
        assert trainer.languages
        assert trainer.topics.count() == 3


def test_seed_demo_last_year_has_120_completed_sessions(seeded):
    # The three-day workshop was held this year (a few weeks ago).
    last_year = TrainingSession.objects.filter(status=TrainingSession.Status.COMPLETED).exclude(
        title_en="Tracing illicit funds: three-day workshop"
    )
    assert sorted({_local_date(session).year for session in last_year}) == [seeded]
    assert last_year.count() == 120
    assert not Registration.objects.filter(session__in=last_year, attendance__isnull=True).exists()
    assert Attendance.objects.filter(status__in=Attendance.COUNTED).count() > 1500


def test_seed_demo_interpol_virtual_session_on_24_january(seeded):
    session = TrainingSession.objects.get(audience_agencies__acronym="INTERPOL")
    assert _local_date(session) == date(seeded, 1, 24)
    assert session.format == TrainingSession.Format.VIRTUAL
    attended = session.registrations.filter(attendance__status__in=Attendance.COUNTED)
    assert attended.count() >= 30
    assert set(attended.values_list("agency__acronym", flat=True)) == {"INTERPOL"}


def test_seed_demo_mexico_city_one_day_seminar(seeded):
    session = TrainingSession.objects.get(title_es__startswith="Seminario", city="Mexico City")
    assert _local_date(session) == date(seeded, 3, 12)
    assert session.format == TrainingSession.Format.IN_PERSON
    assert session.ends_at - session.starts_at == timedelta(hours=8)
    assert session.registrations.count() == 35
    assert set(session.registrations.values_list("agency__acronym", flat=True)) == {"PFM", "FGR", "UIF", "SAT"}
    assert set(session.registrations.values_list("country_id", flat=True)) == {"MX"}


def test_seed_demo_upcoming_full_cancelled_and_draft_sessions(seeded):
    from demo.seed import CHECK_IN_SESSION_TITLE

    published = TrainingSession.objects.filter(status=TrainingSession.Status.PUBLISHED)
    # Eight open to self-registration, and the workshop by nomination; besides them, today's check-in workshop.
    assert published.filter(title_en=CHECK_IN_SESSION_TITLE).count() == 1
    upcoming = published.exclude(title_en=CHECK_IN_SESSION_TITLE)
    assert upcoming.count() == 9
    assert not upcoming.filter(starts_at__lte=timezone.now()).exists()
    full = [
        session
        for session in upcoming
        if session.registrations.filter(status=Registration.Status.CONFIRMED).count() == session.capacity
    ]
    assert len(full) == 2
    for session in full:
        positions = session.registrations.filter(status=Registration.Status.WAITLISTED).values_list(
            "waitlist_position", flat=True
        )
        assert sorted(positions) == list(range(1, len(positions) + 1))
        assert len(positions) >= 3
    assert TrainingSession.objects.filter(status=TrainingSession.Status.CANCELLED).count() == 1
    assert TrainingSession.objects.filter(status=TrainingSession.Status.DRAFT).count() == 2


def test_seed_demo_registrations_snapshot_the_officer(seeded):
    mismatched = [
        registration.pk
        for registration in Registration.objects.select_related("officer__agency")
        if (registration.officer_key, registration.agency_id, registration.country_id)
        != (registration.officer.uuid, registration.officer.agency_id, registration.officer.agency.country_id)
    ]
    assert mismatched == []


def test_seed_demo_survey_responses_answered(seeded):
    answered = SurveyResponse.objects.filter(submitted_at__isnull=False)
    assert answered.count() > 100
    assert not answered.filter(overall_rating__isnull=True).exists()
    assert SurveyResponse.objects.filter(submitted_at__isnull=True).exists()


def test_seed_demo_year_shows_a_learning_gain(seeded):
    report = yearly_report(year=seeded)

    assert Question.objects.filter(text_es="", text_fr="").count() == 0
    assert report.current.learning_gain_officers > 50
    assert report.current.learning_gain > 0
    assert {row.scope for row in report.learning} == {"topic", "trainer"}
    demo_officer_session = Registration.objects.filter(
        officer__user__email=OFFICER_EMAIL, session__starts_at__gt=timezone.now(), status="confirmed"
    ).values("session_id")
    assert KnowledgeCheck.objects.filter(session__in=demo_officer_session, kind="pre").exists()


def test_seed_demo_trainers_never_double_booked(seeded):
    for trainer in Trainer.objects.all():
        sessions = list(trainer.sessions.exclude(status=TrainingSession.Status.CANCELLED).order_by("starts_at"))
        overlaps = [(a.pk, b.pk) for a, b in zip(sessions, sessions[1:], strict=False) if b.starts_at < a.ends_at]
        assert overlaps == []


def test_seed_demo_second_run_adds_nothing(seeded):
    before = _counts()

    report = seed_demo()

    assert _counts() == before
    assert [count for count in report.created.values() if count] == []


@pytest.mark.parametrize("email", [MANAGER_EMAIL, TRAINER_EMAIL, OFFICER_EMAIL])
def test_seed_demo_login_works(seeded, client, email):
    assert client.login(email=email, password=DEMO_PASSWORD)
    address = EmailAddress.objects.get(email=email)
    assert (address.verified, address.primary) == (True, True)


def test_seed_demo_demo_roles(seeded):
    manager = User.objects.get(email=MANAGER_EMAIL)
    officer = User.objects.get(email=OFFICER_EMAIL).officer
    assert (manager.is_staff, is_manager(manager)) == (True, True)
    assert User.objects.get(email=TRAINER_EMAIL).trainer.sessions.count() > 10
    assert (officer.agency.acronym, officer.is_verified) == ("PFM", True)
    # An upcoming seat, and one in today's check-in workshop (its code on My trainings).
    assert officer.registrations.filter(status=Registration.Status.CONFIRMED, session__status="published").count() == 2
    assert officer.registrations.filter(attendance__status=Attendance.Status.PRESENT).count() >= 1


def test_seed_demo_focal_points_and_pending_officers(seeded):
    from accounts.roles import focal_point_agency_id
    from agencies.models import FocalPoint, Officer
    from demo.program import FOCAL_POINT_EMAIL

    coordinator = User.objects.get(email=FOCAL_POINT_EMAIL)
    terms = FocalPoint.objects.active().select_related("agency").order_by("agency__acronym")
    pending = Officer.objects.filter(verification_status=Officer.Verification.PENDING).select_related("agency")

    assert [term.agency.acronym for term in terms] == ["INTERPOL", "PFM"]
    assert focal_point_agency_id(coordinator) == Agency.objects.get(acronym="PFM").pk
    assert sorted(officer.agency.acronym for officer in pending) == ["INTERPOL", "PFM", "PFM"]


def test_seed_demo_pfm_reconfirmation_due_within_30_days(seeded):
    from django.utils import timezone

    due = dict(
        Agency.objects.filter(reconfirmation_due_on__isnull=False).values_list("acronym", "reconfirmation_due_on")
    )

    assert {acronym: (day - timezone.localdate()).days for acronym, day in due.items()} == {"PFM": 20, "INTERPOL": 365}


def test_seed_demo_focal_point_login_opens_agency_page(seeded, client):
    from demo.program import FOCAL_POINT_EMAIL

    assert client.login(email=FOCAL_POINT_EMAIL, password=DEMO_PASSWORD)
    response = client.get("/agency/")

    # Like every demo officer, the coordinator accepted the privacy notice: no detour through it.
    assert response.status_code == 200
    assert [officer.user.last_name for officer in response.context["pending"]] == ["Salinas", "Fuentes"]


def test_seed_demo_training_requests_in_each_state(seeded):
    from agencies.models import TrainingRequest

    states = sorted(TrainingRequest.objects.values_list("state", flat=True))
    assert states == sorted(TrainingRequest.State.values)
    scheduled = TrainingRequest.objects.get(state=TrainingRequest.State.SCHEDULED)
    delivered = TrainingRequest.objects.get(state=TrainingRequest.State.DELIVERED)
    assert (scheduled.session.host_agency, delivered.session.status) == (scheduled.agency, "completed")
    assert list(scheduled.session.quotas.values_list("agency", "seats")) == [
        (scheduled.agency_id, min(scheduled.expected_officers, scheduled.session.capacity))
    ]
    assert delivered.delivered_at > delivered.created_at


def test_seed_demo_has_a_session_by_nomination_with_quotas(seeded):
    session = TrainingSession.objects.get(registration_mode=TrainingSession.RegistrationMode.NOMINATION)
    assert session.title == "Financial investigations workshop (by nomination)"
    assert sorted(session.quotas.values_list("agency__acronym", "seats")) == [("INTERPOL", 5), ("PFM", 5)]


def test_seed_demo_has_a_session_today_with_codes_to_scan(seeded):
    from demo.seed import CHECK_IN_SESSION_TITLE
    from sessions import checkin_codes, selectors

    session = TrainingSession.objects.get(title_en=CHECK_IN_SESSION_TITLE)
    roster = selectors.check_in_roster(session)

    assert _local_date(session) == timezone.localtime(timezone.now(), session.timezone).date()
    assert session.status == TrainingSession.Status.PUBLISHED
    assert session.self_check_in is True
    assert list(session.trainers.values_list("user__email", flat=True)) == [TRAINER_EMAIL]
    assert len(roster) == 13
    assert OFFICER_EMAIL in [registration.officer.user.email for registration in roster]
    code = checkin_codes.sign_code(registration=roster[0])
    assert checkin_codes.read_code(code).session_id == session.pk


def test_seed_demo_has_a_multi_day_session_with_attendance_per_day(seeded):
    session = TrainingSession.objects.get(title_en="Tracing illicit funds: three-day workshop")

    assert session.status == TrainingSession.Status.COMPLETED
    assert [(day.starts_at_time.hour, day.ends_at_time.hour) for day in session.days.all()] == [
        (9, 17),
        (9, 17),
        (9, 13),
    ]
    attendance = Attendance.objects.filter(registration__session=session).order_by("registration_id")
    assert [(a.status, a.hours_attended) for a in attendance] == [
        ("present", Decimal("20.0")),
        ("partial", Decimal("16.0")),
        ("partial", Decimal("8.0")),
        ("present", Decimal("20.0")),
        ("absent", Decimal("0.0")),
        ("partial", Decimal("18.0")),
    ]
    assert DayAttendance.objects.filter(registration__session=session).count() == 18


def test_seed_demo_last_year_has_consented_quotes_for_the_impact_summary(seeded):
    quotes = consented_quotes(year=seeded)

    assert len(quotes) == 3
    assert set(quotes) <= set(SURVEY_COMMENTS)
