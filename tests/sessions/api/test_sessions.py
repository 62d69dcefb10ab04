from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from sessions.models import SessionTrainer, TrainingSession
from tests.factories import (
    AgencyFactory,
    CountryFactory,
    RegistrationFactory,
    SessionTrainerFactory,
    TopicFactory,
    TrainerFactory,
    TrainingSessionFactory,
)

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/sessions/"


def detail_url(session_id, suffix=""):
    return f"/api/v1/sessions/{session_id}/{suffix}"


# --- Reading ---------------------------------------------------------------------------------


def test_session_list_anonymous_is_401(anon_client):
    response = anon_client.get(LIST_URL)
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Authentication credentials were not provided.",
        "code": "not_authenticated",
        "errors": {},
    }


def test_session_list_user_without_role_is_403(db):
    from tests.api_fixtures import token_client
    from tests.factories import UserFactory

    response = token_client(UserFactory()).get(LIST_URL)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


@pytest.mark.parametrize("role", ["manager", "trainer"])
def test_session_list_staff_sees_every_status(request, role):
    client = request.getfixturevalue(f"{role}_client")
    draft = TrainingSessionFactory(status=TrainingSession.Status.DRAFT)
    published = TrainingSessionFactory()
    response = client.get(LIST_URL)
    assert response.status_code == 200
    assert sorted(item["id"] for item in response.json()["results"]) == sorted([draft.pk, published.pk])


def test_session_list_officer_sees_only_published_open_sessions(officer_client, officer_profile):
    open_session = TrainingSessionFactory()
    TrainingSessionFactory(status=TrainingSession.Status.DRAFT)
    restricted = TrainingSessionFactory(audience=TrainingSession.Audience.RESTRICTED)
    restricted.audience_agencies.add(AgencyFactory())
    mine = TrainingSessionFactory(audience=TrainingSession.Audience.RESTRICTED)
    mine.audience_agencies.add(officer_profile.agency)
    response = officer_client.get(LIST_URL)
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["results"]] == [open_session.pk, mine.pk]


def test_session_meeting_link_hidden_from_officer_not_confirmed(officer_client, officer_profile):
    session = TrainingSessionFactory(meeting_url="https://meet.example.org/secret")
    response = officer_client.get(detail_url(session.pk))
    assert response.status_code == 200
    assert response.json()["meeting_url"] is None
    RegistrationFactory(session=session, officer=officer_profile)
    response = officer_client.get(detail_url(session.pk))
    assert response.json()["meeting_url"] == "https://meet.example.org/secret"
    listed = officer_client.get(LIST_URL).json()["results"]
    assert listed[0]["meeting_url"] == "https://meet.example.org/secret"


def test_session_meeting_link_hidden_from_officer_whose_address_is_not_confirmed(officer_client, officer_profile):
    from allauth.account.models import EmailAddress

    session = TrainingSessionFactory(meeting_url="https://meet.example.org/secret")
    RegistrationFactory(session=session, officer=officer_profile)
    EmailAddress.objects.filter(user=officer_profile.user).update(verified=False)

    detail = officer_client.get(detail_url(session.pk))
    listed = officer_client.get(LIST_URL)

    assert (detail.status_code, detail.json()["meeting_url"]) == (200, None)
    assert [item["meeting_url"] for item in listed.json()["results"]] == [None]


def test_session_meeting_link_hidden_from_waitlisted_officer(officer_client, officer_profile):
    session = TrainingSessionFactory(meeting_url="https://meet.example.org/secret")
    RegistrationFactory(session=session, officer=officer_profile, status="waitlisted", waitlist_position=1)
    assert officer_client.get(detail_url(session.pk)).json()["meeting_url"] is None


def test_session_meeting_link_shown_to_trainer(trainer_client):
    session = TrainingSessionFactory(meeting_url="https://meet.example.org/secret")
    assert trainer_client.get(detail_url(session.pk)).json()["meeting_url"] == "https://meet.example.org/secret"


def test_session_detail_times_in_session_zone_with_offset(manager_client):
    starts = datetime(2025, 1, 24, 15, 0, tzinfo=UTC)
    session = TrainingSessionFactory(
        starts_at=starts, ends_at=starts + timedelta(hours=3), timezone="America/Mexico_City"
    )
    topic = TopicFactory(slug="tracing", name="Tracing")
    session.topics.add(topic)
    trainer = TrainerFactory(user__first_name="Ana", user__last_name="Ruiz")
    SessionTrainerFactory(session=session, trainer=trainer)
    body = manager_client.get(detail_url(session.pk)).json()
    assert body["starts_at"] == "2025-01-24T09:00:00-06:00"
    assert body["ends_at"] == "2025-01-24T12:00:00-06:00"
    assert body["timezone"] == "America/Mexico_City"
    assert body["topics"] == ["tracing"]
    assert body["trainers"] == [{"trainer_id": trainer.pk, "name": "Ana Ruiz", "role": "lead"}]
    assert body["audience_agencies"] == []


def test_session_list_gives_each_session_its_own_topics_and_trainers(manager_client):
    first, second, bare = (TrainingSessionFactory(starts_at=timezone.now() + timedelta(days=day)) for day in (1, 2, 3))
    tracing, laundering = TopicFactory(slug="tracing", name="Tracing"), TopicFactory(slug="aml", name="Laundering")
    first.topics.add(tracing, laundering)
    second.topics.add(tracing)
    ana = TrainerFactory(user__first_name="Ana", user__last_name="Ruiz")
    luis = TrainerFactory(user__first_name="Luis", user__last_name="Paz")
    SessionTrainerFactory(session=second, trainer=ana)
    SessionTrainerFactory(session=second, trainer=luis)

    listed = manager_client.get(LIST_URL).json()["results"]

    assert [(row["id"], row["topics"], [item["name"] for item in row["trainers"]]) for row in listed] == [
        (first.pk, ["aml", "tracing"], []),
        (second.pk, ["tracing"], ["Ana Ruiz", "Luis Paz"]),
        (bare.pk, [], []),
    ]


def test_session_detail_officer_cannot_see_draft_is_404(officer_client):
    session = TrainingSessionFactory(status=TrainingSession.Status.DRAFT)
    response = officer_client.get(detail_url(session.pk))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found", "errors": {}}


@pytest.mark.parametrize("bad_id", ["0", "999999", "abc", "99999999999999999999", "1.5"])
def test_session_detail_bad_id_is_404(manager_client, bad_id):
    response = manager_client.get(f"/api/v1/sessions/{bad_id}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- Filters, ordering, pagination ------------------------------------------------------------


def test_session_list_filters(manager_client):
    mexico = CountryFactory(code="MX")
    france = CountryFactory(code="FR")
    topic = TopicFactory(slug="aml")
    trainer = TrainerFactory()
    agency = AgencyFactory(country=mexico)
    now = timezone.now()
    match = TrainingSessionFactory(
        format=TrainingSession.Format.IN_PERSON,
        country=mexico,
        city="Mexico City",
        language="es",
        host_agency=agency,
        starts_at=now + timedelta(days=3),
    )
    match.topics.add(topic)
    SessionTrainerFactory(session=match, trainer=trainer)
    early = TrainingSessionFactory(country=france, starts_at=now - timedelta(days=40), status="cancelled")
    late = TrainingSessionFactory(country=france, starts_at=now + timedelta(days=40), status="draft")
    expected = {"date_from": [match.pk, late.pk], "date_to": [early.pk, match.pk]}
    query = {
        "date_from": (now + timedelta(days=1)).date().isoformat(),
        "date_to": (now + timedelta(days=10)).date().isoformat(),
        "country": "mx",
        "region": mexico.intermediate_region or mexico.sub_region or mexico.region,
        "agency": agency.pk,
        "format": "in_person",
        "status": "published",
        "topic": "aml",
        "language": "es",
        "trainer": trainer.pk,
    }
    for name, value in query.items():
        response = manager_client.get(LIST_URL, {name: value})
        assert response.status_code == 200, name
        assert [item["id"] for item in response.json()["results"]] == expected.get(name, [match.pk]), name


def test_session_list_invalid_filter_is_400(manager_client):
    response = manager_client.get(LIST_URL, {"format": "carrier-pigeon", "agency": "x"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert sorted(body["errors"]) == ["agency", "format"]


def test_session_list_pagination_is_stable_and_capped(manager_client):
    starts = timezone.now() + timedelta(days=5)
    sessions = [TrainingSessionFactory(starts_at=starts) for _ in range(5)]
    first = manager_client.get(LIST_URL, {"page_size": 2}).json()
    second = manager_client.get(LIST_URL, {"page_size": 2, "page": 2}).json()
    third = manager_client.get(LIST_URL, {"page_size": 2, "page": 3}).json()
    ids = [item["id"] for page in (first, second, third) for item in page["results"]]
    assert ids == [session.pk for session in sessions]
    assert first["count"] == 5
    assert manager_client.get(LIST_URL, {"page": 9}).status_code == 404


@pytest.mark.parametrize("page", ["1000000001", "15457064826467837280256"])
def test_session_list_page_beyond_any_offset_is_404(manager_client, page):
    """Found by schemathesis: an offset past 64 bits made PostgreSQL fail with a 500."""
    TrainingSessionFactory()
    response = manager_client.get(LIST_URL, {"page": page, "page_size": 100})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_session_list_ordering_by_title_descending(manager_client):
    TrainingSessionFactory(title="Alpha")
    TrainingSessionFactory(title="Bravo")
    response = manager_client.get(LIST_URL, {"ordering": "-title"})
    assert [item["title"] for item in response.json()["results"]] == ["Bravo", "Alpha"]


@pytest.mark.parametrize("role", ["manager", "officer"])
@pytest.mark.parametrize("session_count", [1, 50])
def test_session_list_query_count_does_not_grow(request, role, session_count, django_assert_num_queries):
    client = request.getfixturevalue(f"{role}_client")
    topic = TopicFactory()
    for _ in range(session_count):
        session = TrainingSessionFactory()
        session.topics.add(topic)
        SessionTrainerFactory(session=session)
    # The token with its role, the page (meeting-link visibility and total included), topics and trainers.
    with django_assert_num_queries(3):
        response = client.get(LIST_URL, {"page_size": 50})
    assert response.status_code == 200
    assert len(response.json()["results"]) == session_count


@pytest.mark.parametrize("registration_count", [1, 50])
def test_session_registrations_query_count_does_not_grow(
    manager_client, registration_count, django_assert_max_num_queries
):
    session = TrainingSessionFactory(capacity=100)
    for _ in range(registration_count):
        RegistrationFactory(session=session)
    with django_assert_max_num_queries(7):
        response = manager_client.get(detail_url(session.pk, "registrations/"), {"page_size": 100})
    assert response.status_code == 200
    assert response.json()["count"] == registration_count


# --- Writing -----------------------------------------------------------------------------------


def _new_session_payload(**overrides):
    starts = timezone.now() + timedelta(days=20)
    payload = {
        "title": "Tracing stablecoins",
        "format": "virtual",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=2)).isoformat(),
        "timezone": "Europe/Paris",
        "meeting_url": "https://meet.example.org/new",
        "capacity": 40,
        "language": "fr",
    }
    payload.update(overrides)
    return payload


def test_session_create_by_trainer_makes_them_lead(trainer_client, trainer_profile):
    response = trainer_client.post(LIST_URL, _new_session_payload(), format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "draft"
    assert body["timezone"] == "Europe/Paris"
    assert body["trainers"][0]["trainer_id"] == trainer_profile.pk
    assert body["trainers"][0]["role"] == "lead"


def test_session_create_by_manager_with_trainers_and_topics(manager_client):
    trainer = TrainerFactory()
    TopicFactory(slug="aml")
    payload = _new_session_payload(trainers=[{"trainer_id": trainer.pk, "role": "co"}], topics=["aml"])
    response = manager_client.post(LIST_URL, payload, format="json")
    assert response.status_code == 201
    assert response.json()["trainers"] == [
        {"trainer_id": trainer.pk, "name": str(trainer.user.get_full_name()), "role": "co"}
    ]
    assert response.json()["topics"] == ["aml"]


def test_session_create_by_officer_is_403(officer_client):
    response = officer_client.post(LIST_URL, _new_session_payload(), format="json")
    assert response.status_code == 403
    assert TrainingSession.objects.count() == 0


def test_session_create_invalid_is_400_with_field_messages(manager_client):
    payload = _new_session_payload(timezone="Mars/Olympus", capacity=0, format="carrier")
    response = manager_client.post(LIST_URL, payload, format="json")
    assert response.status_code == 400
    assert sorted(response.json()["errors"]) == ["capacity", "format", "timezone"]


def test_session_create_end_before_start_is_400_from_service(manager_client):
    starts = timezone.now() + timedelta(days=3)
    payload = _new_session_payload(starts_at=starts.isoformat(), ends_at=(starts - timedelta(hours=1)).isoformat())
    response = manager_client.post(LIST_URL, payload, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "The session must end after it starts."


def test_session_update_by_own_trainer(trainer_client, trainer_profile):
    session = TrainingSessionFactory(status=TrainingSession.Status.DRAFT)
    SessionTrainerFactory(session=session, trainer=trainer_profile)
    response = trainer_client.patch(detail_url(session.pk), {"title": "Renamed"}, format="json")
    assert response.status_code == 200
    assert response.json()["title"] == "Renamed"


def test_session_update_by_other_trainer_is_403(trainer_client):
    session = TrainingSessionFactory(status=TrainingSession.Status.DRAFT)
    SessionTrainerFactory(session=session)
    response = trainer_client.patch(detail_url(session.pk), {"title": "Renamed"}, format="json")
    assert response.status_code == 403
    session.refresh_from_db()
    assert session.title != "Renamed"


def test_session_update_cancelled_is_409(manager_client):
    session = TrainingSessionFactory(status=TrainingSession.Status.CANCELLED)
    response = manager_client.patch(detail_url(session.pk), {"title": "Renamed"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"


def test_session_publish_by_manager(manager_client):
    session = TrainingSessionFactory(status=TrainingSession.Status.DRAFT)
    SessionTrainerFactory(session=session)
    response = manager_client.post(detail_url(session.pk, "publish/"))
    assert response.status_code == 200
    assert response.json()["status"] == "published"


def test_session_publish_twice_is_409(manager_client):
    session = TrainingSessionFactory()
    response = manager_client.post(detail_url(session.pk, "publish/"))
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"


def test_session_publish_by_officer_is_403(officer_client):
    session = TrainingSessionFactory(status=TrainingSession.Status.DRAFT)
    assert officer_client.post(detail_url(session.pk, "publish/")).status_code == 403


def test_session_cancel_by_own_trainer_with_reason(trainer_client, trainer_profile):
    session = TrainingSessionFactory()
    SessionTrainerFactory(session=session, trainer=trainer_profile)
    response = trainer_client.post(detail_url(session.pk, "cancel/"), {"reason": "Venue closed"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["cancellation_reason"] == "Venue closed"


def test_session_cancel_by_other_trainer_is_403(trainer_client):
    session = TrainingSessionFactory()
    assert trainer_client.post(detail_url(session.pk, "cancel/")).status_code == 403
    session.refresh_from_db()
    assert session.status == TrainingSession.Status.PUBLISHED


def test_session_complete_by_manager(manager_client):
    session = TrainingSessionFactory(starts_at=timezone.now() - timedelta(hours=4))
    response = manager_client.post(detail_url(session.pk, "complete/"))
    assert response.status_code == 200
    assert response.json()["status"] == "completed"


def test_session_complete_before_start_is_409(manager_client):
    session = TrainingSessionFactory()
    assert manager_client.post(detail_url(session.pk, "complete/")).status_code == 409


def test_session_complete_unknown_id_is_404(manager_client):
    assert manager_client.post(detail_url(424242, "complete/")).status_code == 404


def test_session_trainers_replaced_on_update(manager_client):
    session = TrainingSessionFactory(status=TrainingSession.Status.DRAFT)
    SessionTrainerFactory(session=session)
    newcomer = TrainerFactory()
    response = manager_client.patch(
        detail_url(session.pk), {"trainers": [{"trainer_id": newcomer.pk, "role": "lead"}]}, format="json"
    )
    assert response.status_code == 200
    assert list(SessionTrainer.objects.filter(session=session).values_list("trainer_id", flat=True)) == [newcomer.pk]


# --- Registrations of a session ----------------------------------------------------------------


@pytest.mark.parametrize("role", ["manager", "trainer"])
def test_session_registrations_staff_lists_them(request, role):
    client = request.getfixturevalue(f"{role}_client")
    registration = RegistrationFactory()
    if role == "trainer":  # a trainer reads the registrations of the sessions they train
        SessionTrainerFactory(session=registration.session, trainer=request.getfixturevalue("trainer_profile"))
    response = client.get(detail_url(registration.session_id, "registrations/"))
    assert response.status_code == 200
    item = response.json()["results"][0]
    assert item["id"] == registration.pk
    assert item["officer"]["email"] == registration.officer.user.email


def test_session_registrations_officer_is_403(officer_client, officer_profile):
    registration = RegistrationFactory(officer=officer_profile)
    response = officer_client.get(detail_url(registration.session_id, "registrations/"))
    assert response.status_code == 403
