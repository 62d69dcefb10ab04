"""Emails and the invitation page name a session's zone by its city, as the portal does."""

import pytest
from django.core import mail
from django.urls import reverse

from messaging.models import OutboundMessage
from sessions import services
from sessions.models import Invitation, Registration
from tests.factories import OfficerFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db


def test_confirmation_email_names_the_zone_by_its_city(django_capture_on_commit_callbacks):
    session = TrainingSessionFactory(timezone="America/Argentina/Buenos_Aires")

    with django_capture_on_commit_callbacks(execute=True):
        services.register_officer(session=session, officer=OfficerFactory(), source=Registration.Source.PORTAL)

    (email,) = mail.outbox
    assert "(Buenos Aires)" in email.body
    assert "America/" not in email.body
    assert "(Buenos Aires)" in email.alternatives[0][0]


def test_invitation_email_and_page_name_the_zone_by_its_city(client, manager_user):
    session = TrainingSessionFactory(timezone="America/Mexico_City")
    officer = OfficerFactory(preferred_language="en")

    services.create_invitations(session=session, by=manager_user, agency_ids=[officer.agency_id])

    message = OutboundMessage.objects.get(kind="invitation")
    assert "Mexico City)" in message.body_text
    assert "America/" not in message.body_text
    assert "America/" not in message.body_html

    page = client.get(reverse("invitation", args=[Invitation.objects.get().token]))
    assert page.status_code == 200
    assert "(Mexico City)" in page.content.decode()
    assert "America/Mexico_City" not in page.content.decode()
