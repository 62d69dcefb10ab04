"""``trainingops.precompiled``: a condition compiled once per arguments answers as the plain condition does."""

import pytest
from django.db.models import Q

from accounts.roles import focal_point_condition
from agencies.models import Officer
from sessions import selectors
from sessions.models import Registration, TrainingSession
from tests.factories import (
    AgencyFactory,
    CountryFactory,
    FocalPointFactory,
    OfficerFactory,
    RegistrationFactory,
    TrainingSessionFactory,
)
from trainingops import precompiled
from trainingops.precompiled import Precompiled

pytestmark = pytest.mark.django_db


@pytest.fixture
def audience():
    """An officer and one session of each kind of audience the visibility rule tells apart."""
    mexico, peru = CountryFactory(code="MX", name="Mexico"), CountryFactory(code="PE", name="Peru")
    agency, other_agency = AgencyFactory(country=mexico), AgencyFactory(country=peru)
    officer = OfficerFactory(agency=agency)
    sessions = {
        "open": TrainingSessionFactory(title="Open"),
        "agency": TrainingSessionFactory(title="Agency", audience=TrainingSession.Audience.RESTRICTED),
        "country": TrainingSessionFactory(title="Country", audience=TrainingSession.Audience.RESTRICTED),
        "registered": TrainingSessionFactory(title="Registered", audience=TrainingSession.Audience.RESTRICTED),
        "other agency": TrainingSessionFactory(title="Other agency", audience=TrainingSession.Audience.RESTRICTED),
        "draft": TrainingSessionFactory(title="Draft", status=TrainingSession.Status.DRAFT),
    }
    sessions["agency"].audience_agencies.add(agency)
    sessions["country"].audience_countries.add(mexico)
    sessions["other agency"].audience_agencies.add(other_agency)
    RegistrationFactory(session=sessions["registered"], officer=officer)
    return officer, sessions


def _titles(queryset) -> list[str]:
    return sorted(queryset.values_list("title_en", flat=True))


def test_an_officers_sessions_are_those_of_the_plain_rule(audience):
    officer, _sessions = audience

    listed = _titles(selectors.visible_sessions(officer=officer))

    assert listed == ["Agency", "Country", "Open", "Registered"]
    assert listed == _titles(TrainingSession.objects.filter(selectors.visible_to_officer(officer)))


def test_the_condition_negated_lists_the_rest(audience):
    officer, _sessions = audience
    condition = Precompiled(selectors._visible_to_officer_keys, officer.pk, officer.agency_id, "MX")

    assert _titles(TrainingSession.objects.exclude(condition)) == ["Draft", "Other agency"]


def test_the_sessions_used_as_a_subquery_of_another_query(audience):
    """Inside another query Django renames the tables: the condition is then compiled as usual."""
    officer, sessions = audience
    stranger = OfficerFactory()
    RegistrationFactory(session=sessions["other agency"], officer=stranger)
    RegistrationFactory(session=sessions["open"], officer=stranger)

    registrations = Registration.objects.filter(session__in=selectors.visible_sessions(officer=officer))

    assert sorted(registrations.values_list("session__title_en", flat=True)) == ["Open", "Registered"]


def test_a_seat_count_over_the_officers_sessions(audience):
    officer, _sessions = audience

    counted = selectors.with_seat_counts(selectors.visible_sessions(officer=officer)).order_by("title_en")

    assert [(row.title, row.seats_taken) for row in counted] == [
        ("Agency", 0),
        ("Country", 0),
        ("Open", 0),
        ("Registered", 1),
    ]


def test_the_condition_is_built_once_per_arguments(audience, monkeypatch):
    officer, _sessions = audience
    built = []

    def visible(*keys):
        built.append(keys)
        return selectors._visible_to_officer_keys(*keys)

    monkeypatch.setattr(precompiled, "_compiled", precompiled.lru_cache(maxsize=8)(precompiled._compiled.__wrapped__))
    for _ in range(3):
        assert len(TrainingSession.objects.filter(Precompiled(visible, officer.pk, officer.agency_id, "MX"))) == 4
    assert len(TrainingSession.objects.filter(Precompiled(visible, officer.pk, officer.agency_id, "PE"))) == 3

    assert built == [(officer.pk, officer.agency_id, "MX"), (officer.pk, officer.agency_id, "PE")]


def test_a_focal_point_is_told_apart_in_an_annotation():
    focal_point = FocalPointFactory()
    officer = OfficerFactory()

    flags = dict(Officer.objects.annotate(flag=focal_point_condition()).values_list("pk", "flag"))

    assert flags == {focal_point.officer_id: True, officer.pk: False}


def _titled_in_mexico():
    return Q(country__name="Mexico")


def test_a_condition_that_needs_a_join_is_refused():
    TrainingSessionFactory()

    with pytest.raises(ValueError, match="may not join"):
        list(TrainingSession.objects.filter(Precompiled(_titled_in_mexico)))
