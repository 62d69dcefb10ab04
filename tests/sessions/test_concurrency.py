"""Fifty officers register at the same moment for ten seats: nobody is overbooked.

Runs real threads against PostgreSQL (row locks); SQLite serialises writers differently and is
skipped.
"""

import threading

import pytest
from django.db import connection, connections

from sessions import services
from sessions.models import Registration
from tests.factories import AgencyFactory, OfficerFactory, TrainingSessionFactory

OFFICERS = 50
SEATS = 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_register_officer_concurrently_never_overbooks(countries):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks (set DATABASE_URL=postgres://…)")
    session = TrainingSessionFactory(capacity=SEATS)
    agency = AgencyFactory()
    officers = [OfficerFactory(agency=agency) for _ in range(OFFICERS)]
    barrier = threading.Barrier(OFFICERS)
    errors = []

    def register(officer):
        try:
            barrier.wait(timeout=30)
            services.register_officer(session=session, officer=officer, source=Registration.Source.PORTAL)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register, args=(officer,)) for officer in officers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    registrations = Registration.objects.filter(session=session)
    assert errors == []
    assert registrations.filter(status=Registration.Status.CONFIRMED).count() == SEATS
    waitlisted = registrations.filter(status=Registration.Status.WAITLISTED).order_by("waitlist_position")
    assert list(waitlisted.values_list("waitlist_position", flat=True)) == list(range(1, OFFICERS - SEATS + 1))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_nominations_concurrently_never_exceed_a_quota_or_the_capacity(countries, roles):
    """30 focal points of 5 agencies nominate at once for 20 seats, 5 reserved for each of four
    agencies (the fifth has no quota, so no seat is left for it)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks (set DATABASE_URL=postgres://…)")
    from sessions.models import Nomination, TrainingSession
    from tests.factories import FocalPointFactory, SessionQuotaFactory

    session = TrainingSessionFactory(capacity=20, registration_mode=TrainingSession.RegistrationMode.NOMINATION)
    agencies = [AgencyFactory() for _ in range(5)]
    for agency in agencies[:4]:
        SessionQuotaFactory(session=session, agency=agency, seats=5)
    focal_points = [FocalPointFactory(officer=OfficerFactory(agency=agencies[i % 5])).officer for i in range(30)]
    nominees = [OfficerFactory(agency=fp.agency) for fp in focal_points]
    barrier = threading.Barrier(len(focal_points))
    refusals, errors = [], []

    def nominate(fp, nominee):
        try:
            barrier.wait(timeout=30)
            services.nominate(session=session, officers=[nominee], by=fp.user)
        except services.NominationError as error:
            refusals.append(error.code)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=nominate, args=pair) for pair in zip(focal_points, nominees, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    confirmed = Registration.objects.filter(session=session, status=Registration.Status.CONFIRMED)
    assert confirmed.count() == 20
    per_agency = {agency.pk: confirmed.filter(agency=agency).count() for agency in agencies}
    assert [per_agency[agency.pk] for agency in agencies] == [5, 5, 5, 5, 0]
    assert Nomination.objects.filter(session=session, status=Nomination.Status.CONFIRMED).count() == 20
    assert sorted(refusals) == ["quota_full"] * 4 + ["session_full"] * 6
