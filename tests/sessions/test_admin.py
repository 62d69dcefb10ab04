from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from messaging.models import OutboundMessage
from sessions.models import Attendance, Registration, SessionTrainer, TrainingSession
from tests.admin_forms import changeform_data
from tests.factories import (
    AttendanceFactory,
    CountryFactory,
    ManagerFactory,
    RegistrationFactory,
    SessionTrainerFactory,
    TopicFactory,
    TrainerFactory,
    TrainingSessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:training_trainingsession_changelist")
ADD = reverse("admin:training_trainingsession_add")


def change_url(session):
    return reverse("admin:training_trainingsession_change", args=[session.pk])


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def manager_client(client, manager_user):
    client.force_login(manager_user)
    return client


@pytest.fixture
def trainer_client(client, trainer):
    client.force_login(trainer.user)
    return client


def trained_session(trainer, **kwargs):
    session = TrainingSessionFactory(**kwargs)
    SessionTrainerFactory(session=session, trainer=trainer)
    return session


def add_form_data(**overrides):
    data = {
        "title_en": "Tracing illicit funds",
        "description_en": "",
        "format": TrainingSession.Format.VIRTUAL,
        "language": "es",
        "timezone": "America/Mexico_City",
        "starts_at_0": "2030-03-01",
        "starts_at_1": "09:00",
        "ends_at_0": "2030-03-01",
        "ends_at_1": "17:00",
        "registration_opens_at_0": "",
        "registration_opens_at_1": "",
        "registration_closes_at_0": "",
        "registration_closes_at_1": "",
        "reminder_offsets_hours": "",
        "venue": "",
        "city": "",
        "country": "",
        "meeting_url": "https://meet.example.org/tracing",
        "capacity": "30",
        "audience": TrainingSession.Audience.OPEN,
        "host_agency": "",
        "cancellation_reason": "",
        "session_trainers-TOTAL_FORMS": "1",
        "session_trainers-INITIAL_FORMS": "0",
        "session_trainers-MIN_NUM_FORMS": "0",
        "session_trainers-MAX_NUM_FORMS": "1000",
        "session_trainers-0-trainer": "",
        "session_trainers-0-role": SessionTrainer.Role.LEAD,
    }
    data.update(overrides)
    return data


def post_change(client, session, **overrides):
    page = client.get(change_url(session))
    assert page.status_code == 200
    return client.post(change_url(session), changeform_data(page, **overrides))


# --- Changelist ---


def test_changelist_manager_sees_every_session(manager_client):
    first, second = trained_session(TrainerFactory()), trained_session(TrainerFactory())

    response = manager_client.get(CHANGELIST)

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [first, second]


def test_changelist_trainer_sees_only_sessions_they_train(trainer_client, trainer):
    own = trained_session(trainer)
    trained_session(TrainerFactory())

    response = trainer_client.get(CHANGELIST)

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [own]


def test_changelist_shows_seats_and_waitlist(manager_client):
    session = TrainingSessionFactory(capacity=2)
    RegistrationFactory.create_batch(2, session=session)
    RegistrationFactory(session=session, status=Registration.Status.WAITLISTED, waitlist_position=1)
    RegistrationFactory(session=session, status=Registration.Status.CANCELLED)

    response = manager_client.get(CHANGELIST)

    row = response.context["cl"].result_list[0]
    assert (row.seats_taken, row.waitlist_length) == (2, 1)
    assert '<td class="field-seats_left">0</td>' in response.text
    assert '<td class="field-waitlist">1</td>' in response.text


def test_changelist_filters_by_trainer_and_upcoming(manager_client):
    trainer = TrainerFactory()
    upcoming = trained_session(trainer)
    trained_session(trainer, starts_at=timezone.now() - timedelta(days=3))
    trained_session(TrainerFactory())

    response = manager_client.get(CHANGELIST, {"trainer": trainer.pk, "when": "upcoming"})

    assert list(response.context["cl"].result_list) == [upcoming]


def test_changelist_searches_trainer_names(manager_client):
    trainer = TrainerFactory(user__last_name="Okonkwo")
    session = trained_session(trainer)
    SessionTrainerFactory(session=session)  # a second trainer must not duplicate the row
    trained_session(TrainerFactory(user__last_name="Smith"))

    response = manager_client.get(CHANGELIST, {"q": "okonkwo"})

    assert list(response.context["cl"].result_list) == [session]
    assert response.context["cl"].result_list[0].seats_taken == 0


def _populate(count, trainer=None):
    country = CountryFactory(code="MX")
    for index in range(count):
        session = TrainingSessionFactory(
            format=TrainingSession.Format.IN_PERSON, city="Mexico City", country=country, capacity=10
        )
        session.topics.add(TopicFactory(slug=f"topic-{index}"))
        SessionTrainerFactory(session=session, trainer=trainer or TrainerFactory())
        SessionTrainerFactory(session=session, role=SessionTrainer.Role.CO_TRAINER)
        RegistrationFactory(session=session)


@pytest.mark.parametrize("item_count", [1, 30])
@pytest.mark.parametrize("role", ["manager", "trainer"])
def test_changelist_query_count_does_not_grow_with_rows(client, django_assert_max_num_queries, item_count, role):
    user = ManagerFactory() if role == "manager" else TrainerFactory().user
    _populate(item_count, trainer=None if role == "manager" else user.trainer)
    client.force_login(user)

    with django_assert_max_num_queries(15):
        response = client.get(CHANGELIST)

    assert response.context["cl"].result_count == item_count


# --- Change form and scoping ---


def test_change_form_renders_for_manager(manager_client):
    session = trained_session(TrainerFactory())
    RegistrationFactory(session=session)

    response = manager_client.get(change_url(session))

    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][2].formset.total_form_count() == 1


@pytest.mark.parametrize("url", ["add", "change"])
def test_session_form_drops_the_server_time_note(manager_client, url):
    """Its times are in the session's zone: Django's "N hours ahead of server time" would mislead."""
    session = trained_session(TrainerFactory())
    target = reverse("admin:training_trainingsession_add") if url == "add" else change_url(session)

    content = manager_client.get(target).content.decode()

    assert '<script src="/static/training/session_form.js"></script>' in content


def test_change_form_renders_for_its_trainer(trainer_client, trainer):
    session = trained_session(trainer)

    response = trainer_client.get(change_url(session))

    assert response.status_code == 200
    assert response.context["has_change_permission"] is True


def test_trainer_refused_another_trainers_session(trainer_client):
    other = trained_session(TrainerFactory())

    page = trainer_client.get(change_url(other))
    post = trainer_client.post(change_url(other), {"title": "Taken over"})

    assert (page.status_code, page.url) == (302, reverse("admin:index"))
    assert post.status_code == 302
    other.refresh_from_db()
    assert other.title != "Taken over"


def test_trainer_edits_own_session_through_the_service(trainer_client, trainer):
    session = trained_session(trainer, capacity=10)

    response = post_change(trainer_client, session, title_en="Crypto tracing, advanced", capacity="12")

    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.title, session.capacity) == ("Crypto tracing, advanced", 12)


def test_manager_edits_any_session(manager_client):
    session = trained_session(TrainerFactory())

    response = post_change(manager_client, session, title_en="Renamed by the program lead")

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.title == "Renamed by the program lead"


def test_capacity_increase_in_admin_promotes_the_waitlist(manager_client):
    session = trained_session(TrainerFactory(), capacity=1)
    RegistrationFactory(session=session)
    waitlisted = RegistrationFactory(session=session, status=Registration.Status.WAITLISTED, waitlist_position=1)

    post_change(manager_client, session, capacity="2")

    waitlisted.refresh_from_db()
    assert waitlisted.status == Registration.Status.CONFIRMED


def test_schedule_change_in_admin_raises_sequence_and_notifies(manager_client):
    session = trained_session(TrainerFactory())
    registration = RegistrationFactory(session=session)

    post_change(manager_client, session, meeting_url="https://meet.example.org/new-room")

    session.refresh_from_db()
    assert session.sequence == 1
    assert list(OutboundMessage.objects.values_list("kind", "recipient")) == [
        ("session_updated", registration.officer.user.email)
    ]


def test_cancelled_session_is_view_only(manager_client):
    session = trained_session(TrainerFactory(), status=TrainingSession.Status.CANCELLED)

    page = manager_client.get(change_url(session))
    post = manager_client.post(change_url(session), {"title": "Back from the dead"})

    assert (page.status_code, page.context["has_change_permission"]) == (200, False)
    assert post.status_code == 403


def test_completed_session_keeps_attendance_editable_only(manager_client):
    session = trained_session(
        TrainerFactory(), status=TrainingSession.Status.COMPLETED, starts_at=timezone.now() - timedelta(days=1)
    )
    RegistrationFactory(session=session)

    page = manager_client.get(change_url(session))

    assert list(page.context["adminform"].form.fields) == []
    assert list(page.context["inline_admin_formsets"][2].formset.forms[0].fields) == [
        "attendance_status",
        "attendance_note",
        "id",
        "session",
    ]


def test_stale_form_of_session_completed_meanwhile_changes_nothing(manager_client):
    session = trained_session(TrainerFactory(), title="Before", starts_at=timezone.now() - timedelta(hours=5))
    page = manager_client.get(change_url(session))
    # Someone completes the session between the page load and the save.
    TrainingSession.objects.filter(pk=session.pk).update(status=TrainingSession.Status.COMPLETED)

    response = manager_client.post(change_url(session), changeform_data(page, title_en="Too late"))

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.title == "Before"


# --- Adding, time zones ---


def test_trainer_adds_session_and_becomes_its_lead_trainer(trainer_client, trainer):
    response = trainer_client.post(ADD, add_form_data())

    assert response.status_code == 302
    session = TrainingSession.objects.get()
    assert (session.status, session.created_by) == (TrainingSession.Status.DRAFT, trainer.user)
    assert list(session.session_trainers.values_list("trainer", "role")) == [(trainer.pk, SessionTrainer.Role.LEAD)]


def test_manager_adds_session_with_chosen_trainer(manager_client):
    chosen = TrainerFactory()

    manager_client.post(ADD, add_form_data(**{"session_trainers-0-trainer": str(chosen.pk)}))

    session = TrainingSession.objects.get()
    assert list(session.session_trainers.values_list("trainer", flat=True)) == [chosen.pk]


def test_add_form_stores_local_time_in_utc(manager_client):
    manager_client.post(ADD, add_form_data(timezone="America/Mexico_City", starts_at_1="09:00"))

    session = TrainingSession.objects.get()
    assert session.starts_at == datetime(2030, 3, 1, 15, 0, tzinfo=UTC)
    assert session.ends_at == datetime(2030, 3, 1, 23, 0, tzinfo=UTC)


def test_change_form_shows_times_in_session_zone_with_utc_help(manager_client):
    session = trained_session(
        TrainerFactory(),
        timezone="America/Mexico_City",
        starts_at=datetime(2030, 3, 1, 15, 0, tzinfo=UTC),
        ends_at=datetime(2030, 3, 1, 23, 0, tzinfo=UTC),
    )

    response = manager_client.get(change_url(session))

    form = response.context["adminform"].form
    assert form["starts_at"].value() == datetime(2030, 3, 1, 9, 0)  # noqa: DTZ001 (wall-clock time, deliberately naive)
    assert (
        form.fields["starts_at"].help_text == "In the session's time zone (America/Mexico_City); 2030-03-01 15:00 UTC."
    )
    assert 'name="starts_at_1" value="09:00:00"' in response.text


def test_unchanged_change_form_keeps_times(manager_client):
    session = trained_session(
        TrainerFactory(),
        timezone="America/Mexico_City",
        starts_at=datetime(2030, 3, 1, 15, 0, tzinfo=UTC),
        ends_at=datetime(2030, 3, 1, 23, 0, tzinfo=UTC),
    )

    post_change(manager_client, session)

    session.refresh_from_db()
    assert (session.starts_at, session.sequence) == (datetime(2030, 3, 1, 15, 0, tzinfo=UTC), 0)
    assert session.history.count() == 1  # nothing changed, nothing recorded


def test_add_form_refuses_time_skipped_by_clock_change(manager_client):
    response = manager_client.post(
        ADD,
        add_form_data(
            timezone="America/New_York", starts_at_0="2030-03-10", starts_at_1="02:30", ends_at_0="2030-03-10"
        ),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["starts_at"] == [
        "2030-03-10 02:30 does not exist in America/New_York: the clocks change at that hour."
    ]
    assert TrainingSession.objects.count() == 0


def test_add_form_refuses_end_before_start(manager_client):
    response = manager_client.post(ADD, add_form_data(ends_at_1="08:00"))

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == ["The session must end after it starts."]


# --- Double booking ---


def test_save_warns_when_trainer_is_double_booked_across_time_zones(manager_client):
    trainer = TrainerFactory(user__first_name="Ana", user__last_name="López")
    # 09:00-17:00 in Mexico City is 15:00-23:00 UTC; a Paris session at 16:00-18:00 UTC overlaps.
    trained_session(
        trainer,
        title="Paris seminar",
        timezone="Europe/Paris",
        starts_at=datetime(2030, 3, 1, 16, 0, tzinfo=UTC),
        ends_at=datetime(2030, 3, 1, 18, 0, tzinfo=UTC),
    )
    manager_client.cookies["tz"] = "Europe%2FParis"

    response = manager_client.post(ADD, add_form_data(**{"session_trainers-0-trainer": str(trainer.pk)}))

    other = TrainingSession.objects.get(title="Paris seminar")
    assert len(messages_of(response)) == 2  # the warning, then "added successfully"
    assert messages_of(response)[0] == (
        f'Double-booked with “<a href="{change_url(other)}">Paris seminar</a>” (1 Mar 17:00–19:00 (Paris)): '
        "trainer Ana López."
    )


def double_booking_warnings(response):
    return [message for message in messages_of(response) if message.startswith("Double-booked")]


def test_save_again_does_not_repeat_a_known_double_booking(manager_client):
    trainer = TrainerFactory()
    start = datetime(2030, 3, 1, 16, 0, tzinfo=UTC)
    trained_session(trainer, title="Paris seminar", starts_at=start, ends_at=start + timedelta(hours=2))
    session = trained_session(trainer, title="Lyon seminar", starts_at=start, ends_at=start + timedelta(hours=2))

    first = post_change(manager_client, session, title_en="Lyon seminar, day one")
    second = post_change(manager_client, session, title_en="Lyon seminar, day 1")

    assert (len(double_booking_warnings(first)), double_booking_warnings(second)) == (0, [])
    assert TrainingSession.objects.get(pk=session.pk).title == "Lyon seminar, day 1"


def test_save_warns_once_per_other_session_when_a_change_makes_trainers_and_venue_clash(manager_client):
    ana = TrainerFactory(user__first_name="Ana", user__last_name="López")
    luis = TrainerFactory(user__first_name="Luis", user__last_name="Pérez")
    start = datetime(2030, 3, 1, 15, 0, tzinfo=UTC)
    place = {"format": TrainingSession.Format.IN_PERSON, "venue": "Hotel Reforma", "city": "Mexico City"}
    other = TrainingSessionFactory(
        title="Seizing assets", starts_at=start, ends_at=start + timedelta(hours=4), timezone="UTC", **place
    )
    SessionTrainerFactory(session=other, trainer=ana)
    SessionTrainerFactory(session=other, trainer=luis)
    session = TrainingSessionFactory(
        title="AML basics", starts_at=start + timedelta(days=1), ends_at=start + timedelta(days=1, hours=2), **place
    )
    SessionTrainerFactory(session=session, trainer=ana)
    SessionTrainerFactory(session=session, trainer=luis)
    page = manager_client.get(change_url(session))

    moved = manager_client.post(
        change_url(session),
        changeform_data(page, starts_at_0="2030-03-01", starts_at_1="16:00", ends_at_0="2030-03-01", ends_at_1="18:00"),
    )
    again = post_change(manager_client, session)

    assert double_booking_warnings(moved) == [
        f'Double-booked with “<a href="{change_url(other)}">Seizing assets</a>” (1 Mar 15:00–19:00 (UTC)): '
        "trainer Ana López, trainer Luis Pérez, venue Hotel Reforma."
    ]
    assert double_booking_warnings(again) == []


def test_save_does_not_warn_for_back_to_back_sessions(manager_client):
    trainer = TrainerFactory()
    trained_session(
        trainer,
        starts_at=datetime(2030, 3, 1, 23, 0, tzinfo=UTC),
        ends_at=datetime(2030, 3, 2, 1, 0, tzinfo=UTC),
    )

    response = manager_client.post(ADD, add_form_data(**{"session_trainers-0-trainer": str(trainer.pk)}))

    assert double_booking_warnings(response) == []


# --- Actions ---


def run_action(client, action, *sessions):
    return client.post(
        CHANGELIST, {"action": action, "_selected_action": [session.pk for session in sessions]}, follow=True
    )


def test_publish_action_publishes_and_reports(manager_client):
    session = trained_session(TrainerFactory(), title="Blockchain basics", status=TrainingSession.Status.DRAFT)

    response = run_action(manager_client, "publish_sessions", session)

    session.refresh_from_db()
    assert session.status == TrainingSession.Status.PUBLISHED
    assert messages_of(response) == ["“Blockchain basics” is published."]


def test_publish_action_reports_each_refusal(manager_client):
    ready = trained_session(TrainerFactory(), title="Ready", status=TrainingSession.Status.DRAFT)
    no_capacity = trained_session(TrainerFactory(), title="No capacity", status=TrainingSession.Status.DRAFT)
    TrainingSession.objects.filter(pk=no_capacity.pk).update(capacity=None)

    response = run_action(manager_client, "publish_sessions", ready, no_capacity)

    assert messages_of(response) == [
        "“Ready” is published.",
        "“No capacity” was not published: Set the capacity before publishing.",
    ]
    no_capacity.refresh_from_db()
    assert no_capacity.status == TrainingSession.Status.DRAFT


def test_cancel_action_refuses_completed_session(manager_client):
    session = trained_session(
        TrainerFactory(),
        title="Held",
        status=TrainingSession.Status.COMPLETED,
        starts_at=timezone.now() - timedelta(days=2),
    )

    response = run_action(manager_client, "cancel_sessions", session)

    assert response.status_code == 200
    assert messages_of(response) == ["“Held” was not cancelled: A completed session cannot be cancelled."]


def test_cancel_action_cancels_published_session(manager_client):
    session = trained_session(TrainerFactory(), title="Called off")
    registration = RegistrationFactory(session=session)

    response = run_action(manager_client, "cancel_sessions", session)

    session.refresh_from_db()
    assert session.status == TrainingSession.Status.CANCELLED
    assert messages_of(response) == ["“Called off” is cancelled."]
    assert list(OutboundMessage.objects.values_list("kind", "recipient")) == [
        ("session_cancelled", registration.officer.user.email)
    ]


def test_complete_action_refuses_session_not_started(trainer_client, trainer):
    session = trained_session(trainer, title="Next month")

    response = run_action(trainer_client, "complete_sessions", session)

    assert messages_of(response) == [
        "“Next month” was not marked completed: A session that has not started yet cannot be marked completed."
    ]


def test_complete_action_by_trainer_on_started_session(trainer_client, trainer):
    session = trained_session(trainer, title="This morning", starts_at=timezone.now() - timedelta(hours=4))

    response = run_action(trainer_client, "complete_sessions", session)

    session.refresh_from_db()
    assert session.status == TrainingSession.Status.COMPLETED
    assert messages_of(response) == ["“This morning” is marked completed."]


def test_trainer_action_cannot_reach_another_trainers_session(trainer_client):
    other = trained_session(TrainerFactory(), status=TrainingSession.Status.DRAFT)

    run_action(trainer_client, "publish_sessions", other)

    other.refresh_from_db()
    assert other.status == TrainingSession.Status.DRAFT


# --- Attendance and walk-ins ---


def started_session(trainer, **kwargs):
    return trained_session(trainer, starts_at=timezone.now() - timedelta(hours=1), **kwargs)


def test_attendance_inline_records_through_the_service(trainer_client, trainer):
    session = started_session(trainer)
    registration = RegistrationFactory(session=session)

    response = post_change(
        trainer_client,
        session,
        **{"registrations-0-attendance_status": Attendance.Status.PRESENT, "registrations-0-attendance_note": "late"},
    )

    assert response.status_code == 302
    attendance = Attendance.objects.get(registration=registration)
    assert (attendance.status, attendance.note, attendance.recorded_by) == ("present", "late", trainer.user)
    assert attendance.checked_in_at is not None


def test_attendance_inline_refused_before_the_session_reports_it(trainer_client, trainer):
    session = trained_session(trainer)
    registration = RegistrationFactory(session=session)

    response = post_change(trainer_client, session, **{"registrations-0-attendance_status": Attendance.Status.PRESENT})

    assert response.status_code == 302
    assert messages_of(response)[0] == (
        f"Attendance of {registration} was not recorded: Attendance can be taken from two hours before the session starts."
    )
    assert Attendance.objects.count() == 0


def test_attendance_inline_cannot_be_cleared(trainer_client, trainer):
    session = started_session(trainer)
    registration = RegistrationFactory(session=session)
    AttendanceFactory(registration=registration, status=Attendance.Status.PRESENT)

    response = post_change(trainer_client, session, **{"registrations-0-attendance_status": ""})

    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][2].formset.errors[0] == {
        "attendance_status": ["Recorded attendance cannot be cleared; choose Absent or Excused instead."]
    }


def test_session_page_links_to_its_roll_call(trainer_client, trainer):
    session = started_session(trainer)
    roll_call = reverse("admin:training_trainingsession_roll_call", args=[session.pk])

    page = trainer_client.get(change_url(session)).content.decode()

    assert page.count(f'href="{roll_call}"') == 2  # the page's tools and the registrations' heading


def test_draft_session_page_has_no_roll_call(trainer_client, trainer):
    session = trained_session(trainer, status=TrainingSession.Status.DRAFT)

    page = trainer_client.get(change_url(session)).content.decode()

    assert "roll-call/" not in page


# --- Registrations and attendance admin ---


def test_registration_admin_scoped_for_trainer(trainer_client, trainer):
    own = RegistrationFactory(session=trained_session(trainer))
    RegistrationFactory(session=trained_session(TrainerFactory()))

    response = trainer_client.get(reverse("admin:training_registration_changelist"))

    assert list(response.context["cl"].result_list) == [own]


def test_registration_admin_cancel_action_promotes_waitlist(manager_client):
    session = trained_session(TrainerFactory(), capacity=1)
    confirmed = RegistrationFactory(session=session)
    waitlisted = RegistrationFactory(session=session, status=Registration.Status.WAITLISTED, waitlist_position=1)

    manager_client.post(
        reverse("admin:training_registration_changelist"),
        {"action": "cancel_registrations", "_selected_action": [confirmed.pk]},
    )

    waitlisted.refresh_from_db()
    assert waitlisted.status == Registration.Status.CONFIRMED


def test_attendance_admin_add_records_through_the_service(trainer_client, trainer):
    registration = RegistrationFactory(session=started_session(trainer))

    response = trainer_client.post(
        reverse("admin:training_attendance_add"),
        {"registration": registration.pk, "status": Attendance.Status.ABSENT, "note": ""},
    )

    assert response.status_code == 302
    attendance = Attendance.objects.get()
    assert (attendance.status, attendance.recorded_by) == ("absent", trainer.user)


def test_attendance_admin_refuses_registration_of_another_trainer(trainer_client):
    registration = RegistrationFactory(session=started_session(TrainerFactory()))

    response = trainer_client.post(
        reverse("admin:training_attendance_add"),
        {"registration": registration.pk, "status": Attendance.Status.PRESENT, "note": ""},
    )

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["registration"]
    assert Attendance.objects.count() == 0


def test_attendance_admin_domain_error_is_a_message(trainer_client, trainer):
    registration = RegistrationFactory(session=trained_session(trainer))

    response = trainer_client.post(
        reverse("admin:training_attendance_add"),
        {"registration": registration.pk, "status": Attendance.Status.PRESENT, "note": ""},
    )

    assert response.status_code == 302
    assert messages_of(response) == ["Attendance can be taken from two hours before the session starts."]


# --- History ---


def test_admin_edit_records_who_changed_what(manager_client, manager_user):
    session = trained_session(TrainerFactory(), title="Before")

    post_change(manager_client, session, title_en="After")

    latest = session.history.order_by("-history_id").first()
    assert (latest.title, latest.history_user) == ("After", manager_user)
    history = manager_client.get(reverse("admin:training_trainingsession_history", args=[session.pk]))
    assert history.status_code == 200
    assert manager_user.email in history.text or str(manager_user) in history.text


def test_attendance_history_records_the_trainer(trainer_client, trainer):
    registration = RegistrationFactory(session=started_session(trainer))

    post_change(trainer_client, registration.session, **{"registrations-0-attendance_status": "present"})

    assert registration.attendance.history.get().history_user == trainer.user


# --- Other admins ---


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:training_topic_changelist",
        "admin:training_trainer_changelist",
        "admin:training_registration_changelist",
        "admin:training_attendance_changelist",
    ],
)
def test_back_office_lists_open_for_trainer(trainer_client, url_name):
    assert trainer_client.get(reverse(url_name)).status_code == 200


def test_trainer_autocomplete_lists_trainers(trainer_client):
    other = TrainerFactory(user__last_name="Lindqvist")

    response = trainer_client.get(
        reverse("admin:autocomplete"),
        {"term": "lindq", "app_label": "training", "model_name": "sessiontrainer", "field_name": "trainer"},
    )

    assert response.json()["results"] == [{"id": str(other.pk), "text": str(other)}]


def test_staff_without_role_sees_no_sessions(client):
    user = UserFactory(is_staff=True)
    client.force_login(user)

    assert client.get(CHANGELIST).status_code == 403


@pytest.mark.parametrize("item_count", [1, 30])
def test_change_form_query_count_does_not_grow_with_registrations(
    trainer_client, trainer, django_assert_max_num_queries, item_count
):
    session = started_session(trainer)
    for registration in RegistrationFactory.create_batch(item_count, session=session):
        AttendanceFactory(registration=registration, status=Attendance.Status.PRESENT)

    with django_assert_max_num_queries(20):
        response = trainer_client.get(change_url(session))

    assert response.context["inline_admin_formsets"][2].formset.total_form_count() == item_count


def test_add_form_reads_reminder_hours(manager_client):
    manager_client.post(ADD, add_form_data(reminder_offsets_hours="24, 168 ,24"))

    assert TrainingSession.objects.get().reminder_offsets_hours == [168, 24]


def test_add_form_refuses_bad_reminder_hours(manager_client):
    response = manager_client.post(ADD, add_form_data(reminder_offsets_hours="a week"))

    assert response.context["adminform"].form.errors["reminder_offsets_hours"] == [
        "Enter whole numbers of hours separated by commas, e.g. 168, 24."
    ]


def test_change_form_shows_reminder_hours_as_text(manager_client):
    session = trained_session(TrainerFactory(), reminder_offsets_hours=[168, 24])

    response = manager_client.get(change_url(session))

    assert response.context["adminform"].form["reminder_offsets_hours"].value() == "168, 24"


def test_trainer_refused_history_of_another_trainers_session(trainer_client):
    other = trained_session(TrainerFactory())

    response = trainer_client.get(reverse("admin:training_trainingsession_history", args=[other.pk]))

    assert response.status_code == 403


def test_trainer_refused_history_of_another_trainers_registration(trainer_client):
    registration = RegistrationFactory(session=trained_session(TrainerFactory()))

    response = trainer_client.get(reverse("admin:training_registration_history", args=[registration.pk]))

    assert response.status_code == 403


def test_old_version_can_be_viewed_but_not_restored(manager_client):
    session = trained_session(TrainerFactory(), title="First title")
    post_change(manager_client, session, title_en="Second title")
    first = session.history.order_by("history_id").first()
    url = reverse("admin:training_trainingsession_simple_history", args=[session.pk, first.history_id])

    page = manager_client.get(url)
    restore = manager_client.post(url, {"title": "First title"})

    assert (page.status_code, restore.status_code) == (200, 403)
    session.refresh_from_db()
    assert session.title == "Second title"


def test_invite_action_on_session_changelist_opens_invite_form(manager_client):
    session = trained_session(TrainerFactory(), title="AML for FIUs", status=TrainingSession.Status.PUBLISHED)

    response = manager_client.post(CHANGELIST, {"action": "invite_officers", "_selected_action": [session.pk]})

    assert response.status_code == 302
    assert response["Location"] == f"/admin/training/invitation/invite/{session.pk}/"


def test_double_booking_warning_speaks_spanish(manager_client):
    trainer = TrainerFactory(user__first_name="Ana", user__last_name="López")
    trained_session(
        trainer,
        title="Seminario de París",
        starts_at=datetime(2030, 3, 1, 16, 0, tzinfo=UTC),
        ends_at=datetime(2030, 3, 1, 18, 0, tzinfo=UTC),
    )

    response = manager_client.post(
        ADD, add_form_data(**{"session_trainers-0-trainer": str(trainer.pk)}), headers={"accept-language": "es"}
    )

    other = TrainingSession.objects.get(title_en="Seminario de París")
    assert messages_of(response)[0] == (
        f'Doble reserva con «<a href="{change_url(other)}">Seminario de París</a>» (1 Mar 16:00–18:00 (UTC)): '
        "formador Ana López."
    )
