"""Knowledge checks: the question bank's rules, a session's tests, scoring, the officer's pages and links."""

import random
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from messaging.models import OutboundMessage
from sessions import services
from sessions.models import (
    Attendance,
    KnowledgeCheck,
    KnowledgeCheckAnswer,
    KnowledgeCheckAttempt,
    Question,
    Registration,
    SurveyResponse,
    TrainingSession,
)
from tests.factories import (
    AttendanceFactory,
    KnowledgeCheckFactory,
    OfficerFactory,
    QuestionFactory,
    RegistrationFactory,
    SessionTrainerFactory,
    SurveyResponseFactory,
    TopicFactory,
    TrainingSessionFactory,
)

pytestmark = pytest.mark.django_db

TEXTS = {"en": "What does KYC stand for?", "es": "¿Qué significa KYC?", "fr": "Que signifie KYC ?"}


def option(en, correct=False):
    return ({"en": en, "es": f"{en} (es)", "fr": f"{en} (fr)"}, correct)


def test_check_question_options_needs_two_options():
    with pytest.raises(services.KnowledgeCheckError) as error:
        services.check_question_options(option_count=1, correct_count=1)

    assert error.value.code == "too_few_options"


def test_check_question_options_needs_one_correct():
    with pytest.raises(services.KnowledgeCheckError) as error:
        services.check_question_options(option_count=3, correct_count=0)

    assert error.value.code == "no_correct_option"


def test_create_question_keeps_the_three_languages_and_the_options():
    topic = TopicFactory()

    question = services.create_question(
        by=None, topic=topic, text=TEXTS, options=[option("Know your customer", True), option("Keep your coins")]
    )

    assert (question.text_en, question.text_es, question.text_fr) == (TEXTS["en"], TEXTS["es"], TEXTS["fr"])
    assert [(o.text_en, o.text_fr, o.is_correct) for o in question.options.all()] == [
        ("Know your customer", "Know your customer (fr)", True),
        ("Keep your coins", "Keep your coins (fr)", False),
    ]


def test_create_question_without_a_correct_option_saves_nothing():
    with pytest.raises(services.KnowledgeCheckError):
        services.create_question(by=None, topic=TopicFactory(), text=TEXTS, options=[option("A"), option("B")])

    assert Question.objects.count() == 0


@pytest.mark.parametrize(("language", "expected"), [("en", TEXTS["en"]), ("es", TEXTS["es"]), ("fr", TEXTS["fr"])])
def test_question_text_reads_the_active_language(settings, language, expected):
    from django.utils import translation

    question = services.create_question(
        by=None, topic=TopicFactory(), text=TEXTS, options=[option("A", True), option("B")]
    )

    with translation.override(language):
        assert Question.objects.get(pk=question.pk).text == expected


def test_question_text_falls_back_to_english():
    from django.utils import translation

    question = services.create_question(
        by=None, topic=TopicFactory(), text={"en": "Only English"}, options=[option("A", True), option("B")]
    )

    with translation.override("fr"):
        assert Question.objects.get(pk=question.pk).text == "Only English"


# --- A session's tests ---


def test_set_knowledge_check_draws_from_the_session_topics_once():
    topic, other = TopicFactory(), TopicFactory()
    bank = QuestionFactory.create_batch(5, topic=topic)
    QuestionFactory.create_batch(3, topic=other)
    QuestionFactory(topic=topic).__class__.objects.filter(pk=bank[0].pk).update(active=False)
    session = TrainingSessionFactory()
    session.topics.set([topic])

    check = services.set_knowledge_check(by=None, session=session, kind="pre", draw=3, rng=random.Random(4))

    drawn = set(check.questions.values_list("pk", flat=True))
    assert len(drawn) == 3
    assert drawn <= {question.pk for question in bank[1:]}


def test_set_knowledge_check_refuses_a_draw_larger_than_the_bank():
    topic = TopicFactory()
    QuestionFactory.create_batch(2, topic=topic)
    session = TrainingSessionFactory()
    session.topics.set([topic])

    with pytest.raises(services.KnowledgeCheckError) as error:
        services.set_knowledge_check(by=None, session=session, kind="post", draw=3)

    assert error.value.code == "bank_too_small"
    assert KnowledgeCheck.objects.count() == 0


def test_set_knowledge_check_is_frozen_once_answered():
    question = QuestionFactory()
    check = KnowledgeCheckFactory(questions=[question])
    answer_all_right(check, RegistrationFactory(session=check.session))

    with pytest.raises(services.KnowledgeCheckError) as error:
        services.set_knowledge_check(by=None, session=check.session, kind="pre", questions=[QuestionFactory()])

    assert error.value.code == "answered"
    assert list(check.questions.all()) == [question]


# --- Scoring ---


def right_options(question):
    return [o.pk for o in question.options.all() if o.is_correct]


def wrong_options(question):
    return [o.pk for o in question.options.all() if not o.is_correct][:1]


def answer_all_right(check, registration):
    answers = {q.pk: right_options(q) for q in check.questions.all()}
    return services.submit_attempt(check=check, registration=registration, answers=answers)


@pytest.mark.parametrize(
    ("correct", "chosen", "expected"),
    [({1}, {1}, True), ({1, 2}, {1, 2}, True), ({1, 2}, {1}, False), ({1}, {1, 3}, False), ({1}, set(), False)],
)
def test_score_answer_needs_exactly_the_correct_options(correct, chosen, expected):
    assert services.score_answer(correct=correct, chosen=chosen) is expected


def test_submit_attempt_scores_and_keeps_the_answers():
    questions = [QuestionFactory(), QuestionFactory(), QuestionFactory(options=(True, True, False))]
    check = KnowledgeCheckFactory(questions=questions)
    registration = RegistrationFactory(session=check.session)
    answers = {
        questions[0].pk: right_options(questions[0]),
        questions[1].pk: wrong_options(questions[1]),
        questions[2].pk: right_options(questions[2]),
    }

    attempt = services.submit_attempt(check=check, registration=registration, answers=answers)

    assert (attempt.number, attempt.correct_count, attempt.question_count) == (1, 2, 3)
    assert round(attempt.score, 2) == 66.67
    rows = KnowledgeCheckAnswer.objects.filter(attempt=attempt).order_by("question_id")
    assert [(row.question_id, row.is_correct, sorted(o.pk for o in row.chosen.all())) for row in rows] == [
        (questions[0].pk, True, right_options(questions[0])),
        (questions[1].pk, False, wrong_options(questions[1])),
        (questions[2].pk, True, right_options(questions[2])),
    ]


def test_submit_attempt_refuses_an_unanswered_question_and_saves_nothing():
    questions = QuestionFactory.create_batch(2)
    check = KnowledgeCheckFactory(questions=questions)

    with pytest.raises(services.KnowledgeCheckError) as error:
        services.submit_attempt(
            check=check,
            registration=RegistrationFactory(session=check.session),
            answers={questions[0].pk: right_options(questions[0])},
        )

    assert error.value.code == "unanswered"
    assert KnowledgeCheckAttempt.objects.count() == 0


def test_submit_attempt_refuses_an_option_of_another_question():
    questions = QuestionFactory.create_batch(2)
    check = KnowledgeCheckFactory(questions=questions[:1])

    with pytest.raises(services.KnowledgeCheckError) as error:
        services.submit_attempt(
            check=check,
            registration=RegistrationFactory(session=check.session),
            answers={questions[0].pk: right_options(questions[1])},
        )

    assert error.value.code == "invalid"


def test_submit_attempt_second_time_is_refused_with_one_attempt_allowed():
    check = KnowledgeCheckFactory(questions=[QuestionFactory()])
    registration = RegistrationFactory(session=check.session)
    answer_all_right(check, registration)

    with pytest.raises(services.KnowledgeCheckError) as error:
        answer_all_right(check, registration)

    assert error.value.code == "already_taken"


def test_submit_attempt_numbers_attempts_when_several_are_allowed():
    check = KnowledgeCheckFactory(questions=[QuestionFactory()], max_attempts=2)
    registration = RegistrationFactory(session=check.session)

    first = answer_all_right(check, registration)
    second = answer_all_right(check, registration)

    assert (first.number, second.number) == (1, 2)


# --- The pre-test page ---


def pre_test_setup(*, starts_in=timedelta(days=3), officer=None):
    session = TrainingSessionFactory(starts_at=timezone.now() + starts_in)
    questions = [QuestionFactory(), QuestionFactory()]
    check = KnowledgeCheckFactory(session=session, kind="pre", questions=questions)
    registration = RegistrationFactory(session=session, **({"officer": officer} if officer else {}))
    return check, registration, questions


def form_data(questions, *, right=True):
    pick = right_options if right else wrong_options
    return {f"question_{q.pk}": [str(pk) for pk in pick(q)] for q in questions}


def test_pre_test_page_needs_sign_in(client):
    check, _registration, _questions = pre_test_setup()

    page = client.get(reverse("sessions:pre_test", args=[check.session_id]))

    assert page.status_code == 302
    assert page.url.startswith(reverse("account_login"))


def test_pre_test_page_is_404_for_an_officer_without_a_seat(client):
    check, _registration, _questions = pre_test_setup()
    client.force_login(OfficerFactory().user)

    assert client.get(reverse("sessions:pre_test", args=[check.session_id])).status_code == 404


def test_pre_test_page_records_the_officer_score(client):
    check, registration, questions = pre_test_setup()
    client.force_login(registration.officer.user)
    url = reverse("sessions:pre_test", args=[check.session_id])

    assert client.get(url).status_code == 200
    data = form_data(questions)
    data[f"question_{questions[1].pk}"] = [str(pk) for pk in wrong_options(questions[1])]
    page = client.post(url, data)

    assert page.status_code == 200
    assert page.templates[0].name == "knowledge_checks/result.html"
    assert "Your score: 1 of 2 questions right." in page.content.decode()
    attempt = KnowledgeCheckAttempt.objects.get()
    assert (attempt.registration, attempt.correct_count, attempt.question_count) == (registration, 1, 2)


def test_pre_test_page_unanswered_question_shows_an_error_and_saves_nothing(client):
    check, registration, questions = pre_test_setup()
    client.force_login(registration.officer.user)

    page = client.post(reverse("sessions:pre_test", args=[check.session_id]), form_data(questions[:1]))

    assert page.status_code == 400
    assert f'<p class="error error-text" id="question_{questions[1].pk}-error">Answer this question.</p>' in (
        page.content.decode()
    )
    assert KnowledgeCheckAttempt.objects.count() == 0


def test_pre_test_page_foreign_option_is_refused(client):
    check, registration, questions = pre_test_setup()
    client.force_login(registration.officer.user)
    data = form_data(questions)
    data[f"question_{questions[0].pk}"] = ["999999"]

    page = client.post(reverse("sessions:pre_test", args=[check.session_id]), data)

    assert page.status_code == 400
    assert KnowledgeCheckAttempt.objects.count() == 0


def test_pre_test_page_second_attempt_is_refused(client):
    check, registration, questions = pre_test_setup()
    client.force_login(registration.officer.user)
    url = reverse("sessions:pre_test", args=[check.session_id])
    client.post(url, form_data(questions))

    page = client.post(url, form_data(questions, right=False))

    assert page.status_code == 409
    assert page.templates[0].name == "knowledge_checks/taken.html"
    assert KnowledgeCheckAttempt.objects.count() == 1


def test_pre_test_page_is_closed_once_the_session_started(client):
    check, registration, questions = pre_test_setup()
    TrainingSession.objects.filter(pk=check.session_id).update(starts_at=timezone.now() - timedelta(minutes=1))
    client.force_login(registration.officer.user)

    page = client.post(reverse("sessions:pre_test", args=[check.session_id]), form_data(questions))

    assert page.status_code == 409
    assert page.templates[0].name == "knowledge_checks/closed.html"
    assert KnowledgeCheckAttempt.objects.count() == 0


@pytest.mark.parametrize(
    ("language", "heading", "question_prefix"),
    [
        ("en", "Knowledge check before the session", ""),
        ("es", "Prueba de conocimientos antes de la sesión", "ES "),
        ("fr", "Test de connaissances avant la session", "FR "),
    ],
)
def test_pre_test_page_is_in_the_officer_language(client, language, heading, question_prefix):
    officer = OfficerFactory(preferred_language=language)
    check, registration, questions = pre_test_setup(officer=officer)
    client.force_login(officer.user)
    client.cookies["django_language"] = language

    content = client.get(reverse("sessions:pre_test", args=[check.session_id])).content.decode()

    assert f'<html lang="{language}">' in content
    assert f"<h1>{heading}</h1>" in content
    assert f"1. {question_prefix}{questions[0].text_en}" in content


@pytest.mark.parametrize("question_count", [1, 8])
def test_pre_test_page_queries_do_not_grow_with_questions(client, django_assert_max_num_queries, question_count):
    session = TrainingSessionFactory()
    questions = QuestionFactory.create_batch(question_count)
    check = KnowledgeCheckFactory(session=session, questions=questions)
    registration = RegistrationFactory(session=session)
    client.force_login(registration.officer.user)
    url = reverse("sessions:pre_test", args=[check.session_id])
    client.get(url)

    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200


# --- Links: confirmation email, My trainings, survey page and emails ---


def test_confirmation_email_links_the_pre_test(client, django_capture_on_commit_callbacks):
    session = TrainingSessionFactory()
    KnowledgeCheckFactory(session=session, kind="pre", questions=[QuestionFactory()])
    officer = OfficerFactory(preferred_language="es", user__email="ana@policia.gob.mx")

    with django_capture_on_commit_callbacks(execute=True):
        services.register_officer(session=session, officer=officer, source=Registration.Source.PORTAL)

    message = OutboundMessage.objects.get(kind="registration_confirmed")
    assert message.recipient == "ana@policia.gob.mx"
    assert message.language == "es"
    link = f"{settings.SITE_URL}/sessions/{session.pk}/pre-test/"
    assert (
        f"Antes de la sesión, responda la breve prueba de conocimientos (prueba inicial): {link}" in message.body_text
    )
    assert f'href="{link}"' in message.body_html


def test_confirmation_email_without_a_pre_test_has_no_link(django_capture_on_commit_callbacks):
    session = TrainingSessionFactory()
    officer = OfficerFactory()

    with django_capture_on_commit_callbacks(execute=True):
        services.register_officer(session=session, officer=officer, source=Registration.Source.PORTAL)

    assert "pre-test" not in OutboundMessage.objects.get(kind="registration_confirmed").body_text


def test_my_trainings_links_the_open_pre_test_until_taken(client):
    check, registration, questions = pre_test_setup()
    client.force_login(registration.officer.user)
    link = f'href="{reverse("sessions:pre_test", args=[check.session_id])}"'

    assert link in client.get(reverse("sessions:my_trainings")).content.decode()
    client.post(reverse("sessions:pre_test", args=[check.session_id]), form_data(questions))
    assert link not in client.get(reverse("sessions:my_trainings")).content.decode()


def test_completed_session_survey_email_links_the_post_test(manager_user, django_capture_on_commit_callbacks):
    session = TrainingSessionFactory(starts_at=timezone.now() - timedelta(hours=4))
    SessionTrainerFactory(session=session)
    KnowledgeCheckFactory(session=session, kind="post", questions=[QuestionFactory()])
    officer = OfficerFactory(preferred_language="fr", user__email="luc@police.fr")
    registration = RegistrationFactory(session=session, officer=officer)
    AttendanceFactory(registration=registration, status=Attendance.Status.PRESENT)

    with django_capture_on_commit_callbacks(execute=True):
        services.complete_session(session=session, by=manager_user)

    response = SurveyResponse.objects.get(registration=registration)
    message = OutboundMessage.objects.get(kind="survey_invitation")
    assert message.recipient == "luc@police.fr"
    assert message.language == "fr"
    link = f"{settings.SITE_URL}/surveys/{response.token}/knowledge-check/"
    assert f"Répondre au test de connaissances (test final): {link}" in message.body_text
    assert f'href="{link}"' in message.body_html
    assert [email.to for email in mail.outbox if link in email.body] == [["luc@police.fr"]]


def post_test_setup(*, language="en"):
    response = SurveyResponseFactory(language=language)
    questions = [QuestionFactory(), QuestionFactory()]
    check = KnowledgeCheckFactory(session=response.survey.session, kind="post", questions=questions)
    return check, response, questions


def test_survey_page_links_the_post_test(client):
    _check, response, _questions = post_test_setup()

    content = client.get(reverse("survey", args=[response.token])).content.decode()

    assert f'href="{reverse("post_test", args=[response.token])}"' in content


def test_post_test_through_the_survey_link_records_a_score_without_login(client):
    check, response, questions = post_test_setup(language="fr")
    url = reverse("post_test", args=[response.token])

    get = client.get(url)
    page = client.post(url, form_data(questions))

    assert '<html lang="fr">' in get.content.decode()
    assert "<h1>Test de connaissances après la session</h1>" in get.content.decode()
    assert page.status_code == 200
    assert "Votre score : 2 questions justes sur 2." in page.content.decode()
    attempt = KnowledgeCheckAttempt.objects.get()
    assert (attempt.knowledge_check, attempt.registration, attempt.correct_count) == (check, response.registration, 2)


def test_post_test_is_closed_with_the_survey(client):
    check, response, questions = post_test_setup()
    response.survey.closes_at = timezone.now() - timedelta(minutes=1)
    response.survey.save()

    page = client.post(reverse("post_test", args=[response.token]), form_data(questions))

    assert page.status_code == 409
    assert KnowledgeCheckAttempt.objects.count() == 0


def test_post_test_unknown_token_is_404(client):
    assert client.get("/surveys/unknown/knowledge-check/").status_code == 404


def test_post_test_of_a_session_without_one_is_404(client):
    response = SurveyResponseFactory()

    assert client.get(reverse("post_test", args=[response.token])).status_code == 404


def test_result_page_escapes_question_text(client):
    check, response, questions = post_test_setup()
    Question.objects.filter(pk=questions[0].pk).update(text_en="<script>alert(1)</script>" + "x" * 900)

    content = client.get(reverse("post_test", args=[response.token])).content.decode()

    assert "<script>alert(1)</script>" not in content
    assert re.search(r"&lt;script&gt;alert\(1\)&lt;/script&gt;x{900}", content)


@pytest.mark.parametrize("item_count", [1, 6])
def test_my_trainings_with_pre_tests_queries_do_not_grow(client, django_assert_max_num_queries, item_count):
    officer = OfficerFactory()
    for _ in range(item_count):
        check = KnowledgeCheckFactory(questions=[QuestionFactory()])
        RegistrationFactory(session=check.session, officer=officer)
    client.force_login(officer.user)
    client.get(reverse("sessions:my_trainings"))

    with django_assert_max_num_queries(12):
        content = client.get(reverse("sessions:my_trainings")).content.decode()

    assert content.count("pre-test-link") == item_count


@pytest.mark.parametrize("question_count", [1, 8])
def test_post_test_page_queries_do_not_grow_with_questions(client, django_assert_max_num_queries, question_count):
    response = SurveyResponseFactory()
    KnowledgeCheckFactory(
        session=response.survey.session, kind="post", questions=QuestionFactory.create_batch(question_count)
    )
    url = reverse("post_test", args=[response.token])

    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200
