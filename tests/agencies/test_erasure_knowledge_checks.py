"""Erasing an officer keeps their knowledge-check scores counted in the learning gain, linked to nobody."""

import pytest
from django.db import models

from agencies import services
from reports.learning import LearningGain, learning_gain
from sessions import services as session_services
from sessions.models import KnowledgeCheckAnswer, KnowledgeCheckAttempt, Registration
from tests.factories import KnowledgeCheckFactory, OfficerFactory, QuestionFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def answer(check, registration, *, right: bool):
    answers = {
        question.pk: [option.pk for option in question.options.all() if option.is_correct is right][:1]
        for question in check.questions.all()
    }
    return session_services.submit_attempt(check=check, registration=registration, answers=answers)


def test_erase_officer_keeps_the_gain_and_unlinks_their_attempts(manager_user):
    questions = QuestionFactory.create_batch(2)
    pre = KnowledgeCheckFactory(kind="pre", questions=questions)
    post = KnowledgeCheckFactory(session=pre.session, kind="post", questions=questions)
    officer, other = OfficerFactory(), OfficerFactory()
    for person, first, second in ((officer, False, True), (other, True, True)):
        registration = RegistrationFactory(session=pre.session, officer=person)
        answer(pre, registration, right=first)
        answer(post, registration, right=second)
    before = learning_gain(sessions=[pre.session_id])
    officer_id, user_id = officer.pk, officer.user_id

    services.erase_officer(officer=officer, by=manager_user)

    assert learning_gain(sessions=[pre.session_id]) == before == LearningGain(2, 50.0, 100.0, 50.0)
    assert KnowledgeCheckAttempt.objects.count() == 4
    assert KnowledgeCheckAnswer.objects.count() == 8
    erased = Registration.objects.get(session=pre.session, officer__isnull=True)
    assert sorted(erased.knowledge_check_attempts.values_list("correct_count", flat=True)) == [0, 2]
    # Nothing leads from the attempts to the person: their registration (and its history) lost its officer.
    assert not Registration.history.filter(id=erased.pk, officer_id=officer_id).exists()
    for model in (KnowledgeCheckAttempt, KnowledgeCheckAnswer):
        person_links = [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, models.ForeignKey)
            and field.related_model._meta.label in ("agencies.Officer", "accounts.User")
        ]
        assert person_links == []
    assert not hasattr(KnowledgeCheckAttempt, "history")
    assert (officer_id, user_id) not in Registration.objects.values_list("officer_id", "officer__user_id")
