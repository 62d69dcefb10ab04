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
    RegistrationFactory,
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


def _preview_table(response):
    return [
        (entry.line, entry.text, entry.name, entry.email, entry.status.value, str(entry.reason))
        for entry in response.context["preview_rows"]
    ]


def test_invite_form_preview_names_each_entry_and_sends_nothing(superuser_client, django_capture_on_commit_callbacks):
    session = TrainingSessionFactory()
    agency = AgencyFactory(acronym="SSPC")
    officers = OfficerFactory.create_batch(2, agency=agency)
    registered = RegistrationFactory(session=session).officer
    InvitationFactory(session=session, email=officers[0].user.email)
    pasted = (
        '"López, Ana" <ana@sspc.gob.mx>; Bob <bob@example.org>\n'
        f"broken-line, {registered.user.email}\nnobody@example.org, ana@sspc.gob.mx,"
    )

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = superuser_client.post(
            invite_url(session),
            {"agencies": [agency.pk], "emails": pasted, "default_agency": agency.pk, "language": "es", "_preview": "1"},
        )

    assert response.status_code == 200
    assert callbacks == []
    assert (Invitation.objects.count(), mail.outbox) == (1, [])
    assert _preview_table(response) == [
        (1, '"López, Ana" <ana@sspc.gob.mx>', "López, Ana", "ana@sspc.gob.mx", "new", ""),
        (1, "Bob <bob@example.org>", "Bob", "bob@example.org", "new", ""),
        (2, "broken-line", "", "", "invalid", "not an email address"),
        (2, registered.user.email, "", registered.user.email, "registered", ""),
        (3, "nobody@example.org", "", "nobody@example.org", "new", ""),
        (3, "ana@sspc.gob.mx", "", "ana@sspc.gob.mx", "invalid", "duplicate: already on line 1 of the list"),
        (0, "", "", officers[0].user.email, "invited", ""),
        (0, "", "", officers[1].user.email, "new", ""),
    ]
    content = response.content.decode()
    assert "4 new: will be invited" in content
    assert "1 already invited" in content
    assert "1 already registered" in content
    assert "2 invalid" in content
    assert 'value="Send 4 invitations"' in content


def test_invite_form_confirm_sends_only_the_new_entries(superuser_client, django_capture_on_commit_callbacks):
    session = TrainingSessionFactory()
    agency = AgencyFactory(acronym="SSPC")
    InvitationFactory(session=session, email="already@example.org")
    data = {
        "emails": "Luis <luis@example.org>; already@example.org\nnot-an-address\nnobody@example.org, SSPC",
        "default_agency": "",
        "language": "es",
    }
    preview = superuser_client.post(invite_url(session), {**data, "_preview": "1"}).context["preview"]

    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(
            invite_url(session), {**data, "previewed": preview.fingerprint(), "_send": "1"}
        )

    assert response.status_code == 200
    assert response.context["preview"] is None
    assert [message.to for message in mail.outbox] == [["nobody@example.org"]]
    assert Invitation.objects.get(email="nobody@example.org").agency == agency
    assert Invitation.objects.get(email="nobody@example.org").language == "es"
    content = response.content.decode()
    assert "1 new invitation is being sent." in content
    assert "1 address skipped: already invited." in content
    assert "2 entries invalid, not invited." in content


def test_invite_form_confirm_of_a_stale_preview_shows_it_again(superuser_client, django_capture_on_commit_callbacks):
    session = TrainingSessionFactory()
    agency = AgencyFactory()
    data = {"emails": "a@example.org\nb@example.org", "default_agency": agency.pk, "language": "en"}
    preview = superuser_client.post(invite_url(session), {**data, "_preview": "1"}).context["preview"]
    InvitationFactory(session=session, email="b@example.org")  # someone else invited b meanwhile

    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(
            invite_url(session), {**data, "previewed": preview.fingerprint(), "_send": "1"}
        )

    assert mail.outbox == []
    assert [(entry.email, entry.status.value) for entry in response.context["preview"].entries] == [
        ("a@example.org", "new"),
        ("b@example.org", "invited"),
    ]
    assert [str(message) for message in response.context["messages"]] == [
        "The list changed since the preview: check it again before sending."
    ]
    assert 'value="Send 1 invitation"' in response.content.decode()


def test_invite_form_send_without_a_preview_only_previews(superuser_client, django_capture_on_commit_callbacks):
    session = TrainingSessionFactory()
    data = {"emails": "a@example.org", "default_agency": AgencyFactory().pk, "language": "en", "_send": "1"}

    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(invite_url(session), data)

    assert (mail.outbox, Invitation.objects.count()) == ([], 0)
    assert response.context["preview"].counts == {"new": 1, "invited": 0, "registered": 0, "invalid": 0}


def test_invite_form_without_default_agency_explains_unknown_addresses(superuser_client):
    session = TrainingSessionFactory()

    response = superuser_client.post(invite_url(session), {"emails": "x@example.org", "language": "en"})

    assert _preview_table(response) == [
        (
            1,
            "x@example.org",
            "",
            "x@example.org",
            "invalid",
            "needs an agency: no account and not on an agency's domain; choose an agency for such addresses",
        )
    ]
    assert "Send 1 invitation" not in response.content.decode()


@pytest.mark.parametrize("row_count", [1, 40])
def test_invite_form_preview_queries_do_not_grow_with_entries(
    superuser_client, row_count, django_assert_max_num_queries
):
    session = TrainingSessionFactory()
    agency = AgencyFactory()
    pasted = "\n".join(f"Person {n} <p{n}@example.org>" for n in range(row_count))
    OfficerFactory.create_batch(row_count, agency=agency)

    with django_assert_max_num_queries(22):
        response = superuser_client.post(
            invite_url(session),
            {"emails": pasted, "agencies": [agency.pk], "default_agency": agency.pk, "language": "en"},
        )

    assert response.context["preview"].counts["new"] == 2 * row_count


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


def test_invite_form_preview_in_french(superuser_client):
    session = TrainingSessionFactory()
    InvitationFactory(session=session, email="deja@example.org")
    data = {"emails": "a@example.org; b@example.org\ndeja@example.org\nnope", "default_agency": AgencyFactory().pk}

    response = superuser_client.post(invite_url(session), {**data, "language": "fr"}, HTTP_ACCEPT_LANGUAGE="fr")

    content = response.content.decode()
    assert "Aperçu : rien n’a encore été envoyé" in content
    assert "2 nouvelles : seront invitées" in content
    assert "1 déjà invitée" in content
    assert "0 déjà inscrite" in content
    assert "1 invalide" in content
    assert "invalide : pas une adresse e-mail" in content
    assert 'value="Envoyer 2 invitations"' in content
