"""Erasing an officer leaves nothing that names them, frees their seats and keeps the program's counts."""

import json
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast
from django.utils import timezone

from agencies import services
from agencies.models import Officer
from messaging.models import OutboundMessage
from reports.selectors import yearly_report
from sessions import services as session_services
from sessions.models import Attendance, Registration, SurveyResponse, TrainingSession
from sessions.services.certificates import issue_certificate
from tests.factories import (
    AgencyEmailDomainFactory,
    OfficerFactory,
    SessionTrainerFactory,
    TrainingSessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

FIRST_NAME, OLD_LAST_NAME, LAST_NAME = "Zephyrine", "Brackenwood", "Quillfeather"
EMAIL, OTHER_EMAIL = "zephyrine.quillfeather@policia.gob.mx", "zq.private@example.net"
JOB_TITLE = "Chief Cryptotracer"
EVERYTHING_THAT_NAMES_HER = (FIRST_NAME, OLD_LAST_NAME, LAST_NAME, EMAIL, OTHER_EMAIL, JOB_TITLE)


def rows_mentioning(*needles: str) -> list[tuple[str, str, object]]:
    """(model, field, pk) of each text value, in every model's table (historical ones too), holding a needle."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField | models.JSONField):
                continue
            rows = model._base_manager.annotate(as_text=Cast(field.name, models.TextField()))
            matching = rows.filter(Q.create([("as_text__icontains", needle) for needle in needles], connector=Q.OR))
            found += [(model._meta.label, field.name, pk) for pk in matching.values_list("pk", flat=True)]
    return found


def upcoming_session(**fields) -> TrainingSession:
    session = TrainingSessionFactory(**fields)
    SessionTrainerFactory(session=session)
    return session


def register(session, officer) -> Registration:
    return session_services.register_officer(session=session, officer=officer, source=Registration.Source.PORTAL)


def move_to_the_past(session: TrainingSession, *, hours_ago: int) -> TrainingSession:
    starts_at = timezone.now() - timedelta(hours=hours_ago)
    TrainingSession.objects.filter(pk=session.pk).update(starts_at=starts_at, ends_at=starts_at + timedelta(hours=1))
    session.refresh_from_db()
    return session


def officer_who_did_everything(manager) -> tuple[Officer, dict]:
    """An officer who signed up, was approved, changed her profile, registered, attended, walked in,
    answered a survey, got a certificate, was invited twice, holds a seat and a waitlist place, and
    was emailed about each of these; plus the officers queued behind her."""
    domain = AgencyEmailDomainFactory(domain="policia.gob.mx")
    user = UserFactory(email=EMAIL, first_name=FIRST_NAME, last_name=OLD_LAST_NAME)
    EmailAddress.objects.update_or_create(user=user, email=EMAIL, defaults={"primary": True, "verified": True})
    EmailAddress.objects.create(user=user, email=OTHER_EMAIL, verified=True)
    officer = OfficerFactory(user=user, agency=domain.agency, verification_status=Officer.Verification.PENDING)
    services.approve_officers(officers=[officer], by=manager)
    officer = services.update_officer_profile(
        officer=officer,
        first_name=FIRST_NAME,
        last_name=LAST_NAME,
        job_title=JOB_TITLE,
        preferred_language="en",
        agency=domain.agency,
    )

    held = upcoming_session(capacity=10)
    attended = register(held, officer)
    attended.session = held = move_to_the_past(held, hours_ago=3)
    session_services.record_attendance(
        registration=attended, status="present", by=manager, note=f"{FIRST_NAME} {LAST_NAME} came late"
    )
    session_services.complete_session(session=held, by=manager)
    session_services.submit_survey_response(
        response=SurveyResponse.objects.get(registration=attended),
        overall_rating=5,
        usefulness_rating=4,
        trainer_rating=5,
        recommend_score=9,
        comments=f"Great day. {FIRST_NAME} {LAST_NAME}, {JOB_TITLE}",
    )
    issue_certificate(registration=attended)
    roll_call = json.dumps([{"changed": {"name": "registration", "object": str(attended), "fields": ["Attendance"]}}])
    LogEntry.objects.create(
        user=manager,
        content_type=ContentType.objects.get_for_model(TrainingSession),
        object_id=str(held.pk),
        object_repr=str(held),
        action_flag=CHANGE,
        change_message=roll_call,
    )
    LogEntry.objects.log_actions(
        user_id=manager.pk, queryset=[officer], action_flag=CHANGE, change_message="Changed job title."
    )

    under_way = move_to_the_past(upcoming_session(), hours_ago=1)
    session_services.record_walk_in(
        session=under_way, officer=officer, status="present", by=manager, note=f"{FIRST_NAME} had no seat"
    )

    with_her_seat = upcoming_session(capacity=1)
    session_services.create_invitations(session=with_her_seat, by=manager, pasted=EMAIL)
    register(with_her_seat, officer)
    next_in_line = OfficerFactory(agency=domain.agency)
    register(with_her_seat, next_in_line)

    with_her_waitlist_place = upcoming_session(capacity=1)
    session_services.create_invitations(
        session=with_her_waitlist_place, by=manager, pasted=f"{OTHER_EMAIL}, {domain.agency.acronym}"
    )
    seated = OfficerFactory(agency=domain.agency)
    register(with_her_waitlist_place, seated)
    register(with_her_waitlist_place, officer)
    return officer, {
        "held": held,
        "under_way": under_way,
        "with_her_seat": with_her_seat,
        "next_in_line": next_in_line,
        "with_her_waitlist_place": with_her_waitlist_place,
        "seated": seated,
    }


def status_of(session, officer) -> str:
    return Registration.objects.get(session=session, officer=officer).status


def test_erase_officer_who_did_everything_leaves_no_trace_keeps_counts_and_frees_her_seat(
    manager_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        officer, world = officer_who_did_everything(manager_user)
    years = sorted({world["held"].starts_at.year, world["under_way"].starts_at.year})
    reports_before = [yearly_report(year=year) for year in years]
    mail.outbox.clear()
    assert len(rows_mentioning(*EVERYTHING_THAT_NAMES_HER)) > 20

    with django_capture_on_commit_callbacks(execute=True):
        services.erase_officer(officer=officer, by=officer.user)

    assert rows_mentioning(*EVERYTHING_THAT_NAMES_HER) == []
    reports_after = [yearly_report(year=year) for year in years]
    assert [(r.current, r.previous, r.breakdowns) for r in reports_after] == [
        (r.current, r.previous, r.breakdowns) for r in reports_before
    ]
    assert (
        status_of(world["with_her_seat"], world["next_in_line"]),
        status_of(world["with_her_waitlist_place"], world["seated"]),
    ) == (Registration.Status.CONFIRMED, Registration.Status.CONFIRMED)
    assert [(message.to, message.subject) for message in mail.outbox] == [
        ([world["next_in_line"].user.email], f"A seat is yours: {world['with_her_seat'].title}")
    ]


def test_erase_officer_cancels_upcoming_registrations_silently_and_keeps_past_attendance(
    manager_user, django_capture_on_commit_callbacks
):
    officer = OfficerFactory()
    seat = register(upcoming_session(capacity=5), officer)
    held = upcoming_session()
    attended = register(held, officer)
    attended.session = move_to_the_past(held, hours_ago=2)
    session_services.record_attendance(registration=attended, status="partial", by=manager_user)

    with django_capture_on_commit_callbacks(execute=True):
        services.erase_officer(officer=officer, by=officer.user)

    seat.refresh_from_db()
    attended.refresh_from_db()
    assert (seat.officer, seat.status, seat.officer_key) == (None, Registration.Status.CANCELLED, officer.uuid)
    assert (attended.officer, attended.status, attended.attendance.status) == (
        None,
        Registration.Status.CONFIRMED,
        Attendance.Status.PARTIAL,
    )
    assert (mail.outbox, OutboundMessage.objects.filter(kind="registration_cancelled").count()) == ([], 0)


def test_erase_officer_clears_history_of_registrations_and_attendance(manager_user):
    officer = OfficerFactory()
    held = upcoming_session()
    registration = register(held, officer)
    registration.session = move_to_the_past(held, hours_ago=2)
    attendance = session_services.record_attendance(
        registration=registration, status="present", by=manager_user, note="Sat next to the door"
    )

    services.erase_officer(officer=officer, by=officer.user)

    assert set(registration.history.values_list("officer_id", flat=True)) == {None}
    assert set(attendance.history.values_list("note", flat=True)) == {""}


def test_erase_officer_by_manager_is_logged_by_number_only(manager_user):
    officer = OfficerFactory()

    services.erase_officer(officer=officer, by=manager_user)

    entry = LogEntry.objects.get()
    assert (entry.user, entry.object_id, entry.object_repr, entry.action_flag, entry.change_message) == (
        manager_user,
        str(officer.pk),
        f"officer #{officer.pk}",
        DELETION,
        "Account and personal data erased on request.",
    )


@pytest.mark.parametrize("by", ["another_officer", "trainer"])
def test_erase_officer_by_someone_else_is_refused(by, trainer):
    officer = OfficerFactory()
    someone = OfficerFactory().user if by == "another_officer" else trainer.user

    with pytest.raises(services.OfficerError) as error:
        services.erase_officer(officer=officer, by=someone)

    assert str(error.value) == "Only the officer themselves or a manager may erase this account."
    assert Officer.objects.filter(pk=officer.pk).exists()


def test_erase_officer_voids_an_unanswered_survey_link(client, manager_user):
    officer = OfficerFactory()
    held = upcoming_session()
    attended = register(held, officer)
    attended.session = move_to_the_past(held, hours_ago=2)
    session_services.record_attendance(registration=attended, status="present", by=manager_user)
    session_services.complete_session(session=attended.session, by=manager_user)
    link = f"/surveys/{SurveyResponse.objects.get(registration=attended).token}/"
    assert client.get(link).status_code == 200

    services.erase_officer(officer=officer, by=officer.user)

    assert client.get(link).status_code == 404


def test_erase_officer_drops_their_line_from_a_pending_invitation_request(manager_user):
    from sessions.models import InvitationRequest

    officer = OfficerFactory(user=UserFactory(email="gone@policia.gob.mx"))
    request = InvitationRequest.objects.create(
        session=upcoming_session(), pasted="kept@policia.gob.mx, PF\nGone@policia.gob.mx, PF"
    )

    services.erase_officer(officer=officer, by=manager_user)

    request.refresh_from_db()
    assert request.pasted == "kept@policia.gob.mx, PF"


def test_erase_officer_drops_only_their_entry_from_a_pasted_outlook_line(manager_user):
    from sessions.models import InvitationRequest

    officer = OfficerFactory(user=UserFactory(email="gone@policia.gob.mx"))
    request = InvitationRequest.objects.create(
        session=upcoming_session(),
        pasted='"López, Ana" <ana@policia.gob.mx>; "Gone, Person" <GONE@policia.gob.mx>, PF; bob@x.org, PF',
    )

    services.erase_officer(officer=officer, by=manager_user)

    request.refresh_from_db()
    assert request.pasted == '"López, Ana" <ana@policia.gob.mx>; bob@x.org; PF'


def test_erase_officer_clears_the_words_of_their_training_requests_and_keeps_them_counted(manager_user):
    from agencies.models import TrainingRequest
    from tests.factories import TrainingRequestFactory

    officer = OfficerFactory()
    request = TrainingRequestFactory(agency=officer.agency, requested_by=officer.user, notes="Call Ana López on 555")

    services.erase_officer(officer=officer, by=manager_user)

    request.refresh_from_db()
    assert (request.notes, request.requested_by_id) == ("", None)
    assert TrainingRequest.objects.count() == 1
    assert list(request.history.values_list("notes", "requested_by_id").distinct()) == [("", None)]


def test_erase_officer_clears_the_address_of_ended_nominations_and_keeps_them_counted(manager_user):
    from sessions.models import Nomination
    from tests.factories import FocalPointFactory

    focal = FocalPointFactory().officer
    sessions = [
        upcoming_session(registration_mode=TrainingSession.RegistrationMode.NOMINATION, capacity=5) for _ in range(3)
    ]
    for session in sessions:
        session_services.nominate(session=session, emails=[EMAIL], by=focal.user)
    expired, declined, withdrawn = Nomination.objects.order_by("pk")
    Nomination.objects.filter(pk=expired.pk).update(status=Nomination.Status.EXPIRED)
    session_services.decline_invitation(invitation=declined.invitation)
    session_services.withdraw_nomination(nomination=withdrawn, by=focal.user)
    officer = OfficerFactory(user=UserFactory(email=EMAIL), agency=focal.agency)
    assert rows_mentioning(EMAIL) != []

    services.erase_officer(officer=officer, by=manager_user)

    assert rows_mentioning(EMAIL) == []
    assert list(Nomination.objects.order_by("pk").values_list("status", "email", "agency")) == [
        (Nomination.Status.EXPIRED, "", focal.agency_id),
        (Nomination.Status.WITHDRAWN, "", focal.agency_id),
        (Nomination.Status.WITHDRAWN, "", focal.agency_id),
    ]


def test_erase_officer_releases_a_seat_still_held_for_their_address(manager_user):
    from sessions.models import Nomination
    from tests.factories import FocalPointFactory

    focal = FocalPointFactory().officer
    session = upcoming_session(registration_mode=TrainingSession.RegistrationMode.NOMINATION, capacity=1)
    session_services.nominate(session=session, emails=[EMAIL], by=focal.user)
    officer = OfficerFactory(user=UserFactory(email=EMAIL), agency=focal.agency)

    services.erase_officer(officer=officer, by=manager_user)

    assert list(Nomination.objects.values_list("status", "email")) == [(Nomination.Status.WITHDRAWN, "")]
    assert rows_mentioning(EMAIL) == []


def test_erase_officer_deletes_an_unconfirmed_meeting_report_that_lists_them_only(manager_user, trainer):
    from sessions.models import PendingMeetingReport

    header = "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes)"
    naming_her = f"{header}\r\n{FIRST_NAME} {LAST_NAME},{EMAIL.upper()},,,60".encode()
    by_name_only = f"{header}\r\n{FIRST_NAME.upper()}  {LAST_NAME.lower()},,,,60".encode()
    someone_else = f"{header}\r\nJean Dupont,jean@gendarmerie.example,,,60".encode()
    officer = OfficerFactory(user=UserFactory(email=EMAIL, first_name=FIRST_NAME, last_name=LAST_NAME))
    session = TrainingSessionFactory()
    for data in (naming_her, someone_else):
        session_services.keep_meeting_report(session=session, by=UserFactory(), data=data)
    session_services.keep_meeting_report(session=TrainingSessionFactory(), by=trainer.user, data=by_name_only)

    services.erase_officer(officer=officer, by=manager_user)

    assert [bytes(kept.data) for kept in PendingMeetingReport.objects.all()] == [someone_else]
