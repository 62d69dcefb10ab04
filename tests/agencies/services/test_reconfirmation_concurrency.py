"""The reconfirmation under concurrency: overlapping sweeps and focal points confirming at once.

Real threads against PostgreSQL (row locks); skipped on SQLite.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from agencies import services
from agencies.models import Agency, AgencyReconfirmation, FocalPoint
from messaging.models import OutboundMessage
from tests.agencies.services.test_concurrency import CALLERS, _at_once
from tests.factories import AgencyFactory, FocalPointFactory, OfficerFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def terms(countries):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks (set DATABASE_URL=postgres://…)")
    agency = AgencyFactory(reconfirmation_due_on=timezone.localdate() + timedelta(days=10))
    return [FocalPointFactory(officer=OfficerFactory(agency=agency)) for _ in range(3)]


def test_sweeps_running_at_once_send_each_notice_once(terms):
    today = timezone.localdate()

    results, errors = _at_once([lambda: services.sweep_reconfirmations(today=today) for _ in range(CALLERS)])

    assert (errors, sorted(result["emails"] for result in results)) == ([], [0] * (CALLERS - 1) + [3])
    assert OutboundMessage.objects.filter(kind="agency_reconfirmation").count() == 3


def test_sweeps_running_at_once_withdraw_once(terms):
    day_after = terms[0].agency.reconfirmation_due_on + timedelta(days=1)

    results, errors = _at_once([lambda: services.sweep_reconfirmations(today=day_after) for _ in range(CALLERS)])

    assert (errors, sorted(result["withdrawn"] for result in results)) == ([], [0] * (CALLERS - 1) + [3])
    assert FocalPoint.objects.active().count() == 0
    assert OutboundMessage.objects.filter(kind="agency_reconfirmation_expired").count() == 3


def test_focal_points_confirming_at_once_move_the_due_date_once(terms):
    agency = terms[0].agency
    due = agency.reconfirmation_due_on

    results, errors = _at_once(
        [lambda user=term.officer.user: services.confirm_agency_details(agency=agency, by=user) for term in terms]
    )

    assert len(results) == 1
    assert [str(error) for error in errors] == ["Nothing is due for confirmation yet."] * 2
    assert Agency.objects.get(pk=agency.pk).reconfirmation_due_on == due.replace(year=due.year + 1)
    assert AgencyReconfirmation.objects.count() == 1
