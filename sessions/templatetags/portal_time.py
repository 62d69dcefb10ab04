"""How the portal names a time zone to officers: by its city, not by its IANA id."""

from datetime import datetime, tzinfo

from django import template
from django.template.defaultfilters import date, time
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

register = template.Library()


@register.filter
def zone_city(zone: tzinfo | str | None) -> str:
    """The readable city of an IANA zone: "America/Argentina/Buenos_Aires" is "Buenos Aires".

    Officers know where a session is, not the tz database's spelling of it; a zone without a
    city part (UTC) keeps its own name.
    """
    if zone is None:
        return ""
    key = getattr(zone, "key", None) or str(zone)
    return key.rsplit("/", 1)[-1].replace("_", " ")


def _in_zone(value: datetime | None, zone: tzinfo) -> datetime | str:
    # As the ``timezone`` filter gives it to ``date`` and ``time``: converted once, formatted as is.
    return value.astimezone(zone) if value is not None else ""


@register.simple_tag
def card_start(session, viewer_timezone: tzinfo | None = None) -> SafeString:
    """A session card's start: in the session's zone with its city and, when the viewer's zone is
    another, the viewer's time (the hour alone when it is the same day there), e.g.
    "Dec. 7, 2026, 9 a.m. Mexico City · 4 p.m. your time, Paris".

    Written in Python: as ``{% timezone %}``, filters and ``{% blocktranslate %}`` it was a third of
    the cost of rendering a card.
    """
    there = _in_zone(session.starts_at, session.timezone)
    html = format_html('{} <span class="zone">{}</span>', date(there, "DATETIME_FORMAT"), zone_city(session.timezone))
    if not viewer_timezone or viewer_timezone.key == session.timezone.key:
        return html
    here = _in_zone(session.starts_at, viewer_timezone)
    same_day = date(here, "Ymd") == date(there, "Ymd")
    shown = time(here, "TIME_FORMAT") if same_day else date(here, "DATETIME_FORMAT")
    # As {% blocktranslate %} does: the translation as written, the city escaped.
    yours = mark_safe(gettext("your time, %(city)s") % {"city": conditional_escape(zone_city(viewer_timezone))})  # noqa: S308
    return format_html('{} · <span class="viewer-time">{} <span class="zone">{}</span></span>', html, shown, yours)
