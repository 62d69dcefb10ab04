"""An API write that fails after its service committed (while answering) has saved nothing."""

import pytest

from sessions.api.views import SessionViewSet
from sessions.models import SessionTrainer, TrainingSession
from tests.api_fixtures import token_client
from tests.factories import TrainerFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db


def _fail_while_answering(self, pk):
    raise RuntimeError("rendering failed")


def test_session_create_failing_while_answering_is_json_500_and_saves_nothing(monkeypatch):
    client = token_client(TrainerFactory().user)
    client.raise_request_exception = False
    monkeypatch.setattr(SessionViewSet, "_detail", _fail_while_answering)

    response = client.post("/api/v1/sessions/", {"title": "Half a change"}, format="json")

    assert response.status_code == 500
    assert response.json() == {"detail": "A server error occurred.", "code": "server_error", "errors": {}}
    assert TrainingSession.objects.count() == 0
    assert SessionTrainer.objects.count() == 0


def test_session_publish_failing_while_answering_leaves_it_a_draft(monkeypatch):
    trainer = TrainerFactory()
    session = TrainingSessionFactory(status=TrainingSession.Status.DRAFT)
    SessionTrainer.objects.create(session=session, trainer=trainer)
    client = token_client(trainer.user)
    client.raise_request_exception = False
    monkeypatch.setattr(SessionViewSet, "_detail", _fail_while_answering)

    response = client.post(f"/api/v1/sessions/{session.pk}/publish/")

    session.refresh_from_db()
    assert response.status_code == 500
    assert session.status == TrainingSession.Status.DRAFT
