"""The permission matrix of the focal-point role: every page and API endpoint of issue 14 (and the
staff pages beside them), asked by each role about agency A's data: anonymous, an officer of A, A's
focal point, the focal point of another agency B, a trainer, a manager.

Statuses are asserted for the whole matrix at once (a failure shows every cell that moved), then what
a 200 shows: B's focal point never reads A's officers, requests, nominations or quota.
``test_the_matrix_covers_every_focal_point_route`` fails when a route of these features is added
without a row here.
"""

import pytest
from django.urls import get_resolver

from agencies.models import Officer
from sessions.models import TrainingSession
from tests.api_fixtures import token_client
from tests.factories import (
    AgencyFactory,
    FocalPointFactory,
    ManagerFactory,
    NominationFactory,
    OfficerFactory,
    SessionQuotaFactory,
    TrainerFactory,
    TrainingRequestFactory,
    TrainingSessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "officer", "focal point", "other focal point", "trainer", "manager")
A_SECRET_EMAIL = "only.agency.a@policia.gob.mx"


@pytest.fixture
def world():
    agency, other = AgencyFactory(acronym="AAA"), AgencyFactory(acronym="BBB")
    session = TrainingSessionFactory(registration_mode=TrainingSession.RegistrationMode.NOMINATION, capacity=10)
    session.audience = TrainingSession.Audience.RESTRICTED
    session.save(update_fields=["audience"])
    session.audience_agencies.set([agency])
    SessionQuotaFactory(session=session, agency=agency, seats=4)
    member = OfficerFactory(agency=agency, user=UserFactory(email=A_SECRET_EMAIL))
    NominationFactory(session=session, officer=member, status="pending")
    return {
        "agency": agency,
        "session": session,
        "pending": OfficerFactory(agency=agency, verification_status=Officer.Verification.PENDING),
        "request": TrainingRequestFactory(agency=agency, notes="Agency A's own notes"),
        "request to withdraw": TrainingRequestFactory(agency=agency),
        "focal": FocalPointFactory(officer__agency=agency),
        "users": {
            "anonymous": None,
            "officer": OfficerFactory(agency=agency).user,
            "focal point": None,  # set below
            "other focal point": FocalPointFactory(officer__agency=other).officer.user,
            "trainer": TrainerFactory().user,
            "manager": ManagerFactory(),
        },
    }


def _targets(world) -> dict[str, tuple[str, str, str]]:
    """name: (kind, method, path); kind "page" (browser session) or "api" (token)."""
    session, agency, request = world["session"].pk, world["agency"].pk, world["request"].pk
    return {
        "agency page": ("page", "get", "/agency/"),
        "reconfirmation page": ("page", "get", "/agency/reconfirmation/"),
        "decide on an officer": ("page", "post", f"/agency/officers/{world['pending'].pk}/decision/"),
        "request form": ("page", "get", "/agency/requests/new/"),
        "withdraw a request": ("page", "post", f"/agency/requests/{world['request to withdraw'].pk}/withdraw/"),
        "nomination form": ("page", "get", f"/sessions/{session}/nominate/"),
        "yearly report page": ("page", "get", "/reports/yearly/"),
        "API requests list": ("api", "get", "/api/v1/training-requests/"),
        "API request": ("api", "get", f"/api/v1/training-requests/{request}/"),
        "API review a request": ("api", "post", f"/api/v1/training-requests/{request}/review/"),
        "API session": ("api", "get", f"/api/v1/sessions/{session}/"),
        "API nominations": ("api", "get", f"/api/v1/sessions/{session}/nominations/"),
        "API registrations": ("api", "get", f"/api/v1/sessions/{session}/registrations/"),
        "API agency officers": ("api", "get", f"/api/v1/agencies/{agency}/officers/"),
        "API focal points": ("api", "get", f"/api/v1/agencies/{agency}/focal-points/"),
    }


EXPECTED = {
    # anonymous, officer, focal point, other focal point, trainer, manager
    "agency page": (302, 403, 200, 200, 403, 403),
    "reconfirmation page": (302, 403, 200, 200, 403, 403),
    "decide on an officer": (302, 403, 302, 404, 403, 403),
    "request form": (302, 403, 200, 200, 403, 403),
    "withdraw a request": (302, 403, 302, 404, 403, 403),
    "nomination form": (302, 403, 200, 404, 403, 403),
    "yearly report page": (302, 403, 403, 403, 403, 200),
    "API requests list": (401, 403, 200, 200, 403, 200),
    "API request": (401, 403, 200, 404, 403, 200),
    "API review a request": (401, 403, 403, 404, 403, 200),
    "API session": (401, 200, 200, 404, 200, 200),
    # A trainer of another session sees neither its nominations nor its registrations.
    "API nominations": (401, 403, 200, 404, 403, 200),
    "API registrations": (401, 403, 403, 403, 403, 200),
    "API agency officers": (401, 403, 200, 403, 403, 200),
    "API focal points": (401, 403, 403, 403, 403, 200),
}


def _ask(client_of, kind, method, path, role):
    client = client_of(kind, role)
    return getattr(client, method)(path)


@pytest.fixture
def client_of(world, client):
    from django.test import Client
    from rest_framework.test import APIClient

    world["users"]["focal point"] = world["focal"].officer.user

    def make(kind, role):
        user = world["users"][role]
        if kind == "api":
            return token_client(user) if user is not None else APIClient()
        browser = Client()
        if user is not None:
            browser.force_login(user)
        return browser

    return make


def test_the_focal_point_permission_matrix(world, client_of):
    targets = _targets(world)

    # Roles ask in order; the writes granted (the focal point's withdrawal, the manager's review) are
    # the last of their row to touch their request.
    seen = {}
    for name, (kind, method, path) in targets.items():
        seen[name] = tuple(_ask(client_of, kind, method, path, role).status_code for role in ROLES)

    assert seen == EXPECTED


def test_the_other_agencys_focal_point_reads_nothing_of_agency_a(world, client_of):
    page = client_of("page", "other focal point").get("/agency/").content.decode()
    api = client_of("api", "other focal point")

    assert A_SECRET_EMAIL not in page
    assert "Agency A&#x27;s own notes" not in page
    assert api.get("/api/v1/training-requests/").json()["results"] == []


def test_agency_as_focal_point_reads_its_own(world, client_of):
    page = client_of("page", "focal point").get("/agency/").content.decode()
    api = client_of("api", "focal point")

    assert A_SECRET_EMAIL in page
    assert sorted(row["id"] for row in api.get("/api/v1/training-requests/").json()["results"]) == [
        world["request"].pk,
        world["request to withdraw"].pk,
    ]
    assert api.get(f"/api/v1/sessions/{world['session'].pk}/").json()["quotas"] == [
        {"agency": world["agency"].pk, "seats": 4}
    ]


FOCAL_POINT_ROUTES = {
    # portal pages (agencies.urls and the nomination form)
    "agencies:agency",
    "agencies:reconfirmation",
    "agencies:decide_officer",
    "agencies:new_training_request",
    "agencies:withdraw_training_request",
    "sessions:nominate",
    # API routes of training requests, nominations, an agency's officers and focal points
    "training-request-list",
    "training-request-detail",
    "training-request-review",
    "training-request-accept",
    "training-request-decline",
    "training-request-withdraw",
    "training-request-create-session",
    "session-nomination-list",
    "session-nomination-withdraw",
    "session-nomination-approve",
    "session-nomination-reject",
    "agency-officers",
    "agency-focal-points",
    "agency-withdraw-focal-point",
}


def _route_names(resolver, prefix="") -> set[str]:
    names = set()
    for pattern in resolver.url_patterns:
        if hasattr(pattern, "url_patterns"):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            names |= _route_names(pattern, namespace)
        elif pattern.name:
            names.add(prefix + pattern.name)
    return names


# Writes whose who-may rule has its own tests (each service refuses before saving), not repeated here.
COVERED_ELSEWHERE = {
    "training-request-accept": "tests/agencies/api/test_training_requests.py",
    "training-request-decline": "tests/agencies/api/test_training_requests.py",
    "training-request-withdraw": "tests/agencies/api/test_training_requests.py",
    "training-request-create-session": "tests/agencies/api/test_training_requests.py",
    "session-nomination-withdraw": "tests/sessions/api/test_nominations.py",
    "session-nomination-approve": "tests/sessions/api/test_nominations.py",
    "session-nomination-reject": "tests/sessions/api/test_nominations.py",
    "agency-withdraw-focal-point": "tests/agencies/api/test_focal_points.py",
}


def test_the_matrix_asks_every_focal_point_route_but_the_writes_tested_elsewhere(world):
    from django.urls import resolve

    asked = set()
    for _kind, _method, path in _targets(world).values():
        match = resolve(path)
        asked.add(
            f"{match.namespace}:{match.url_name}"
            if match.namespace.startswith(("agencies", "sessions"))
            else match.url_name
        )

    assert sorted(FOCAL_POINT_ROUTES - asked) == sorted(COVERED_ELSEWHERE)


def test_the_matrix_covers_every_focal_point_route():
    names = _route_names(get_resolver())
    features = {
        name
        for name in names
        if name.startswith(("agencies:agency", "agencies:reconfirmation", "agencies:decide", "agencies:new_training"))
        or name.startswith(("agencies:withdraw_training", "sessions:nominate"))
        or "training-request-" in name
        or "session-nomination-" in name
        or name.endswith(("agency-officers", "agency-focal-points", "agency-withdraw-focal-point"))
    }
    assert {name.rsplit(":", 1)[-1] if "-" in name else name for name in features} == FOCAL_POINT_ROUTES
