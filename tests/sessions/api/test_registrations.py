import pytest

from sessions.models import Registration, TrainingSession
from tests.factories import OfficerFactory, RegistrationFactory, SessionTrainerFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/registrations/"


def test_registration_list_officer_sees_only_own(officer_client, officer_profile):
    own = RegistrationFactory(officer=officer_profile)
    RegistrationFactory()
    response = officer_client.get(URL)
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["results"]] == [own.pk]
    assert response.json()["results"][0]["officer"]["email"] == officer_profile.user.email


def test_registration_list_manager_sees_all(manager_client):
    registrations = [RegistrationFactory(), RegistrationFactory()]
    response = manager_client.get(URL, {"ordering": "id"})
    assert [item["id"] for item in response.json()["results"]] == [r.pk for r in registrations]


def test_registration_list_trainer_sees_only_sessions_they_train(trainer_client, trainer_profile):
    trained = RegistrationFactory()
    SessionTrainerFactory(session=trained.session, trainer=trainer_profile)
    RegistrationFactory()
    response = trainer_client.get(URL, {"ordering": "id"})
    assert [item["id"] for item in response.json()["results"]] == [trained.pk]


def test_registration_list_anonymous_is_401(anon_client):
    assert anon_client.get(URL).status_code == 401


def test_registration_detail_of_other_officer_is_404(officer_client):
    other = RegistrationFactory()
    assert officer_client.get(f"{URL}{other.pk}/").status_code == 404


@pytest.mark.parametrize("registration_count", [1, 50])
def test_registration_list_query_count_does_not_grow(manager_client, registration_count, django_assert_max_num_queries):
    for _ in range(registration_count):
        RegistrationFactory()
    with django_assert_max_num_queries(6):
        response = manager_client.get(URL, {"page_size": 100})
    assert response.json()["count"] == registration_count


def test_registration_create_by_officer_confirms_seat(officer_client, officer_profile, mailoutbox):
    session = TrainingSessionFactory(capacity=2)
    response = officer_client.post(URL, {"session": session.pk}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["session"], body["status"], body["source"]) == (session.pk, "confirmed", "api")
    assert Registration.objects.get(pk=body["id"]).officer == officer_profile


def test_registration_create_full_session_goes_to_waitlist(officer_client):
    session = TrainingSessionFactory(capacity=1)
    RegistrationFactory(session=session)
    response = officer_client.post(URL, {"session": session.pk}, format="json")
    assert response.status_code == 201
    assert (response.json()["status"], response.json()["waitlist_position"]) == ("waitlisted", 1)


def test_registration_create_twice_is_409(officer_client, officer_profile):
    session = TrainingSessionFactory()
    RegistrationFactory(session=session, officer=officer_profile)
    response = officer_client.post(URL, {"session": session.pk}, format="json")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "You are already registered for this session.",
        "code": "already_registered",
        "errors": {},
    }


def test_registration_create_unverified_officer_is_403(db):
    from tests.api_fixtures import token_client

    officer = OfficerFactory(verification_status="pending")
    session = TrainingSessionFactory()
    response = token_client(officer.user).post(URL, {"session": session.pk}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "not_verified"


def test_registration_create_draft_session_is_400(officer_client):
    session = TrainingSessionFactory(status=TrainingSession.Status.DRAFT)
    response = officer_client.post(URL, {"session": session.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"session": ["No such session is open to you."]}


@pytest.mark.parametrize("role", ["manager", "trainer"])
def test_registration_create_by_staff_is_403(request, role):
    client = request.getfixturevalue(f"{role}_client")
    session = TrainingSessionFactory()
    assert client.post(URL, {"session": session.pk}, format="json").status_code == 403


def test_registration_cancel_own(officer_client, officer_profile):
    registration = RegistrationFactory(officer=officer_profile)
    response = officer_client.post(f"{URL}{registration.pk}/cancel/")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


def test_registration_cancel_twice_is_409(officer_client, officer_profile):
    registration = RegistrationFactory(officer=officer_profile, status=Registration.Status.CANCELLED)
    response = officer_client.post(f"{URL}{registration.pk}/cancel/")
    assert response.status_code == 409
    assert response.json()["code"] == "already_cancelled"


def test_registration_cancel_by_session_trainer(trainer_client, trainer_profile):
    registration = RegistrationFactory()
    SessionTrainerFactory(session=registration.session, trainer=trainer_profile)
    assert trainer_client.post(f"{URL}{registration.pk}/cancel/").status_code == 200


def test_registration_cancel_by_other_trainer_is_404(trainer_client):
    registration = RegistrationFactory()
    assert trainer_client.post(f"{URL}{registration.pk}/cancel/").status_code == 404
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED


def test_registration_cancel_other_officers_is_404(officer_client):
    registration = RegistrationFactory()
    assert officer_client.post(f"{URL}{registration.pk}/cancel/").status_code == 404
