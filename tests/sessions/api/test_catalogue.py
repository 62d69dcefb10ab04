import pytest

from tests.factories import TopicFactory, TrainerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["manager", "trainer", "officer"])
def test_trainer_list_any_role(request, role):
    client = request.getfixturevalue(f"{role}_client")
    trainer = TrainerFactory(user__first_name="Ana", user__last_name="Ruiz", languages=["es"])
    trainer.topics.add(TopicFactory(slug="aml"))
    response = client.get("/api/v1/trainers/", {"topic": "aml", "language": "es"})
    assert response.status_code == 200
    assert response.json()["results"] == [
        {"id": trainer.pk, "name": "Ana Ruiz", "bio": trainer.bio, "topics": ["aml"], "languages": ["es"]}
    ]


def test_trainer_list_anonymous_is_401(anon_client):
    assert anon_client.get("/api/v1/trainers/").status_code == 401


@pytest.mark.parametrize("trainer_count", [1, 50])
def test_trainer_list_query_count_does_not_grow(officer_client, trainer_count, django_assert_max_num_queries):
    topic = TopicFactory()
    for _ in range(trainer_count):
        TrainerFactory().topics.add(topic)
    with django_assert_max_num_queries(5):
        response = officer_client.get("/api/v1/trainers/", {"page_size": 100})
    assert response.json()["count"] == trainer_count


@pytest.mark.parametrize("role", ["manager", "trainer", "officer"])
def test_topic_detail_any_role_localized(request, role):
    client = request.getfixturevalue(f"{role}_client")
    topic = TopicFactory(slug="aml", name="Anti-money laundering", name_es="Antilavado")
    response = client.get(f"/api/v1/topics/{topic.pk}/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert response.json()["name"] == "Antilavado"


def test_topic_list_anonymous_is_401(anon_client):
    assert anon_client.get("/api/v1/topics/").status_code == 401
