"""The focal point's agency page (/agency/): who may see it, what it shows, and delegated verification."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies.models import Officer
from reports.selectors import yearly_report
from sessions.models import Attendance, TrainingSession
from sessions.services.certificates import issue_certificate
from tests.factories import (
    AgencyFactory,
    AttendanceFactory,
    FocalPointFactory,
    ManagerFactory,
    OfficerFactory,
    RegistrationFactory,
    SurveyFactory,
    SurveyResponseFactory,
    TrainerFactory,
    TrainingRequestFactory,
    TrainingSessionFactory,
    UserFactory,
)

AGENCY_URL = "/agency/"
QUERIES_WITH_STORED_FIGURES = 19


@pytest.fixture
def focal_point(db):
    agency = AgencyFactory(name="Policía Federal", acronym="PF")
    return FocalPointFactory(
        officer=OfficerFactory(agency=agency, user=UserFactory(first_name="Lucía", last_name="Ramos"))
    )


@pytest.fixture
def focal_client(client, focal_point):
    client.force_login(focal_point.officer.user)
    return client


@pytest.fixture
def other_focal_point(db):
    return FocalPointFactory(officer=OfficerFactory(agency=AgencyFactory(name="Gendarmerie")))


def _pending(agency, **user):
    return OfficerFactory(
        agency=agency, verification_status=Officer.Verification.PENDING, verified_at=None, user=UserFactory(**user)
    )


def _client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _viewer(kind, focal_point, other_focal_point):
    return {
        "anonymous": None,
        "officer": OfficerFactory(agency=focal_point.agency).user,
        "focal point": focal_point.officer.user,
        "focal point of another agency": other_focal_point.officer.user,
        "trainer": TrainerFactory().user,
        "manager": ManagerFactory(),
    }[kind]


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("anonymous", 302),
        ("officer", 403),
        ("focal point", 200),
        ("focal point of another agency", 200),
        ("trainer", 403),
        ("manager", 403),
    ],
)
def test_agency_page_permissions(kind, status, focal_point, other_focal_point):
    colleague = OfficerFactory(agency=focal_point.agency, user=UserFactory(first_name="Marta", last_name="Vidal"))
    RegistrationFactory(officer=colleague, session=TrainingSessionFactory(title="Tracing funds in Mexico City"))

    response = _client_for(_viewer(kind, focal_point, other_focal_point)).get(AGENCY_URL)

    assert response.status_code == status
    if kind == "anonymous":
        assert response["Location"] == f"/accounts/login/?next={AGENCY_URL}"
    body = response.content.decode()
    shown = ("Marta" in body, "Tracing funds in Mexico City" in body)
    assert shown == ((True, True) if kind == "focal point" else (False, False))


def test_agency_page_of_another_agency_shows_only_its_own(client, other_focal_point, focal_point):
    client.force_login(other_focal_point.officer.user)

    response = client.get(AGENCY_URL)

    assert response.context["agency"] == other_focal_point.agency
    assert [officer.pk for officer in response.context["officers"]] == [other_focal_point.officer.pk]


def test_agency_page_refused_after_withdrawal(focal_client, focal_point):
    focal_point.withdrawn_at = timezone.now()
    focal_point.save()

    assert focal_client.get(AGENCY_URL).status_code == 403


def test_agency_page_refused_to_focal_point_no_longer_verified(focal_client, focal_point):
    Officer.objects.filter(pk=focal_point.officer_id).update(verification_status=Officer.Verification.PENDING)

    assert focal_client.get(AGENCY_URL).status_code == 403


def test_agency_page_lists_officers_with_their_verification(focal_client, focal_point):
    _pending(focal_point.agency, first_name="Pedro", last_name="Gil")

    response = focal_client.get(AGENCY_URL)

    rows = [(o.user.get_full_name(), o.verification_status, o.is_focal_point) for o in response.context["officers"]]
    assert rows == [("Pedro Gil", "pending", False), ("Lucía Ramos", "verified", True)]
    assert [o.user.get_full_name() for o in response.context["pending"]] == ["Pedro Gil"]


def test_agency_page_upcoming_past_and_certificates(focal_client, focal_point):
    colleague = OfficerFactory(agency=focal_point.agency)
    outsider = OfficerFactory()
    future = TrainingSessionFactory(title="Future", starts_at=timezone.now() + timedelta(days=9))
    RegistrationFactory(officer=colleague, session=future)
    RegistrationFactory(officer=outsider, session=future)
    past = TrainingSessionFactory(
        title="Past", status=TrainingSession.Status.COMPLETED, starts_at=timezone.now() - timedelta(days=9)
    )
    attended = AttendanceFactory(registration=RegistrationFactory(officer=colleague, session=past))
    AttendanceFactory(registration=RegistrationFactory(officer=outsider, session=past))
    certificate = issue_certificate(registration=attended.registration)

    response = focal_client.get(AGENCY_URL)

    assert [r.officer for r in response.context["upcoming"]] == [colleague]
    assert [a.pk for a in response.context["attendance"]] == [attended.pk]
    assert [c.pk for c in response.context["certificates"]] == [certificate.pk]
    assert certificate.code in response.content.decode()


def test_agency_page_paginates_officers(focal_client, focal_point):
    OfficerFactory.create_batch(25, agency=focal_point.agency)

    first = focal_client.get(AGENCY_URL)
    second = focal_client.get(AGENCY_URL, {"officers_page": 2})

    assert (len(first.context["officers"]), len(second.context["officers"])) == (25, 1)
    assert "officers_page=2" in first.content.decode()


def test_agency_page_bad_year_falls_back_with_message(focal_client):
    response = focal_client.get(AGENCY_URL, {"year": "nineteen"})

    assert response.status_code == 200
    assert response.context["year"] == timezone.localdate().year
    assert "Enter a whole number." in response.content.decode()


def test_agency_page_figures_agree_with_the_report_row(focal_client, focal_point):
    year = timezone.now().year - 1
    starts = timezone.now().replace(year=year, month=6, day=15)
    agency = focal_point.agency
    session = TrainingSessionFactory(status=TrainingSession.Status.COMPLETED, starts_at=starts)
    other = TrainingSessionFactory(status=TrainingSession.Status.COMPLETED, starts_at=starts + timedelta(days=30))
    survey = SurveyFactory(session=session)
    first, second = OfficerFactory(agency=agency), OfficerFactory(agency=agency)
    for officer, held, status in [
        (first, session, Attendance.Status.PRESENT),
        (second, session, Attendance.Status.PARTIAL),
        (first, other, Attendance.Status.PRESENT),
        (second, other, Attendance.Status.ABSENT),
        (OfficerFactory(), session, Attendance.Status.PRESENT),
    ]:
        AttendanceFactory(registration=RegistrationFactory(officer=officer, session=held), status=status)
    registration = first.registrations.get(session=session)
    SurveyResponseFactory(
        survey=survey,
        registration=registration,
        submitted_at=starts,
        overall_rating=4,
        usefulness_rating=5,
        trainer_rating=3,
        recommend_score=9,
    )

    response = focal_client.get(AGENCY_URL, {"year": year})

    figures = response.context["figures"]
    [row] = [
        row
        for row in yearly_report(year=year, breakdowns=("agency",)).breakdowns["agency"]
        if row.key == str(agency.pk)
    ]
    assert (figures.sessions_held, figures.attendances, figures.officers_trained) == (
        row.sessions,
        row.attendances,
        row.officers_trained,
    )
    assert (figures.sessions_held, figures.attendances, figures.officers_trained) == (2, 3, 2)
    assert (figures.survey_responses, figures.average_overall_rating) == (1, 4.0)


@pytest.mark.parametrize("item_count", [1, 12])
def test_agency_page_query_count_is_bounded(focal_client, focal_point, django_assert_num_queries, item_count):
    agency = focal_point.agency
    future = TrainingSessionFactory(starts_at=timezone.now() + timedelta(days=9))
    past = TrainingSessionFactory(status=TrainingSession.Status.COMPLETED, starts_at=timezone.now() - timedelta(days=9))
    for _ in range(item_count):
        officer = OfficerFactory(agency=agency)
        _pending(agency)
        RegistrationFactory(officer=officer, session=future)
        attendance = AttendanceFactory(registration=RegistrationFactory(officer=officer, session=past))
        issue_certificate(registration=attendance.registration)
        TrainingRequestFactory(agency=agency)

    focal_client.get(AGENCY_URL)  # the first view computes the agency's figures and stores them

    # Session, user, the officer's language (middleware), the officer with agency and role, the
    # agency's stored figures (and the note of the view), the focal points, then each of the six lists:
    # its count and its page, the requests' topics, and the sessions by nomination.
    with django_assert_num_queries(QUERIES_WITH_STORED_FIGURES):
        response = focal_client.get(AGENCY_URL)

    assert len(response.context["upcoming"]) == item_count
    assert len(response.context["requests"]) == item_count


def test_navigation_links_agency_page_for_focal_points_only(focal_client, focal_point, client):
    assert 'href="/agency/"' in focal_client.get("/").content.decode()
    other = Client()
    other.force_login(OfficerFactory(agency=focal_point.agency).user)
    assert 'href="/agency/"' not in other.get("/").content.decode()


# --- Delegated verification -------------------------------------------------------------------


def _decision_url(officer):
    return reverse("agencies:decide_officer", args=[officer.pk])


def test_focal_point_approves_pending_officer_and_officer_is_emailed(
    focal_client, focal_point, django_capture_on_commit_callbacks
):
    pending = _pending(focal_point.agency, first_name="Pedro", last_name="Gil", email="pedro@gmail.com")

    with django_capture_on_commit_callbacks(execute=True):
        response = focal_client.post(_decision_url(pending), {"decision": "approve"}, follow=True)

    pending.refresh_from_db()
    assert (pending.verification_status, pending.verified_by) == ("verified", focal_point.officer.user)
    assert [m.to for m in mail.outbox] == [["pedro@gmail.com"]]
    assert mail.outbox[0].subject == "Your affiliation is confirmed: you can now register for trainings"
    assert "Pedro Gil is now a verified officer of your agency and was told by email." in response.content.decode()


def test_focal_point_rejects_with_reason(focal_client, focal_point, django_capture_on_commit_callbacks):
    pending = _pending(focal_point.agency, email="pedro@gmail.com")

    with django_capture_on_commit_callbacks(execute=True):
        focal_client.post(_decision_url(pending), {"decision": "reject", "reason": "Not one of our staff."})

    pending.refresh_from_db()
    assert (pending.verification_status, pending.rejection_reason, pending.verified_by) == (
        "rejected",
        "Not one of our staff.",
        focal_point.officer.user,
    )
    assert [m.to for m in mail.outbox] == [["pedro@gmail.com"]]
    assert "Not one of our staff." in mail.outbox[0].body


def test_focal_point_reject_without_reason_saves_nothing(focal_client, focal_point):
    pending = _pending(focal_point.agency)

    response = focal_client.post(_decision_url(pending), {"decision": "reject", "reason": "  "}, follow=True)

    pending.refresh_from_db()
    assert pending.verification_status == "pending"
    assert mail.outbox == []
    assert "Give the officer a reason for the rejection." in response.content.decode()


def test_focal_point_decision_already_taken_is_an_error(focal_client, focal_point, django_capture_on_commit_callbacks):
    pending = _pending(focal_point.agency)
    with django_capture_on_commit_callbacks(execute=True):
        focal_client.post(_decision_url(pending), {"decision": "approve"})

    with django_capture_on_commit_callbacks(execute=True):
        response = focal_client.post(_decision_url(pending), {"decision": "reject", "reason": "No"}, follow=True)

    pending.refresh_from_db()
    assert pending.verification_status == "verified"
    assert len(mail.outbox) == 1
    assert "This officer&#x27;s affiliation was already decided." in response.content.decode()


def test_focal_point_cannot_decide_on_another_agency(client, other_focal_point, focal_point):
    pending = _pending(focal_point.agency)
    client.force_login(other_focal_point.officer.user)

    response = client.post(_decision_url(pending), {"decision": "approve"})

    pending.refresh_from_db()
    assert (response.status_code, pending.verification_status) == (404, "pending")


@pytest.mark.parametrize(("kind", "status"), [("anonymous", 302), ("officer", 403), ("trainer", 403), ("manager", 403)])
def test_decision_refused_to_other_roles(kind, status, focal_point, other_focal_point):
    pending = _pending(focal_point.agency)

    response = _client_for(_viewer(kind, focal_point, other_focal_point)).post(
        _decision_url(pending), {"decision": "approve"}
    )

    pending.refresh_from_db()
    assert (response.status_code, pending.verification_status) == (status, "pending")


def test_decision_without_csrf_token_is_refused(focal_point):
    pending = _pending(focal_point.agency)
    client = Client(enforce_csrf_checks=True)
    client.force_login(focal_point.officer.user)

    response = client.post(_decision_url(pending), {"decision": "approve"})

    pending.refresh_from_db()
    assert (response.status_code, pending.verification_status) == (403, "pending")


def test_decision_with_unknown_choice_saves_nothing(focal_client, focal_point):
    pending = _pending(focal_point.agency)

    response = focal_client.post(_decision_url(pending), {"decision": "promote"}, follow=True)

    pending.refresh_from_db()
    assert pending.verification_status == "pending"
    assert "Select a valid choice. promote is not one of the available choices." in response.content.decode()


def test_decision_get_is_not_allowed(focal_client, focal_point):
    assert focal_client.get(_decision_url(_pending(focal_point.agency))).status_code == 405


def test_agency_page_in_spanish_and_french(focal_client):
    focal_client.cookies["django_language"] = "es"
    spanish = focal_client.get(AGENCY_URL).content.decode()
    focal_client.cookies["django_language"] = "fr"
    french = focal_client.get(AGENCY_URL).content.decode()

    assert ("Funcionarios a la espera de su decisión" in spanish, "Agents en attente de votre décision" in french) == (
        True,
        True,
    )


def test_agency_page_serves_stored_figures_with_their_moment(focal_client, focal_point):
    focal_client.get(AGENCY_URL)

    response = focal_client.get(AGENCY_URL)

    assert response.context["as_of"] is not None
    assert 'id="agency-figures-as-of"' in response.content.decode()


def test_agency_page_says_figures_are_being_prepared_for_a_large_year(focal_client, focal_point, monkeypatch):
    monkeypatch.setattr("reports.store._cheap", lambda year: False)

    response = focal_client.get(AGENCY_URL)

    assert response.status_code == 200
    assert response.context["figures"] is None
    assert 'id="agency-figures-preparing"' in response.content.decode()
    assert "being prepared" in response.content.decode()
