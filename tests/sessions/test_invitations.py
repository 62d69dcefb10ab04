from datetime import timedelta

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from agencies.models import Officer
from messaging.models import OutboundMessage
from sessions import services
from sessions.models import Invitation, InvitationRequest, Registration, TrainingSession
from sessions.selectors import with_invitation_state
from sessions.tasks import send_invitations
from tests.factories import (
    AgencyEmailDomainFactory,
    AgencyFactory,
    CountryFactory,
    InvitationFactory,
    ManagerFactory,
    OfficerFactory,
    RegistrationFactory,
    TrainingSessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


NEEDS_AGENCY = "needs an agency: no account and not on an agency's domain; choose an agency for such addresses"


def plan(session, **kwargs):
    return services.plan_invitations(session=session, **kwargs)


def state_of(invitation):
    return with_invitation_state(Invitation.objects.filter(pk=invitation.pk)).get().state


# --- Planning: who is new, skipped, invalid ---


def test_plan_invitations_officers_of_chosen_agency_are_new():
    session = TrainingSessionFactory()
    agency = AgencyFactory()
    officers = OfficerFactory.create_batch(2, agency=agency)
    OfficerFactory()  # another agency

    result = plan(session, agency_ids=[agency.pk])

    assert sorted(i.email for i in result.invitees) == sorted(o.user.email for o in officers)
    assert result.skipped == []
    assert result.invalid == []


def test_plan_invitations_country_reaches_every_agency_there():
    session = TrainingSessionFactory()
    argentina = CountryFactory(code="AR")
    first = OfficerFactory(agency=AgencyFactory(country=argentina))
    second = OfficerFactory(agency=AgencyFactory(country=argentina))
    OfficerFactory(agency=AgencyFactory(country=CountryFactory(code="BR")))

    result = plan(session, country_codes=["AR"])

    assert sorted(i.email for i in result.invitees) == sorted([first.user.email, second.user.email])


def test_plan_invitations_leaves_out_rejected_and_inactive_officers():
    session = TrainingSessionFactory()
    agency = AgencyFactory()
    kept = OfficerFactory(agency=agency, verification_status=Officer.Verification.PENDING)
    OfficerFactory(agency=agency, verification_status=Officer.Verification.REJECTED)
    OfficerFactory(agency=agency, user__is_active=False)

    result = plan(session, agency_ids=[agency.pk])

    assert [i.email for i in result.invitees] == [kept.user.email]


def test_plan_invitations_pasted_lines_resolved_or_explained():
    session = TrainingSessionFactory(language="es")
    known = OfficerFactory(preferred_language="fr")
    gendarmerie = AgencyFactory(acronym="GN", name="Gendarmerie nationale")
    AgencyFactory(acronym="PF", name="Policía Federal")
    AgencyFactory(acronym="PF", name="Polícia Federal")
    domain = AgencyEmailDomainFactory(domain="fiscalia.gob.mx")
    pasted = "\n".join(
        [
            f"{known.user.email.upper()}",
            "ana@interieur.gouv.fr, gn",
            "# a comment",
            "",
            "luis@fiscalia.gob.mx",
            "not-an-address, GN",
            "bob@example.org, PF",
            "eve@example.org, XYZ",
            "joe@example.org",
            "ana@interieur.gouv.fr; Gendarmerie nationale",
        ]
    )

    result = plan(session, pasted=pasted)

    assert result.invitees == [
        services.Invitee(known.user.email, known.agency_id, known.pk, "fr"),
        services.Invitee("ana@interieur.gouv.fr", gendarmerie.pk, None, "es"),
        services.Invitee("luis@fiscalia.gob.mx", domain.agency_id, None, "es"),
    ]
    assert [(number, line, str(reason)) for number, line, reason in result.invalid] == [
        (3, "# a comment", "not an email address"),
        (6, "not-an-address", "not an email address"),
        (6, "GN", "not an email address"),
        (7, "bob@example.org, PF", "the agency “PF” is ambiguous: use its full name"),
        (8, "eve@example.org", NEEDS_AGENCY),
        (8, "XYZ", "not an email address"),
        (9, "joe@example.org", NEEDS_AGENCY),
        (10, "ana@interieur.gouv.fr, Gendarmerie nationale", "duplicate: already on line 2 of the list"),
    ]


def test_plan_invitations_already_invited_address_is_skipped():
    session = TrainingSessionFactory()
    officer = OfficerFactory()
    InvitationFactory(session=session, email=officer.user.email)

    result = plan(session, agency_ids=[officer.agency_id])

    assert result.invitees == []
    assert result.skipped == [officer.user.email]


def test_plan_invitations_language_for_unknown_addresses_is_the_chosen_one():
    session = TrainingSessionFactory(language="pt")
    agency = AgencyFactory(acronym="PF")

    assert plan(session, pasted="a@pf.gov.br, PF", language="fr").invitees[0].language == "fr"
    assert plan(session, pasted="a@pf.gov.br, PF").invitees[0].language == "en"
    assert agency.pk == plan(session, pasted="a@pf.gov.br, PF").invitees[0].agency_id


# --- Starting invitations: request side and worker side ---


def test_invite_officers_creates_invitations_and_sends_each_once(manager_user, django_capture_on_commit_callbacks):
    session = TrainingSessionFactory()
    agency = AgencyFactory()
    officers = OfficerFactory.create_batch(3, agency=agency)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = services.invite_officers(session=session, by=manager_user, agency_ids=[agency.pk])

    assert len(result.invitees) == 3
    assert len(callbacks) >= 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(o.user.email for o in officers)
    invitations = Invitation.objects.filter(session=session)
    assert invitations.count() == 3
    assert {i.invited_by_id for i in invitations} == {manager_user.pk}
    token = invitations.get(email=officers[0].user.email).token
    message = next(m for m in mail.outbox if m.to == [officers[0].user.email])
    assert f"https://training.example.org/invitations/{token}/" in message.body
    assert message.subject == f"You are invited: {session.title}"


def test_invite_officers_twice_does_not_send_twice(manager_user, django_capture_on_commit_callbacks):
    session = TrainingSessionFactory()
    officer = OfficerFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_officers(session=session, by=manager_user, agency_ids=[officer.agency_id])

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = services.invite_officers(session=session, by=manager_user, agency_ids=[officer.agency_id])

    assert again.skipped == [officer.user.email]
    assert callbacks == []
    assert len(mail.outbox) == 1
    assert OutboundMessage.objects.filter(kind="invitation").count() == 1


def test_invite_officers_request_only_enqueues_one_task(manager_user, django_capture_on_commit_callbacks):
    session = TrainingSessionFactory()
    agency = AgencyFactory()
    OfficerFactory.create_batch(5, agency=agency)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.invite_officers(session=session, by=manager_user, agency_ids=[agency.pk])

    assert len(callbacks) == 1
    assert Invitation.objects.count() == 0
    assert OutboundMessage.objects.count() == 0


@pytest.mark.parametrize("officer_count", [1, 40])
def test_invite_officers_request_queries_do_not_grow_with_invitees(
    manager_user, officer_count, django_assert_max_num_queries
):
    session = TrainingSessionFactory()
    agency = AgencyFactory()
    OfficerFactory.create_batch(officer_count, agency=agency)
    pasted = "\n".join(f"new{n}@example.org, {agency.acronym}" for n in range(officer_count))

    with django_assert_max_num_queries(7):
        result = services.invite_officers(session=session, by=manager_user, agency_ids=[agency.pk], pasted=pasted)

    assert len(result.invitees) == 2 * officer_count


@pytest.mark.parametrize(
    ("session_kwargs", "code"),
    [
        ({"status": TrainingSession.Status.DRAFT}, "not_published"),
        ({"status": TrainingSession.Status.CANCELLED}, "not_published"),
        ({"registration_closes_at": timezone.now() - timedelta(minutes=1)}, "window_closed"),
    ],
)
def test_invite_officers_refused_when_registration_is_not_open(manager_user, session_kwargs, code):
    session = TrainingSessionFactory(**session_kwargs)

    with pytest.raises(services.InvitationError) as raised:
        services.invite_officers(session=session, by=manager_user, pasted="a@example.org")

    assert raised.value.code == code


def test_create_invitations_rerun_adds_only_what_is_missing(manager_user, django_capture_on_commit_callbacks):
    session = TrainingSessionFactory()
    agency = AgencyFactory()
    OfficerFactory.create_batch(2, agency=agency)
    with django_capture_on_commit_callbacks(execute=True):
        services.create_invitations(session=session, by=manager_user, agency_ids=[agency.pk])
    OfficerFactory(agency=agency)

    with django_capture_on_commit_callbacks(execute=True):
        created = services.create_invitations(session=session, by=manager_user, agency_ids=[agency.pk])

    assert created == 1
    assert Invitation.objects.count() == 3
    assert OutboundMessage.objects.filter(kind="invitation").count() == 3
    assert len(mail.outbox) == 3


@pytest.mark.parametrize(
    ("language", "subject", "button"),
    [
        ("en", "You are invited: {title}", "Accept or decline"),
        ("es", "Invitación: {title}", "Aceptar o rechazar"),
        ("fr", "Invitation : {title}", "Accepter ou refuser"),
    ],
)
def test_create_invitations_message_is_in_the_invitee_language(manager_user, language, subject, button):
    session = TrainingSessionFactory()
    officer = OfficerFactory(preferred_language=language)

    services.create_invitations(session=session, by=manager_user, agency_ids=[officer.agency_id])

    message = OutboundMessage.objects.get(kind="invitation")
    assert message.subject == subject.format(title=session.title)
    assert button in message.body_text
    assert message.language == language
    assert message.recipient == officer.user.email
    assert f'<html lang="{language}">' in message.body_html
    assert message.related_object == Invitation.objects.get()
    assert message.idempotency_key == f"invitation:{Invitation.objects.get().pk}"


def test_invitation_email_does_not_carry_the_meeting_link(manager_user):
    session = TrainingSessionFactory(meeting_url="https://meet.example.org/secret-room")

    services.create_invitations(session=session, by=manager_user, pasted="a@example.org, " + AgencyFactory().acronym)

    message = OutboundMessage.objects.get(kind="invitation")
    assert "secret-room" not in message.body_text
    assert "secret-room" not in message.body_html


def test_send_invitations_task_with_missing_request_does_nothing():
    assert send_invitations(request_id=999999) == 0
    assert Invitation.objects.count() == 0


def test_send_invitations_task_for_session_closed_meanwhile_does_nothing(manager_user):
    session = TrainingSessionFactory(status=TrainingSession.Status.CANCELLED)
    request = InvitationRequest.objects.create(session=session, agency_ids=[AgencyFactory().pk])

    assert send_invitations(request_id=request.pk) == 0
    assert Invitation.objects.count() == 0
    request.refresh_from_db()
    assert request.processed_at is not None


# --- State shown in the admin ---


def test_invitation_state_follows_its_message():
    invitation = InvitationFactory()
    assert state_of(invitation) == "pending"
    message = OutboundMessage.objects.create(
        kind="invitation",
        recipient=invitation.email,
        subject="s",
        body_text="b",
        idempotency_key=f"invitation:{invitation.pk}",
        related_type=ContentType.objects.get_for_model(Invitation),
        related_id=invitation.pk,
    )
    assert state_of(invitation) == "pending"

    message.status = OutboundMessage.Status.SENT
    message.save()
    assert state_of(invitation) == "sent"

    message.status = OutboundMessage.Status.FAILED
    message.save()
    assert state_of(invitation) == "failed"


def test_invitation_state_expires_when_registration_closes():
    session = TrainingSessionFactory(registration_closes_at=timezone.now() + timedelta(days=1))
    invitation = InvitationFactory(session=session)

    with time_machine.travel(timezone.now() + timedelta(days=1, seconds=1)):
        assert state_of(invitation) == "expired"


def test_invitation_state_answers_are_kept_after_expiry():
    session = TrainingSessionFactory(status=TrainingSession.Status.COMPLETED)
    accepted = InvitationFactory(session=session, status=Invitation.Status.ACCEPTED)
    declined = InvitationFactory(session=session, status=Invitation.Status.DECLINED)
    pending = InvitationFactory(session=session)

    assert [state_of(accepted), state_of(declined), state_of(pending)] == ["accepted", "declined", "expired"]


# --- The RSVP page ---


def url(invitation):
    return reverse("invitation", args=[invitation.token])


def test_invitation_page_unknown_token_is_404(client):
    assert client.get("/invitations/nope/").status_code == 404


def test_invitation_page_shows_accept_and_decline_in_invitee_language(client):
    invitation = InvitationFactory(language="fr")

    response = client.get(url(invitation))

    assert response.status_code == 200
    assert response.templates[0].name == "invitations/landing.html"
    assert '<html lang="fr">' in response.content.decode()
    assert "Accepter" in response.content.decode()
    assert b'value="accept"' in response.content
    assert b'value="decline"' in response.content


def test_invitation_decline_is_recorded_without_login(client):
    invitation = InvitationFactory()

    response = client.post(url(invitation), {"action": "decline"})

    invitation.refresh_from_db()
    assert response.status_code == 200
    assert invitation.status == Invitation.Status.DECLINED
    assert invitation.responded_at is not None
    assert state_of(invitation) == "declined"


def test_invitation_link_works_once(client):
    invitation = InvitationFactory()
    client.post(url(invitation), {"action": "decline"})

    response = client.post(url(invitation), {"action": "decline"})

    assert response.status_code == 409
    assert response.context["error"] == "This invitation has already been answered."
    assert b'value="accept"' not in response.content


def test_invitation_accept_anonymous_goes_to_signup_with_email_and_next(client):
    invitation = InvitationFactory(email="ana@policia.gob.mx")

    response = client.post(url(invitation), {"action": "accept"})

    next_url = url(invitation).replace("/", "%2F")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/signup/?email=ana%40policia.gob.mx&next={next_url}"
    assert client.session["account_verified_email"] == "ana@policia.gob.mx"
    assert Invitation.objects.get().status == Invitation.Status.PENDING


def test_invitation_accept_anonymous_with_account_goes_to_login(client):
    UserFactory(email="ana@policia.gob.mx")
    invitation = InvitationFactory(email="ana@policia.gob.mx")

    response = client.post(url(invitation), {"action": "accept"})

    assert response["Location"].startswith("/accounts/login/?email=ana%40policia.gob.mx&next=")


def test_invitation_accept_logged_in_officer_registers_from_invitation(client, django_capture_on_commit_callbacks):
    officer = OfficerFactory()
    invitation = InvitationFactory(email=officer.user.email)
    client.force_login(officer.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(invitation), {"action": "accept"})

    registration = Registration.objects.get()
    invitation.refresh_from_db()
    assert response.status_code == 200
    assert (registration.officer, registration.status, registration.source) == (officer, "confirmed", "invitation")
    assert (invitation.status, invitation.officer) == (Invitation.Status.ACCEPTED, officer)
    assert [m.to for m in mail.outbox] == [[officer.user.email]]


def test_invitation_accept_full_session_puts_officer_on_waitlist(client):
    session = TrainingSessionFactory(capacity=1)
    RegistrationFactory(session=session)
    officer = OfficerFactory()
    invitation = InvitationFactory(session=session, email=officer.user.email)
    client.force_login(officer.user)

    response = client.post(url(invitation), {"action": "accept"})

    assert response.context["registration"].status == Registration.Status.WAITLISTED
    assert response.context["waitlist_position"] == 1


def test_invitation_accept_opens_a_restricted_session_to_the_invitee():
    session = TrainingSessionFactory(audience=TrainingSession.Audience.RESTRICTED)
    officer = OfficerFactory()
    invitation = InvitationFactory(session=session, email=officer.user.email)

    registration = services.accept_invitation(invitation=invitation, officer=officer)

    assert registration.status == Registration.Status.CONFIRMED


def test_invitation_accept_by_another_account_is_refused(client):
    invitation = InvitationFactory(email="ana@policia.gob.mx")
    client.force_login(OfficerFactory().user)

    response = client.post(url(invitation), {"action": "accept"})

    assert response.status_code == 409
    assert response.context["error"] == (
        "This invitation was sent to another email address. Log in with that address to accept it."
    )
    assert Registration.objects.count() == 0


def test_invitation_accept_unverified_officer_keeps_invitation_open(client):
    officer = OfficerFactory(verification_status=Officer.Verification.PENDING)
    invitation = InvitationFactory(email=officer.user.email)
    client.force_login(officer.user)

    response = client.post(url(invitation), {"action": "accept"})

    assert response.status_code == 409
    assert response.context["error"] == "Your affiliation has not been verified yet, so you cannot register."
    assert Invitation.objects.get().status == Invitation.Status.PENDING


def test_invitation_accept_already_registered_marks_accepted():
    officer = OfficerFactory()
    registration = RegistrationFactory(officer=officer)
    invitation = InvitationFactory(session=registration.session, email=officer.user.email)

    assert services.accept_invitation(invitation=invitation, officer=officer) == registration
    assert Invitation.objects.get().status == Invitation.Status.ACCEPTED


def test_invitation_accept_after_registration_closed_is_refused(client):
    session = TrainingSessionFactory(registration_closes_at=timezone.now() + timedelta(hours=1))
    officer = OfficerFactory()
    invitation = InvitationFactory(session=session, email=officer.user.email)
    client.force_login(officer.user)

    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        page = client.get(url(invitation))
        response = client.post(url(invitation), {"action": "accept"})

    assert page.context["state"] == "expired"
    assert b'value="accept"' not in page.content
    assert response.status_code == 409
    assert response.context["error"] == "This invitation has expired: registration is closed."


def test_invitation_staff_without_officer_profile_cannot_accept(client):
    staff = ManagerFactory(email="boss@trainingops.example")
    invitation = InvitationFactory(email=staff.email)
    client.force_login(staff)

    response = client.post(url(invitation), {"action": "accept"})

    assert response.status_code == 409
    assert Registration.objects.count() == 0


def test_invitation_unknown_action_is_a_clear_400(client):
    response = client.post(url(InvitationFactory()), {"action": "maybe"})

    assert response.status_code == 400
    assert response.context["error"] == "Choose accept or decline."


def test_invitation_fan_out_renders_exactly_like_one_by_one(manager_user):
    """The shared rendering of a fan-out gives each invitee the same email as rendering it alone."""
    from messaging.services import render_message
    from sessions.notifications import invitation_url

    session = TrainingSessionFactory(title="Crypto & AML: “tracing” <basics>")
    agency = AgencyFactory(acronym="PF")
    for language in ("en", "es", "fr"):
        OfficerFactory(agency=agency, preferred_language=language, user__first_name="Zoë", user__last_name="O'Brien")
    services.create_invitations(session=session, by=manager_user, agency_ids=[agency.pk], pasted="x@pf.gov.br, PF")

    for message in OutboundMessage.objects.filter(kind="invitation"):
        invitation = message.related_object
        officer_name = invitation.officer.user.get_full_name() if invitation.officer else ""
        context = {
            "session": session,
            "session_url": f"https://training.example.org/sessions/{session.pk}/",
            "registration_closes_at": session.effective_registration_closes_at,
            "meeting_url": "",
            "officer_name": officer_name,
            "rsvp_url": invitation_url(invitation),
        }
        alone = render_message(kind="invitation", language=message.language, context=context)
        assert (message.subject, message.body_text, message.body_html) == alone
    assert OutboundMessage.objects.get(recipient="x@pf.gov.br").body_text.startswith("Hello,\n")


def test_plain_text_parts_are_not_html_escaped(manager_user):
    session = TrainingSessionFactory(title="Crypto & AML: officers' day")

    services.create_invitations(session=session, by=manager_user, pasted="x@example.org, " + AgencyFactory().acronym)

    message = OutboundMessage.objects.get()
    assert message.subject == "You are invited: Crypto & AML: officers' day"
    assert "Crypto & AML: officers' day" in message.body_text
    assert "Crypto &amp; AML: officers&#x27; day" in message.body_html


def test_invitation_accept_login_page_has_the_invited_address_filled_in(client):
    UserFactory(email="ana@policia.gob.mx")
    invitation = InvitationFactory(email="ana@policia.gob.mx")

    response = client.post(url(invitation), {"action": "accept"}, follow=True)

    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert response.context["form"]["login"].value() == "ana@policia.gob.mx"


def test_login_page_without_an_address_leaves_the_field_empty(client):
    response = client.get("/accounts/login/")

    assert response.context["form"]["login"].value() is None


def test_invitation_accepted_before_sign_in_registers_on_return_without_a_second_click(client):
    officer = OfficerFactory(user__email="ana@policia.gob.mx")
    invitation = InvitationFactory(email="ana@policia.gob.mx")
    client.post(url(invitation), {"action": "accept"})
    # allauth's login keeps the anonymous session's data (as after sign-up).
    client.force_login(officer.user)

    response = client.get(url(invitation))

    assert response.status_code == 200
    assert response.context["registration"] == Registration.objects.get(officer=officer)
    assert Invitation.objects.get().status == Invitation.Status.ACCEPTED
    assert "invitation_to_accept" not in client.session


def test_invitation_page_signed_in_without_pressing_accept_registers_nobody(client):
    officer = OfficerFactory(user__email="ana@policia.gob.mx")
    invitation = InvitationFactory(email="ana@policia.gob.mx")
    client.force_login(officer.user)

    response = client.get(url(invitation))

    assert response.context["registration"] is None
    assert not Registration.objects.exists()


def test_invitation_accept_remembered_for_another_invitation_does_not_accept_this_one(client):
    officer = OfficerFactory(user__email="ana@policia.gob.mx")
    accepted = InvitationFactory(email="ana@policia.gob.mx")
    other = InvitationFactory(email="ana@policia.gob.mx")
    client.post(url(accepted), {"action": "accept"})
    client.force_login(officer.user)

    client.get(url(other))

    assert not Registration.objects.exists()
    assert client.session["invitation_to_accept"] == accepted.token


def test_invitation_accept_shows_account_pages_in_the_invitation_language(client):
    invitation = InvitationFactory(email="luis@policia.gob.mx", language="es")

    response = client.post(url(invitation), {"action": "accept"}, follow=True)

    assert response.redirect_chain[-1][0].startswith("/accounts/signup/")
    assert response.context["LANGUAGE_CODE"] == "es"
    assert response.context["form"]["email"].value() == "luis@policia.gob.mx"


def test_invitation_accept_keeps_the_language_this_browser_chose(client):
    invitation = InvitationFactory(email="luis@policia.gob.mx", language="es")
    client.cookies["django_language"] = "fr"

    response = client.post(url(invitation), {"action": "accept"}, follow=True)

    assert response.context["LANGUAGE_CODE"] == "fr"
