import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from agencies.models import Officer
from sessions.models import Registration, TrainingSession
from tests.factories import (
    AgencyFactory,
    CountryFactory,
    OfficerFactory,
    RegistrationFactory,
    SessionTrainerFactory,
    TopicFactory,
    TrainingSessionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer.user)
    return client


def detail_url(session):
    return reverse("sessions:detail", args=[session.pk])


# --- Landing and list -----------------------------------------------------------------------


def test_landing_lists_upcoming_open_sessions_only(client):
    upcoming = TrainingSessionFactory(title="Tracing illicit funds")
    TrainingSessionFactory(title="Draft one", status=TrainingSession.Status.DRAFT)
    TrainingSessionFactory(title="Restricted one", audience=TrainingSession.Audience.RESTRICTED)

    response = client.get("/")

    assert response.status_code == 200
    assert [session.pk for session in response.context["sessions"]] == [upcoming.pk]


def test_session_list_filters_by_topic_format_language_country_and_month(client):
    topic = TopicFactory(slug="aml", name="Anti-money-laundering")
    start = timezone.now().replace(day=1) + timedelta(days=62)
    match = TrainingSessionFactory(
        format=TrainingSession.Format.IN_PERSON,
        language="es",
        country=CountryFactory(code="AR"),
        starts_at=start,
        ends_at=start + timedelta(hours=3),
    )
    match.topics.add(topic)
    TrainingSessionFactory(format=TrainingSession.Format.IN_PERSON, language="en", country=CountryFactory(code="AR"))
    TrainingSessionFactory(language="es")

    response = client.get(
        reverse("sessions:list"),
        {"topic": "aml", "format": "in_person", "language": "es", "country": "AR", "month": f"{start:%Y-%m}"},
    )

    assert response.status_code == 200
    assert [session.pk for session in response.context["sessions"]] == [match.pk]


def test_session_list_month_is_the_month_in_the_sessions_own_time_zone(client):
    year = timezone.now().year + 1
    mexico = TrainingSessionFactory(  # 22:00 on 31 March in Mexico City is 1 April in UTC
        starts_at=datetime(year, 3, 31, 22, tzinfo=ZoneInfo("America/Mexico_City")), timezone="America/Mexico_City"
    )
    tokyo = TrainingSessionFactory(  # 08:00 on 1 April in Tokyo is 31 March in UTC
        starts_at=datetime(year, 4, 1, 8, tzinfo=ZoneInfo("Asia/Tokyo")), timezone="Asia/Tokyo"
    )
    december = TrainingSessionFactory(starts_at=datetime(year, 12, 31, 23, tzinfo=ZoneInfo("UTC")))

    def listed(month):
        response = client.get(reverse("sessions:list"), {"month": month})
        return [session.pk for session in response.context["sessions"]]

    assert listed(f"{year}-03") == [mexico.pk]
    assert listed(f"{year}-04") == [tokyo.pk]
    assert listed(f"{year}-12") == [december.pk]


@pytest.mark.parametrize(
    "query",
    [
        {"month": "2026-13"},
        {"month": "'; drop table"},
        {"topic": "nope", "format": "teleport", "language": "xx", "country": "ZZ"},
        {"page": "999"},
        {"page": "abc"},
    ],
)
def test_session_list_bad_filters_never_fail(client, query):
    TrainingSessionFactory()

    response = client.get(reverse("sessions:list"), query)

    assert response.status_code == 200


def test_session_list_invalid_month_shows_error(client):
    response = client.get(reverse("sessions:list"), {"month": "2026-13"})

    assert response.context["form"].errors == {"month": ["Enter a month as YYYY-MM."]}


def test_session_list_paginates(client):
    TrainingSessionFactory.create_batch(14)

    first = client.get(reverse("sessions:list"))
    second = client.get(reverse("sessions:list"), {"page": 2})

    assert len(first.context["sessions"]) == 12
    assert len(second.context["sessions"]) == 2


@pytest.mark.parametrize(
    ("page", "expected"), [("2", (2, 2, 14)), ("9", (2, 2, 14)), ("0", (2, 2, 14)), ("abc", (1, 12, 14))]
)
def test_session_list_page_out_of_range_is_the_last_and_garbage_the_first(client, page, expected):
    TrainingSessionFactory.create_batch(14)

    response = client.get(reverse("sessions:list"), {"page": page})

    shown = response.context["page"]
    assert (shown.number, len(shown.object_list), shown.paginator.count) == expected


@pytest.mark.parametrize("item_count", [1, 12])
@pytest.mark.parametrize("by_month", [False, True])
def test_session_list_query_count_is_bounded(officer_client, django_assert_num_queries, item_count, by_month):
    # Mid-month, so the month is the same in every zone used.
    start = (timezone.now().replace(day=1) + timedelta(days=40)).replace(day=15, hour=12)
    for number, session in enumerate(TrainingSessionFactory.create_batch(item_count, starts_at=start)):
        session.topics.add(TopicFactory())
        session.timezone = ["UTC", "America/Mexico_City", "Asia/Tokyo"][number % 3]
        session.save()
    # Steady state: the language cookie is set after the first page (see OfficerLanguageMiddleware).
    officer_client.cookies["django_language"] = "en"
    query = {"month": f"{start:%Y-%m}"} if by_month else {}

    # Session, user, officer, the filters' topics and countries, the page with its total, its topics.
    # The month filter reads the time zones in use near that month: one query more.
    with django_assert_num_queries(8 if by_month else 7):
        response = officer_client.get(reverse("sessions:list"), query)

    assert len(response.context["sessions"]) == item_count


def test_session_list_filter_options_are_cached_until_a_topic_or_session_changes(
    officer_client, django_assert_num_queries
):
    TrainingSessionFactory(country_id="MX").topics.add(TopicFactory(slug="tracing", name="Tracing"))
    officer_client.cookies["django_language"] = "en"
    officer_client.get(reverse("sessions:list"))

    # Session, user, officer, the page with its total: the options and the cards come from the cache.
    with django_assert_num_queries(4):
        officer_client.get(reverse("sessions:list"))
    TopicFactory(slug="ransomware", name="Ransomware")
    TrainingSessionFactory(country_id="CO")
    form = officer_client.get(reverse("sessions:list")).context["form"]

    assert form.fields["topic"].choices == [("", "Any topic"), ("ransomware", "Ransomware"), ("tracing", "Tracing")]
    assert form.fields["country"].choices == [("", "Any country"), ("CO", "Colombia"), ("MX", "Mexico")]


# --- Detail and visibility -----------------------------------------------------------------


def test_session_detail_shows_both_time_zones(client):
    start = timezone.now().replace(microsecond=0) + timedelta(days=10)
    session = TrainingSessionFactory(
        timezone="America/Mexico_City", starts_at=start, ends_at=start + timedelta(hours=2)
    )
    client.cookies["tz"] = "Europe%2FParis"  # as the portal's script stores it (URI-encoded)

    response = client.get(detail_url(session))

    assert response.status_code == 200
    content = response.content.decode()
    assert re.findall(r'<span class="zone">([^<]*)</span>', content) == ["Mexico City", "your time, Paris"]
    assert "data-needs-viewer-zone" not in content


def test_session_detail_names_the_viewer_city_in_french(client):
    session = TrainingSessionFactory(timezone="America/Mexico_City")
    client.cookies["tz"] = "America%2FArgentina%2FBuenos_Aires"
    client.cookies["django_language"] = "fr"

    content = client.get(detail_url(session)).content.decode()

    assert re.findall(r'<span class="zone">([^<]*)</span>', content) == ["Mexico City", "votre heure, Buenos Aires"]


def test_session_detail_shows_the_end_date_when_the_session_ends_on_another_day(client):
    year = timezone.now().year + 1
    zone = ZoneInfo("America/Mexico_City")
    session = TrainingSessionFactory(  # 16:00-19:00 in Mexico City is 23:00-02:00 in Paris
        timezone="America/Mexico_City",
        starts_at=datetime(year, 3, 10, 16, tzinfo=zone),
        ends_at=datetime(year, 3, 10, 19, tzinfo=zone),
    )
    client.cookies["tz"] = "Europe%2FParis"

    content = client.get(detail_url(session)).content.decode()

    assert f'<span>March 10, {year}, 4 p.m. – 7 p.m. <span class="zone">Mexico City</span>' in content
    assert (
        f'id="viewer-time">March 10, {year}, 11 p.m. – March 11, {year}, 2 a.m. '
        '<span class="zone">your time, Paris</span>' in content
    )


def test_session_detail_without_the_viewer_zone_asks_the_script_for_it(client):
    session = TrainingSessionFactory(timezone="America/Mexico_City")

    content = client.get(detail_url(session)).content.decode()

    # portal.js stores the browser's zone and draws the page again (checked in the browser tests).
    assert "<span data-needs-viewer-zone hidden></span>" in content
    assert 'id="viewer-time"' not in content


def test_session_detail_in_the_viewer_own_zone_needs_nothing_more(client):
    session = TrainingSessionFactory(timezone="Europe/Paris")
    client.cookies["tz"] = "Europe%2FParis"

    content = client.get(detail_url(session)).content.decode()

    assert "data-needs-viewer-zone" not in content
    assert 'id="viewer-time"' not in content


def test_session_detail_ignores_bad_time_zone_cookie(client):
    session = TrainingSessionFactory()
    client.cookies["tz"] = "Mars/Olympus_Mons"

    response = client.get(detail_url(session))

    assert response.status_code == 200
    assert response.context["viewer_timezone"] is None


@pytest.mark.parametrize("status", [TrainingSession.Status.DRAFT])
def test_session_detail_draft_is_404(officer_client, status):
    session = TrainingSessionFactory(status=status)

    assert officer_client.get(detail_url(session)).status_code == 404


def test_session_detail_restricted_to_other_country_is_404(officer_client):
    session = TrainingSessionFactory(audience=TrainingSession.Audience.RESTRICTED)
    session.audience_countries.add(CountryFactory(code="FR"))

    assert officer_client.get(detail_url(session)).status_code == 404


def test_session_detail_restricted_to_own_agency_is_visible(officer_client, officer):
    session = TrainingSessionFactory(audience=TrainingSession.Audience.RESTRICTED)
    session.audience_agencies.add(officer.agency)

    assert officer_client.get(detail_url(session)).status_code == 200


def test_session_detail_unknown_id_is_404_when_signed_in(officer_client):
    assert officer_client.get("/sessions/999999/").status_code == 404


def test_session_detail_unknown_id_anonymous_redirects_to_sign_in(client):
    response = client.get("/sessions/999999/")

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next=/sessions/999999/"


def test_session_detail_restricted_anonymous_redirects_to_sign_in_then_back(client, officer):
    session = TrainingSessionFactory(audience=TrainingSession.Audience.RESTRICTED)
    session.audience_agencies.add(officer.agency)

    response = client.get(detail_url(session))
    signed_in = client.post(
        response.url, {"login": officer.user.email, "password": "correct-horse-battery"}, follow=True
    )

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={detail_url(session)}"
    assert signed_in.redirect_chain == [(detail_url(session), 302)]
    assert signed_in.context["session"] == session


def test_session_detail_meeting_link_only_for_confirmed(client):
    session = TrainingSessionFactory(capacity=1, meeting_url="https://meet.example.org/secret-room")
    confirmed = RegistrationFactory(session=session)
    waitlisted = RegistrationFactory(session=session, status=Registration.Status.WAITLISTED, waitlist_position=1)
    outsider = OfficerFactory()

    seen = {}
    for name, officer in (("confirmed", confirmed.officer), ("waitlisted", waitlisted.officer), ("other", outsider)):
        client.force_login(officer.user)
        seen[name] = "secret-room" in client.get(detail_url(session)).content.decode()
    client.logout()
    seen["anonymous"] = "secret-room" in client.get(detail_url(session)).content.decode()

    assert seen == {"confirmed": True, "waitlisted": False, "other": False, "anonymous": False}


def test_session_detail_shows_trainers_topics_and_seats(officer_client):
    session = TrainingSessionFactory(capacity=5)
    assignment = SessionTrainerFactory(session=session)
    session.topics.add(TopicFactory(name="Blockchain fundamentals"))
    RegistrationFactory(session=session)

    response = officer_client.get(detail_url(session))

    content = response.content.decode()
    assert response.context["seats_left"] == 4
    assert assignment.trainer.user.get_full_name() in content
    assert "Blockchain fundamentals" in content


def in_person_session(**kwargs):
    return TrainingSessionFactory(format=TrainingSession.Format.IN_PERSON, **kwargs)


def place_on_detail(content):
    return re.search(r"<dt>Where</dt>\s*<dd>(.*?)</dd>", content).group(1)


def test_session_detail_names_a_venue_named_after_its_city_once(client):
    session = in_person_session(venue="Monterrey", city="Monterrey", country=CountryFactory(code="MX"))

    response = client.get(detail_url(session))

    assert place_on_detail(response.content.decode()) == "Monterrey, Mexico"


def test_session_detail_names_a_city_state_once(client):
    session = in_person_session(venue="Marina Bay Sands", city="Singapore", country=CountryFactory(code="SG"))

    response = client.get(detail_url(session))

    assert place_on_detail(response.content.decode()) == "Marina Bay Sands, Singapore"


def session_dates_on_cards(content: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", date) for date in re.findall(r'<div class="session-date">(.*?)</div>', content)]


def test_session_list_card_shows_the_session_time_and_the_viewer_time_by_city(client):
    year = timezone.now().year + 1
    TrainingSessionFactory(  # 09:00 in Mexico City is 16:00 in Paris, the same day
        timezone="America/Mexico_City", starts_at=datetime(year, 3, 10, 9, tzinfo=ZoneInfo("America/Mexico_City"))
    )
    TrainingSessionFactory(  # 20:00 in Buenos Aires is 00:00 the next day in Paris
        timezone="America/Argentina/Buenos_Aires",
        starts_at=datetime(year, 3, 12, 20, tzinfo=ZoneInfo("America/Argentina/Buenos_Aires")),
    )
    TrainingSessionFactory(timezone="Europe/Paris", starts_at=datetime(year, 3, 14, 9, tzinfo=ZoneInfo("Europe/Paris")))
    client.cookies["tz"] = "Europe%2FParis"

    content = client.get(reverse("sessions:list"), {"month": f"{year}-03"}).content.decode()

    assert session_dates_on_cards(content) == [
        f"March 10, {year}, 9 a.m. Mexico City · 4 p.m. your time, Paris",
        f"March 12, {year}, 8 p.m. Buenos Aires · March 13, {year}, midnight your time, Paris",
        f"March 14, {year}, 9 a.m. Paris",
    ]


def test_landing_card_without_the_viewer_zone_shows_the_session_time_only(client):
    year = timezone.now().year + 1
    TrainingSessionFactory(
        timezone="America/Mexico_City", starts_at=datetime(year, 3, 10, 9, tzinfo=ZoneInfo("America/Mexico_City"))
    )

    content = client.get("/").content.decode()

    assert session_dates_on_cards(content) == [f"March 10, {year}, 9 a.m. Mexico City"]


def test_my_trainings_names_the_session_zone_by_its_city(officer_client, officer):
    RegistrationFactory(officer=officer, session=TrainingSessionFactory(timezone="America/Argentina/Buenos_Aires"))

    content = officer_client.get(reverse("sessions:my_trainings")).content.decode()

    assert re.findall(r'<span class="help">\(([^<]*)\)</span>', content) == ["Buenos Aires"]


def test_session_list_card_names_a_city_state_once(client):
    in_person_session(city="Singapore", country=CountryFactory(code="SG"))

    response = client.get(reverse("sessions:list"))

    assert re.findall(r'<div class="meta">.*?<span>([^<]*)</span>\s*</div>', response.content.decode(), re.S) == [
        "Singapore"
    ]


def test_session_detail_full_session_button_says_full_and_waitlist(officer_client):
    session = TrainingSessionFactory(capacity=1)
    RegistrationFactory(session=session)

    response = officer_client.get(detail_url(session))

    button = re.search(
        r'action="/sessions/\d+/register/">.*?<button[^>]*>(.*?)</button>', response.content.decode(), re.S
    )
    assert button.group(1) == "Full — join the waitlist"


def test_session_list_card_of_full_session_says_full_and_waitlist(client):
    session = TrainingSessionFactory(capacity=1)
    RegistrationFactory(session=session)

    response = client.get(reverse("sessions:list"))

    assert re.findall(r'<span class="badge badge-warn">(.*?)</span>', response.content.decode()) == [
        "Full — join the waitlist"
    ]


def test_session_detail_warns_about_overlapping_registration(officer_client, officer):
    start = timezone.now() + timedelta(days=5)
    other = TrainingSessionFactory(title="Overlapping one", starts_at=start, ends_at=start + timedelta(hours=3))
    RegistrationFactory(session=other, officer=officer)
    session = TrainingSessionFactory(starts_at=start + timedelta(hours=1), ends_at=start + timedelta(hours=4))

    response = officer_client.get(detail_url(session))

    assert [registration.session for registration in response.context["overlaps"]] == [other]
    assert "Overlapping one" in response.content.decode()


# --- Register / cancel -----------------------------------------------------------------------


def test_register_confirms_and_emails_ics(officer_client, officer, django_capture_on_commit_callbacks):
    session = TrainingSessionFactory(title="Crypto tracing")

    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(reverse("sessions:register", args=[session.pk]), follow=True)

    registration = Registration.objects.get(session=session, officer=officer)
    assert registration.status == Registration.Status.CONFIRMED
    assert [str(m) for m in response.context["messages"]] == [
        "Your seat is confirmed. We emailed you the details and a calendar file."
    ]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [officer.user.email]
    assert mail.outbox[0].attachments[0][0] == "session.ics"
    assert f"https://training.example.org/sessions/{session.pk}/" in mail.outbox[0].body


def test_register_full_session_waitlists_with_position(officer_client, officer):
    session = TrainingSessionFactory(capacity=1)
    RegistrationFactory(session=session)

    response = officer_client.post(reverse("sessions:register", args=[session.pk]), follow=True)

    registration = Registration.objects.get(session=session, officer=officer)
    assert (registration.status, registration.waitlist_position) == (Registration.Status.WAITLISTED, 1)
    assert response.context["waitlist_position"] == 1
    assert "position 1" in response.content.decode()


def test_register_twice_gives_clear_message_and_changes_nothing(officer_client, officer):
    session = TrainingSessionFactory()
    officer_client.post(reverse("sessions:register", args=[session.pk]), follow=True)

    response = officer_client.post(reverse("sessions:register", args=[session.pk]), follow=True)

    assert [str(m) for m in response.context["messages"]] == ["You are already registered for this session."]
    assert Registration.objects.filter(session=session).count() == 1


@pytest.mark.parametrize(
    ("session_kwargs", "message"),
    [
        ({"registration_closes_at": timezone.now() - timedelta(hours=1)}, "Registration for this session has closed."),
        ({"status": TrainingSession.Status.CANCELLED}, "This session is not open for registration."),
        ({"status": TrainingSession.Status.COMPLETED}, "This session is not open for registration."),
    ],
)
def test_register_refused_shows_message_and_changes_nothing(officer_client, session_kwargs, message):
    session = TrainingSessionFactory(**session_kwargs)

    response = officer_client.post(reverse("sessions:register", args=[session.pk]), follow=True)

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [message]
    assert Registration.objects.filter(session=session).count() == 0


def test_register_draft_session_is_404(officer_client):
    session = TrainingSessionFactory(status=TrainingSession.Status.DRAFT)

    response = officer_client.post(reverse("sessions:register", args=[session.pk]))

    assert response.status_code == 404
    assert Registration.objects.count() == 0


def test_register_unverified_officer_is_refused(client):
    officer = OfficerFactory(verification_status=Officer.Verification.PENDING)
    session = TrainingSessionFactory()
    client.force_login(officer.user)

    response = client.post(reverse("sessions:register", args=[session.pk]), follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "Your affiliation has not been verified yet, so you cannot register."
    ]
    assert Registration.objects.count() == 0


def test_register_anonymous_redirects_to_login(client):
    session = TrainingSessionFactory()

    response = client.post(reverse("sessions:register", args=[session.pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert Registration.objects.count() == 0


def test_register_get_redirects_to_detail(officer_client):
    session = TrainingSessionFactory()

    response = officer_client.get(reverse("sessions:register", args=[session.pk]))

    assert response.status_code == 302
    assert Registration.objects.count() == 0


def test_register_staff_without_officer_profile_gets_message(client, manager_user):
    session = TrainingSessionFactory()
    client.force_login(manager_user)

    response = client.post(reverse("sessions:register", args=[session.pk]), follow=True)

    assert [str(m) for m in response.context["messages"]] == ["Only agency officers can register for sessions."]


def test_register_in_spanish_shows_spanish_error(client):
    officer = OfficerFactory(verification_status=Officer.Verification.PENDING)
    session = TrainingSessionFactory()
    client.force_login(officer.user)
    client.cookies["django_language"] = "es"

    response = client.post(reverse("sessions:register", args=[session.pk]), follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "Su afiliación aún no ha sido verificada, por lo que no puede inscribirse."
    ]


def test_cancel_promotes_first_waitlisted_and_emails_them(client, django_capture_on_commit_callbacks):
    session = TrainingSessionFactory(capacity=1)
    confirmed = RegistrationFactory(session=session)
    waitlisted = RegistrationFactory(session=session, status=Registration.Status.WAITLISTED, waitlist_position=1)
    client.force_login(confirmed.officer.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("sessions:cancel", args=[session.pk]), follow=True)

    waitlisted.refresh_from_db()
    confirmed.refresh_from_db()
    assert [str(m) for m in response.context["messages"]] == ["Your registration was cancelled."]
    assert (confirmed.status, waitlisted.status) == (Registration.Status.CANCELLED, Registration.Status.CONFIRMED)
    promoted = [message for message in mail.outbox if message.to == [waitlisted.officer.user.email]]
    assert len(promoted) == 1
    assert promoted[0].attachments[0][0] == "session.ics"


def test_cancel_waitlisted_leaves_waitlist(client):
    session = TrainingSessionFactory(capacity=1)
    RegistrationFactory(session=session)
    waitlisted = RegistrationFactory(session=session, status=Registration.Status.WAITLISTED, waitlist_position=1)
    client.force_login(waitlisted.officer.user)

    response = client.post(reverse("sessions:cancel", args=[session.pk]), follow=True)

    waitlisted.refresh_from_db()
    assert [str(m) for m in response.context["messages"]] == ["You left the waitlist."]
    assert waitlisted.status == Registration.Status.CANCELLED


def test_cancel_twice_gives_clear_message(client):
    registration = RegistrationFactory(status=Registration.Status.CANCELLED)
    client.force_login(registration.officer.user)

    response = client.post(reverse("sessions:cancel", args=[registration.session.pk]), follow=True)

    assert [str(m) for m in response.context["messages"]] == ["This registration is already cancelled."]


def test_cancel_without_registration_is_404(officer_client):
    session = TrainingSessionFactory()

    assert officer_client.post(reverse("sessions:cancel", args=[session.pk])).status_code == 404


# --- Calendar ----------------------------------------------------------------------------------


def test_calendar_file_for_confirmed_officer(client):
    registration = RegistrationFactory(session__meeting_url="https://meet.example.org/room-42")
    client.force_login(registration.officer.user)

    response = client.get(reverse("sessions:calendar", args=[registration.session.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    assert f"UID:session-{registration.session.uuid}@trainingops" in body
    assert "room-42" in body


@pytest.mark.parametrize("status", [Registration.Status.WAITLISTED, Registration.Status.CANCELLED])
def test_calendar_file_refused_unless_confirmed(client, status):
    registration = RegistrationFactory(status=status, waitlist_position=1 if status == "waitlisted" else None)
    client.force_login(registration.officer.user)

    assert client.get(reverse("sessions:calendar", args=[registration.session.pk])).status_code == 404


# --- My trainings -----------------------------------------------------------------------------


def test_my_trainings_lists_only_own_registrations(officer_client, officer):
    mine = RegistrationFactory(officer=officer)
    RegistrationFactory()

    response = officer_client.get(reverse("sessions:my_trainings"))

    assert response.context["upcoming"] == [mine]
    assert response.context["past"] == []


def test_my_trainings_past_shows_attendance_certificate_and_survey(officer_client, officer):
    from tests.factories import AttendanceFactory, SurveyResponseFactory

    start = timezone.now() - timedelta(days=3)
    session = TrainingSessionFactory(
        status=TrainingSession.Status.COMPLETED, starts_at=start, ends_at=start + timedelta(hours=2)
    )
    registration = RegistrationFactory(session=session, officer=officer)
    AttendanceFactory(registration=registration)
    response_row = SurveyResponseFactory(registration=registration, survey__session=session)

    response = officer_client.get(reverse("sessions:my_trainings"))

    content = response.content.decode()
    assert response.context["upcoming"] == []
    assert reverse("sessions:certificate_pdf", args=[registration.pk]) in content
    assert f"/surveys/{response_row.token}/" in content
    assert "Present" in content


def test_my_trainings_requires_login(client):
    response = client.get(reverse("sessions:my_trainings"))

    assert response.status_code == 302


def test_my_trainings_for_staff_without_profile_is_404(client, manager_user):
    client.force_login(manager_user)

    assert client.get(reverse("sessions:my_trainings")).status_code == 404


@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_portal_pages_render_in_each_language(officer_client, officer, language):
    session = TrainingSessionFactory()
    officer_client.cookies["django_language"] = language
    urls = ["/", reverse("sessions:list"), detail_url(session), reverse("sessions:my_trainings"), "/profile/"]

    responses = [officer_client.get(url) for url in urls]

    assert [response.status_code for response in responses] == [200] * len(urls)
    assert all(f'<html lang="{language}">' in response.content.decode() for response in responses)


def test_other_agency_registration_not_visible_on_detail(client):
    registration = RegistrationFactory()
    stranger = OfficerFactory(agency=AgencyFactory())
    client.force_login(stranger.user)

    response = client.get(detail_url(registration.session))

    assert response.context["registration"] is None
    assert registration.officer.user.email not in response.content.decode()


@pytest.mark.parametrize("item_count", [1, 6])
def test_landing_query_count_is_bounded(officer_client, django_assert_num_queries, item_count):
    for session in TrainingSessionFactory.create_batch(item_count):
        session.topics.add(TopicFactory())
    officer_client.cookies["django_language"] = "en"

    # Session, user, officer (the layout reuses it), the sessions, their topics.
    with django_assert_num_queries(5):
        response = officer_client.get("/")

    assert len(response.context["sessions"]) == item_count


@pytest.mark.parametrize("item_count", [1, 10])
def test_my_trainings_query_count_is_bounded(officer_client, officer, django_assert_max_num_queries, item_count):
    from tests.factories import AttendanceFactory

    start = timezone.now() - timedelta(days=3)
    for _ in range(item_count):
        session = TrainingSessionFactory(
            status=TrainingSession.Status.COMPLETED, starts_at=start, ends_at=start + timedelta(hours=2)
        )
        AttendanceFactory(registration=RegistrationFactory(session=session, officer=officer))
        RegistrationFactory(officer=officer)

    with django_assert_max_num_queries(10):
        response = officer_client.get(reverse("sessions:my_trainings"))

    assert (len(response.context["upcoming"]), len(response.context["past"])) == (item_count, item_count)


def test_register_before_window_opens_is_refused(officer_client):
    session = TrainingSessionFactory(registration_opens_at=timezone.now() + timedelta(days=1))

    response = officer_client.post(reverse("sessions:register", args=[session.pk]), follow=True)

    assert [str(m) for m in response.context["messages"]] == ["Registration has not opened yet."]
    assert Registration.objects.count() == 0
