"""appoint_focal_point / withdraw_focal_point, and the role they give (accounts.roles)."""

import pytest
from django.db import IntegrityError
from django.utils import timezone

from accounts.roles import focal_point_agency_id, is_focal_point_of, may_decide_affiliation
from agencies import services
from agencies.models import FocalPoint, Officer
from tests.factories import AgencyFactory, FocalPointFactory, ManagerFactory, OfficerFactory, TrainerFactory

pytestmark = pytest.mark.django_db


def _fresh(user):
    """The same user without the role cached on the object (as in a new request)."""
    return type(user).objects.get(pk=user.pk)


def test_appoint_focal_point_opens_a_term_recorded_with_its_actor():
    manager, officer = ManagerFactory(), OfficerFactory()

    term = services.appoint_focal_point(agency=officer.agency, officer=officer, by=manager)

    assert (term.agency, term.officer, term.appointed_by, term.withdrawn_at) == (officer.agency, officer, manager, None)
    assert [(h.history_type, h.history_user) for h in term.history.all()] == [("+", manager)]
    assert focal_point_agency_id(_fresh(officer.user)) == officer.agency_id


def test_agency_may_have_several_focal_points():
    manager, agency = ManagerFactory(), AgencyFactory()
    first, second = OfficerFactory(agency=agency), OfficerFactory(agency=agency)

    services.appoint_focal_point(agency=agency, officer=first, by=manager)
    services.appoint_focal_point(agency=agency, officer=second, by=manager)

    assert FocalPoint.objects.active().filter(agency=agency).count() == 2


@pytest.mark.parametrize(
    ("officer_kwargs", "other_agency", "message"),
    [
        ({"verification_status": Officer.Verification.PENDING}, False, "Only a verified officer can be a focal point."),
        (
            {"verification_status": Officer.Verification.REJECTED},
            False,
            "Only a verified officer can be a focal point.",
        ),
        ({}, True, "This officer belongs to another agency."),
    ],
)
def test_appoint_focal_point_refusals_save_nothing(officer_kwargs, other_agency, message):
    officer = OfficerFactory(**officer_kwargs)
    agency = AgencyFactory() if other_agency else officer.agency

    with pytest.raises(services.FocalPointError, match=message):
        services.appoint_focal_point(agency=agency, officer=officer, by=ManagerFactory())

    assert FocalPoint.objects.count() == 0


def test_appoint_focal_point_twice_is_refused():
    term = FocalPointFactory()

    with pytest.raises(services.FocalPointError, match="already a focal point") as raised:
        services.appoint_focal_point(agency=term.agency, officer=term.officer, by=ManagerFactory())

    assert raised.value.code == "already_focal_point"
    assert FocalPoint.objects.count() == 1


@pytest.mark.parametrize("who", ["officer", "trainer", "focal point"])
def test_only_managers_appoint(who):
    officer = OfficerFactory()
    by = {
        "officer": OfficerFactory(agency=officer.agency).user,
        "trainer": TrainerFactory().user,
        "focal point": FocalPointFactory(officer=OfficerFactory(agency=officer.agency)).officer.user,
    }[who]

    with pytest.raises(services.FocalPointError, match="Only managers may appoint or withdraw focal points."):
        services.appoint_focal_point(agency=officer.agency, officer=officer, by=by)

    assert FocalPoint.objects.filter(officer=officer).count() == 0


def test_database_allows_one_open_term_per_officer_and_agency():
    term = FocalPointFactory()

    with pytest.raises(IntegrityError):
        FocalPoint.objects.create(agency=term.agency, officer=term.officer, appointed_at=timezone.now())


def test_withdraw_focal_point_closes_the_term_and_ends_the_role():
    manager, term = ManagerFactory(), FocalPointFactory()

    services.withdraw_focal_point(focal_point=term, by=manager)

    term.refresh_from_db()
    assert (term.is_active, term.withdrawn_by) == (False, manager)
    assert [h.history_user for h in term.history.order_by("history_date")] == [None, manager]
    assert focal_point_agency_id(_fresh(term.officer.user)) is None
    again = services.appoint_focal_point(agency=term.agency, officer=term.officer, by=manager)
    assert FocalPoint.objects.filter(officer=term.officer).count() == 2
    assert again.is_active


def test_withdraw_twice_is_refused():
    manager, term = ManagerFactory(), FocalPointFactory()
    services.withdraw_focal_point(focal_point=term, by=manager)

    with pytest.raises(services.FocalPointError, match="already withdrawn"):
        services.withdraw_focal_point(focal_point=term, by=manager)


def test_withdraw_refused_to_another_officer():
    term = FocalPointFactory()

    with pytest.raises(services.FocalPointError):
        services.withdraw_focal_point(focal_point=term, by=OfficerFactory(agency=term.agency).user)

    term.refresh_from_db()
    assert term.is_active


def test_changing_agency_ends_the_focal_point_term():
    term = FocalPointFactory()
    user = term.officer.user

    services.update_officer_profile(
        officer=term.officer,
        first_name="Ana",
        last_name="Gil",
        job_title="Analyst",
        preferred_language="en",
        agency=AgencyFactory(),
    )

    term.refresh_from_db()
    assert (term.is_active, term.withdrawn_by) == (False, user)
    assert focal_point_agency_id(_fresh(user)) is None


def test_focal_point_role_needs_a_verified_officer():
    term = FocalPointFactory()
    Officer.objects.filter(pk=term.officer_id).update(verification_status=Officer.Verification.PENDING)

    assert focal_point_agency_id(_fresh(term.officer.user)) is None


def test_is_focal_point_of_own_agency_only():
    term = FocalPointFactory()
    user = _fresh(term.officer.user)

    assert (is_focal_point_of(user, term.agency_id), is_focal_point_of(user, AgencyFactory().pk)) == (True, False)


def test_may_decide_affiliation_matrix():
    term = FocalPointFactory()
    claimant = OfficerFactory(agency=term.agency, verification_status=Officer.Verification.PENDING)
    deciders = {
        "manager": ManagerFactory(),
        "focal point": term.officer.user,
        "focal point of another agency": FocalPointFactory().officer.user,
        "officer": OfficerFactory(agency=term.agency).user,
        "trainer": TrainerFactory().user,
    }

    allowed = {name: may_decide_affiliation(_fresh(user), claimant) for name, user in deciders.items()}

    assert allowed == {
        "manager": True,
        "focal point": True,
        "focal point of another agency": False,
        "officer": False,
        "trainer": False,
    }


def test_erasing_a_focal_point_removes_their_terms_and_keeps_no_name_in_history():
    term = FocalPointFactory()
    officer, manager = term.officer, ManagerFactory()
    services.withdraw_focal_point(focal_point=term, by=manager)
    services.appoint_focal_point(agency=term.agency, officer=officer, by=manager)

    services.erase_officer(officer=officer, by=manager)

    assert FocalPoint.objects.filter(officer_id=officer.pk).count() == 0
    kept = FocalPoint.history.filter(officer_id=officer.pk)
    assert {field.name for field in FocalPoint.history.model._meta.fields} == {
        "id",
        "agency",
        "officer",
        "appointed_by",
        "appointed_at",
        "withdrawn_by",
        "withdrawn_at",
        "history_id",
        "history_date",
        "history_change_reason",
        "history_type",
        "history_user",
        "history_actor",
    }
    assert sorted(kept.values_list("history_type", flat=True)) == ["+", "+", "-", "-", "~"]
