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


# --- Finding officers among thousands ---------------------------------------------------------


def shown_choices(response) -> list[str]:
    return [str(label) for _pk, label in response.context["form"].fields["officers"].widget.choices]


def test_the_search_ignores_accents_and_case_and_matches_every_word(focal_client, focal_point, session):
    OfficerFactory(
        agency=focal_point.agency, user=UserFactory(first_name="José", last_name="López", email="jl@sspc.gob.mx")
    )
    OfficerFactory(
        agency=focal_point.agency, user=UserFactory(first_name="Ana", last_name="Lopes", email="al@sspc.gob.mx")
    )
    OfficerFactory(user=UserFactory(first_name="José", last_name="López", email="other@agency.org"))

    by_name = focal_client.get(nominate_url(session), {"q": "LOPEZ jose"})
    by_accent = focal_client.get(nominate_url(session), {"q": "lópez"})
    by_email = focal_client.get(nominate_url(session), {"q": "al@SSPC"})
    nobody = focal_client.get(nominate_url(session), {"q": "zzz"})

    assert shown_choices(by_name) == ["José López <jl@sspc.gob.mx>"]
    assert shown_choices(by_accent) == ["José López <jl@sspc.gob.mx>"]
    assert shown_choices(by_email) == ["Ana Lopes <al@sspc.gob.mx>"]
    assert shown_choices(nobody) == []
    assert "No officer of your agency matches “zzz”." in nobody.content.decode()


def test_the_list_is_bounded_and_says_so(focal_client, focal_point, session):
    for n in range(25):
        OfficerFactory(agency=focal_point.agency, user=UserFactory(last_name=f"Ruiz {n:02}"))

    response = focal_client.get(nominate_url(session), {"q": "ruiz"})

    assert len(shown_choices(response)) == 20
    assert "Only the first 20 matches are listed: search to find the others." in response.content.decode()


def test_an_officer_ticked_in_a_refused_form_stays_listed_and_ticked(focal_client, focal_point, session):
    ana = OfficerFactory(agency=focal_point.agency, user=UserFactory(first_name="Ana", last_name="Ruiz"))

    response = focal_client.post(
        nominate_url(session) + "?q=nobody", {"officers": [ana.pk], "addresses": "not an address"}
    )

    assert response.status_code == 400
    assert shown_choices(response) == [f"Ana Ruiz <{ana.user.email}>"]
    assert f'value="{ana.pk}" id="id_officers_0" checked' in response.content.decode()
    assert not Nomination.objects.exists()


def test_an_overlong_search_is_a_form_error_not_a_failure(focal_client, session):
    response = focal_client.get(nominate_url(session), {"q": "x" * 101})

    assert response.status_code == 200
    assert "Ensure this value has at most 100 characters (it has 101)." in response.content.decode()


def test_nominating_an_officer_found_by_search(focal_client, focal_point, session):
    ana = OfficerFactory(agency=focal_point.agency, user=UserFactory(first_name="Ána", last_name="Ruiz"))

    response = focal_client.post(nominate_url(session) + "?q=ana", {"officers": [ana.pk]})

    assert response.status_code == 302
    assert list(Nomination.objects.values_list("officer", flat=True)) == [ana.pk]


def _bulk_officers(agency, count):
    from accounts.models import User
    from agencies.models import Officer

    users = User.objects.bulk_create(
        [User(email=f"officer{n}@sspc.gob.mx", first_name="Ana", last_name=f"López {n}") for n in range(count)],
        batch_size=1000,
    )
    Officer.objects.bulk_create(
        [Officer(user=user, agency=agency, verification_status="verified") for user in users], batch_size=1000
    )


@pytest.mark.parametrize("count", [1, 5000])
def test_the_nomination_form_queries_and_list_stay_bounded_at_5000_officers(
    focal_client, focal_point, session, count, django_assert_num_queries
):
    _bulk_officers(focal_point.agency, count)

    with django_assert_num_queries(17):
        response = focal_client.get(nominate_url(session), {"q": "lopez"})

    assert len(shown_choices(response)) == min(count, 20)
    assert response.content.decode().count('name="officers"') == min(count, 20)
