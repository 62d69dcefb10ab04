"""The sessions API in three languages: ``title``/``description`` in the request's language (with
fallback), ``title_en``/``title_es``/``title_fr`` and the descriptions to read and write."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sessions.models import TrainingSession
from tests.factories import SessionTrainerFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/sessions/"


def detail_url(pk):
    return f"{LIST_URL}{pk}/"


def texts(item: dict) -> tuple:
    return (item["title"], item["title_en"], item["title_es"], item["title_fr"], item["description"])


def test_session_list_reads_the_request_language_with_fallback(officer_client):
    TrainingSessionFactory(title="Tracing", title_es="Rastreo", description="On-chain", description_es="En cadena")

    spanish = officer_client.get(LIST_URL, HTTP_ACCEPT_LANGUAGE="es").json()["results"]
    french = officer_client.get(LIST_URL, HTTP_ACCEPT_LANGUAGE="fr").json()["results"]

    assert [texts(item) for item in spanish + french] == [
        ("Rastreo", "Tracing", "Rastreo", "", "En cadena"),
        ("Tracing", "Tracing", "Rastreo", "", "On-chain"),
    ]


def test_session_list_falls_back_to_each_session_own_language(officer_client):
    """One page mixes sessions taught in different languages: each row falls back by its own."""
    starts = timezone.now() + timedelta(days=10)
    TrainingSessionFactory(title="Tracing", title_es="Rastreo", language="es", starts_at=starts)
    TrainingSessionFactory(title="Mixers", title_es="Mezcladores", language="en", starts_at=starts + timedelta(days=1))
    TrainingSessionFactory(title="Bridges", title_fr="Ponts", language="es", starts_at=starts + timedelta(days=2))

    french = officer_client.get(LIST_URL, HTTP_ACCEPT_LANGUAGE="fr").json()["results"]

    assert [item["title"] for item in french] == ["Rastreo", "Mixers", "Ponts"]


def test_session_detail_falls_back_to_the_session_language(officer_client):
    session = TrainingSessionFactory(title="Tracing", title_es="Rastreo", language="es")

    body = officer_client.get(detail_url(session.pk), HTTP_ACCEPT_LANGUAGE="fr").json()

    assert texts(body)[:2] == ("Rastreo", "Tracing")


def new_session(**overrides) -> dict:
    starts = timezone.now() + timedelta(days=20)
    return {
        "format": "virtual",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=2)).isoformat(),
        "meeting_url": "https://meet.example.org/new",
        "capacity": 40,
        **overrides,
    }


def test_session_create_with_three_titles(manager_client):
    payload = new_session(title_en="Tracing", title_es="Rastreo", title_fr="Traçage", description_fr="Sur la chaîne")

    response = manager_client.post(LIST_URL, payload, format="json", HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 201
    assert texts(response.json()) == ("Traçage", "Tracing", "Rastreo", "Traçage", "Sur la chaîne")
    session = TrainingSession.objects.get()
    assert (session.title_en, session.title_es, session.title_fr) == ("Tracing", "Rastreo", "Traçage")


def test_session_create_with_title_only_stores_it_as_english_in_any_language(manager_client):
    response = manager_client.post(LIST_URL, new_session(title="Tracing"), format="json", HTTP_ACCEPT_LANGUAGE="es")

    assert response.status_code == 201
    session = TrainingSession.objects.get()
    assert (session.title_en, session.title_es) == ("Tracing", None)


def test_session_create_without_english_title_is_400(manager_client):
    response = manager_client.post(LIST_URL, new_session(title_es="Rastreo"), format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {"title_en": ["This field is required."]}
    assert TrainingSession.objects.count() == 0


def test_session_translation_set_to_null_is_400(manager_client):
    session = TrainingSessionFactory(title="Tracing", title_es="Rastreo")

    response = manager_client.patch(detail_url(session.pk), {"title_es": None, "title_en": ""}, format="json")

    assert response.status_code == 400
    assert sorted(response.json()["errors"]) == ["title_en", "title_es"]
    session.refresh_from_db()
    assert (session.title_en, session.title_es) == ("Tracing", "Rastreo")


def test_trainer_adds_a_french_title_to_own_session(trainer_client, trainer_profile):
    session = TrainingSessionFactory(title="Tracing", status=TrainingSession.Status.DRAFT)
    SessionTrainerFactory(session=session, trainer=trainer_profile)

    response = trainer_client.patch(detail_url(session.pk), {"title_fr": "Traçage"}, format="json")

    assert response.status_code == 200
    session.refresh_from_db()
    assert (session.title_en, session.title_fr) == ("Tracing", "Traçage")


def test_session_list_ordering_by_title_follows_the_title_read(officer_client):
    TrainingSessionFactory(title="Alpha", title_es="Zeta")
    TrainingSessionFactory(title="Bravo", title_es="")
    TrainingSessionFactory(title="Charlie")

    response = officer_client.get(LIST_URL, {"ordering": "title"}, HTTP_ACCEPT_LANGUAGE="es")
    descending = officer_client.get(LIST_URL, {"ordering": "-title"}, HTTP_ACCEPT_LANGUAGE="es")

    assert [item["title"] for item in response.json()["results"]] == ["Bravo", "Charlie", "Zeta"]
    assert [item["title"] for item in descending.json()["results"]] == ["Zeta", "Charlie", "Bravo"]


def test_session_search_matches_any_language(officer_client):
    wanted = TrainingSessionFactory(title="Tracing", title_fr="Traçage des fonds")
    TrainingSessionFactory(title="Ransomware")

    response = officer_client.get(LIST_URL, {"search": "traçage"})

    assert [item["id"] for item in response.json()["results"]] == [wanted.pk]


def test_session_search_too_long_is_400(officer_client):
    response = officer_client.get(LIST_URL, {"search": "x" * 101})

    assert response.status_code == 400
    assert sorted(response.json()["errors"]) == ["search"]


@pytest.mark.parametrize("item_count", [1, 10])
def test_session_list_with_translations_query_count_is_bounded(officer_client, django_assert_num_queries, item_count):
    for number in range(item_count):
        TrainingSessionFactory(title=f"Session {number}", title_es=f"Sesión {number}")

    # As in English (test_sessions.py): the token with its role, the page, topics and trainers.
    with django_assert_num_queries(3):
        response = officer_client.get(LIST_URL, HTTP_ACCEPT_LANGUAGE="es")

    assert [item["title"] for item in response.json()["results"]] == [f"Sesión {n}" for n in range(item_count)]


def test_schema_documents_the_translated_fields(anon_client):
    schema = anon_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    write = schema["components"]["schemas"]["SessionWriteRequest"]["properties"]
    read = schema["components"]["schemas"]["Session"]["properties"]
    assert [name in write for name in ("title_en", "title_es", "title_fr", "description_fr")] == [True] * 4
    assert [name in read for name in ("title_en", "title_es", "title_fr")] == [True] * 3
    assert read["title"]["description"].startswith("In the request's language")
