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
