"""The back office: managers appoint focal points from the officers' list and withdraw them from theirs."""

import pytest
from django.urls import reverse

from agencies.models import FocalPoint, Officer
from tests.factories import AgencyFactory, FocalPointFactory, ManagerFactory, OfficerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return ManagerFactory()


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def test_appoint_action_makes_focal_points_with_history(manager_client, manager):
    officers = OfficerFactory.create_batch(2)

    response = manager_client.post(
        reverse("admin:agencies_officer_changelist"),
        {"action": "appoint_focal_points", "_selected_action": [officer.pk for officer in officers]},
        follow=True,
    )

    terms = FocalPoint.objects.order_by("officer_id")
    assert [(t.officer_id, t.agency_id, t.appointed_by) for t in terms] == [
        (officer.pk, officer.agency_id, manager) for officer in officers
    ]
    assert [t.history.get().history_user for t in terms] == [manager, manager]
    assert "2 officers are now focal points of their agency." in response.content.decode()


def test_appoint_action_refuses_pending_officer_and_saves_nothing(manager_client):
    verified = OfficerFactory()
    pending = OfficerFactory(verification_status=Officer.Verification.PENDING)

    response = manager_client.post(
        reverse("admin:agencies_officer_changelist"),
        {"action": "appoint_focal_points", "_selected_action": [verified.pk, pending.pk]},
        follow=True,
    )

    assert FocalPoint.objects.count() == 0
    assert "Only a verified officer can be a focal point." in response.content.decode()


def test_withdraw_action_closes_terms(manager_client, manager):
    term = FocalPointFactory()

    response = manager_client.post(
        reverse("admin:agencies_focalpoint_changelist"),
        {"action": "withdraw_selected", "_selected_action": [term.pk]},
        follow=True,
    )

    term.refresh_from_db()
    assert (term.is_active, term.withdrawn_by) == (False, manager)
    assert "1 focal point withdrawn." in response.content.decode()
    assert term.history.order_by("history_date").last().history_user == manager


def test_agency_admin_page_shows_focal_points(manager_client):
    agency = AgencyFactory()
    term = FocalPointFactory(officer=OfficerFactory(agency=agency))

    response = manager_client.get(reverse("admin:agencies_agency_change", args=[agency.pk]))

    assert response.status_code == 200
    assert str(term.officer) in response.content.decode()


def test_focal_point_admin_cannot_add(manager_client):
    assert manager_client.get(reverse("admin:agencies_focalpoint_add")).status_code == 403


def test_officer_history_shows_who_decided(manager_client):
    from agencies import services

    term = FocalPointFactory()
    term.officer.user.first_name, term.officer.user.last_name = "Rocío", "Villanueva"
    term.officer.user.save()
    pending = OfficerFactory(agency=term.agency, verification_status=Officer.Verification.PENDING)
    services.decide_pending_officer(officer=pending, by=term.officer.user, approve=True)

    response = manager_client.get(reverse("admin:agencies_officer_history", args=[pending.pk]))

    assert response.status_code == 200
    assert "Rocío Villanueva" in response.content.decode()
