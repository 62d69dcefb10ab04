import pytest

from tests.factories import OutboundMessageFactory, SessionTrainerFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/messaging/outboundmessage/"


def test_message_log_manager_sees_every_message(client, manager_user):
    OutboundMessageFactory(recipient="ana@policia.gob.mx", session=TrainingSessionFactory())
    OutboundMessageFactory(recipient="luis@policia.gob.mx")
    client.force_login(manager_user)

    response = client.get(CHANGELIST)

    assert response.status_code == 200
    assert sorted(m.recipient for m in response.context["cl"].result_list) == [
        "ana@policia.gob.mx",
        "luis@policia.gob.mx",
    ]


def test_message_log_trainer_sees_only_messages_of_their_sessions(client, trainer):
    own = SessionTrainerFactory(trainer=trainer).session
    OutboundMessageFactory(recipient="ana@policia.gob.mx", session=own)
    OutboundMessageFactory(recipient="luis@policia.gob.mx", session=TrainingSessionFactory())
    OutboundMessageFactory(recipient="eva@policia.gob.mx")
    client.force_login(trainer.user)

    response = client.get(CHANGELIST)

    assert response.status_code == 200
    assert [m.recipient for m in response.context["cl"].result_list] == ["ana@policia.gob.mx"]


def test_message_log_trainer_refused_other_sessions_message(client, trainer):
    other = OutboundMessageFactory(recipient="luis@policia.gob.mx", session=TrainingSessionFactory())
    client.force_login(trainer.user)

    response = client.get(f"{CHANGELIST}{other.pk}/change/")

    assert response.status_code == 302  # the admin redirects a missing object to its index
    assert "luis@policia.gob.mx" not in response.content.decode()
