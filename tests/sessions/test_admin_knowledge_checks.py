"""Back office: the question bank (validated options, three languages) and a session's tests, by role."""

import pytest
from django.urls import reverse

from sessions.models import KnowledgeCheck, Question
from tests.factories import (
    KnowledgeCheckAttemptFactory,
    KnowledgeCheckFactory,
    QuestionFactory,
    RegistrationFactory,
    SessionTrainerFactory,
    TopicFactory,
    TrainerFactory,
    TrainingSessionFactory,
)

pytestmark = pytest.mark.django_db

QUESTION_ADD = reverse("admin:training_question_add")
CHECK_ADD = reverse("admin:training_knowledgecheck_add")


def question_data(topic, options):
    """The add form's POST: the question in three languages, then (text, correct) options."""
    data = {
        "topic": str(topic.pk),
        "text_en": "Which of these is a mixer?",
        "text_es": "¿Cuál de estos es un mezclador?",
        "text_fr": "Lequel de ces services est un mélangeur ?",
        "active": "on",
        "options-TOTAL_FORMS": str(len(options)),
        "options-INITIAL_FORMS": "0",
        "options-MIN_NUM_FORMS": "0",
        "options-MAX_NUM_FORMS": "1000",
    }
    for index, (text, correct) in enumerate(options):
        data |= {
            f"options-{index}-position": str(index),
            f"options-{index}-text_en": text,
            f"options-{index}-text_es": f"{text} (es)",
            f"options-{index}-text_fr": f"{text} (fr)",
        }
        if correct:
            data[f"options-{index}-is_correct"] = "on"
    return data


@pytest.fixture
def trainer_client(client, trainer, roles):
    client.force_login(trainer.user)
    return client


def test_trainer_adds_a_question_in_three_languages(trainer_client):
    topic = TopicFactory()

    response = trainer_client.post(QUESTION_ADD, question_data(topic, [("Tornado Cash", True), ("Ledger", False)]))

    assert response.status_code == 302
    question = Question.objects.get()
    assert (question.topic, question.text_es, question.text_fr) == (
        topic,
        "¿Cuál de estos es un mezclador?",
        "Lequel de ces services est un mélangeur ?",
    )
    assert [(o.text_en, o.text_es, o.is_correct) for o in question.options.all()] == [
        ("Tornado Cash", "Tornado Cash (es)", True),
        ("Ledger", "Ledger (es)", False),
    ]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ([("Only one", True)], "A question needs at least two options."),
        ([("One", False), ("Two", False)], "Mark at least one option as correct."),
    ],
)
def test_question_form_refuses_bad_options_and_saves_nothing(trainer_client, options, message):
    response = trainer_client.post(QUESTION_ADD, question_data(TopicFactory(), options))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert Question.objects.count() == 0


def test_question_form_needs_the_english_text(trainer_client):
    data = question_data(TopicFactory(), [("A", True), ("B", False)]) | {"text_en": ""}

    response = trainer_client.post(QUESTION_ADD, data)

    assert response.status_code == 200
    assert Question.objects.count() == 0


def test_answered_question_is_read_only(trainer_client):
    question = QuestionFactory()
    check = KnowledgeCheckFactory(questions=[question])
    attempt = KnowledgeCheckAttemptFactory(knowledge_check=check)
    attempt.answers.create(question=question, is_correct=True)

    response = trainer_client.get(reverse("admin:training_question_change", args=[question.pk]))

    assert response.context["has_change_permission"] is False


def test_trainer_gives_their_session_a_pre_test(trainer_client, trainer):
    session = TrainingSessionFactory()
    SessionTrainerFactory(session=session, trainer=trainer)
    questions = QuestionFactory.create_batch(2)

    response = trainer_client.post(
        CHECK_ADD,
        {"session": str(session.pk), "kind": "pre", "max_attempts": "1", "questions": [str(q.pk) for q in questions]},
    )

    assert response.status_code == 302
    check = KnowledgeCheck.objects.get()
    assert (check.session, check.kind, set(check.questions.all())) == (session, "pre", set(questions))


def test_trainer_draws_a_post_test_from_the_session_topics(trainer_client, trainer):
    topic = TopicFactory()
    bank = QuestionFactory.create_batch(4, topic=topic)
    session = TrainingSessionFactory()
    session.topics.set([topic])
    SessionTrainerFactory(session=session, trainer=trainer)

    response = trainer_client.post(
        CHECK_ADD, {"session": str(session.pk), "kind": "post", "max_attempts": "2", "draw": "3"}
    )

    assert response.status_code == 302
    check = KnowledgeCheck.objects.get()
    assert check.questions.count() == 3
    assert set(check.questions.all()) <= set(bank)
    assert check.max_attempts == 2


def test_trainer_may_not_give_another_trainers_session_a_test(trainer_client):
    session = TrainingSessionFactory()
    SessionTrainerFactory(session=session, trainer=TrainerFactory())

    response = trainer_client.post(
        CHECK_ADD,
        {"session": str(session.pk), "kind": "pre", "max_attempts": "1", "questions": [str(QuestionFactory().pk)]},
    )

    assert response.status_code == 200
    assert KnowledgeCheck.objects.count() == 0


def test_trainer_sees_only_the_tests_of_their_sessions(trainer_client, trainer):
    mine = KnowledgeCheckFactory()
    SessionTrainerFactory(session=mine.session, trainer=trainer)
    KnowledgeCheckFactory()

    response = trainer_client.get(reverse("admin:training_knowledgecheck_changelist"))

    assert list(response.context["cl"].result_list) == [mine]


def test_session_page_shows_the_trainer_the_learning_gain(trainer_client, trainer):
    session = TrainingSessionFactory()
    SessionTrainerFactory(session=session, trainer=trainer)
    pre = KnowledgeCheckFactory(session=session, kind="pre", questions=[QuestionFactory()])
    post = KnowledgeCheckFactory(session=session, kind="post", questions=[QuestionFactory()])
    for before, after in ((1, 2), (0, 2)):
        registration = RegistrationFactory(session=session)
        KnowledgeCheckAttemptFactory(knowledge_check=pre, registration=registration, correct_count=before)
        KnowledgeCheckAttemptFactory(knowledge_check=post, registration=registration, correct_count=after)

    content = trainer_client.get(reverse("admin:training_trainingsession_change", args=[session.pk])).content.decode()

    assert "Learning gain: +75.0 points over 2 officers who took both tests (pre-test 25.0 %, post-test 100.0 %)." in (
        content
    )


@pytest.mark.parametrize("item_count", [1, 20])
def test_question_changelist_queries_do_not_grow(client, manager_user, django_assert_max_num_queries, item_count):
    QuestionFactory.create_batch(item_count)
    client.force_login(manager_user)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("admin:training_question_changelist"))

    assert response.context["cl"].result_count == item_count


@pytest.mark.parametrize("item_count", [1, 20])
def test_check_changelist_queries_do_not_grow(client, manager_user, django_assert_max_num_queries, item_count):
    KnowledgeCheckFactory.create_batch(item_count, questions=[QuestionFactory()])
    client.force_login(manager_user)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("admin:training_knowledgecheck_changelist"))

    assert response.context["cl"].result_count == item_count
