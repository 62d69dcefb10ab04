"""The portal's cards kept in the cache (``sessions.cards``): shared by every viewer, never stale.

A card shows what its session is now: its seats, title, status and topics, in the viewer's language
and zone; a page whose cards are all in the cache reads no topics.
"""

import zoneinfo
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from sessions.cards import session_cards
from sessions.models import Registration, Topic, TrainingSession
from sessions.templatetags.portal_cards import session_card
from sessions.views import _list_queryset
from tests.factories import OfficerFactory, RegistrationFactory, TopicFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer.user)
    client.cookies["django_language"] = "en"
    return client


def cards_of(client, path=None, query=None) -> list[str]:
    response = client.get(path or reverse("sessions:list"), query or {})
    assert response.status_code == 200
    return [str(card) for card in response.context["cards"]]


def test_card_shows_the_seats_left_after_a_registration(officer_client):
    session = TrainingSessionFactory(capacity=3)
    cards_of(officer_client)

    RegistrationFactory(session=session, status=Registration.Status.CONFIRMED)
    [card] = cards_of(officer_client)

    assert '<span class="badge badge-ok">2 seats left</span>' in card


def test_card_shows_full_once_the_last_seat_is_taken(officer_client):
    session = TrainingSessionFactory(capacity=1)
    cards_of(officer_client)

    RegistrationFactory(session=session, status=Registration.Status.CONFIRMED)
    [card] = cards_of(officer_client)

    assert '<span class="badge badge-warn">Full — join the waitlist</span>' in card


def test_card_shows_the_new_title(officer_client):
    session = TrainingSessionFactory(title="Tracing basics")
    cards_of(officer_client)

    session.title_en = "Tracing and seizing"
    session.save()
    [card] = cards_of(officer_client)

    assert '">Tracing and seizing</a></h3>' in card


def test_card_shows_a_cancelled_session_as_cancelled(officer_client):
    start = (timezone.now() + timedelta(days=40)).replace(day=15, hour=12)
    session = TrainingSessionFactory(starts_at=start, capacity=10)
    by_month = {"month": f"{start:%Y-%m}"}
    cards_of(officer_client, query=by_month)

    session.status = TrainingSession.Status.CANCELLED
    session.save()
    [card] = cards_of(officer_client, query=by_month)

    assert '<span class="badge badge-danger">Cancelled</span>' in card


def test_card_shows_a_topic_added_to_its_session(officer_client):
    session = TrainingSessionFactory()
    topic = TopicFactory(name="Ransomware")
    cards_of(officer_client)

    session.topics.add(topic)
    [card] = cards_of(officer_client)

    assert '<span class="badge">Ransomware</span>' in card


def test_card_no_longer_shows_a_topic_removed_from_its_session(officer_client):
    session = TrainingSessionFactory()
    topic = TopicFactory(name="Ransomware")
    session.topics.add(topic)
    cards_of(officer_client)

    session.topics.remove(topic)
    [card] = cards_of(officer_client)

    assert "Ransomware" not in card


def test_card_shows_a_topic_renamed(officer_client):
    topic = TopicFactory(name="Ransomware")
    TrainingSessionFactory().topics.add(topic)
    cards_of(officer_client, "/")

    topic.name = "Ransomware payments"
    topic.save()
    [card] = cards_of(officer_client, "/")

    assert '<span class="badge">Ransomware payments</span>' in card


def test_card_shows_a_topic_renamed_in_a_transaction_read_before_it_commits(
    officer_client, django_capture_on_commit_callbacks
):
    topic = TopicFactory(name="Ransomware")
    TrainingSessionFactory().topics.add(topic)

    with django_capture_on_commit_callbacks(execute=True):
        topic.name = "Ransomware payments"
        topic.save()
        # A list read while the change is not yet committed: its cards are kept with the old name.
        Topic.objects.filter(pk=topic.pk).update(name="Ransomware")
        cards_of(officer_client)
        Topic.objects.filter(pk=topic.pk).update(name="Ransomware payments")
    [card] = cards_of(officer_client)

    assert '<span class="badge">Ransomware payments</span>' in card


def test_card_in_each_viewer_language_and_zone(officer_client):
    TrainingSessionFactory(timezone="America/Mexico_City", format=TrainingSession.Format.VIRTUAL)
    [english] = cards_of(officer_client)
    officer_client.cookies["django_language"] = "fr"
    officer_client.cookies["tz"] = "Europe%2FParis"

    [french] = cards_of(officer_client)

    assert "<span>Virtual</span>" in english
    assert "<span>Virtuel</span>" in french
    assert "your time" not in english
    assert "votre heure, Paris" in french


def test_cards_from_the_cache_are_the_cards_rendered(django_assert_num_queries):
    sessions = TrainingSessionFactory.create_batch(3, timezone="America/Mexico_City")
    sessions[0].topics.add(TopicFactory(name="AML & <KYC>", name_fr="Blanchiment d'argent"))
    sessions[1].topics.add(TopicFactory(name="Tracing"))
    RegistrationFactory(session=sessions[2], status=Registration.Status.CONFIRMED)
    zone = zoneinfo.ZoneInfo("Asia/Tokyo")

    with translation.override("fr"):
        listed = list(_list_queryset(TrainingSession.objects.all()).order_by("id"))
        expected = [str(session_card(session, zone)) for session in listed]
        listed = list(_list_queryset(TrainingSession.objects.all()).order_by("id"))
        rendered = session_cards(listed, zone)
        listed = list(_list_queryset(TrainingSession.objects.all()).order_by("id"))
        with django_assert_num_queries(0):
            kept = session_cards(listed, zone)

    assert [str(card) for card in rendered] == expected
    assert [str(card) for card in kept] == expected


@pytest.mark.parametrize("item_count", [1, 12])
def test_session_list_with_its_cards_in_the_cache_reads_no_topics(
    officer_client, django_assert_num_queries, item_count
):
    for session in TrainingSessionFactory.create_batch(item_count):
        session.topics.add(TopicFactory())
    other_officer = OfficerFactory()
    officer_client.get(reverse("sessions:list"))
    # Another officer's visit: the cards are the same for every viewer.
    officer_client.force_login(other_officer.user)

    # Session, user, officer, the page with its total: the filters' options and the cards are cached.
    with django_assert_num_queries(4):
        response = officer_client.get(reverse("sessions:list"))

    assert len(response.context["cards"]) == item_count


@pytest.mark.parametrize("item_count", [1, 6])
def test_landing_with_its_cards_in_the_cache_reads_no_topics(officer_client, django_assert_num_queries, item_count):
    for session in TrainingSessionFactory.create_batch(item_count):
        session.topics.add(TopicFactory())
    officer_client.get("/")

    # Session, user, officer, the sessions.
    with django_assert_num_queries(4):
        response = officer_client.get("/")

    assert len(response.context["cards"]) == item_count


def test_a_deploy_with_other_translations_reads_none_of_the_kept_html(settings, tmp_path):
    """The cards' and the filter form's keys carry a digest of the code and the compiled translations."""
    from sessions import cards

    for relative in ("templates/portal/includes/session_filter_fields.html", "locale/es/LC_MESSAGES/django.mo"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_bytes(b"first")
    settings.BASE_DIR = tmp_path
    cards.rendering_version.cache_clear()
    before = cards.rendering_version()

    (tmp_path / "locale/es/LC_MESSAGES/django.mo").write_bytes(b"second")
    cards.rendering_version.cache_clear()
    after = cards.rendering_version()
    cards.rendering_version.cache_clear()

    assert (before == after, len(before)) == (False, 12)
