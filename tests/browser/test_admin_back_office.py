"""The back office walked in Chromium: approving officers, inviting, attendance, messages, survey results."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from agencies.models import Officer
from messaging.models import OutboundMessage
from sessions.models import Attendance, Invitation, Registration, SurveyResponse, TrainingSession
from tests.browser.helpers import emails_to, link_in, sign_in, verified_user
from tests.factories import (
    AgencyEmailDomainFactory,
    AgencyFactory,
    CountryFactory,
    ManagerFactory,
    OfficerFactory,
    OutboundMessageFactory,
    RegistrationFactory,
    SessionTrainerFactory,
    SurveyFactory,
    SurveyResponseFactory,
    TopicFactory,
    TrainerFactory,
    TrainingSessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def manager(roles):
    return verified_user(ManagerFactory(email="lead@trainingops.example", first_name="Maya", last_name="Lead"))


@pytest.fixture
def page(page):
    """The back office is used on desktop screens: wide enough for its changelists' columns."""
    page.set_viewport_size({"width": 1600, "height": 900})
    return page


def mail_count() -> int:
    return len(mail.outbox)


def run_action(page, action: str, *object_ids) -> None:
    """Tick rows of a changelist, pick an action and press Go."""
    for object_id in object_ids:
        page.check(f"input[name=_selected_action][value='{object_id}']")
    page.select_option("select[name=action]", action)
    page.click("button[name=index]")


def test_manager_approves_a_pending_officer_who_is_emailed(page, screenshot, manager):
    agency = AgencyFactory(name="Policía Federal Ministerial", acronym="PFM", country=CountryFactory(code="MX"))
    pending = OfficerFactory(
        user=UserFactory(email="ana.lopez@gmail.example", first_name="Ana", last_name="López"),
        agency=agency,
        verification_status=Officer.Verification.PENDING,
        verified_at=None,
    )
    OfficerFactory(agency=agency)  # already verified: not in the pending list

    sign_in(page, manager.email, next_url="/admin/")
    page.get_by_role("link", name="Officers", exact=True).click()
    page.locator("#changelist-filter").get_by_role("link", name="Pending").click()
    page.wait_for_url(re.compile(r"verification_status__exact=pending"))
    assert page.locator("#result_list tbody tr").count() == 1
    run_action(page, "approve_selected", pending.pk)
    page.wait_for_selector(".messagelist .success")

    assert page.inner_text(".messagelist .success") == "1 officer approved and notified."
    pending.refresh_from_db()
    assert (pending.verification_status, pending.verified_by) == (Officer.Verification.VERIFIED, manager)
    (message,) = emails_to("ana.lopez@gmail.example")
    assert message.subject == "Your affiliation is confirmed: you can now register for trainings"
    assert message.body.startswith("Hello Ana,")
    sessions_link = link_in(message, r"/sessions/")
    assert sessions_link == f"{page.url.split('/admin/')[0]}/sessions/"
    screenshot(page, "admin_officer_approved")


def test_manager_erases_an_officer_who_asked_and_the_seat_goes_to_the_waitlist(page, screenshot, manager):
    agency = AgencyFactory(name="Policía Federal Ministerial", acronym="PFM", country=CountryFactory(code="MX"))
    leaving = OfficerFactory(
        user=UserFactory(email="ana.lopez@policia.example", first_name="Ana", last_name="López"), agency=agency
    )
    session = TrainingSessionFactory(title="Tracing illicit funds", capacity=1)
    RegistrationFactory(session=session, officer=leaving)
    waiting = RegistrationFactory(
        session=session,
        officer=OfficerFactory(user=UserFactory(email="luis@policia.example"), agency=agency),
        status=Registration.Status.WAITLISTED,
        waitlist_position=1,
    )

    sign_in(page, manager.email, next_url="/admin/agencies/officer/")
    run_action(page, "erase_selected", leaving.pk)
    page.wait_for_selector("#officers-to-erase")
    assert (
        page.inner_text("#officers-to-erase")
        == "Ana López <ana.lopez@policia.example>, Policía Federal Ministerial (PFM)"
    )
    screenshot(page, "admin_officer_erase_confirmation")
    page.get_by_role("button", name="Yes, I’m sure").click()
    page.wait_for_selector(".messagelist .success")

    assert page.inner_text(".messagelist .success") == "1 officer erased."
    assert not Officer.objects.filter(pk=leaving.pk).exists()
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED
    assert [message.subject for message in emails_to("luis@policia.example")] == [
        "A seat is yours: Tracing illicit funds"
    ]
    assert emails_to("ana.lopez@policia.example") == []
    screenshot(page, "admin_officer_erased")


def test_invite_officers_action_form_reports_new_skipped_and_invalid(page, screenshot, manager):
    policia = AgencyFactory(name="Policía Federal Ministerial", acronym="PFM", country=CountryFactory(code="MX"))
    AgencyEmailDomainFactory(agency=policia, domain="policia.gob.mx")
    gendarmerie = AgencyFactory(name="Gendarmerie nationale", acronym="GN", country=CountryFactory(code="FR"))
    OfficerFactory(user=UserFactory(email="claire@gendarmerie.example"), agency=gendarmerie, preferred_language="fr")
    session = TrainingSessionFactory(title="Tracing illicit funds")
    TrainingSessionFactory(title="Another session")

    sign_in(page, manager.email, next_url="/admin/training/trainingsession/")
    run_action(page, "invite_officers", session.pk)
    page.wait_for_url(f"**/admin/training/invitation/invite/{session.pk}/")
    assert page.inner_text("h1") == "Invite officers to Tracing illicit funds"

    # The agency picker: filter, choose, move across.
    page.fill("#id_agencies_input", "Gendarmerie")
    page.select_option("#id_agencies_from", label="Gendarmerie nationale (GN)")
    page.click("#id_agencies_add")
    # The picker is laid out as the admin draws it: its label, then available and chosen side by side.
    picker = page.locator(".form-row", has=page.locator("#id_agencies_from"))
    label = picker.locator("label", has_text="Officers of these agencies").bounding_box()
    available = picker.locator(".selector-available").bounding_box()
    chosen = picker.locator(".selector-chosen").bounding_box()
    assert label["x"] + label["width"] <= available["x"]
    assert available["x"] + available["width"] < chosen["x"]
    assert available["y"] == chosen["y"]
    page.fill("#id_emails", "ana@policia.gob.mx\nnot-an-address\nana@policia.gob.mx")
    page.get_by_role("button", name="Preview").click()
    page.wait_for_selector("#invitation-preview")
    assert mail_count() == 0
    assert page.locator("#invitation-preview tbody tr").all_inner_texts() == [
        "1\tana@policia.gob.mx\t\tana@policia.gob.mx\tnew: will be invited",
        "2\tnot-an-address\t\t\tinvalid: not an email address",
        "3\tana@policia.gob.mx\t\tana@policia.gob.mx\tinvalid: duplicate: already on line 1 of the list",
        "—\t(chosen agency or country)\t\tclaire@gendarmerie.example\tnew: will be invited",
    ]
    page.get_by_role("button", name="Send 2 invitations").first.click()
    page.wait_for_selector("#invitation-report")

    report = page.inner_text("#invitation-report")
    assert "2 new invitations are being sent." in report
    assert "0 addresses skipped: already invited." in report
    assert "2 entries invalid, not invited." in report
    assert [m.subject for m in emails_to("ana@policia.gob.mx")] == ["You are invited: Tracing illicit funds"]
    assert [m.subject for m in emails_to("claire@gendarmerie.example")] == ["Invitation : Tracing illicit funds"]
    screenshot(page, "admin_invite_officers")

    # Previewed again: both are already invited, and there is nothing to send.
    page.get_by_role("button", name="Preview").click()
    page.wait_for_selector("#invitation-preview .invited:has-text('2 already invited')")
    assert page.get_by_role("button", name=re.compile("^Send")).count() == 0
    assert len(emails_to("ana@policia.gob.mx")) == 1

    page.get_by_role("link", name="See the invitations of this session").click()
    page.wait_for_url(re.compile(r"/admin/training/invitation/\?session__id__exact="))
    states = page.locator("#result_list tbody td.field-state_display").all_inner_texts()
    assert states == ["Sent", "Sent"]
    assert Invitation.objects.count() == 2


def test_trainer_takes_attendance_and_completes_the_session(page, screenshot, roles):
    trainer = TrainerFactory(
        user__email="lena@trainingops.example", user__first_name="Lena", user__last_name="Okonkwo"
    )  # a staff user in the Trainers group
    verified_user(trainer.user)
    starts = timezone.now() - timedelta(hours=4)
    session = TrainingSessionFactory(
        title="Tracing illicit funds", starts_at=starts, ends_at=starts + timedelta(hours=3)
    )
    SessionTrainerFactory(session=session, trainer=trainer)
    attendees = {
        status: RegistrationFactory(
            session=session, officer=OfficerFactory(user=UserFactory(email=f"{status}@policia.gob.mx"))
        )
        for status in ("present", "partial", "absent")
    }

    sign_in(page, "lena@trainingops.example", next_url=f"/admin/training/trainingsession/{session.pk}/change/")
    for status in attendees:
        row = page.locator("tr.form-row", has_text=f"{status}@policia.gob.mx")
        row.locator("select[name$=attendance_status]").select_option(status)
    page.locator("tr.form-row", has_text="partial@policia.gob.mx").locator("input[name$=attendance_note]").fill(
        "Left at the break"
    )
    # The form's times are the session's, so no "You are N hours ahead of server time" under them.
    assert page.locator("#id_starts_at_1").is_visible()
    assert page.locator(".timezonewarning").count() == 0
    screenshot(page, "admin_attendance_roll_call")
    page.click("input[name=_save]")
    page.wait_for_selector("text=was changed successfully")

    recorded = {a.registration_id: (a.status, a.note, a.recorded_by_id) for a in Attendance.objects.all()}
    assert recorded == {
        attendees["present"].pk: ("present", "", trainer.user.pk),
        attendees["partial"].pk: ("partial", "Left at the break", trainer.user.pk),
        attendees["absent"].pk: ("absent", "", trainer.user.pk),
    }

    run_action(page, "complete_sessions", session.pk)
    page.wait_for_selector(".messagelist .success")
    assert page.inner_text(".messagelist .success") == "“Tracing illicit funds” is marked completed."
    assert TrainingSession.objects.get().status == TrainingSession.Status.COMPLETED
    # Attendees (present or partial) get the survey; the absent officer does not.
    assert [m.subject for m in emails_to("present@policia.gob.mx")][-1].startswith("How was")
    assert len(emails_to("partial@policia.gob.mx")) == 1
    assert emails_to("absent@policia.gob.mx") == []
    screenshot(page, "admin_attendance_completed")


def test_message_log_lists_and_retries_failed_messages(page, screenshot, manager):
    session = TrainingSessionFactory(title="Tracing illicit funds")
    OutboundMessageFactory(
        kind="registration_confirmed",
        recipient="ana@policia.gob.mx",
        subject="Registration confirmed: Tracing illicit funds",
        status=OutboundMessage.Status.SENT,
        attempts=1,
        sent_at=timezone.now(),
        session=session,
    )
    failed = OutboundMessageFactory(
        kind="session_reminder",
        recipient="luis@policia.gob.mx",
        subject="Reminder: Tracing illicit funds",
        status=OutboundMessage.Status.FAILED,
        attempts=5,
        last_error="550 mailbox unavailable",
        session=session,
    )

    sign_in(page, manager.email, next_url="/admin/")
    page.locator("#messaging-outboundmessage").get_by_role("link", name="Outbound messages").click()
    page.wait_for_url("**/admin/messaging/outboundmessage/")
    assert page.locator("#result_list tbody tr").count() == 2
    page.locator("#changelist-filter").get_by_role("link", name="Failed").click()
    page.wait_for_url(re.compile(r"status__exact=failed"))
    assert page.locator("#result_list tbody td.field-recipient").all_inner_texts() == ["luis@policia.gob.mx"]

    run_action(page, "retry_messages", failed.pk)
    page.wait_for_selector(".messagelist li")
    assert page.inner_text(".messagelist li") == "1 message queued again."
    failed.refresh_from_db()
    assert failed.status == OutboundMessage.Status.SENT
    assert [m.subject for m in emails_to("luis@policia.gob.mx")] == ["Reminder: Tracing illicit funds"]
    screenshot(page, "admin_message_log")


def test_survey_results_per_session_and_per_trainer(page, screenshot, manager):
    trainer = TrainerFactory(user=UserFactory(first_name="Lena", last_name="Okonkwo"))
    session = TrainingSessionFactory(title="Tracing illicit funds", status=TrainingSession.Status.COMPLETED)
    SessionTrainerFactory(session=session, trainer=trainer)
    survey = SurveyFactory(session=session)
    aml = TopicFactory(slug="aml", name="Anti-money-laundering")
    answers = [(5, 4, 5, 10, "Excellent case studies."), (3, 4, 4, 6, "Too fast.")]
    for overall, usefulness, trainer_rating, recommend, comment in answers:
        response = SurveyResponseFactory(
            survey=survey,
            registration=RegistrationFactory(session=session),
            overall_rating=overall,
            usefulness_rating=usefulness,
            trainer_rating=trainer_rating,
            recommend_score=recommend,
            comments=comment,
            submitted_at=timezone.now(),
        )
        response.topics_wanted.add(aml)
    SurveyResponseFactory(survey=survey, registration=RegistrationFactory(session=session))  # not answered

    sign_in(page, manager.email, next_url="/admin/training/survey/")
    row = page.locator("#result_list tbody tr", has_text="Tracing illicit funds")
    assert row.locator("td.field-response_rate").inner_text() == "66.7 %"  # as on the results page
    assert row.locator("td.field-average_overall").inner_text() == "4.00"
    assert row.locator("td.field-recommend_score").inner_text() == "0"
    row.get_by_role("link", name="Results").click()
    page.wait_for_url(f"**/admin/training/survey/{survey.pk}/results/")

    summary = dict(line.split("\t") for line in page.inner_text("#survey-summary").splitlines())
    assert summary == {
        "Surveys sent": "3",
        "Answers": "2",
        "Response rate": "66.7 %",
        "Overall (1–5)": "4.0",
        "Usefulness (1–5)": "4.0",
        "Trainers (1–5)": "4.5",
        "Recommend score (NPS, −100 to 100)": "0",
    }
    assert page.locator("main ul").first.inner_text() == "Anti-money-laundering: 2"
    assert sorted(page.locator("ul.comments li").all_inner_texts()) == ["Excellent case studies.", "Too fast."]
    screenshot(page, "admin_survey_results")

    page.goto("/admin/training/survey/")
    page.get_by_role("link", name="Results per trainer").click()
    page.wait_for_url("**/admin/training/survey/trainers/")
    assert page.locator("#trainer-results tbody tr").all_inner_texts() == [
        "Lena Okonkwo\t3\t2\t66.7 %\t4.0\t4.0\t4.5\t0"
    ]
    assert SurveyResponse.objects.filter(submitted_at__isnull=False).count() == 2
