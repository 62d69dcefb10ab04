"""The portal's two country filters: where a session is held, and whose officers it is open to."""

import re

import pytest
from django.urls import reverse

from sessions.models import TrainingSession
from tests.factories import AgencyFactory, CountryFactory, OfficerFactory, TopicFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mexico():
    return CountryFactory(code="MX")


@pytest.fixture
def sessions_by_audience(mexico):
    """A virtual session for two Mexican agencies, one for Mexico, one in Mexico for Argentina, one for all."""
    argentina = CountryFactory(code="AR")
    for_agencies = TrainingSessionFactory(
        title="Virtual session for Mexican agencies", audience=TrainingSession.Audience.RESTRICTED
    )
    for_agencies.audience_agencies.add(AgencyFactory(acronym="PFM", country=mexico), AgencyFactory(country=mexico))
    for_country = TrainingSessionFactory(title="For Mexico", audience=TrainingSession.Audience.RESTRICTED)
    for_country.audience_countries.add(mexico)
    held_in_mexico_for_argentina = TrainingSessionFactory(
        title="In Monterrey, for Argentina",
        format=TrainingSession.Format.IN_PERSON,
        city="Monterrey",
        country=mexico,
        audience=TrainingSession.Audience.RESTRICTED,
    )
    held_in_mexico_for_argentina.audience_countries.add(argentina)
    AgencyFactory(country=argentina)
    open_to_all = TrainingSessionFactory(title="Open to all")
    return for_agencies, for_country, held_in_mexico_for_argentina, open_to_all


def listed(client, **query) -> list[str]:
    response = client.get(reverse("sessions:list"), query)
    assert response.status_code == 200
    return sorted(session.title for session in response.context["sessions"])


def test_mexican_officer_open_to_mexico_finds_the_virtual_session_for_mexican_agencies(
    client, mexico, sessions_by_audience
):
    invited = sessions_by_audience[0].audience_agencies.get(acronym="PFM")
    client.force_login(OfficerFactory(agency=invited).user)

    assert listed(client, open_to="MX") == ["For Mexico", "Open to all", "Virtual session for Mexican agencies"]
    assert listed(client) == ["For Mexico", "Open to all", "Virtual session for Mexican agencies"]
    assert listed(client, country="MX") == []  # virtual: held nowhere


def test_held_in_is_the_venue_country_only(client, mexico, sessions_by_audience):
    client.force_login(OfficerFactory(agency=AgencyFactory(country=mexico)).user)

    assert listed(client, country="MX") == []  # the Monterrey session is for Argentina, not visible here


def test_held_in_and_open_to_are_distinct(client, mexico, sessions_by_audience):
    argentine = OfficerFactory(agency=AgencyFactory(country=CountryFactory(code="AR")))
    client.force_login(argentine.user)

    assert listed(client, country="MX") == ["In Monterrey, for Argentina"]
    assert listed(client, open_to="MX") == ["Open to all"]
    assert listed(client, open_to="AR") == ["In Monterrey, for Argentina", "Open to all"]
    assert listed(client, country="MX", open_to="AR") == ["In Monterrey, for Argentina"]


def test_country_codes_may_be_lower_case(client, mexico, sessions_by_audience):
    client.force_login(OfficerFactory(agency=AgencyFactory(country=mexico)).user)

    assert listed(client, open_to="mx") == listed(client, open_to="MX")


def test_filter_form_offers_venue_countries_and_agency_countries(client, mexico, sessions_by_audience):
    CountryFactory(code="FR")  # neither a venue nor an agency's country

    form = client.get(reverse("sessions:list")).context["form"]

    assert [code for code, _label in form.fields["country"].choices] == ["", "MX"]
    assert [code for code, _label in form.fields["open_to"].choices] == ["", "AR", "MX"]


@pytest.mark.parametrize(("name", "value"), [("open_to", "ZZ"), ("open_to", "'; drop"), ("country", "FR")])
def test_unknown_country_is_ignored_with_the_forms_error(client, sessions_by_audience, name, value):
    response = client.get(reverse("sessions:list"), {name: value})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        name: [f"Select a valid choice. {value.strip().upper()} is not one of the available choices."]
    }
    assert sorted(session.title for session in response.context["sessions"]) == ["Open to all"]
    assert "is not one of the available choices." in response.content.decode()


def test_filters_fold_behind_a_summary_that_counts_them(client, mexico, sessions_by_audience):
    content = client.get(reverse("sessions:list"), {"open_to": "MX", "format": "virtual"}).content.decode()

    assert '<details class="filters-disclosure" open data-fold-on-phone>' in content
    assert '<summary>Filters <span class="badge">2</span></summary>' in content


def test_filters_with_an_error_stay_open_on_a_phone(client, sessions_by_audience):
    content = client.get(reverse("sessions:list"), {"open_to": "ZZ"}).content.decode()

    assert '<details class="filters-disclosure" open data-fold-on-phone data-keep-open>' in content


def test_filter_choices_are_cached_between_requests(client, django_assert_num_queries, sessions_by_audience):
    TopicFactory()
    client.cookies["django_language"] = "en"
    client.get(reverse("sessions:list"))

    # Signed out: the page with its total; the filters' topics and countries and the cards are cached.
    with django_assert_num_queries(1):
        response = client.get(reverse("sessions:list"), {"open_to": "MX"})

    assert [code for code, _label in response.context["form"].fields["open_to"].choices] == ["", "AR", "MX"]


@pytest.mark.parametrize("item_count", [1, 12])
def test_open_to_query_count_is_bounded(client, django_assert_num_queries, mexico, item_count):
    agency = AgencyFactory(country=mexico)
    officer = OfficerFactory(agency=agency)
    for session in TrainingSessionFactory.create_batch(item_count, audience=TrainingSession.Audience.RESTRICTED):
        session.audience_agencies.add(agency)
        session.topics.add(TopicFactory())
    client.force_login(officer.user)
    client.cookies["django_language"] = "en"

    # Session, user, officer, the filters' topics and countries, the page with its total, its topics.
    with django_assert_num_queries(7):
        response = client.get(reverse("sessions:list"), {"open_to": "MX"})

    assert len(response.context["sessions"]) == item_count


def test_cached_filter_choices_are_in_the_readers_language(client, sessions_by_audience):
    def labels(language: str) -> list[str]:
        client.cookies["django_language"] = language
        response = client.get(reverse("sessions:list"))
        return re.findall(
            r'<option value="[A-Z]*"[^>]*>([^<]+)</option>',
            response.content.decode().split('id="id_open_to"')[1].split("</select>")[0],
        )

    assert labels("en") == ["Any country", "Argentina", "Mexico"]
    assert labels("es") == ["Cualquier país", "Argentina", "México"]
    assert labels("en") == ["Any country", "Argentina", "Mexico"]
