"""A session's place is written once, the same in the portal, the emails and the calendar file."""

import re

import pytest
from icalendar import Calendar

from messaging.services import render_message
from sessions.calendar import build_session_ics
from sessions.models import TrainingSession, join_place_names
from sessions.notifications import _context
from tests.factories import CountryFactory, RegistrationFactory, TrainingSessionFactory


@pytest.mark.parametrize(
    ("names", "place"),
    [
        (("Monterrey", "Monterrey", ""), "Monterrey"),
        (("Auditorium B", "Mexico City", "Mexico"), "Auditorium B, Mexico City, Mexico"),
        (("", "Singapore", "Singapore"), "Singapore"),
        (("", "", "Mexico"), "Mexico"),
        (("monterrey ", "Monterrey", "Mexico"), "monterrey, Mexico"),
        (("", "", ""), ""),
    ],
)
def test_join_place_names_says_each_name_once(names, place):
    assert join_place_names(*names) == place


@pytest.mark.django_db
def test_session_calendar_location_names_a_city_state_once():
    session = TrainingSessionFactory(
        format=TrainingSession.Format.IN_PERSON, venue="", city="Singapore", country=CountryFactory(code="SG")
    )

    event = Calendar.from_ical(build_session_ics(session, include_meeting_url=False)).walk("VEVENT")[0]

    assert str(event["LOCATION"]) == "Singapore"


@pytest.mark.django_db
def test_confirmation_email_names_a_venue_named_after_its_city_once():
    registration = RegistrationFactory(
        session__format=TrainingSession.Format.IN_PERSON,
        session__venue="Monterrey",
        session__city="Monterrey",
        session__country=CountryFactory(code="MX"),
    )

    _subject, text, html = render_message(
        kind="registration_confirmed", language="en", context=_context(registration, confirmed=True)
    )

    assert re.search(r"Where: (.*)", text).group(1) == "Monterrey, Mexico"
    assert re.search(r"Where: (.*?)</td>", html).group(1) == "Monterrey, Mexico"
