"""The portal's public pages walked in Chromium: landing, session list, session detail, languages."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import formats, timezone

from sessions.models import TrainingSession
from tests.browser.helpers import sign_in, verified_officer
from tests.factories import (
    AgencyFactory,
    CountryFactory,
    OfficerFactory,
    RegistrationFactory,
    SessionTrainerFactory,
    TopicFactory,
    TrainerFactory,
    TrainingSessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def days_ahead(days: int, hour: int = 14) -> datetime:
    return (timezone.now() + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def card_titles(page) -> list[str]:
    return page.locator(".session-card h3").all_inner_texts()


def test_landing_page_leads_an_anonymous_visitor_to_sign_in_and_register(page, screenshot):
    upcoming = [
        TrainingSessionFactory(title=f"Blockchain fundamentals {n}", starts_at=days_ahead(10 + n)) for n in range(7)
    ]
    TrainingSessionFactory(title="Draft seminar", status=TrainingSession.Status.DRAFT, starts_at=days_ahead(3))
    TrainingSessionFactory(
        title="Restricted seminar", audience=TrainingSession.Audience.RESTRICTED, starts_at=days_ahead(4)
    )
    verified_officer("ana@policia.gob.mx")

    page.goto("/")
    assert page.inner_text("h1") == "Training for law-enforcement agencies"
    # The six soonest sessions open to everyone; drafts and restricted sessions stay hidden.
    assert card_titles(page) == [session.title for session in upcoming[:6]]
    assert page.get_by_role("link", name="Create your officer account").is_visible()
    screenshot(page, "portal_landing")

    page.get_by_role("link", name="Blockchain fundamentals 0").click()
    page.wait_for_url(f"**/sessions/{upcoming[0].pk}/")
    page.get_by_role("link", name="Sign in to register").click()
    page.fill("#id_login", "ana@policia.gob.mx")
    page.fill("#id_password", "correct-horse-battery")
    page.locator("main form button[type=submit]").click()

    # Back on the session, signed in, with the register button.
    page.wait_for_url(f"**/sessions/{upcoming[0].pk}/")
    page.get_by_role("button", name="Register").click()
    page.wait_for_selector("#registration-status")
    assert page.inner_text("#registration-status") == "You are registered: your seat is confirmed."


def test_session_list_filters_and_pagination(page, screenshot):
    aml = TopicFactory(slug="aml", name="Anti-money-laundering", name_fr="Lutte contre le blanchiment")
    TopicFactory(slug="tracing", name="Tracing illicit funds")
    for n in range(13):
        TrainingSessionFactory(title=f"Crypto basics {n:02d}", starts_at=days_ahead(5 + n))
    buenos_aires = TrainingSessionFactory(
        title="AML workshop in Buenos Aires",
        format=TrainingSession.Format.IN_PERSON,
        language="es",
        city="Buenos Aires",
        country=CountryFactory(code="AR"),
        timezone="America/Argentina/Buenos_Aires",
        starts_at=days_ahead(40),
    )
    buenos_aires.topics.add(aml)
    paris = TrainingSessionFactory(
        title="Case studies in Paris",
        format=TrainingSession.Format.HYBRID,
        language="fr",
        city="Paris",
        country=CountryFactory(code="FR"),
        timezone="Europe/Paris",
        starts_at=days_ahead(70),
    )

    page.goto("/sessions/")
    assert page.inner_text(".filters-disclosure + p.help") == "15 sessions"
    assert len(card_titles(page)) == 12
    assert page.inner_text(".pagination .current") == "Page 1 of 2"
    page.get_by_role("link", name="Next →").click()
    page.wait_for_url("**/sessions/?page=2")
    assert card_titles(page) == ["Crypto basics 12", buenos_aires.title, paris.title]
    assert page.inner_text(".pagination .current") == "Page 2 of 2"

    page.select_option("#id_topic", label="Anti-money-laundering")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"topic=aml"))
    assert card_titles(page) == [buenos_aires.title]
    # The page number is not carried into a new filter: the one result is on page 1.
    assert "page=" not in page.url

    page.get_by_role("link", name="Reset").click()
    page.select_option("#id_format", label="Hybrid")
    page.select_option("#id_language", label="French")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"format=hybrid"))
    assert card_titles(page) == [paris.title]
    assert page.locator("#id_format").input_value() == "hybrid"

    page.get_by_role("link", name="Reset").click()
    page.select_option("#id_country", label="Argentina")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"country=AR"))
    assert card_titles(page) == [buenos_aires.title]

    page.get_by_role("link", name="Reset").click()
    page.fill("#id_month", paris.starts_at.strftime("%Y-%m"))
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"month="))
    assert paris.title in card_titles(page)
    assert buenos_aires.title not in card_titles(page)
    screenshot(page, "portal_session_list_filtered")

    page.goto("/sessions/?format=virtual&language=fr")
    assert page.inner_text("p.empty") == "No session matches these filters."


def test_session_list_month_is_the_month_of_the_session_own_time_zone(page, screenshot):
    """A session on the evening of the 31st in Mexico City starts on the 1st in UTC: it is listed
    under the month its card shows."""
    zone = ZoneInfo("America/Mexico_City")
    month_start = (timezone.now() + timedelta(days=62)).astimezone(zone).replace(day=1)
    last_evening = (month_start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(hours=4)
    last_evening = last_evening.replace(hour=20, minute=0, second=0, microsecond=0)
    session = TrainingSessionFactory(title="Evening briefing", timezone="America/Mexico_City", starts_at=last_evening)

    page.goto("/sessions/")
    page.fill("#id_month", f"{last_evening:%Y-%m}")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"month="))

    assert card_titles(page) == [session.title]
    # Shown as a date of that month, in Mexico City time.
    assert page.inner_text(".session-card .session-date").startswith(formats.date_format(last_evening, "DATE_FORMAT"))
    screenshot(page, "portal_session_list_local_month")


def test_session_detail_times_seats_and_calendar_download(page, screenshot, downloads):
    officer = verified_officer("ana@policia.gob.mx")
    # 09:00 to 17:00 in Mexico City is 16:00 (or 17:00 in summer) to midnight (or 01:00) in Paris,
    # the browser's zone.
    day = (timezone.now() + timedelta(days=20)).astimezone(ZoneInfo("America/Mexico_City")).date()
    starts = datetime(day.year, day.month, day.day, 9, 0, tzinfo=ZoneInfo("America/Mexico_City"))
    session = TrainingSessionFactory(
        title="Tracing illicit funds",
        timezone="America/Mexico_City",
        starts_at=starts,
        ends_at=starts + timedelta(hours=8),
        capacity=3,
        host_agency=AgencyFactory(name="Fiscalía General de la República"),
    )
    session.topics.add(TopicFactory(slug="tracing", name="Tracing illicit funds"))
    SessionTrainerFactory(
        session=session, trainer=TrainerFactory(user=UserFactory(first_name="Lena", last_name="Okonkwo"))
    )
    RegistrationFactory(session=session, officer=OfficerFactory())
    paris_start = starts.astimezone(ZoneInfo("Europe/Paris"))
    paris_end = session.ends_at.astimezone(ZoneInfo("Europe/Paris"))

    sign_in(page, officer.user.email)
    page.goto(f"/sessions/{session.pk}/")
    times = page.inner_text("dd.times")
    assert times.startswith(f"{formats.date_format(starts)}, 9 a.m. – 5 p.m. Mexico City")
    # 17:00 in Mexico City is midnight in Paris: the end is on the next day there, and says so.
    assert paris_end.date() != paris_start.date()
    assert page.inner_text("#viewer-time") == (
        f"{formats.date_format(paris_start)}, {formats.time_format(paris_start)} – "
        f"{formats.date_format(paris_end)}, {formats.time_format(paris_end)} your time, Paris"
    )
    assert page.inner_text(".seats") == "2 seats left"
    assert "Lena Okonkwo — Lead trainer" in page.inner_text("main")
    assert page.locator("#meeting-link").count() == 0
    assert page.inner_text("text=Shown to officers with a confirmed seat.") != ""

    page.get_by_role("button", name="Register").click()
    page.wait_for_selector("#registration-status")
    assert page.inner_text(".seats") == "1 seat left"
    assert page.inner_text("#meeting-link") == "https://meet.example.org/session"

    name, content = downloads(page, page.get_by_role("link", name="Add to calendar (.ics)").click)
    assert name == f"session-{session.pk}.ics"
    calendar = content.decode()
    assert calendar.startswith("BEGIN:VCALENDAR")
    assert f"DTSTART;TZID=America/Mexico_City:{starts:%Y%m%d}T090000" in calendar
    assert "SUMMARY:Tracing illicit funds" in calendar
    assert "https://meet.example.org/session" in calendar
    screenshot(page, "portal_session_detail_confirmed")


def test_language_switcher_shows_the_portal_in_french(page, screenshot):
    TrainingSessionFactory(title="Blockchain fundamentals", format=TrainingSession.Format.IN_PERSON)

    page.goto("/")
    assert page.inner_text("h1") == "Training for law-enforcement agencies"
    page.select_option("#language-select", "fr")
    page.wait_for_selector("html[lang=fr]")

    assert page.inner_text("h1") == "Formations pour les services répressifs"
    assert page.inner_text(".section-head h2") == "Prochaines sessions"
    assert page.inner_text(".session-card .meta span >> nth=0") == "En présentiel"
    # The choice sticks: the next page is French too.
    page.get_by_role("link", name="Voir toutes les sessions").click()
    page.wait_for_url("**/sessions/")
    assert page.get_by_role("button", name="Filtrer").is_visible()
    screenshot(page, "portal_french")


def test_phone_menu_opens_the_navigation(page, screenshot):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    assert page.locator(".site-nav").is_hidden()

    page.locator(".nav-toggle-label").click()
    page.get_by_role("link", name="Sessions").first.click()
    page.wait_for_url("**/sessions/")
    assert page.inner_text("h1") == "Sessions"
    screenshot(page, "portal_phone")


def test_session_page_opened_first_from_an_email_link_shows_the_viewer_time(page, screenshot):
    session = TrainingSessionFactory(title="Tracing illicit funds", timezone="America/Mexico_City")

    # The first page of a visit: the browser's zone is not known to the server yet.
    page.goto(f"/sessions/{session.pk}/")
    page.wait_for_selector("#viewer-time")

    assert page.inner_text("#viewer-time").endswith("your time, Paris")
    assert page.locator("[data-needs-viewer-zone]").count() == 0
    screenshot(page, "portal_session_first_visit")
