"""Managers and focal points acting at the same moment: one term, one decision, one email.

Real threads against PostgreSQL (row locks); skipped on SQLite.
"""

import threading

import pytest
from django.db import connection, connections

from agencies import services
from agencies.models import FocalPoint, Officer
from messaging.models import OutboundMessage
from tests.factories import FocalPointFactory, ManagerFactory, OfficerFactory

CALLERS = 6


def _at_once(calls) -> tuple[list, list]:
    """Run each call in its own thread, released together; (results, errors)."""
    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def run(call):
        try:
            barrier.wait(timeout=30)
            results.append(call())
        except Exception as error:  # noqa: BLE001 - collected and asserted by the tests
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_managers_appointing_the_same_officer_at_once_make_one_term(countries):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks (set DATABASE_URL=postgres://…)")
    officer = OfficerFactory()
    managers = [ManagerFactory() for _ in range(CALLERS)]

    results, errors = _at_once(
        [lambda m=m: services.appoint_focal_point(agency=officer.agency, officer=officer, by=m) for m in managers]
    )

    assert (len(results), FocalPoint.objects.filter(officer=officer).count()) == (1, 1)
    assert [str(error) for error in errors] == ["This officer is already a focal point of the agency."] * (CALLERS - 1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_focal_points_deciding_the_same_officer_at_once_send_one_email(countries):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks (set DATABASE_URL=postgres://…)")
    first = FocalPointFactory()
    deciders = [first.officer.user] + [
        FocalPointFactory(officer=OfficerFactory(agency=first.agency)).officer.user for _ in range(CALLERS - 1)
    ]
    pending = OfficerFactory(agency=first.agency, verification_status=Officer.Verification.PENDING)

    results, errors = _at_once(
        [
            lambda user=user, n=n: services.decide_pending_officer(
                officer=pending, by=user, approve=n % 2 == 0, reason="Unknown"
            )
            for n, user in enumerate(deciders)
        ]
    )

    assert len(results) == 1
    assert [str(error) for error in errors] == ["This officer's affiliation was already decided."] * (CALLERS - 1)
    assert OutboundMessage.objects.filter(recipient=pending.user.email).count() == 1
