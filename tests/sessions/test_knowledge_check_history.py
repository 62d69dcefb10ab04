"""Questions, their options and a session's tests keep their history: who changed them (a person, or
the named task or command), and which questions a test had."""

import pytest
from django.db import models
from django.urls import reverse
from django.utils.html import escape

from agencies.services import erase_officer
from sessions import services
from sessions.models import KnowledgeCheck, Question, QuestionOption
from tests.factories import (
    KnowledgeCheckFactory,
    OfficerFactory,
    QuestionFactory,
    RegistrationFactory,
    SessionTrainerFactory,
    TopicFactory,
    TrainerFactory,
    TrainingSessionFactory,
)
from tests.sessions.test_admin_knowledge_checks import question_data
from trainingops.actors import acting

pytestmark = pytest.mark.django_db

TEXTS = {"en": "What is KYC?", "es": "¿Qué es KYC?", "fr": "Qu'est-ce que le KYC ?"}


def option(text, correct=False):
    return ({"en": text, "es": f"{text} (es)", "fr": f"{text} (fr)"}, correct)


@pytest.fixture
def trainer_client(client, trainer, roles):
    client.force_login(trainer.user)
    return client


def test_create_question_records_the_person_in_history(manager_user):
    question = services.create_question(
        topic=TopicFactory(), text=TEXTS, options=[option("A", True), option("B")], by=manager_user
    )

    record = question.history.get()
    assert (record.history_type, record.history_user, record.history_actor) == ("+", manager_user, "")
    assert (record.text_en, record.text_es, record.text_fr) == (TEXTS["en"], TEXTS["es"], TEXTS["fr"])
    options = QuestionOption.history.filter(question_id=question.pk).order_by("position")
    assert [(row.text_fr, row.is_correct, row.history_user) for row in options] == [
        ("A (fr)", True, manager_user),
        ("B (fr)", False, manager_user),
    ]


def test_create_question_by_a_command_records_its_name():
    with acting(name="command seed_demo"):
        question = services.create_question(
            topic=TopicFactory(), text=TEXTS, options=[option("A", True), option("B")], by=None
        )

    record = question.history.get()
    assert (record.history_user, record.history_actor) == (None, "command seed_demo")
    assert set(QuestionOption.history.values_list("history_actor", flat=True)) == {"command seed_demo"}


def test_set_knowledge_check_records_each_person_and_the_questions(manager_user, trainer):
    session = TrainingSessionFactory()
    first, second, third = QuestionFactory.create_batch(3)

    services.set_knowledge_check(session=session, kind="pre", questions=[first, second], by=trainer.user)
    check = services.set_knowledge_check(
        session=session, kind="pre", questions=[third], max_attempts=2, by=manager_user
    )

    # A version for the test's row, then one per change of its questions (removed, added).
    records = [
        (record.history_type, record.history_user, sorted(row.question_id for row in record.questions.all()))
        for record in check.history.order_by("history_id")
    ]
    assert records == [
        ("+", trainer.user, []),
        ("~", trainer.user, sorted([first.pk, second.pk])),
        ("~", manager_user, sorted([first.pk, second.pk])),
        ("~", manager_user, []),
        ("~", manager_user, [third.pk]),
    ]
    assert check.history.latest().max_attempts == 2


def test_back_office_question_records_the_trainer(trainer_client, trainer):
    response = trainer_client.post(
        reverse("admin:training_question_add"),
        question_data(TopicFactory(), [("Tornado Cash", True), ("Ledger", False)]),
    )

    assert response.status_code == 302
    question = Question.objects.get()
    record = question.history.get()
    assert (record.history_user, record.text_es) == (trainer.user, "¿Cuál de estos es un mezclador?")
    assert list(QuestionOption.history.values_list("history_user", flat=True)) == [trainer.user.pk] * 2


def test_back_office_test_records_the_trainer(trainer_client, trainer):
    session = TrainingSessionFactory()
    SessionTrainerFactory(session=session, trainer=trainer)
    questions = QuestionFactory.create_batch(2)

    response = trainer_client.post(
        reverse("admin:training_knowledgecheck_add"),
        {"session": str(session.pk), "kind": "pre", "max_attempts": "1", "questions": [str(q.pk) for q in questions]},
    )

    assert response.status_code == 302
    check = KnowledgeCheck.objects.get()
    assert {record.history_user for record in check.history.all()} == {trainer.user}
    latest = check.history.latest()
    assert {row.question_id for row in latest.questions.all()} == {question.pk for question in questions}


def test_trainer_reads_the_history_of_a_question_and_of_their_test(trainer_client, trainer):
    question = services.create_question(
        topic=TopicFactory(), text=TEXTS, options=[option("A", True), option("B")], by=trainer.user
    )
    mine = KnowledgeCheckFactory()
    SessionTrainerFactory(session=mine.session, trainer=trainer)
    services.set_knowledge_check(session=mine.session, kind=mine.kind, questions=[question], by=trainer.user)
    other = KnowledgeCheckFactory()
    SessionTrainerFactory(session=other.session, trainer=TrainerFactory())

    question_page = trainer_client.get(reverse("admin:training_question_history", args=[question.pk]))
    test_page = trainer_client.get(reverse("admin:training_knowledgecheck_history", args=[mine.pk]))
    other_page = trainer_client.get(reverse("admin:training_knowledgecheck_history", args=[other.pk]))

    assert (question_page.status_code, test_page.status_code, other_page.status_code) == (200, 200, 403)
    assert escape(str(trainer.user)) in test_page.content.decode()


def test_knowledge_check_history_holds_no_personal_data_after_erasure(manager_user):
    officer = OfficerFactory()
    question = services.create_question(
        topic=TopicFactory(), text=TEXTS, options=[option("A", True), option("B")], by=manager_user
    )
    session = TrainingSessionFactory()
    RegistrationFactory(session=session, officer=officer)
    services.set_knowledge_check(session=session, kind="pre", questions=[question], by=manager_user)

    erase_officer(officer=officer, by=manager_user)

    # The only link to a person is who made the change (a staff member), never an officer.
    for model in (Question, QuestionOption, KnowledgeCheck):
        history = model.history.model
        person_links = [
            field.name
            for field in history._meta.concrete_fields
            if isinstance(field, models.ForeignKey)
            and field.related_model._meta.label in ("agencies.Officer", "accounts.User", "training.Registration")
        ]
        assert person_links == ["history_user"]
        assert set(history.objects.values_list("history_user", flat=True)) == {manager_user.pk}
    assert Question.history.count() == 1
    assert list(KnowledgeCheck.history.order_by("history_id").values_list("history_type", flat=True)) == ["+", "~"]
