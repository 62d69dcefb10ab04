"""Knowledge checks: the topics' question bank, a session's pre-test and post-test, officers' attempts.

A question has at least two options and at least one correct; an answer is right when the officer
chose exactly the correct options. A test's questions are fixed at the session (chosen, or drawn
once from its topics' bank), so every officer answers the same test; they cannot change once
somebody has answered. The pre-test is open to a confirmed officer from registration until the
session starts; the post-test to an attendee through their follow-up survey link while the survey
is open. Every attempt keeps its score; the learning gain (``reports.learning``) uses the first.
"""

import random
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sessions.models import (
    KnowledgeCheck,
    KnowledgeCheckAnswer,
    KnowledgeCheckAttempt,
    Question,
    QuestionOption,
    Registration,
    SurveyResponse,
    TrainingSession,
)
from sessions.selectors import survey_is_open
from sessions.services.base import SessionError
from trainingops.actors import on_behalf

MIN_OPTIONS = 2
MAX_QUESTIONS = 30


class KnowledgeCheckError(SessionError):
    code = "knowledge_check_refused"


def check_question_options(*, option_count: int, correct_count: int) -> None:
    """The one rule of a question's options: at least two, at least one of them correct."""
    if option_count < MIN_OPTIONS:
        raise KnowledgeCheckError(_("A question needs at least two options."), code="too_few_options")
    if correct_count < 1:
        raise KnowledgeCheckError(_("Mark at least one option as correct."), code="no_correct_option")


@on_behalf
def create_question(
    *, topic, text: Mapping[str, str], options: Sequence[tuple[Mapping[str, str], bool]], by
) -> Question:
    """Add a question to a topic's bank, with its options; ``text`` maps a language to the text
    (``{"en": …, "es": …, "fr": …}``), each option is (its texts, whether it is correct).

    The question and each option are recorded in their history as ``by``'s doing."""
    check_question_options(option_count=len(options), correct_count=sum(1 for _texts, correct in options if correct))
    if not (text.get("en") or "").strip():
        raise KnowledgeCheckError(_("Write the question in English."), code="invalid", field="text_en")
    with transaction.atomic():
        question = Question.objects.create(topic=topic, **{f"text_{code}": value for code, value in text.items()})
        # One by one (a handful): each option's history row records the actor, as the question's does.
        for position, (texts, correct) in enumerate(options):
            QuestionOption.objects.create(
                question=question,
                position=position,
                is_correct=correct,
                **{f"text_{code}": value for code, value in texts.items()},
            )
    return question


@on_behalf
def set_knowledge_check(
    *,
    session: TrainingSession,
    kind: str,
    questions: Iterable[Question] = (),
    draw: int | None = None,
    max_attempts: int = 1,
    rng: random.Random | None = None,
    by,
) -> KnowledgeCheck:
    """Give a session its pre-test or post-test: the chosen questions, or ``draw`` of them picked at
    random, once, from the active questions of the session's topics. Refused once anyone answered.
    The test's history records ``by`` (and its questions, version by version)."""
    if kind not in KnowledgeCheck.Kind.values:
        raise KnowledgeCheckError(_("Choose a pre-test or a post-test."), code="invalid", field="kind")
    if not 1 <= max_attempts <= 5:
        raise KnowledgeCheckError(_("Allow from 1 to 5 attempts."), code="invalid", field="max_attempts")
    with transaction.atomic():
        check = KnowledgeCheck.objects.select_for_update().filter(session=session, kind=kind).first()
        if check is not None and check.attempts.exists():
            raise KnowledgeCheckError(
                _("Officers have already answered this test: its questions can no longer change."), code="answered"
            )
        chosen = list(questions) if draw is None else _drawn(session=session, count=draw, rng=rng)
        if not chosen:
            raise KnowledgeCheckError(_("Choose at least one question."), code="no_questions", field="questions")
        if len(chosen) > MAX_QUESTIONS:
            raise KnowledgeCheckError(_("A test has at most 30 questions."), code="too_many", field="questions")
        check, _created = KnowledgeCheck.objects.update_or_create(
            session=session, kind=kind, defaults={"max_attempts": max_attempts}
        )
        check.questions.set(chosen)
    return check


def _drawn(*, session: TrainingSession, count: int, rng: random.Random | None) -> list[Question]:
    if not 1 <= count <= MAX_QUESTIONS:
        raise KnowledgeCheckError(_("Draw from 1 to 30 questions."), code="invalid", field="draw")
    bank = list(
        Question.objects.filter(active=True, topic__in=session.topics.all()).order_by("pk").values_list("pk", flat=True)
    )
    if len(bank) < count:
        raise KnowledgeCheckError(
            _("The session's topics have only %(count)d active questions.") % {"count": len(bank)},
            code="bank_too_small",
            field="draw",
        )
    return list(Question.objects.filter(pk__in=(rng or random.SystemRandom()).sample(bank, count)))


# --- Taking a test --------------------------------------------------------------------------------


def pre_test_window_open(*, registration: Registration, now: datetime | None = None) -> bool:
    """The one rule of when a pre-test is offered: to a confirmed officer of a published session,
    from registration until the session starts."""
    session = registration.session
    return (
        registration.status == Registration.Status.CONFIRMED
        and session.status == TrainingSession.Status.PUBLISHED
        and (now or timezone.now()) < session.starts_at
    )


def pre_test_open(*, check: KnowledgeCheck, registration: Registration, now: datetime | None = None) -> bool:
    """Whether this officer may take this pre-test now."""
    return (
        check.kind == KnowledgeCheck.Kind.PRE
        and registration.session_id == check.session_id
        and pre_test_window_open(registration=registration, now=now)
    )


def post_test_open(*, check: KnowledgeCheck, response: SurveyResponse, now: datetime | None = None) -> bool:
    """A post-test is offered with the follow-up survey, through its link, while the survey is open."""
    return (
        check.kind == KnowledgeCheck.Kind.POST
        and response.survey.session_id == check.session_id
        and survey_is_open(response.survey, now)
    )


def attempts_left(*, check: KnowledgeCheck, registration: Registration) -> int:
    taken = KnowledgeCheckAttempt.objects.filter(knowledge_check=check, registration=registration).count()
    return max(check.max_attempts - taken, 0)


def score_answer(*, correct: set[int], chosen: set[int]) -> bool:
    """An answer is right when exactly the correct options were chosen (no more, no fewer)."""
    return bool(chosen) and chosen == correct


def submit_attempt(
    *, check: KnowledgeCheck, registration: Registration, answers: Mapping[int, Iterable[int]]
) -> KnowledgeCheckAttempt:
    """Score and keep one attempt: ``answers`` maps each question's id to the chosen options' ids.

    Every question must be answered with options of that question. Attempts are numbered per officer
    under the registration's row lock, so two quick submissions cannot both be "the first".
    """
    questions = list(check.questions.prefetch_related("options"))
    chosen = {question.pk: {int(pk) for pk in answers.get(question.pk, ())} for question in questions}
    for question in questions:
        offered = {option.pk for option in question.options.all()}
        if not chosen[question.pk]:
            raise KnowledgeCheckError(_("Answer every question."), code="unanswered", field=str(question.pk))
        if not chosen[question.pk] <= offered:
            raise KnowledgeCheckError(_("Choose among the options offered."), code="invalid", field=str(question.pk))
    with transaction.atomic():
        Registration.objects.select_for_update(of=("self",)).filter(pk=registration.pk).first()
        previous = KnowledgeCheckAttempt.objects.filter(knowledge_check=check, registration=registration)
        last = previous.aggregate(last=Max("number"))["last"] or 0
        if last >= check.max_attempts:
            raise KnowledgeCheckError(_("You have already taken this test."), code="already_taken")
        right = {
            question.pk: score_answer(
                correct={option.pk for option in question.options.all() if option.is_correct},
                chosen=chosen[question.pk],
            )
            for question in questions
        }
        attempt = KnowledgeCheckAttempt.objects.create(
            knowledge_check=check,
            registration=registration,
            number=last + 1,
            correct_count=sum(right.values()),
            question_count=len(questions),
            submitted_at=timezone.now(),
        )
        saved = KnowledgeCheckAnswer.objects.bulk_create(
            KnowledgeCheckAnswer(attempt=attempt, question_id=pk, is_correct=right[pk]) for pk in right
        )
        through = KnowledgeCheckAnswer.chosen.through
        through.objects.bulk_create(
            through(knowledgecheckanswer_id=answer.pk, questionoption_id=option)
            for answer in saved
            for option in sorted(chosen[answer.question_id])
        )
    return attempt
