"""Every write endpoint of the API, fed extreme and malformed input, answers without a server error.

The operations come from the OpenAPI schema, so a new endpoint is walked as soon as it exists
(and this test asks for a valid body to start from). Each body is a valid one with one value
replaced by an extreme: dates at the ends of the calendar in the farthest time zones, huge and
negative numbers, empty strings, wrong JSON types, unknown ids. An error answer has the
documented body and leaves every table as it was.
"""

from datetime import time, timedelta

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from sessions.models import TrainingSession
from tests.api_fixtures import token_client
from tests.factories import (
    FocalPointFactory,
    ManagerFactory,
    NominationFactory,
    OfficerFactory,
    RegistrationFactory,
    SessionDayFactory,
    SessionTrainerFactory,
    TopicFactory,
    TrainerFactory,
    TrainingRequestFactory,
    TrainingSessionFactory,
)
from tests.row_counts import row_counts

pytestmark = pytest.mark.django_db

SCHEMA = SchemaGenerator().get_schema(request=None, public=True)
WRITE_METHODS = ("post", "put", "patch", "delete")
WRITE_OPERATIONS = sorted(
    (method.upper(), path)
    for path, operations in SCHEMA["paths"].items()
    for method in operations
    if method in WRITE_METHODS
)
LIST_OPERATIONS = sorted(
    (path, [parameter["name"] for parameter in operation.get("parameters", []) if parameter["in"] == "query"])
    for path, operations in SCHEMA["paths"].items()
    for method, operation in operations.items()
    if method == "get" and "{" not in path
)
ERROR_KEYS = ["code", "detail", "errors"]

# A value of each extreme kind, by the JSON type the schema gives the property.
HUGE = 2**63
EXTREMES_BY_TYPE = {
    "string": ["", " ", "x" * 100_000, None, 0, [], {}],
    "integer": [-1, 0, HUGE, -HUGE, 1.5, "1", "", None, [], {}],
    "number": [-1, HUGE, "x", None],
    "boolean": ["maybe", None, 2],
    "array": ["abc", None, {}, [None], [""], [HUGE], [-1], [[]], [{}], [{"trainer_id": HUGE}], [{"role": "lead"}]],
    "object": [[], "x", None, {"": None}],
}
DATETIME_EXTREMES = [
    "9999-12-31T22:00:00Z",
    "9999-12-31T23:59:59-12:00",
    "0001-01-01T00:30:00Z",
    "0001-01-01T00:00:00+14:00",
    "1999-12-31T23:59:59Z",
    "2101-01-01T00:00:00Z",
    "notadate",
    "",
]
CALENDAR_ENDS = DATETIME_EXTREMES[:4]
FARTHEST_ZONES = ["Pacific/Kiritimati", "Etc/GMT+12", "America/New_York"]
WHOLE_BODIES = [None, [], {}, "", 0, "x" * 1000, [[]], [None]]


@pytest.fixture
def world():
    """A trainer's published session (started, so attendance can be taken), an officer registered to it."""
    trainer = TrainerFactory()
    session = TrainingSessionFactory(starts_at=timezone.now() - timedelta(hours=1))
    SessionTrainerFactory(session=session, trainer=trainer)
    # A session of several days (its days' attendance; its session-level attendance is refused), with a day
    # from its start; the one-day session above takes the session-level attendance.
    multi_day = TrainingSessionFactory(starts_at=session.starts_at)
    SessionTrainerFactory(session=multi_day, trainer=trainer)
    start = multi_day.starts_at
    day = SessionDayFactory(
        session=multi_day, date=start.date(), starts_at_time=start.time(), ends_at_time=time(23, 59)
    )
    officer = OfficerFactory()
    registration = RegistrationFactory(session=session, officer=officer)
    day_registration = RegistrationFactory(session=multi_day, officer=officer)
    upcoming = TrainingSessionFactory()
    focal_point = FocalPointFactory()
    return {
        "session": session,
        "multi_day": multi_day,
        "day": day,
        "day_registration": day_registration,
        "training_request": TrainingRequestFactory(agency=focal_point.agency),
        "nomination": NominationFactory(officer=OfficerFactory(agency=focal_point.agency)),
        "topic": TopicFactory(slug="extremes"),
        "focal_point": focal_point,
        "agency_officer": OfficerFactory(agency=focal_point.agency),
        "upcoming": upcoming,
        "registration": registration,
        "clients": {
            "manager": token_client(ManagerFactory()),
            "trainer": token_client(trainer.user),
            "officer": token_client(officer.user),
        },
    }


def _valid_bodies(world) -> dict:
    """A body each operation accepts (or refuses only for the state of the data)."""
    registration = world["registration"]
    session = {"title": "Extremes", "starts_at": "2030-01-01T09:00:00Z", "ends_at": "2030-01-01T12:00:00Z"}
    bodies = {
        ("POST", "/api/v1/sessions/"): session,
        ("PUT", "/api/v1/sessions/{id}/"): session,
        ("PATCH", "/api/v1/sessions/{id}/"): session,
        ("POST", "/api/v1/sessions/{id}/attendance/"): [{"registration_id": registration.pk, "status": "present"}],
        ("PUT", "/api/v1/sessions/{id}/attendance/"): [{"registration_id": registration.pk, "status": "present"}],
        ("POST", "/api/v1/sessions/{id}/days/{day_id}/attendance/"): [
            {"registration_id": world["day_registration"].pk, "status": "partial", "minutes_attended": 30}
        ],
        ("POST", "/api/v1/sessions/{id}/cancel/"): {"reason": "Extremes"},
        ("POST", "/api/v1/sessions/{id}/complete/"): None,
        ("POST", "/api/v1/sessions/{id}/copy/"): {"starts_at": "2030-02-01T09:00:00Z"},
        ("POST", "/api/v1/sessions/{id}/invitations/"): {"recipients": "Ana <ana@example.org>", "dry_run": True},
        ("POST", "/api/v1/sessions/{id}/publish/"): None,
        ("POST", "/api/v1/registrations/"): {"session": world["upcoming"].pk},
        ("POST", "/api/v1/registrations/{id}/cancel/"): None,
        ("POST", "/api/v1/auth/tokens/"): {"email": "nobody@example.org", "password": "wrong"},
        ("DELETE", "/api/v1/auth/tokens/{token_key}/"): None,
        ("POST", "/api/v1/agencies/{id}/focal-points/"): {"officer": world["agency_officer"].pk},
        ("DELETE", "/api/v1/agencies/{id}/focal-points/{focal_point_id}/"): None,
        ("POST", "/api/v1/training-requests/"): {
            "agency": world["focal_point"].agency_id,
            "topics": [world["topic"].slug],
            "period_start": "2090-01-01",
            "period_end": "2090-02-01",
            "expected_officers": 10,
        },
        ("POST", "/api/v1/training-requests/{id}/review/"): None,
        ("POST", "/api/v1/training-requests/{id}/accept/"): None,
        ("POST", "/api/v1/training-requests/{id}/decline/"): {"reason": "Extremes"},
        ("POST", "/api/v1/training-requests/{id}/withdraw/"): None,
        ("POST", "/api/v1/training-requests/{id}/create-session/"): None,
        ("POST", "/api/v1/sessions/{session_pk}/check-ins/"): {"check_ins": [_check_in_item(registration)]},
        ("POST", "/api/v1/sessions/{session_pk}/nominations/"): {"officers": [world["agency_officer"].pk]},
        ("POST", "/api/v1/sessions/{session_pk}/nominations/{id}/withdraw/"): None,
        ("POST", "/api/v1/sessions/{session_pk}/nominations/{id}/approve/"): None,
        ("POST", "/api/v1/sessions/{session_pk}/nominations/{id}/reject/"): None,
    }
    return bodies


def _check_in_item(registration) -> dict:
    return {"nonce": "extremes-0001", "registration": registration.pk, "scanned_at": timezone.now().isoformat()}


def _valid_body(method: str, path: str, world):
    return _valid_bodies(world)[(method, path)]


def _request_schema(method: str, path: str) -> dict:
    content = SCHEMA["paths"][path][method.lower()].get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema", {})
    return _resolve(schema)


def _resolve(schema: dict) -> dict:
    if "$ref" in schema:
        return _resolve(SCHEMA["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]])
    if "allOf" in schema:
        return _resolve(schema["allOf"][0])
    return schema


def _property_type(schema: dict) -> str:
    schema = _resolve(schema)
    if schema.get("format") == "date-time":
        return "date-time"
    return schema.get("type") or ("string" if "enum" in schema else "object")


def _values_for(schema: dict) -> list:
    kind = _property_type(schema)
    if kind == "date-time":
        return DATETIME_EXTREMES
    return EXTREMES_BY_TYPE.get(kind, EXTREMES_BY_TYPE["string"])


def _bodies(method: str, path: str, world) -> list:
    """The valid body with one property replaced by each extreme, then wrong whole bodies."""
    valid = _valid_body(method, path, world)
    schema = _request_schema(method, path)
    item_schema = _resolve(schema.get("items", {})) if schema.get("type") == "array" else schema
    properties = item_schema.get("properties", {})
    bodies = []
    for name, property_schema in properties.items():
        if property_schema.get("readOnly"):
            continue
        for value in _values_for(property_schema):
            bodies.append(_with(valid, name, value))
            if _property_type(property_schema) == "date-time" and value in CALENDAR_ENDS:
                bodies += [_with(_with(valid, name, value), "timezone", zone) for zone in FARTHEST_ZONES]
    return bodies + WHOLE_BODIES


def _with(body, name, value):
    if isinstance(body, list):
        return [{**body[0], name: value}, *body[1:]]
    return {**(body or {}), name: value}


def _paths(path: str, world) -> list[str]:
    """The path with a real id, then with ids that exist nowhere or are not ids at all."""
    known = {"{id}": world["session"].pk, "{token_key}": "zzzzzzzz", "{day_id}": world["day"].pk}
    if path.startswith("/api/v1/registrations/"):
        known["{id}"] = world["registration"].pk
    if path.startswith("/api/v1/training-requests/"):
        known["{id}"] = world["training_request"].pk
    if "{session_pk}" in path:
        known["{session_pk}"] = world["nomination"].session_id
        known["{id}"] = world["nomination"].pk
    if "/check-ins/" in path:
        known["{session_pk}"] = world["session"].pk
    if "/days/" in path:
        known["{id}"] = world["multi_day"].pk
    if path.startswith("/api/v1/agencies/"):
        known["{id}"] = world["focal_point"].agency_id
        known["{focal_point_id}"] = world["focal_point"].pk
    filled = path
    for placeholder, value in known.items():
        filled = filled.replace(placeholder, str(value))
    if "{" not in path:
        return [filled]
    unknown = [str(2**31), str(HUGE), "-1", "0", "abc", "%20"]
    return [filled] + [
        path.replace("{id}", value)
        .replace("{token_key}", value)
        .replace("{focal_point_id}", value)
        .replace("{session_pk}", value)
        .replace("{day_id}", value)
        for value in unknown
    ]


def _problems(response, before: dict[str, int]) -> list[str]:
    if response.status_code >= 500:
        return [f"{response.status_code}"]
    if response.status_code < 400:
        return []
    problems = []
    if response["Content-Type"] != "application/json" or sorted(response.json()) != ERROR_KEYS:
        problems.append(f"{response.status_code} body {response.content[:200]!r}")
    after = row_counts()
    if after != before:
        changed = {label: (before[label], after[label]) for label in after if after[label] != before[label]}
        problems.append(f"{response.status_code} saved {changed}")
    return problems


def test_every_write_operation_has_a_valid_body_to_start_from(world):
    assert sorted(_valid_bodies(world)) == WRITE_OPERATIONS


@pytest.mark.parametrize("role", ["manager", "trainer", "officer"])
@pytest.mark.parametrize(("method", "path"), WRITE_OPERATIONS)
def test_write_operation_with_extreme_input_answers_the_documented_error(world, role, method, path):
    client = world["clients"][role]
    failures = []
    real_url, *unknown_urls = _paths(path, world)
    # An officer is refused before the body is read: the wrong whole bodies are enough for them.
    bodies = WHOLE_BODIES if role == "officer" else _bodies(method, path, world)
    calls = [(real_url, body) for body in bodies]
    calls += [(url, body) for url in unknown_urls for body in (_valid_body(method, path, world), None)]
    for url, body in calls:
        before = row_counts()
        response = client.generic(method, url, data=_json(body), content_type="application/json")
        failures += [f"{method} {url} {_short(body)}: {problem}" for problem in _problems(response, before)]
    assert failures == []


def _json(body) -> str:
    import json

    return json.dumps(body)


def _short(body) -> str:
    text = _json(body)
    return text if len(text) < 160 else text[:160] + "…"


QUERY_EXTREMES = ["notadate", "-1", "0", "ZZZ", "9" * 30, "", "%", "'", "2025-02-30", "x" * 2000]


@pytest.mark.parametrize("role", ["manager", "trainer", "officer"])
@pytest.mark.parametrize(("path", "parameters"), LIST_OPERATIONS)
def test_list_with_extreme_query_values_is_a_400_or_ignored(world, role, path, parameters):
    client = world["clients"][role]
    failures = []
    for name in [*parameters, "starts_after", "page", "page_size", "unknown"]:
        for value in QUERY_EXTREMES:
            response = client.get(path, {name: value})
            if response.status_code >= 500 or (response.status_code >= 400 and sorted(response.json()) != ERROR_KEYS):
                failures.append(f"{path}?{name}={value[:20]}: {response.status_code}")
    assert failures == []


def test_session_created_out_of_range_is_not_saved(world):
    client = world["clients"]["trainer"]
    before = TrainingSession.objects.count()

    response = client.post(
        "/api/v1/sessions/",
        {"title": "Far", "starts_at": "9999-12-31T22:00Z", "timezone": "Pacific/Kiritimati"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Invalid input.",
        "code": "invalid",
        "errors": {"starts_at": ["Enter a date from the year 2000 to 2100."]},
    }
    assert TrainingSession.objects.count() == before


@pytest.mark.parametrize("role", ["manager", "trainer"])
def test_check_in_items_with_extreme_values_are_refused_one_by_one(world, role):
    """A batch's items are read one by one: each extreme value gives that item a refusal, never a 400 or 500."""
    client = world["clients"][role]
    url = f"/api/v1/sessions/{world['session'].pk}/check-ins/"
    valid = _check_in_item(world["registration"])
    item_schema = _resolve(
        _request_schema("POST", "/api/v1/sessions/{session_pk}/check-ins/")["properties"]["check_ins"]
    )
    properties = _resolve(item_schema["items"])["properties"]
    items = [
        {**valid, "nonce": f"extreme-{index:04d}", name: value}
        for name, schema in properties.items()
        if name != "nonce"
        for index, value in enumerate(_values_for(schema))
    ]
    items += [{**valid, "nonce": value} for value in _values_for(properties["nonce"])] + WHOLE_BODIES
    before = row_counts()

    response = client.post(url, {"check_ins": items}, format="json")

    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == len(items)
    assert {result["status"] for result in results} == {"refused"}
    assert row_counts() == before
