"""My trainings: each past session's survey link while the survey is open, and the certificate's links."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone

from sessions.models import Attendance, TrainingSession
from sessions.services.certificates import issue_certificate
from tests.factories import AttendanceFactory, RegistrationFactory, SurveyResponseFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(client, officer):
    EmailAddress.objects.update_or_create(
        user=officer.user, email=officer.user.email, defaults={"verified": True, "primary": True}
    )
    client.force_login(officer.user)
    return client


@pytest.fixture
def past_registration(officer):
    start = timezone.now() - timedelta(days=4)
    session = TrainingSessionFactory(
        title="Tracing illicit funds", status=TrainingSession.Status.COMPLETED, starts_at=start
    )
    return RegistrationFactory(session=session, officer=officer)


def past_row(client) -> str:
    """The text and links of the one past session's row (a card on a phone)."""
    content = client.get(reverse("sessions:my_trainings")).content.decode()
    (body,) = re.findall(r'<table class="table table-cards" id="past">.*?<tbody>(.*?)</tbody>', content, re.S)
    return body


def links(row: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', row)


def test_open_survey_is_linked_with_the_officers_personal_token(officer_client, past_registration):
    AttendanceFactory(registration=past_registration)
    response = SurveyResponseFactory(registration=past_registration, survey__session=past_registration.session)

    row = past_row(officer_client)

    assert f'<a class="button button-small" href="/surveys/{response.token}/">Answer the survey</a>' in row


def test_closed_survey_is_not_linked(officer_client, past_registration):
    AttendanceFactory(registration=past_registration)
    SurveyResponseFactory(
        registration=past_registration,
        survey__session=past_registration.session,
        survey__closes_at=timezone.now() - timedelta(minutes=1),
    )

    row = past_row(officer_client)

    assert [link for link in links(row) if "/surveys/" in link] == []
    assert "Answer the survey" not in row


def test_answered_survey_says_thank_you_without_link(officer_client, past_registration):
    AttendanceFactory(registration=past_registration)
    SurveyResponseFactory(
        registration=past_registration, survey__session=past_registration.session, submitted_at=timezone.now()
    )

    row = past_row(officer_client)

    assert "Answered, thank you" in row
    assert [link for link in links(row) if "/surveys/" in link] == []


def test_certificate_download_and_verification_links_once_issued(officer_client, past_registration):
    AttendanceFactory(registration=past_registration)
    certificate = issue_certificate(registration=past_registration)

    row = past_row(officer_client)

    assert links(row) == [
        f"/sessions/{past_registration.session.pk}/",
        f"/my-trainings/{past_registration.pk}/certificate.pdf",
        f"/certificates/{certificate.code}/",
    ]


def test_certificate_download_only_before_it_is_issued(officer_client, past_registration):
    AttendanceFactory(registration=past_registration)

    row = past_row(officer_client)

    assert links(row) == [
        f"/sessions/{past_registration.session.pk}/",
        f"/my-trainings/{past_registration.pk}/certificate.pdf",
    ]


def test_absent_officer_has_neither_certificate_nor_survey(officer_client, past_registration):
    AttendanceFactory(registration=past_registration, status=Attendance.Status.ABSENT)

    row = past_row(officer_client)

    assert links(row) == [f"/sessions/{past_registration.session.pk}/"]
    assert row.count("—") == 2


@pytest.mark.parametrize("item_count", [1, 10])
def test_my_trainings_with_surveys_and_certificates_query_count_is_bounded(
    officer_client, officer, django_assert_num_queries, item_count
):
    start = timezone.now() - timedelta(days=3)
    for _ in range(item_count):
        session = TrainingSessionFactory(status=TrainingSession.Status.COMPLETED, starts_at=start)
        registration = RegistrationFactory(session=session, officer=officer)
        AttendanceFactory(registration=registration)
        SurveyResponseFactory(registration=registration, survey__session=session)
        issue_certificate(registration=registration)
    officer_client.cookies["django_language"] = "en"

    # Session, user, officer, upcoming registrations (none), past ones with their survey and
    # certificate joined, the past sessions' trainers.
    with django_assert_num_queries(6):
        response = officer_client.get(reverse("sessions:my_trainings"))

    assert len(response.context["past"]) == item_count
