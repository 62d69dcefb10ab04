"""POST/GET /api/v1/sessions/{id}/invitations/: the same classification and service as the back office."""

import pytest
import yaml
from django.core import mail

from sessions.models import Invitation, InvitationRequest, TrainingSession
from tests.factories import (
    AgencyEmailDomainFactory,
    AgencyFactory,
    InvitationFactory,
    OfficerFactory,
    RegistrationFactory,
    SessionTrainerFactory,
    TrainerFactory,
    TrainingSessionFactory,
)

pytestmark = pytest.mark.django_db


def url(session):
    return f"/api/v1/sessions/{session.pk}/invitations/"


@pytest.fixture
def session(trainer_profile):
    return SessionTrainerFactory(trainer=trainer_profile).session


@pytest.fixture
def agency():
    return AgencyFactory(acronym="SSPC", name="Secretaría de Seguridad")


def test_invitations_dry_run_classifies_each_entry_and_saves_nothing(
    trainer_client, session, agency, django_capture_on_commit_callbacks
):
    registered = RegistrationFactory(session=session).officer
    InvitationFactory(session=session, email="invited@example.org")
    body = {
        "recipients": f'"López, Ana" <ANA@x.mx>; Bob <b@y.org>\ninvited@example.org, {registered.user.email};'
        "\nnot-an-address, b@y.org",
        "agency": agency.pk,
        "dry_run": True,
    }

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = trainer_client.post(url(session), body, format="json")

    assert response.status_code == 200
    answer = response.json()
    assert len(answer.pop("fingerprint")) == 32
    assert answer == {
        "dry_run": True,
        "counts": {"new": 2, "invited": 1, "registered": 1, "invalid": 2},
        "entries": [
            {"line": 1, "text": '"López, Ana" <ANA@x.mx>', "name": "López, Ana", "email": "ana@x.mx", "status": "new", "reason": ""},
            {"line": 1, "text": "Bob <b@y.org>", "name": "Bob", "email": "b@y.org", "status": "new", "reason": ""},
            {"line": 2, "text": "invited@example.org", "name": "", "email": "invited@example.org", "status": "invited", "reason": ""},
            {"line": 2, "text": registered.user.email, "name": "", "email": registered.user.email, "status": "registered", "reason": ""},
            {"line": 3, "text": "not-an-address", "name": "", "email": "", "status": "invalid", "reason": "not an email address"},
            {"line": 3, "text": "b@y.org", "name": "", "email": "b@y.org", "status": "invalid", "reason": "duplicate: already on line 1 of the list"},
        ],
    }  # fmt: skip
    assert (callbacks, mail.outbox) == ([], [])
    assert (Invitation.objects.count(), InvitationRequest.objects.count()) == (1, 0)


def test_invitations_post_sends_only_the_new_ones(trainer_client, session, agency, django_capture_on_commit_callbacks):
    known = OfficerFactory(preferred_language="fr")
    InvitationFactory(session=session, email="invited@example.org")
    AgencyEmailDomainFactory(agency=agency, domain="sspc.gob.mx")
    body = {
        "recipients": f"luis@sspc.gob.mx, nobody@example.org; {known.user.email}\ninvited@example.org",
        "language": "es",
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = trainer_client.post(url(session), body, format="json")

    assert response.status_code == 202
    assert response.json()["counts"] == {"new": 2, "invited": 1, "registered": 0, "invalid": 1}
    assert sorted(message.to[0] for message in mail.outbox) == sorted([known.user.email, "luis@sspc.gob.mx"])
    assert dict(Invitation.objects.exclude(email="invited@example.org").values_list("email", "language")) == {
        "luis@sspc.gob.mx": "es",
        known.user.email: "fr",
    }
    assert Invitation.objects.get(email="luis@sspc.gob.mx").agency == agency


def test_invitations_post_accepts_a_list_of_recipients(
    manager_client, session, agency, django_capture_on_commit_callbacks
):
    body = {
        "recipients": [
            {"email": "ana@x.mx", "name": 'López, "Ana" <x>'},
            {"email": "bob@y.org"},
            {"email": "ANA@x.mx", "name": "Ana again"},
        ],
        "agency": agency.pk,
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(url(session), body, format="json")

    assert response.status_code == 202
    assert [(e["line"], e["name"], e["email"], e["status"]) for e in response.json()["entries"]] == [
        (1, 'López, "Ana" x', "ana@x.mx", "new"),
        (2, "", "bob@y.org", "new"),
        (3, "Ana again", "ana@x.mx", "invalid"),
    ]
    assert sorted(message.to[0] for message in mail.outbox) == ["ana@x.mx", "bob@y.org"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anon", 401), ("officer", 403), ("other_trainer", 403), ("trainer", 202), ("manager", 202)],
)
def test_invitations_post_permissions(request, client_for, role, expected, session, agency):
    if role == "other_trainer":
        from tests.api_fixtures import token_client

        client = token_client(TrainerFactory().user)
    else:
        client = client_for(request, role)

    response = client.post(url(session), {"recipients": "a@example.org", "agency": agency.pk}, format="json")

    assert response.status_code == expected
    assert Invitation.objects.count() + InvitationRequest.objects.count() == (1 if expected == 202 else 0)


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anon", 401), ("officer", 403), ("other_trainer", 403), ("trainer", 200), ("manager", 200)],
)
def test_invitations_list_permissions(request, client_for, role, expected, session):
    InvitationFactory(session=session, email="ana@x.mx")
    if role == "other_trainer":
        from tests.api_fixtures import token_client

        client = token_client(TrainerFactory().user)
    else:
        client = client_for(request, role)

    response = client.get(url(session))

    assert response.status_code == expected
    if expected == 200:
        assert [item["email"] for item in response.json()["results"]] == ["ana@x.mx"]
    else:
        assert "ana@x.mx" not in response.content.decode()


def test_invitations_list_shows_state_and_agency(manager_client, session, agency):
    invitation = InvitationFactory(session=session, email="ana@x.mx", agency=agency, language="es")
    InvitationFactory(email="elsewhere@x.mx")

    response = manager_client.get(url(session))

    assert response.json()["count"] == 1
    item = response.json()["results"][0]
    assert {key: item[key] for key in ("id", "email", "agency", "language", "state", "delivered_at")} == {
        "id": invitation.pk,
        "email": "ana@x.mx",
        "agency": agency.pk,
        "language": "es",
        "state": "pending",
        "delivered_at": None,
    }


@pytest.mark.parametrize("invitation_count", [1, 40])
def test_invitations_list_query_count_does_not_grow(
    manager_client, session, invitation_count, django_assert_num_queries
):
    for number in range(invitation_count):
        InvitationFactory(session=session, email=f"p{number}@example.org")

    with django_assert_num_queries(4):
        response = manager_client.get(url(session), {"page_size": 100})

    assert len(response.json()["results"]) == invitation_count


@pytest.mark.parametrize("recipient_count", [1, 40])
def test_invitations_dry_run_query_count_does_not_grow(
    manager_client, session, agency, recipient_count, django_assert_num_queries
):
    recipients = [{"email": f"p{number}@example.org", "name": f"P {number}"} for number in range(recipient_count)]
    OfficerFactory.create_batch(2, agency=agency)

    with django_assert_num_queries(10):
        response = manager_client.post(
            url(session), {"recipients": recipients, "agency": agency.pk, "dry_run": True}, format="json"
        )

    assert response.json()["counts"]["new"] == recipient_count


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"recipients": ["This field is required."]}),
        ({"recipients": "   \n"}, {"recipients": ["Give at least one recipient."]}),
        ({"recipients": []}, {"recipients": ["Give at least one recipient."]}),
        ({"recipients": 42}, {"recipients": ["Give the recipients as pasted text or as a list of objects with an email and a name."]}),
        ({"recipients": [{"name": "Ana"}]}, {"recipients.0.email": ["This field is required."]}),
        ({"recipients": [{"email": "a@x.mx"}, {"email": "nope"}]}, {"recipients.1.email": ["Enter a valid email address."]}),
        ({"recipients": ["a@x.mx"]}, {"recipients.0.non_field_errors": ["Invalid data. Expected a dictionary, but got str."]}),
        ({"recipients": "a@x.mx", "agency": 999999}, {"agency": ['Invalid pk "999999" - object does not exist.']}),
        ({"recipients": "a@x.mx", "language": "xx"}, {"language": ['"xx" is not a valid choice.']}),
        ({"recipients": "a@x.mx", "dry_run": "perhaps"}, {"dry_run": ["Must be a valid boolean."]}),
        ({"recipients": "a" * 500_001}, {"recipients": ["Send at most 500000 characters of pasted text at a time."]}),
    ],
)  # fmt: skip
def test_invitations_bad_bodies_are_400(manager_client, session, body, errors):
    response = manager_client.post(url(session), body, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == errors
    assert Invitation.objects.count() + InvitationRequest.objects.count() == 0


def test_invitations_inactive_agency_is_400(manager_client, session):
    agency = AgencyFactory(is_active=False)

    response = manager_client.post(url(session), {"recipients": "a@x.mx", "agency": agency.pk}, format="json")

    assert response.json()["errors"] == {"agency": [f'Invalid pk "{agency.pk}" - object does not exist.']}


def test_invitations_to_a_draft_session_is_409_even_on_a_dry_run(manager_client, agency):
    session = TrainingSessionFactory(status=TrainingSession.Status.DRAFT)

    for dry_run in (True, False):
        response = manager_client.post(
            url(session), {"recipients": "a@x.mx", "agency": agency.pk, "dry_run": dry_run}, format="json"
        )
        assert (response.status_code, response.json()["code"]) == (409, "not_published")
    assert Invitation.objects.count() + InvitationRequest.objects.count() == 0


def test_invitations_endpoint_is_in_the_schema(manager_client):
    schema = yaml.safe_load(manager_client.get("/api/schema/").content)

    operations = schema["paths"]["/api/v1/sessions/{id}/invitations/"]
    assert sorted(operations) == ["get", "post"]
    assert sorted(operations["post"]["responses"]) == ["200", "202", "400", "401", "403", "404", "409", "413", "429"]
    assert operations["post"]["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/InvitationRequestRequest"
    }


def test_invitations_post_is_throttled_like_other_writes(trainer_client, session, agency, monkeypatch):
    from rest_framework.throttling import UserRateThrottle

    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "2/minute", "anon": "2/minute"})
    body = {"recipients": "a@example.org", "agency": agency.pk, "dry_run": True}

    statuses = [trainer_client.post(url(session), body, format="json").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_invitations_post_with_a_stale_preview_is_409_and_sends_nothing(
    trainer_client, session, agency, django_capture_on_commit_callbacks
):
    body = {"recipients": "a@example.org; b@example.org", "agency": agency.pk}
    preview = trainer_client.post(url(session), {**body, "dry_run": True}, format="json").json()
    InvitationFactory(session=session, email="b@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        response = trainer_client.post(url(session), {**body, "previewed": preview["fingerprint"]}, format="json")

    assert (response.status_code, response.json()["code"]) == (409, "preview_stale")
    assert (mail.outbox, InvitationRequest.objects.count()) == ([], 0)


def test_invitations_post_with_a_preview_that_holds_sends_it(
    trainer_client, session, agency, django_capture_on_commit_callbacks
):
    body = {"recipients": "a@example.org; b@example.org", "agency": agency.pk}
    preview = trainer_client.post(url(session), {**body, "dry_run": True}, format="json").json()

    with django_capture_on_commit_callbacks(execute=True):
        response = trainer_client.post(url(session), {**body, "previewed": preview["fingerprint"]}, format="json")

    assert response.status_code == 202
    assert sorted(message.to for message in mail.outbox) == [["a@example.org"], ["b@example.org"]]
