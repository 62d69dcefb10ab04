from tests.factories import TopicFactory, TrainerFactory


def test_trainer_factory_topics_given_are_set(db):
    topics = [TopicFactory(slug="legal-issues"), TopicFactory(slug="case-studies")]

    trainer = TrainerFactory(topics=topics)

    assert sorted(trainer.topics.values_list("slug", flat=True)) == ["case-studies", "legal-issues"]


def test_trainer_factory_topics_none_by_default(db):
    trainer = TrainerFactory()

    assert list(trainer.topics.all()) == []
