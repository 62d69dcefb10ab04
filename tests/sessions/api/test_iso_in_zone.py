"""The API's times in a zone: the text of ``datetime.isoformat``, whoever writes it."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, available_timezones

import pytest

from sessions.api.serializers.common import iso_in_zone

INSTANTS = [
    datetime(2000, 1, 1, tzinfo=UTC),
    datetime(2026, 3, 8, 7, 59, 59, 999999, tzinfo=UTC),  # around a change to summer time
    datetime(2026, 3, 8, 8, 0, tzinfo=UTC),
    datetime(2026, 10, 25, 1, 30, 0, 1234, tzinfo=UTC),
    datetime(2099, 12, 31, 23, 59, tzinfo=UTC),
]


def test_every_zone_and_instant_reads_as_isoformat_writes_it():
    differing = [
        (zone, instant)
        for zone in sorted(available_timezones())
        for instant in INSTANTS
        if iso_in_zone(instant, ZoneInfo(zone)) != instant.astimezone(ZoneInfo(zone)).isoformat()
    ]
    assert differing == []


@pytest.mark.parametrize("zone", ["America/Mexico_City", "Europe/Amsterdam", "Asia/Kolkata"])
def test_an_offset_in_seconds_of_old_local_time_is_kept(zone):
    instant = datetime(1890, 6, 1, 12, 0, tzinfo=UTC)
    assert iso_in_zone(instant, ZoneInfo(zone)) == instant.astimezone(ZoneInfo(zone)).isoformat()


def test_no_time_stays_none():
    assert iso_in_zone(None, ZoneInfo("UTC")) is None
