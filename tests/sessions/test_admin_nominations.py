"""Back office: registration mode and agency quotas in the session form; approving and rejecting nominations."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from sessions.models import Nomination, SessionQuota, TrainingSession
from tests.admin_forms import changeform_data
from tests.factories import AgencyFactory, NominationFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client, manager_user):
    client.force_login(manager_user)
    return client


def change_url(session):
    return reverse("admin:training_trainingsession_change", args=[session.pk])


def post_quotas(client, session, quotas, **overrides):
    page = client.get(change_url(session))
    assert page.status_code == 200
    data = changeform_data(page, **overrides)
    data.update({"quotas-TOTAL_FORMS": str(len(quotas)), "quotas-INITIAL_FORMS": "0"})
    for index, (agency, seats) in enumerate(quotas):
        data.update({f"quotas-{index}-agency": str(agency.pk), f"quotas-{index}-seats": str(seats)})
    return client.post(change_url(session), data)


def test_a_manager_sets_the_mode_and_reserves_seats(manager_client):
    session = TrainingSessionFactory(capacity=10)
    first, second = AgencyFactory(), AgencyFactory()

    response = post_quotas(
        manager_client,
        session,
        [(first, 4), (second, 6)],
        registration_mode=TrainingSession.RegistrationMode.NOMINATION,
    )

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.registration_mode == TrainingSession.RegistrationMode.NOMINATION
    assert sorted(SessionQuota.objects.filter(session=session).values_list("seats", flat=True)) == [4, 6]


def test_quotas_beyond_capacity_are_refused_and_nothing_saved(manager_client):
    session = TrainingSessionFactory(capacity=5, title="Seized assets")

    response = post_quotas(manager_client, session, [(AgencyFactory(), 3), (AgencyFactory(), 3)], title_en="Renamed")

    assert response.status_code == 200
    assert "The quotas add up to 6 seats, more than the capacity of 5." in response.content.decode()
    assert not SessionQuota.objects.exists()
    session.refresh_from_db()
    assert session.title == "Seized assets"


@pytest.mark.parametrize(("seats", "message"), [(0, "Ensure this value is greater than or equal to 1.")])
def test_a_quota_needs_at_least_one_seat(manager_client, seats, message):
    session = TrainingSessionFactory(capacity=5)
    response = post_quotas(manager_client, session, [(AgencyFactory(), seats)])
    assert message in response.content.decode()
    assert not SessionQuota.objects.exists()


def test_an_agency_has_one_quota_per_session(manager_client):
    session = TrainingSessionFactory(capacity=5)
    agency = AgencyFactory()
    response = post_quotas(manager_client, session, [(agency, 1), (agency, 2)])
    assert response.status_code == 200
    assert not SessionQuota.objects.exists()


def test_managers_approve_and_reject_with_the_admin_actions(manager_client):
    session = TrainingSessionFactory(registration_mode=TrainingSession.RegistrationMode.NOMINATION_APPROVAL)
    first, second = NominationFactory(session=session), NominationFactory(session=session)
    changelist = reverse("admin:training_nomination_changelist")

    manager_client.post(changelist, {"action": "approve_nominations", "_selected_action": [first.pk]})
    response = manager_client.post(
        changelist, {"action": "reject_nominations", "_selected_action": [first.pk, second.pk]}, follow=True
    )

    statuses = dict(Nomination.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "confirmed", second.pk: "rejected"}
    messages = [str(message) for message in get_messages(response.wsgi_request)]
    assert f"{first}: This nomination is not awaiting approval." in messages
    assert f"{second} is rejected." in messages
