import pytest
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.api_fixtures import token_client
from tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db

TOKENS = "/api/v1/auth/tokens/"


def test_token_issue_with_email_and_password():
    officer = OfficerFactory(user__email="ana@policia.gob.mx")
    response = APIClient().post(
        TOKENS, {"email": "ANA@policia.gob.mx", "password": "correct-horse-battery"}, format="json"
    )
    assert response.status_code == 201
    token = response.json()["token"]
    assert AuthToken.objects.get(user=officer.user).token_key == token[:15]
    assert AuthToken.objects.get(user=officer.user).digest != token
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/sessions/").status_code == 200


def test_token_issue_wrong_password_is_400():
    OfficerFactory(user__email="ana@policia.gob.mx")
    response = APIClient().post(TOKENS, {"email": "ana@policia.gob.mx", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Unable to log in with these credentials.",
        "code": "invalid_credentials",
        "errors": {"non_field_errors": ["Unable to log in with these credentials."]},
    }


def test_token_issue_staff_without_authenticator_refused_when_mfa_required(settings, manager):
    settings.STAFF_MFA_REQUIRED = True
    response = APIClient().post(TOKENS, {"email": manager.email, "password": "correct-horse-battery"}, format="json")
    assert response.status_code == 403
    assert AuthToken.objects.count() == 0


def test_token_list_shows_own_tokens_only(officer_client, manager_client):
    response = officer_client.get(TOKENS)
    assert response.status_code == 200
    assert [(item["current"],) for item in response.json()] == [(True,)]


def test_token_revoke_own(officer_client, officer_profile):
    key = AuthToken.objects.get(user=officer_profile.user).token_key
    assert officer_client.delete(f"{TOKENS}{key}/").status_code == 204
    assert officer_client.get("/api/v1/sessions/").status_code == 401


def test_token_revoke_other_users_is_404(officer_client, manager):
    other = token_client(manager)
    key = AuthToken.objects.get(user=manager).token_key
    assert officer_client.delete(f"{TOKENS}{key}/").status_code == 404
    assert other.get("/api/v1/sessions/").status_code == 200


def test_token_expired_is_401(officer_profile):
    client = token_client(officer_profile.user)
    AuthToken.objects.update(expiry=timezone.now() - timezone.timedelta(minutes=1))
    response = client.get("/api/v1/sessions/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert AuthToken.objects.count() == 0


def test_session_authentication_works(officer_profile):
    client = APIClient()
    client.force_login(officer_profile.user)
    assert client.get("/api/v1/sessions/").status_code == 200


def test_throttled_user_gets_429(officer_client, monkeypatch):
    from rest_framework.throttling import UserRateThrottle

    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "2/minute", "anon": "2/minute"})
    statuses = [officer_client.get("/api/v1/topics/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    response = officer_client.get("/api/v1/topics/")
    assert response.json()["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_throttled_anonymous_caller_gets_429(anon_client, monkeypatch):
    from rest_framework.throttling import AnonRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"user": "2/minute", "anon": "2/minute"})
    statuses = [anon_client.get("/api/v1/nothing-here/").status_code for _ in range(3)]
    assert statuses == [404, 404, 429]


def test_throttle_counts_again_in_the_next_window(officer_client, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle, UserRateThrottle

    now = [1_000_040.0]  # 40 s before the end of a minute window
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "1/minute", "anon": "1/minute"})
    monkeypatch.setattr(SimpleRateThrottle, "timer", lambda self: now[0])
    first, refused = officer_client.get("/api/v1/topics/"), officer_client.get("/api/v1/topics/")
    now[0] += 60
    assert [first.status_code, refused.status_code, officer_client.get("/api/v1/topics/").status_code] == [
        200,
        429,
        200,
    ]
    assert refused["Retry-After"] == "40"


def test_token_issue_throttled_per_address(monkeypatch):
    from trainingops.api.tokens import LoginThrottle

    monkeypatch.setattr(LoginThrottle, "THROTTLE_RATES", {"login": "1/minute"})
    client = APIClient()
    payload = {"email": "x@example.org", "password": "x"}
    assert [client.post(TOKENS, payload, format="json").status_code for _ in range(2)] == [400, 429]


@pytest.mark.parametrize(
    "path", ["/api/v1/nothing-here/", "/api/v1/sessions/%C2%B7c%0A%C2%A4/nominations/", "/api/v1/a%0D%0Ab/"]
)
def test_unknown_api_path_is_json_404(manager_client, path):
    """A line break in the path (found by schemathesis) too: the catch-all route must match it."""
    response = manager_client.get(path)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found", "errors": {}}


def test_malformed_json_is_400(manager_client):
    response = manager_client.post("/api/v1/sessions/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_method_not_allowed_is_405_in_error_format(officer_client):
    response = officer_client.delete("/api/v1/topics/")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
