"""A session card of the portal's lists, written in Python.

Through the template engine (an include per card: a dozen tags, lookups and a plural
``{% blocktranslate %}``) the cards were about a third of the list's CPU time. The HTML is byte for
byte what ``portal/includes/session_card.html`` rendered (``tests/sessions/test_session_cards.py``
keeps the template's text to compare against).
"""

from datetime import tzinfo

from django import template
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from sessions.selectors import seats_left
from sessions.templatetags.portal_time import card_start

register = template.Library()

CARD = """
<article class="session-card">
  <div class="session-date">{start}</div>
  <h3><a href="{url}">{title}</a></h3>
  <div class="meta">
    <span>{format}</span>
    <span>{language}</span>
    {locality}
  </div>
  {topics}
  <div class="badges">
    {availability}
  </div>
</article>
"""


def _availability(session) -> SafeString:
    """The card's status badge; the translations are trusted as ``{% translate %}`` trusts them."""
    if session.status == "cancelled":
        badge = format_html('<span class="badge badge-danger">{}</span>\n    ', mark_safe(gettext("Cancelled")))  # noqa: S308
    elif session.status == "completed":
        badge = format_html('<span class="badge badge-muted">{}</span>\n    ', mark_safe(gettext("Completed")))  # noqa: S308
    elif session.capacity is None:
        badge = format_html('<span class="badge badge-ok">{}</span>\n    ', mark_safe(gettext("Open seating")))  # noqa: S308
    elif (seats := seats_left(session, taken=session.seats_taken)) == 0:
        full = mark_safe(gettext("Full — join the waitlist"))  # noqa: S308
        badge = format_html('<span class="badge badge-warn">{}</span>\n    ', full)
    else:
        text = ngettext("%(seats)s seat left", "%(seats)s seats left", seats) % {
            "seats": conditional_escape(localize(seats))
        }
        badge = format_html('<span class="badge badge-ok">{}</span>', mark_safe(text))  # noqa: S308
    return badge


@register.simple_tag
def session_card(session, viewer_timezone: tzinfo | None = None) -> SafeString:
    """One card: start, title and link, format, language, place, topics and seats.

    The session comes with ``seats_taken`` counted (``sessions.selectors.with_seat_counts``) and its
    country; its topics are read unless prefetched. The portal's lists take their cards from
    ``sessions.cards.session_cards``, which keeps them in the cache.
    """
    topics = session.topics.all()
    return format_html(
        CARD,
        start=card_start(session, viewer_timezone),
        url=reverse("sessions:detail", args=[session.pk]),
        title=session.title,
        format=session.get_format_display(),
        language=session.get_language_display(),
        locality=format_html("<span>{}</span>", session.locality) if session.locality else "",
        topics=format_html(
            '<div class="badges">{}</div>',
            format_html_join("", '<span class="badge">{}</span>', ((topic.localized_name,) for topic in topics)),
        )
        if topics
        else "",
        availability=_availability(session),
    )
