"""Double-booking selectors: a trainer or a venue in two overlapping sessions."""

from datetime import UTC, datetime, timedelta

import pytest

from sessions.models import TrainingSession
from sessions.selectors import booking_conflicts, booking_conflicts_of
from tests.factories import SessionTrainerFactory, TrainerFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db

START = datetime(2030, 3, 1, 15, 0, tzinfo=UTC)
IN_MONTERREY = {"format": TrainingSession.Format.IN_PERSON, "venue": "Hotel Reforma", "city": "Monterrey"}


def session(offset_hours: float = 0, hours: float = 3, **fields):
    starts_at = START + timedelta(hours=offset_hours)
    return TrainingSessionFactory(starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours), **fields)


def described(conflicts):
    return [(c.session.title, c.other.title, [t.pk for t in c.trainers], c.venue) for c in conflicts]


def test_same_venue_in_the_same_city_clashes_whatever_the_case_and_spaces():
    first = session(title="First", **IN_MONTERREY)
    session(1, title="Second", **{**IN_MONTERREY, "venue": "  hotel   REFORMA ", "city": "monterrey"})

    assert described(booking_conflicts_of(first.pk)) == [("First", "Second", [], "Hotel Reforma")]


@pytest.mark.parametrize(
    "other",
    [
        {**IN_MONTERREY, "city": "Mexico City"},  # a hotel of the same name elsewhere
        {"format": TrainingSession.Format.VIRTUAL, "venue": "Hotel Reforma", "city": "Monterrey"},
        {**IN_MONTERREY, "status": TrainingSession.Status.CANCELLED},
    ],
)
def test_no_venue_clash_elsewhere_online_or_cancelled(other):
    first = session(title="First", **IN_MONTERREY)
    session(1, title="Second", **other)

    assert booking_conflicts_of(first.pk) == []


def test_back_to_back_sessions_do_not_clash():
    trainer = TrainerFactory()
    first = session(title="First", **IN_MONTERREY)
    second = session(3, title="Second", **IN_MONTERREY)
    for each in (first, second):
        SessionTrainerFactory(session=each, trainer=trainer)

    assert booking_conflicts_of(first.pk) == []


def test_each_pair_is_listed_once_with_every_shared_trainer():
    ana, luis, eva = TrainerFactory(), TrainerFactory(), TrainerFactory()
    first, second, third = session(title="First"), session(2, title="Second"), session(2.5, title="Third")
    for each, trainers in ((first, [ana, luis, eva]), (second, [ana, luis]), (third, [eva])):
        for trainer in trainers:
            SessionTrainerFactory(session=each, trainer=trainer)

    conflicts = booking_conflicts(ending_after=START)

    assert described(conflicts) == [
        ("First", "Second", [ana.pk, luis.pk], ""),
        ("First", "Third", [eva.pk], ""),
    ]
    assert [conflict.clash_keys() for conflict in conflicts] == [
        {(second.pk, "trainer", ana.pk), (second.pk, "trainer", luis.pk)},
        {(third.pk, "trainer", eva.pk)},
    ]


def test_pairs_that_are_over_are_left_out():
    trainer = TrainerFactory()
    for title in ("First", "Second"):
        SessionTrainerFactory(session=session(title=title), trainer=trainer)

    assert booking_conflicts(ending_after=START + timedelta(hours=3)) == []


def test_an_unsaved_or_undated_session_has_no_conflicts():
    undated = TrainingSessionFactory(starts_at=None, ends_at=None, status=TrainingSession.Status.DRAFT)

    assert (booking_conflicts_of(None), booking_conflicts_of(undated.pk)) == ([], [])
