from zoneinfo import ZoneInfo

import pytest

from sessions.templatetags.portal_time import zone_city


@pytest.mark.parametrize(
    ("zone", "city"),
    [
        (ZoneInfo("America/Mexico_City"), "Mexico City"),
        (ZoneInfo("America/Argentina/Buenos_Aires"), "Buenos Aires"),
        ("Europe/Paris", "Paris"),
        (ZoneInfo("UTC"), "UTC"),
        (None, ""),
    ],
)
def test_zone_city_is_the_readable_last_part_of_the_iana_id(zone, city):
    assert zone_city(zone) == city
