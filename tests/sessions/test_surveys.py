from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from messaging.models import OutboundMessage
from sessions import services
from sessions.models import Attendance, SurveyResponse
from sessions.selectors import net_promoter_score_of as net_promoter_score
from sessions.tasks import send_survey_reminders
from tests.factories import (
    AttendanceFactory,
    OfficerFactory,
    SurveyFactory,
    SurveyResponseFactory,
    TopicFactory,
    TrainingSessionFactory,
)

pytestmark = pytest.mark.django_db

VALID = {"overall_rating": "5", "usefulness_rating": "4", "trainer_rating": "5", "recommend_score": "9"}


def url(response):
    return reverse("survey", args=[response.token])


# --- The survey page ---


def test_survey_page_unknown_token_is_404(client):
    assert client.get("/surveys/unknown/").status_code == 404


@pytest.mark.parametrize(("language", "heading"), [("en", "Your feedback"), ("es", "Su opinión"), ("fr", "Votre avis")])
def test_survey_page_is_in_the_attendee_language(client, language, heading):
    response = SurveyResponseFactory(language=language)

    page = client.get(url(response))

    assert page.status_code == 200
    assert page.templates[0].name == "surveys/form.html"
    assert f'<html lang="{language}">' in page.content.decode()
    assert f"<h1>{heading}</h1>" in page.content.decode()


def test_survey_errors_are_in_the_attendee_language(client):
    response = SurveyResponseFactory(language="es")

    page = client.post(url(response), {**VALID, "overall_rating": "9"})

    assert (
        '<p class="error error-text" id="overall_rating-error">Elija una valoración de 1 a 5.</p>'
        in page.content.decode()
    )


def test_survey_page_needs_no_login_and_records_one_response(client):
    response = SurveyResponseFactory()
    topics = TopicFactory.create_batch(2)

    page = client.post(url(response), {**VALID, "topics_wanted": [topics[1].pk], "comments": "Very practical."})

    response.refresh_from_db()
    assert page.status_code == 200
    assert page.templates[0].name == "surveys/thanks.html"
    assert (response.overall_rating, response.usefulness_rating, response.trainer_rating) == (5, 4, 5)
    assert response.recommend_score == 9
    assert list(response.topics_wanted.all()) == [topics[1]]
    assert response.comments == "Very practical."
    assert response.submitted_at is not None


def test_survey_quote_consent_checkbox_is_off_by_default(client):
    response = SurveyResponseFactory()

    page = client.get(url(response)).content.decode()

    assert '<input type="checkbox" name="quote_consent" id="id_quote_consent">' in page
    client.post(url(response), {**VALID, "comments": "Useful."})
    response.refresh_from_db()
    assert (response.comments, response.quote_consent) == ("Useful.", False)


def test_survey_quote_consent_ticked_is_recorded(client):
    response = SurveyResponseFactory()

    client.post(url(response), {**VALID, "comments": "Quote me.", "quote_consent": "on"})

    response.refresh_from_db()
    assert (response.comments, response.quote_consent) == ("Quote me.", True)


def test_survey_quote_consent_without_comments_is_not_kept(client):
    response = SurveyResponseFactory()

    client.post(url(response), {**VALID, "comments": "  ", "quote_consent": "on"})

    response.refresh_from_db()
    assert response.quote_consent is False


def test_survey_second_submission_is_refused_politely(client):
    response = SurveyResponseFactory()
    client.post(url(response), VALID)

    again = client.post(url(response), {**VALID, "overall_rating": "1"})
    page = client.get(url(response))

    response.refresh_from_db()
    assert again.status_code == 409
    assert again.templates[0].name == "surveys/answered.html"
    assert b"Only one response is possible" in again.content
    assert page.templates[0].name == "surveys/answered.html"
    assert response.overall_rating == 5


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"overall_rating": "0"}, "overall_rating", "Choose a rating from 1 to 5."),
        ({"usefulness_rating": "6"}, "usefulness_rating", "Choose a rating from 1 to 5."),
        ({"trainer_rating": "great"}, "trainer_rating", "Choose a rating from 1 to 5."),
        ({"overall_rating": ""}, "overall_rating", "Choose a rating from 1 to 5."),
        ({"recommend_score": "11"}, "recommend_score", "Choose a score from 0 to 10."),
        ({"recommend_score": "-1"}, "recommend_score", "Choose a score from 0 to 10."),
        ({"topics_wanted": ["999999"]}, "topics_wanted", "Choose topics from the list."),
        ({"topics_wanted": ["abc"]}, "topics_wanted", "Choose topics from the list."),
        (
            {"comments": "x" * 4001},
            "comments",
            "Please keep your comments under 4000 characters (you wrote 4001).",
        ),
    ],
)
def test_survey_invalid_answers_are_explained_and_nothing_saved(client, changes, field, message):
    response = SurveyResponseFactory()

    page = client.post(url(response), {**VALID, **changes})

    assert page.status_code == 200
    assert page.context["form"].errors[field] == [message]
    assert SurveyResponse.objects.get().submitted_at is None


def test_survey_recommend_zero_and_long_comment_at_limit_are_accepted(client):
    response = SurveyResponseFactory()

    page = client.post(url(response), {**VALID, "recommend_score": "0", "comments": "y" * 4000})

    assert page.templates[0].name == "surveys/thanks.html"
    assert SurveyResponse.objects.get().recommend_score == 0


def test_survey_closed_is_shown_as_closed(client):
    response = SurveyResponseFactory(survey=SurveyFactory(closes_at=timezone.now() - timedelta(days=1)))

    page = client.get(url(response))

    assert page.templates[0].name == "surveys/closed.html"


def test_submit_survey_response_twice_raises():
    response = SurveyResponseFactory()
    answers = {"overall_rating": 4, "usefulness_rating": 4, "trainer_rating": 4, "recommend_score": 8}
    services.submit_survey_response(response=response, **answers)

    with pytest.raises(services.SurveyError) as raised:
        services.submit_survey_response(response=response, **answers)

    assert raised.value.code == "already_answered"


def test_submit_survey_response_out_of_range_is_refused():
    response = SurveyResponseFactory()

    with pytest.raises(services.SurveyError) as raised:
        services.submit_survey_response(
            response=response, overall_rating=7, usefulness_rating=4, trainer_rating=4, recommend_score=8
        )

    assert raised.value.field == "overall_rating"
    assert SurveyResponse.objects.get().submitted_at is None


# --- Survey invitation and its one reminder ---


def completed_with_attendee(manager_user, capture, language="en"):
    session = TrainingSessionFactory(starts_at=timezone.now() - timedelta(hours=4))
    attendance = AttendanceFactory(
        registration__session=session,
        registration__officer=OfficerFactory(preferred_language=language),
        status=Attendance.Status.PARTIAL,
    )
    with capture(execute=True):
        services.complete_session(session=session, by=manager_user)
    return attendance.registration.survey_response


@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_survey_invitation_is_in_the_attendee_language(manager_user, django_capture_on_commit_callbacks, language):
    response = completed_with_attendee(manager_user, django_capture_on_commit_callbacks, language)

    message = OutboundMessage.objects.get(kind="survey_invitation")
    assert response.language == language
    assert message.language == language
    assert f'<html lang="{language}">' in message.body_html
    assert f"https://training.example.org/surveys/{response.token}/" in message.body_text


def test_survey_reminder_after_the_delay_once(manager_user, django_capture_on_commit_callbacks):
    response = completed_with_attendee(manager_user, django_capture_on_commit_callbacks)
    mail.outbox.clear()

    with time_machine.travel(timezone.now() + timedelta(days=2, hours=23)):
        assert services.send_survey_reminders() == 0
    with (
        time_machine.travel(timezone.now() + timedelta(days=3, minutes=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.send_survey_reminders() == 1
        assert services.send_survey_reminders() == 0
    with time_machine.travel(timezone.now() + timedelta(days=10)):
        assert services.send_survey_reminders() == 0

    response.refresh_from_db()
    assert response.reminded_at is not None
    assert [m.subject for m in mail.outbox] == [
        f"Reminder: two minutes for your feedback on {response.survey.session.title}"
    ]
    assert f"/surveys/{response.token}/" in mail.outbox[0].body


def test_survey_reminder_not_sent_when_answered(manager_user, django_capture_on_commit_callbacks, client):
    response = completed_with_attendee(manager_user, django_capture_on_commit_callbacks)
    client.post(url(response), VALID)

    with time_machine.travel(timezone.now() + timedelta(days=4)):
        assert services.send_survey_reminders() == 0


def test_survey_reminder_delay_is_a_setting(settings, manager_user, django_capture_on_commit_callbacks):
    settings.SURVEY_REMINDER_DELAY = timedelta(hours=1)
    completed_with_attendee(manager_user, django_capture_on_commit_callbacks)

    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1)):
        assert services.send_survey_reminders() == 1


def test_survey_reminder_not_sent_after_the_survey_closed(manager_user, django_capture_on_commit_callbacks):
    response = completed_with_attendee(manager_user, django_capture_on_commit_callbacks)
    response.survey.closes_at = timezone.now() + timedelta(days=2)
    response.survey.save()

    with time_machine.travel(timezone.now() + timedelta(days=4)):
        assert services.send_survey_reminders() == 0


@pytest.mark.parametrize(
    ("language", "subject"),
    [
        ("es", "Recordatorio: dos minutos para opinar sobre {title}"),
        ("fr", "Rappel : deux minutes pour donner votre avis sur {title}"),
    ],
)
def test_survey_reminder_is_in_the_attendee_language(
    manager_user, django_capture_on_commit_callbacks, language, subject
):
    response = completed_with_attendee(manager_user, django_capture_on_commit_callbacks, language)

    with time_machine.travel(timezone.now() + timedelta(days=4)):
        services.send_survey_reminders()

    message = OutboundMessage.objects.get(kind="survey_reminder")
    assert message.subject == subject.format(title=response.survey.session.title)
    assert message.language == language
    assert f'<html lang="{language}">' in message.body_html


def test_send_survey_reminders_task(manager_user, django_capture_on_commit_callbacks):
    completed_with_attendee(manager_user, django_capture_on_commit_callbacks)

    with time_machine.travel(timezone.now() + timedelta(days=4)):
        assert send_survey_reminders() == 1
        assert send_survey_reminders() == 0


# --- Results ---


@pytest.mark.parametrize(
    ("scores", "expected"),
    [([], None), ([10, 9, 8, 7], 50), ([0, 6, 10], -33), ([7, 8], 0), ([10], 100)],
)
def test_net_promoter_score(scores, expected):
    assert net_promoter_score(scores) == expected
