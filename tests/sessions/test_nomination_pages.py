"""The portal: a focal point nominates from the agency page; self-registration refused on nomination sessions."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sessions.models import Nomination, Registration, TrainingSession
from tests.factories import (
    FocalPointFactory,
    NominationFactory,
    OfficerFactory,
    SessionQuotaFactory,
    TrainingSessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

MODE = TrainingSession.RegistrationMode


@pytest.fixture
def focal_point():
    return FocalPointFactory().officer


@pytest.fixture
def focal_client(client, focal_point):
    client.force_login(focal_point.user)
    return client


@pytest.fixture
def session(focal_point):
    session = TrainingSessionFactory(registration_mode=MODE.NOMINATION, capacity=10, title="Cartel finance")
    SessionQuotaFactory(session=session, agency=focal_point.agency, seats=3)
    return session


def nominate_url(session):
    return f"/sessions/{session.pk}/nominate/"


def test_the_session_page_says_by_nomination_and_offers_no_register_button(client, session):
    client.force_login(OfficerFactory().user)

    page = client.get(f"/sessions/{session.pk}/").content.decode()

    assert "By nomination of your agency's focal point." in page
    assert f"/sessions/{session.pk}/register/" not in page


def test_self_registration_in_the_portal_is_refused_with_a_message(client, session):
    client.force_login(OfficerFactory().user)

    response = client.post(f"/sessions/{session.pk}/register/", follow=True)

    assert "This session is by nomination: your agency&#x27;s focal point nominates its officers." in (
        response.content.decode()
    )
    assert not Registration.objects.exists()


def test_the_agency_page_lists_nomination_sessions_with_the_quota(focal_client, session):
    TrainingSessionFactory(title="Open to all")

    page = focal_client.get("/agency/").content.decode()

    assert "Cartel finance" in page
    assert "3 reserved seats" in page
    assert nominate_url(session) in page
    assert "Open to all" not in page


def test_a_focal_point_nominates_two_officers_and_an_address(focal_client, focal_point, session):
    ana = OfficerFactory(agency=focal_point.agency, user=UserFactory(first_name="Ana", last_name="Ruiz"))
    ben = OfficerFactory(agency=focal_point.agency, user=UserFactory(first_name="Ben", last_name="Sol"))
    OfficerFactory()  # another agency's: not offered

    page = focal_client.get(nominate_url(session))
    offered = set(page.context["form"].fields["officers"].queryset.values_list("pk", flat=True))
    assert offered == {ana.pk, ben.pk, focal_point.pk}

    response = focal_client.post(
        nominate_url(session), {"officers": [ana.pk, ben.pk], "addresses": "new@policia.gob.mx"}, follow=True
    )

    assert response.redirect_chain == [("/agency/", 302)]
    assert "3 nomination(s) recorded for “Cartel finance”." in response.content.decode()
    assert sorted(Nomination.objects.values_list("status", flat=True)) == ["confirmed", "confirmed", "invited"]


def test_beyond_the_quota_the_form_shows_the_error_and_saves_nothing(focal_client, focal_point):
    session = TrainingSessionFactory(registration_mode=MODE.NOMINATION, capacity=2)
    SessionQuotaFactory(session=session, agency=focal_point.agency, seats=1)
    SessionQuotaFactory(session=session, seats=1)
    officers = [OfficerFactory(agency=focal_point.agency) for _ in range(2)]

    response = focal_client.post(nominate_url(session), {"officers": [officer.pk for officer in officers]})

    assert response.status_code == 400
    assert "Your agency&#x27;s quota for this session is used up." in response.content.decode()
    assert not Nomination.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose at least one officer or enter an email address."),
        ({"addresses": "not an address"}, "is not an email address."),
        ({"officers": ["999999"]}, "Select a valid choice."),
    ],
)
def test_bad_input_is_a_form_error(focal_client, session, data, message):
    response = focal_client.post(nominate_url(session), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Nomination.objects.exists()


def test_an_officer_of_another_agency_cannot_be_posted(focal_client, session):
    response = focal_client.post(nominate_url(session), {"officers": [OfficerFactory().pk]})

    assert response.status_code == 400
    assert not Nomination.objects.exists()


def test_who_may_open_the_nomination_form(client, session):
    client.force_login(OfficerFactory().user)
    assert client.get(nominate_url(session)).status_code == 403
    client.logout()
    assert client.get(nominate_url(session)).status_code == 302


def test_a_session_past_its_deadline_or_open_is_not_found(focal_client):
    late = TrainingSessionFactory(registration_mode=MODE.NOMINATION, nomination_deadline=timezone.now() - timedelta(1))
    open_session = TrainingSessionFactory()
    assert focal_client.get(nominate_url(late)).status_code == 404
    assert focal_client.get(nominate_url(open_session)).status_code == 404


@pytest.mark.parametrize("count", [1, 15])
def test_the_nomination_form_query_count_does_not_grow(focal_client, focal_point, count, django_assert_num_queries):
    session = TrainingSessionFactory(registration_mode=MODE.NOMINATION, capacity=40)
    SessionQuotaFactory(session=session, agency=focal_point.agency, seats=20)
    for _ in range(count):
        OfficerFactory(agency=focal_point.agency)
        NominationFactory(session=session, officer=OfficerFactory(agency=focal_point.agency))

    with django_assert_num_queries(17):
        response = focal_client.get(nominate_url(session))

    assert len(response.context["nominations"]) == count
