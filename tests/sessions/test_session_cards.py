"""The portal's session cards, written in Python (``sessions.templatetags.portal_cards``), give the
HTML the template include gave, for every kind of card, language and viewer zone."""

import zoneinfo
from datetime import timedelta

import pytest
from django.db.models import F
from django.template import engines
from django.utils import timezone, translation

from sessions.models import TrainingSession
from sessions.templatetags.portal_cards import session_card
from sessions.views import _list_queryset
from tests.factories import RegistrationFactory, TopicFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db

# portal/includes/session_card.html as it was when the cards were rendered by the template engine.
TEMPLATE_CARD = """{% load i18n portal_time %}
<article class="session-card">
  <div class="session-date">{% card_start session viewer_timezone %}</div>
  <h3><a href="{% url 'sessions:detail' session.pk %}">{{ session.title }}</a></h3>
  <div class="meta">
    <span>{{ session.get_format_display }}</span>
    <span>{{ session.get_language_display }}</span>
    {% if session.locality %}<span>{{ session.locality }}</span>{% endif %}
  </div>
  {% if session.topics.all %}<div class="badges">{% for topic in session.topics.all %}<span class="badge">{{ topic.localized_name }}</span>{% endfor %}</div>{% endif %}
  <div class="badges">
    {% if session.status == "cancelled" %}<span class="badge badge-danger">{% translate "Cancelled" %}</span>
    {% elif session.status == "completed" %}<span class="badge badge-muted">{% translate "Completed" %}</span>
    {% elif session.capacity is None %}<span class="badge badge-ok">{% translate "Open seating" %}</span>
    {% elif session.seats_free <= 0 %}<span class="badge badge-warn">{% translate "Full — join the waitlist" %}</span>
    {% else %}<span class="badge badge-ok">{% blocktranslate count seats=session.seats_free %}{{ seats }} seat left{% plural %}{{ seats }} seats left{% endblocktranslate %}</span>{% endif %}
  </div>
</article>
"""


def every_kind_of_card():
    start = timezone.now() + timedelta(days=3)
    tagged = TrainingSessionFactory(
        title="<b>Tracing</b> & “seizing”", city="Saint-Denis <Réunion>", timezone="America/Mexico_City"
    )
    tagged.topics.set(
        [TopicFactory(name="AML & <KYC>", name_es="Lavado", name_fr="Blanchiment d'argent"), TopicFactory()]
    )
    one_left = TrainingSessionFactory(capacity=2, format=TrainingSession.Format.IN_PERSON, language="es")
    RegistrationFactory(session=one_left)
    full = TrainingSessionFactory(capacity=1, starts_at=start, language="fr")
    RegistrationFactory(session=full)
    TrainingSessionFactory(capacity=None, format=TrainingSession.Format.HYBRID, timezone="Asia/Tokyo")
    TrainingSessionFactory(status=TrainingSession.Status.CANCELLED, city="Lyon")
    TrainingSessionFactory(status=TrainingSession.Status.COMPLETED, starts_at=start - timedelta(days=30))
    TrainingSessionFactory(capacity=1500)
    # The template read ``seats_free``, which the list's query annotated then; the tag counts from ``seats_taken``.
    listed = _list_queryset(TrainingSession.objects.all()).annotate(seats_free=F("capacity") - F("seats_taken"))
    return list(listed.order_by("id"))


@pytest.mark.parametrize("language", ["en", "es", "fr"])
@pytest.mark.parametrize("viewer_zone", [None, "UTC", "Europe/Paris", "Asia/Tokyo"])
def test_session_card_renders_as_the_template_did(language, viewer_zone):
    sessions = every_kind_of_card()
    viewer_timezone = zoneinfo.ZoneInfo(viewer_zone) if viewer_zone else None
    template = engines["django"].from_string(TEMPLATE_CARD)

    with translation.override(language):
        expected = [template.render({"session": s, "viewer_timezone": viewer_timezone}) for s in sessions]
        written = [str(session_card(s, viewer_timezone)) for s in sessions]

    assert len(sessions) == 7
    assert written == expected
