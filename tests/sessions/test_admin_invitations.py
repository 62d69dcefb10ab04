from datetime import timedelta

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from sessions.admin.invitations import invite_officers
from sessions.models import Invitation, TrainingSession
from tests.factories import (
    AgencyFactory,
    InvitationFactory,
    OfficerFactory,
    SessionTrainerFactory,
    SurveyFactory,
    SurveyResponseFactory,
    TopicFactory,
    TrainerFactory,
    TrainingSessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client, manager_user):
    manager_user.is_superuser = True
    manager_user.save()
    client.force_login(manager_user)
    return client


def invite_url(session):
    return reverse("admin:training_invitation_invite", args=[session.pk])


def test_invite_form_get_shows_the_form(superuser_client):
    session = TrainingSessionFactory(language="es")

    response = superuser_client.get(invite_url(session))

    assert response.status_code == 200
    assert response.context["form"].initial == {"language": "es"}


def test_invite_form_loads_the_admin_form_styles_for_its_pickers(superuser_client):
    content = superuser_client.get(invite_url(TrainingSessionFactory())).content.decode()

    # Without forms.css (which imports widgets.css) the two-box pickers are drawn as bare lists.
    assert '<link rel="stylesheet" href="/static/admin/css/forms.css">' in content
    assert '<div><select name="agencies"' in content


def test_invite_form_reports_new_skipped_and_invalid(superuser_client, django_capture_on_commit_callbacks):
    session = TrainingSessionFactory()
    agency = AgencyFactory(acronym="SSPC")
    officers = OfficerFactory.create_batch(2, agency=agency)
    InvitationFactory(session=session, email=officers[0].user.email)
    pasted = "luis@sspc.gob.mx, SSPC\nbroken-line\nnobody@example.org"

    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(
            invite_url(session), {"agencies": [agency.pk], "emails": pasted, "language": "es"}
        )

    assert response.status_code == 200
    plan = response.context["plan"]
    assert (len(plan.invitees), len(plan.skipped), len(plan.invalid)) == (2, 1, 2)
    content = response.content.decode()
    assert "2 new invitations are being sent." in content
    assert "1 address skipped: already invited." in content
    assert "2 lines invalid." in content
    assert "unknown address: add the agency after a comma" in content
    assert sorted(m.to[0] for m in mail.outbox) == sorted([officers[1].user.email, "luis@sspc.gob.mx"])
    assert Invitation.objects.get(email="luis@sspc.gob.mx").language == "es"


def test_invite_form_empty_submission_is_explained(superuser_client):
    response = superuser_client.post(invite_url(TrainingSessionFactory()), {"emails": "  ", "language": "en"})

    assert response.context["form"].non_field_errors() == ["Choose agencies or countries, or paste email addresses."]


def test_invite_form_draft_session_is_refused_clearly(superuser_client):
    session = TrainingSessionFactory(status=TrainingSession.Status.DRAFT)

    response = superuser_client.post(invite_url(session), {"emails": "a@example.org, X", "language": "en"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["Only a published session can be invited to."]


def test_invite_form_staff_without_permission_is_forbidden(client):
    client.force_login(UserFactory(is_staff=True))

    response = client.get(invite_url(TrainingSessionFactory()))

    assert response.status_code == 403


def test_invite_form_trainer_may_invite_only_to_own_sessions(client):
    trainer = TrainerFactory()
    own = SessionTrainerFactory(trainer=trainer).session
    client.force_login(trainer.user)

    assert client.get(invite_url(own)).status_code == 200
    assert client.get(invite_url(TrainingSessionFactory())).status_code == 403


def test_invitation_changelist_trainer_sees_own_sessions_only(client):
    trainer = TrainerFactory()
    own = SessionTrainerFactory(trainer=trainer).session
    InvitationFactory(session=own, email="mine@example.org")
    InvitationFactory(email="theirs@example.org")
    client.force_login(trainer.user)

    response = client.get(reverse("admin:training_invitation_changelist"))

    assert [invitation.email for invitation in response.context["cl"].result_list] == ["mine@example.org"]


def test_invite_form_unknown_session_is_404(superuser_client):
    assert superuser_client.get(reverse("admin:training_invitation_invite", args=[999999])).status_code == 404


def _action_request(user):
    request = RequestFactory().post("/admin/training/trainingsession/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


class _SessionAdminStub:
    def __init__(self):
        self.messages = []

    def message_user(self, request, message, level):
        self.messages.append(str(message))


def test_invite_officers_action_one_session_opens_the_form(manager_user):
    session = TrainingSessionFactory()

    response = invite_officers(_SessionAdminStub(), _action_request(manager_user), TrainingSession.objects.all())

    assert response.status_code == 302
    assert response["Location"] == invite_url(session)


def test_invite_officers_action_several_sessions_asks_for_one(manager_user):
    TrainingSessionFactory.create_batch(2)
    admin_stub = _SessionAdminStub()

    response = invite_officers(admin_stub, _action_request(manager_user), TrainingSession.objects.all())

    assert response is None
    assert admin_stub.messages == ["Select exactly one session to invite to."]


@pytest.mark.parametrize("invitation_count", [1, 30])
def test_invitation_changelist_queries_are_bounded(superuser_client, invitation_count, django_assert_max_num_queries):
    session = TrainingSessionFactory()
    InvitationFactory.create_batch(invitation_count, session=session, agency=AgencyFactory())

    with django_assert_max_num_queries(12):
        response = superuser_client.get(reverse("admin:training_invitation_changelist"))

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == invitation_count


def test_invitation_changelist_filters_by_state(superuser_client):
    session = TrainingSessionFactory()
    InvitationFactory(session=session, email="declined@example.org", status=Invitation.Status.DECLINED)
    InvitationFactory(session=session, email="pending@example.org")
    expired = TrainingSessionFactory(registration_closes_at=timezone.now() - timedelta(hours=1))
    InvitationFactory(session=expired, email="expired@example.org")

    def emails(state):
        response = superuser_client.get(reverse("admin:training_invitation_changelist") + f"?state={state}")
        return [invitation.email for invitation in response.context["cl"].result_list]

    assert emails("declined") == ["declined@example.org"]
    assert emails("pending") == ["pending@example.org"]
    assert emails("expired") == ["expired@example.org"]


# --- Survey results ---


def answered(survey, overall, usefulness, trainer, recommend, comments="", topics=()):
    response = SurveyResponseFactory(
        survey=survey,
        submitted_at=timezone.now(),
        overall_rating=overall,
        usefulness_rating=usefulness,
        trainer_rating=trainer,
        recommend_score=recommend,
        comments=comments,
    )
    response.topics_wanted.set(topics)
    return response


@pytest.fixture
def surveyed_session():
    survey = SurveyFactory()
    trainer = TrainerFactory()
    SessionTrainerFactory(session=survey.session, trainer=trainer)
    topic = TopicFactory(name="Case studies")
    answered(survey, 5, 4, 5, 10, comments="Excellent case studies", topics=[topic])
    answered(survey, 3, 3, 4, 6)
    answered(survey, 4, 5, 5, 9, comments="More on mixers please", topics=[topic])
    SurveyResponseFactory(survey=survey)  # not answered
    return survey, trainer


def test_survey_changelist_shows_rate_averages_and_recommend_score(superuser_client, surveyed_session):
    survey, _trainer = surveyed_session

    response = superuser_client.get(reverse("admin:training_survey_changelist"))

    row = response.context["cl"].result_list[0]
    admin = response.context["cl"].model_admin
    assert (admin.invited(row), admin.answered(row), admin.response_rate(row)) == (4, 3, "75.0 %")
    assert (admin.average_overall(row), admin.average_usefulness(row), admin.average_trainer(row)) == (
        "4.00",
        "4.00",
        "4.67",
    )
    # 2 promoters, 1 detractor out of 3 scores.
    assert admin.recommend_score(row) == 33


def test_survey_results_view_lists_comments_and_topics(superuser_client, surveyed_session):
    survey, _trainer = surveyed_session

    response = superuser_client.get(reverse("admin:training_survey_results", args=[survey.pk]))

    results = response.context["results"]
    assert (results.invited, results.answered, results.response_rate, results.recommend) == (4, 3, 75.0, 33)
    assert sorted(results.comments) == ["Excellent case studies", "More on mixers please"]
    assert results.topics_wanted == [("Case studies", 2)]


def test_survey_results_per_trainer(superuser_client, surveyed_session):
    _survey, trainer = surveyed_session

    response = superuser_client.get(reverse("admin:training_survey_trainers"))

    [(row_trainer, results)] = response.context["rows"]
    assert row_trainer == trainer
    assert (results.answered, results.trainer) == (3, 4.67)


def test_survey_admin_trainer_sees_only_own_sessions(client, surveyed_session):
    _survey, trainer = surveyed_session
    SurveyFactory()  # another trainer's session
    client.force_login(trainer.user)

    response = client.get(reverse("admin:training_survey_changelist"))

    assert [row.session for row in response.context["cl"].result_list] == [_survey.session]
