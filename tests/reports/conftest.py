"""Shared data for the report tests: a small program whose every figure is known by hand."""

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from sessions import services
from sessions.models import Attendance, Registration, TrainingSession
from tests.factories import (
    AgencyFactory,
    AttendanceFactory,
    CountryFactory,
    OfficerFactory,
    RegistrationFactory,
    SessionTrainerFactory,
    SurveyFactory,
    SurveyResponseFactory,
    TopicFactory,
    TrainingSessionFactory,
)


def local(year, month, day, hour=10, minute=0, zone="UTC"):
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone))


def held_session(starts_at, *, zone="UTC", status=TrainingSession.Status.COMPLETED, **kwargs):
    return TrainingSessionFactory(starts_at=starts_at, timezone=zone, status=status, **kwargs)


def attend(session, officer=None, *, status=Attendance.Status.PRESENT, source=Registration.Source.PORTAL, **snapshot):
    """An attendance record of ``officer`` at ``session``; the snapshot defaults to the officer's agency."""
    officer = officer or OfficerFactory()
    registration = RegistrationFactory(session=session, officer=officer, source=source, **snapshot)
    return AttendanceFactory(registration=registration, status=status)


def attend_anonymised(session, *, agency, status=Attendance.Status.PRESENT):
    """An attendance whose officer erased their data: no officer, only the snapshot and the key."""
    registration = RegistrationFactory(
        session=session, officer=None, officer_key=uuid.uuid4(), agency=agency, country=agency.country
    )
    return AttendanceFactory(registration=registration, status=status)


@pytest.fixture
def program(db):
    """2024: three held sessions (virtual MX-time, in-person Paris, hybrid), one cancelled, one draft;
    2023: one session. Known figures for 2024:
    sessions 3 (virtual 1, in person 1, hybrid 1); attendances 5; officers 4; agencies 3; countries 2.
    """
    mexico, france = CountryFactory(code="MX"), CountryFactory(code="FR")
    policia = AgencyFactory(name="Policía Federal", country=mexico)
    fiscalia = AgencyFactory(name="=Fiscalía", country=mexico)
    gendarmerie = AgencyFactory(name="Gendarmerie", country=france)
    tracing = TopicFactory(slug="tracing", name="Tracing illicit funds")
    aml = TopicFactory(slug="aml", name="Anti-money-laundering")

    virtual = held_session(local(2024, 1, 24, 9, zone="America/Mexico_City"), zone="America/Mexico_City")
    virtual.topics.set([tracing])
    paris = held_session(
        local(2024, 3, 12, 9, zone="Europe/Paris"), zone="Europe/Paris", format=TrainingSession.Format.IN_PERSON
    )
    paris.topics.set([tracing, aml])
    hybrid = held_session(local(2024, 3, 20), format=TrainingSession.Format.HYBRID)
    cancelled = held_session(local(2024, 5, 1), status=TrainingSession.Status.CANCELLED)
    draft = held_session(local(2024, 6, 1), status=TrainingSession.Status.DRAFT)
    last_year = held_session(local(2023, 6, 1))
    lead = SessionTrainerFactory(session=virtual).trainer
    SessionTrainerFactory(session=paris, trainer=lead)

    ana = OfficerFactory(agency=policia)
    attend(virtual, ana)
    attend(paris, ana, status=Attendance.Status.PARTIAL)
    attend(virtual, OfficerFactory(agency=fiscalia))
    attend(paris, OfficerFactory(agency=gendarmerie))
    attend_anonymised(hybrid, agency=gendarmerie)
    attend(hybrid, status=Attendance.Status.ABSENT)
    attend(hybrid, status=Attendance.Status.EXCUSED)
    attend(cancelled, OfficerFactory(agency=policia))
    attend(draft, OfficerFactory(agency=policia))
    attend(last_year, ana)

    survey = SurveyFactory(session=virtual)
    for overall, recommend in ((5, 10), (4, 6)):
        registration = RegistrationFactory(session=virtual, officer=OfficerFactory(agency=policia))
        SurveyResponseFactory(
            survey=survey,
            registration=registration,
            submitted_at=local(2024, 1, 25),
            overall_rating=overall,
            usefulness_rating=4,
            trainer_rating=5,
            recommend_score=recommend,
        )
    return {"virtual": virtual, "paris": paris, "hybrid": hybrid, "tracing": tracing, "lead": lead}


def running_program(manager):
    """A session under way (published, started 3 hours ago), one a month ago (completed, in Paris),
    one a year ago (completed, Mexico City); officers of a Mexican and a French agency attending
    all three; one survey answer. Built through the services, for tests that change it."""
    now = timezone.now()
    mexico, france = CountryFactory(code="MX"), CountryFactory(code="FR")
    policia = AgencyFactory(name="Policía Federal", country=mexico)
    gendarmerie = AgencyFactory(name="Gendarmerie", country=france)
    tracing, aml = TopicFactory(slug="tracing"), TopicFactory(slug="aml")
    under_way = TrainingSessionFactory(
        starts_at=now - timedelta(hours=3), registration_closes_at=now + timedelta(hours=1)
    )
    under_way.topics.set([tracing])
    last_month = TrainingSessionFactory(
        starts_at=now - timedelta(days=30),
        timezone="Europe/Paris",
        format=TrainingSession.Format.IN_PERSON,
        status=TrainingSession.Status.COMPLETED,
    )
    last_month.topics.set([tracing, aml])
    last_year = TrainingSessionFactory(
        starts_at=now - timedelta(days=400),
        timezone="America/Mexico_City",
        format=TrainingSession.Format.HYBRID,
        status=TrainingSession.Status.COMPLETED,
    )
    trainer = SessionTrainerFactory(session=under_way).trainer
    SessionTrainerFactory(session=last_month, trainer=trainer)
    ana, ben = OfficerFactory(agency=policia), OfficerFactory(agency=gendarmerie)
    # Attendance taken before the sessions were completed (afterwards, it would send the survey).
    TrainingSession.objects.filter(pk__in=[last_month.pk, last_year.pk]).update(status=TrainingSession.Status.PUBLISHED)
    for session in (under_way, last_month, last_year):
        session.status = TrainingSession.Status.PUBLISHED
        for officer in (ana, ben):
            registration = RegistrationFactory(session=session, officer=officer)
            services.record_attendance(registration=registration, status="present", by=manager)
    TrainingSession.objects.filter(pk__in=[last_month.pk, last_year.pk]).update(status=TrainingSession.Status.COMPLETED)
    last_month.status = last_year.status = TrainingSession.Status.COMPLETED
    answer = SurveyResponseFactory(
        survey=SurveyFactory(session=last_month),
        registration=Registration.objects.get(session=last_month, officer=ben),
        submitted_at=now,
        overall_rating=4,
    )
    return {
        "year": under_way.starts_at.year,
        "now": now,
        "under_way": under_way,
        "last_month": last_month,
        "ana": ana,
        "ben": ben,
        "policia": policia,
        "gendarmerie": gendarmerie,
        "aml": aml,
        "manager": manager,
        "answer": answer,
    }
