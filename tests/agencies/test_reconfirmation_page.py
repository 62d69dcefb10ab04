"""The reconfirmation page (/agency/reconfirmation/), who may use it, and the back office's lists."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from agencies.models import Agency, AgencyReconfirmation
from tests.factories import (
    AgencyEmailDomainFactory,
    AgencyFactory,
    FocalPointFactory,
    ManagerFactory,
    OfficerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = "/agency/reconfirmation/"
TODAY = date(2027, 2, 20)
DUE = date(2027, 3, 10)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime(2027, 2, 20, 10, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def agency():
    agency = AgencyFactory(name="Policía Federal Ministerial", acronym="PFM", reconfirmation_due_on=DUE)
    AgencyEmailDomainFactory(agency=agency, domain="fgr.org.mx")
    return agency


@pytest.fixture
def focal_point(agency):
    user = UserFactory(email="lucia.ramos@fgr.org.mx", first_name="Lucía", last_name="Ramos")
    return FocalPointFactory(officer=OfficerFactory(agency=agency, user=user))


@pytest.fixture
def focal_client(client, focal_point):
    client.force_login(focal_point.officer.user)
    return client


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_url_is_the_one_the_emails_link_to():
    assert reverse("agencies:reconfirmation") == URL


def test_page_shows_the_domains_focal_points_and_the_confirm_button(focal_client):
    html = focal_client.get(URL).content.decode()

    assert '<ul id="reconfirmation-domains"><li>fgr.org.mx</li></ul>' in html
    assert "Lucía Ramos" in html
    assert "Please confirm by March 10, 2027." in html
    assert 'id="confirm-reconfirmation"' in html


def test_agency_page_links_to_the_reconfirmation_when_it_is_open(focal_client):
    html = focal_client.get("/agency/").content.decode()

    assert "Your agency's yearly reconfirmation is due by March 10, 2027." in html
    assert f'<a href="{URL}">Review and confirm</a>' in html


def test_no_confirm_button_before_the_notice(focal_client, agency):
    Agency.objects.filter(pk=agency.pk).update(reconfirmation_due_on=TODAY + timedelta(days=31))

    html = focal_client.get(URL).content.decode()

    assert ('id="confirm-reconfirmation"' in html, "Next confirmation due by March 23, 2027" in html) == (False, True)
    assert "reconfirmation-banner" not in focal_client.get("/agency/").content.decode()


def test_confirm_records_who_and_when_and_moves_the_due_date(focal_client, focal_point, agency):
    response = focal_client.post(URL, {"answer": "confirm"})

    assert (response.status_code, response.url) == (302, URL)
    assert _messages(response) == ["Thank you: your agency's details are confirmed for another year."]
    answer = AgencyReconfirmation.objects.get()
    assert (answer.kind, answer.by, answer.at, answer.due_on) == (
        "confirmed",
        focal_point.officer.user,
        datetime(2027, 2, 20, 10, tzinfo=UTC),
        DUE,
    )
    assert Agency.objects.get(pk=agency.pk).reconfirmation_due_on == date(2028, 3, 10)
    assert "Last confirmed by Lucía Ramos on Feb. 20, 2027." in focal_client.get(URL).content.decode()


def test_confirming_twice_tells_the_second_time(focal_client, agency):
    focal_client.post(URL, {"answer": "confirm"}, follow=True)
    response = focal_client.post(URL, {"answer": "confirm"})

    assert _messages(response) == ["Nothing is due for confirmation yet."]
    assert Agency.objects.get(pk=agency.pk).reconfirmation_due_on == date(2028, 3, 10)


def test_note_about_something_wrong_is_stored_for_managers(focal_client, focal_point, agency):
    response = focal_client.post(URL, {"answer": "problem", "note": "We no longer use pgr.gob.mx."})

    assert _messages(response) == ["Thank you: the program managers will read your note."]
    assert list(AgencyReconfirmation.objects.values_list("kind", "note", "by")) == [
        ("problem", "We no longer use pgr.gob.mx.", focal_point.officer.user_id)
    ]
    assert Agency.objects.get(pk=agency.pk).reconfirmation_due_on == DUE


@pytest.mark.parametrize("note", ["", "   ", "x" * 2001])
def test_bad_note_is_a_field_error_and_saves_nothing(focal_client, note):
    response = focal_client.post(URL, {"answer": "problem", "note": note})

    assert response.status_code == 400
    errors = response.context["note_form"].errors["note"]
    assert errors in (
        ["This field is required."],
        ["Say what is wrong."],
        ["Ensure this value has at most 2000 characters (it has 2001)."],
    )
    assert AgencyReconfirmation.objects.count() == 0


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("who", ["plain_officer", "manager", "trainer_user"])
def test_anyone_but_a_focal_point_is_refused(client, agency, focal_point, method, who):
    users = {
        "plain_officer": lambda: OfficerFactory(agency=agency).user,
        "manager": ManagerFactory,
        "trainer_user": lambda: UserFactory(is_staff=True),
    }
    client.force_login(users[who]())

    response = getattr(client, method)(URL, {"answer": "confirm"})

    assert response.status_code == 403
    assert AgencyReconfirmation.objects.count() == 0
    assert Agency.objects.get(pk=agency.pk).reconfirmation_due_on == DUE


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(URL)

    assert (response.status_code, response.url) == (302, f"/accounts/login/?next={URL}")


def test_other_agencys_focal_point_sees_and_confirms_only_their_own(client, agency, focal_point):
    other = FocalPointFactory(
        officer=OfficerFactory(agency=AgencyFactory(name="Gendarmerie", reconfirmation_due_on=DUE))
    )
    AgencyEmailDomainFactory(agency=other.agency, domain="gendarmerie.interieur.gouv.fr")
    client.force_login(other.officer.user)

    html = client.get(URL).content.decode()
    client.post(URL, {"answer": "confirm"})

    assert ("fgr.org.mx" in html, "Lucía Ramos" in html, "gendarmerie.interieur.gouv.fr" in html) == (
        False,
        False,
        True,
    )
    assert Agency.objects.get(pk=agency.pk).reconfirmation_due_on == DUE
    assert list(AgencyReconfirmation.objects.values_list("agency", flat=True)) == [other.agency_id]


@pytest.mark.parametrize("rows", [1, 8])
def test_page_query_count_does_not_grow_with_domains_and_focal_points(client, django_assert_num_queries, rows):
    agency = AgencyFactory(reconfirmation_due_on=DUE)
    terms = [FocalPointFactory(officer=OfficerFactory(agency=agency)) for _ in range(rows)]
    for index in range(rows):
        AgencyEmailDomainFactory(agency=agency, domain=f"unit{index}.gob.mx")
    AgencyReconfirmation.objects.create(
        agency=agency,
        kind="confirmed",
        due_on=DUE - timedelta(days=365),
        by=terms[0].officer.user,
        at=datetime(2026, 3, 1, tzinfo=UTC),
    )
    client.force_login(terms[0].officer.user)
    client.get(URL)

    with django_assert_num_queries(7):
        response = client.get(URL)

    assert len(response.context["focal_points"]) == rows


# --- The back office --------------------------------------------------------------------------------


def test_admin_filter_lists_agencies_overdue_and_due_within_30_days(admin_client):
    overdue = AgencyFactory(name="Overdue", reconfirmation_due_on=TODAY - timedelta(days=1))
    due_soon = AgencyFactory(name="Due soon", reconfirmation_due_on=TODAY + timedelta(days=30))
    FocalPointFactory(officer=OfficerFactory(agency=due_soon))
    AgencyFactory(name="Due later", reconfirmation_due_on=TODAY + timedelta(days=31))
    AgencyFactory(name="Due today, nobody to confirm", reconfirmation_due_on=TODAY)
    AgencyFactory(name="Never had a focal point")
    url = reverse("admin:agencies_agency_changelist")

    listed = {
        value: [agency.name for agency in admin_client.get(url, {"reconfirmation": value}).context["cl"].result_list]
        for value in ("overdue", "due_soon")
    }

    assert listed == {"overdue": [overdue.name], "due_soon": [due_soon.name]}


def test_back_office_shows_the_focal_points_notes_on_the_agency(admin_client, focal_client, agency):
    focal_client.post(URL, {"answer": "problem", "note": "Juan left the agency in January."})

    html = admin_client.get(reverse("admin:agencies_agency_change", args=[agency.pk])).content.decode()
    listing = admin_client.get(reverse("admin:agencies_agencyreconfirmation_changelist")).content.decode()

    assert "Juan left the agency in January." in html
    assert "Juan left the agency in January." in listing
