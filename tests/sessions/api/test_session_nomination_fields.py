"""Sessions read through the API show how they are filled (mode, nomination deadline, quota release)
and the seat quotas the caller may see; the schema documents them."""

from datetime import UTC, datetime

import pytest
from drf_spectacular.generators import SchemaGenerator

from sessions.models import TrainingSession
from tests.api_fixtures import token_client
from tests.factories import FocalPointFactory, SessionQuotaFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db

NOMINATION_FIELDS = ("registration_mode", "nomination_deadline", "quota_release_at")


@pytest.fixture
def session():
    session = TrainingSessionFactory(
        registration_mode=TrainingSession.RegistrationMode.NOMINATION_APPROVAL,
        timezone="UTC",
        nomination_deadline=datetime(2031, 3, 1, 12, tzinfo=UTC),
        quota_release_at=datetime(2031, 3, 2, 12, tzinfo=UTC),
    )
    session.first, session.second = (
        SessionQuotaFactory(session=session, seats=5),
        SessionQuotaFactory(session=session, seats=3),
    )
    return session


def test_schema_documents_the_nomination_fields_and_quotas():
    components = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]

    for name in ("Session", "SessionDetail"):
        assert {field: components[name]["properties"][field].get("readOnly") for field in NOMINATION_FIELDS} == {
            "registration_mode": True,
            "nomination_deadline": True,
            "quota_release_at": True,
        }
    assert components["SessionDetail"]["properties"]["quotas"]["items"] == {"$ref": "#/components/schemas/SessionQuota"}
    assert "quotas" not in components["Session"]["properties"]


def test_list_and_detail_show_mode_deadline_and_release(manager_client, session):
    listed = manager_client.get("/api/v1/sessions/").json()["results"][0]
    detail = manager_client.get(f"/api/v1/sessions/{session.pk}/").json()

    expected = {
        "registration_mode": "approval",
        "nomination_deadline": "2031-03-01T12:00:00+00:00",
        "quota_release_at": "2031-03-02T12:00:00+00:00",
    }
    assert {field: listed[field] for field in NOMINATION_FIELDS} == expected
    assert {field: detail[field] for field in NOMINATION_FIELDS} == expected


def test_staff_see_every_quota(manager_client, trainer_client, session):
    expected = sorted(
        [{"agency": session.first.agency_id, "seats": 5}, {"agency": session.second.agency_id, "seats": 3}],
        key=lambda quota: quota["agency"],
    )

    for client in (manager_client, trainer_client):
        assert client.get(f"/api/v1/sessions/{session.pk}/").json()["quotas"] == expected


def test_a_focal_point_sees_their_own_agencys_quota_only(session):
    focal = FocalPointFactory(officer__agency=session.second.agency).officer

    detail = token_client(focal.user).get(f"/api/v1/sessions/{session.pk}/").json()

    assert detail["quotas"] == [{"agency": session.second.agency_id, "seats": 3}]


def test_an_officer_sees_no_quota(officer_client, session):
    assert officer_client.get(f"/api/v1/sessions/{session.pk}/").json()["quotas"] == []


@pytest.mark.parametrize("field", ["nomination_deadline", "quota_release_at"])
def test_a_nomination_date_beyond_the_supported_years_is_a_400_and_saves_nothing(manager_client, session, field):
    response = manager_client.patch(f"/api/v1/sessions/{session.pk}/", {field: "9999-12-31T23:00:00Z"}, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    session.refresh_from_db()
    assert getattr(session, field).year == 2031
