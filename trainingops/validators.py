"""Bounds of the dates and times people type, shared by the models, the admin forms and the API.

Python's datetimes end at years 1 and 9999: a value stored near either end cannot be shown in a
time zone that pushes it past the end (9999-12-31 22:00 UTC in Kiritimati, UTC+14), so one such
row would break every page listing it. No training happens outside these years, and within
them every value can be shown in every zone.
"""

from datetime import UTC, datetime, tzinfo

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

EARLIEST_YEAR = 2000
LATEST_YEAR = 2100
EARLIEST_DATETIME = datetime(EARLIEST_YEAR, 1, 1, tzinfo=UTC)
# Exclusive: the first moment after the latest year.
END_DATETIME = datetime(LATEST_YEAR + 1, 1, 1, tzinfo=UTC)

OUT_OF_RANGE_MESSAGE = _("Enter a date from the year %(earliest)s to %(latest)s.")
OUT_OF_RANGE_IN_ZONE_MESSAGE = _("Enter a date from the year %(earliest)s to %(latest)s, in UTC and in %(zone)s.")


def _range_params() -> dict:
    return {"earliest": EARLIEST_YEAR, "latest": LATEST_YEAR}


def validate_datetime_in_range(value: datetime, zone: tzinfo | None = None) -> None:
    """Refuse a moment outside the supported years, in UTC and, when given, as the clock in ``zone``."""
    if timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    if not EARLIEST_DATETIME <= value < END_DATETIME:
        raise ValidationError(OUT_OF_RANGE_MESSAGE, code="date_out_of_range", params=_range_params())
    # Safe now: within the years above, any zone's offset keeps the value far from years 1 and 9999.
    if zone is not None and not EARLIEST_YEAR <= value.astimezone(zone).year <= LATEST_YEAR:
        raise ValidationError(
            OUT_OF_RANGE_IN_ZONE_MESSAGE, code="date_out_of_range", params={**_range_params(), "zone": str(zone)}
        )


def validate_wall_time_in_range(value: datetime) -> None:
    """Refuse a wall-clock time (naive, in some zone) outside the supported years before converting it."""
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationError(OUT_OF_RANGE_MESSAGE, code="date_out_of_range", params=_range_params())
