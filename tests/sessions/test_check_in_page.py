"""The trainer's check-in page and its service worker (issue 15 §2–3): who may open them, what they serve."""

import hashlib
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from sessions.models import TrainingSession
from tests.factories import (
    ManagerFactory,
    OfficerFactory,
    SessionTrainerFactory,
    StaffTrainerUserFactory,
    TrainerFactory,
    TrainingSessionFactory,
)

pytestmark = pytest.mark.django_db

# The file `make vendor-js` copies from the npm package pinned in package.json (jsqr 1.4.0, dist/jsQR.js).
JSQR_SHA256 = "bc40c8a15196236b2314db0856f72ca0b49980cd5413b8c852a7349f5fee0859"


@pytest.fixture
def taught():
    trainer = TrainerFactory()
    session = TrainingSessionFactory(title="Tracing illicit funds <b>&amp;</b> more", timezone="America/Mexico_City")
    SessionTrainerFactory(session=session, trainer=trainer)
    return session, trainer


def test_check_in_page_opens_for_the_session_trainer(client, taught):
    session, trainer = taught
    client.force_login(trainer.user)

    response = client.get(reverse("sessions:check_in", args=[session.pk]))

    assert response.status_code == 200
    config = response.context["page_config"]
    assert config["session"] == session.pk
    assert config["rosterUrl"] == f"/api/v1/sessions/{session.pk}/check-ins/roster/"
    assert config["checkInsUrl"] == f"/api/v1/sessions/{session.pk}/check-ins/"
    assert config["workerUrl"] == f"/sessions/{session.pk}/check-in/service-worker.js"
    assert config["scope"] == f"/sessions/{session.pk}/check-in/"
    assert config["batchSize"] == 200
    assert config["timezone"] == "America/Mexico_City"
    # The title is escaped where it is shown; the page itself lists nobody (the roster comes from the API).
    assert b"Tracing illicit funds &lt;b&gt;&amp;amp;&lt;/b&gt; more" in response.content


def test_check_in_page_opens_for_a_manager(client, taught):
    session, _ = taught
    client.force_login(ManagerFactory())

    assert client.get(reverse("sessions:check_in", args=[session.pk])).status_code == 200


def test_check_in_page_is_forbidden_to_a_trainer_of_another_session(client, taught):
    session, _ = taught
    client.force_login(TrainerFactory().user)

    assert client.get(reverse("sessions:check_in", args=[session.pk])).status_code == 403


def test_check_in_page_is_forbidden_to_a_trainer_group_member_not_teaching_it(client, taught):
    session, _ = taught
    client.force_login(StaffTrainerUserFactory())

    assert client.get(reverse("sessions:check_in", args=[session.pk])).status_code == 403


def test_check_in_page_is_not_found_for_an_officer(client, taught):
    session, _ = taught
    client.force_login(OfficerFactory().user)

    assert client.get(reverse("sessions:check_in", args=[session.pk])).status_code == 404


def test_check_in_page_is_not_found_for_an_unknown_session(client):
    client.force_login(ManagerFactory())

    assert client.get(reverse("sessions:check_in", args=[999_999])).status_code == 404


def test_check_in_page_sends_an_anonymous_visitor_to_sign_in(client, taught):
    session, _ = taught
    url = reverse("sessions:check_in", args=[session.pk])

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url}"


def test_check_in_page_refuses_a_post(client, taught):
    session, trainer = taught
    client.force_login(trainer.user)

    assert client.post(reverse("sessions:check_in", args=[session.pk])).status_code == 405


def test_check_in_page_queries_are_bounded(client, taught, django_assert_max_num_queries):
    session, trainer = taught
    client.force_login(trainer.user)
    url = reverse("sessions:check_in", args=[session.pk])
    client.get(url)

    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200


def test_check_in_worker_keeps_the_page_and_its_static_files(client, taught):
    session, trainer = taught
    client.force_login(trainer.user)

    response = client.get(reverse("sessions:check_in_worker", args=[session.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert "no-cache" in response["Cache-Control"]
    first_line, import_line = response.content.decode().splitlines()
    worker = json.loads(first_line.removeprefix("self.CHECK_IN = ").removesuffix(";"))
    assert worker["page"] == f"/sessions/{session.pk}/check-in/"
    assert worker["prefix"] == f"check-in-{session.pk}-"
    assert worker["cache"].startswith(worker["prefix"])
    assert worker["files"] == [
        "/static/css/portal.css",
        "/static/js/portal.js",
        "/static/training/check_in.css",
        "/static/training/check_in.js",
        "/static/vendor/jsqr/jsQR.js",
    ]
    assert import_line == 'importScripts("/static/training/check_in_worker.js");'


def test_check_in_worker_is_forbidden_to_a_trainer_of_another_session(client, taught):
    session, _ = taught
    client.force_login(TrainerFactory().user)

    assert client.get(reverse("sessions:check_in_worker", args=[session.pk])).status_code == 403


def test_sign_out_asks_the_browser_to_clear_the_site_storage(client, taught):
    _, trainer = taught
    client.force_login(trainer.user)

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'


def test_back_office_sign_out_asks_the_browser_to_clear_the_site_storage(client, taught):
    _, trainer = taught
    client.force_login(trainer.user)

    response = client.post(reverse("admin:logout"))

    assert response["Clear-Site-Data"] == '"cache", "storage"'


def test_other_responses_do_not_clear_the_site_storage(client, taught):
    session, trainer = taught
    client.force_login(trainer.user)

    response = client.get(reverse("sessions:check_in", args=[session.pk]))

    assert "Clear-Site-Data" not in response


def test_vendored_jsqr_is_the_pinned_package_with_its_licence():
    vendor = Path(settings.BASE_DIR) / "static" / "vendor" / "jsqr"
    package = json.loads((Path(settings.BASE_DIR) / "package.json").read_text())

    assert package["dependencies"] == {"jsqr": "1.4.0"}
    assert hashlib.sha256((vendor / "jsQR.js").read_bytes()).hexdigest() == JSQR_SHA256
    assert (vendor / "LICENSE").read_text().split()[:3] == ["Apache", "License", "Version"]


# --- Where a trainer finds the page ---


def test_back_office_session_page_links_to_its_check_in(client, taught):
    session, trainer = taught
    client.force_login(trainer.user)
    check_in = reverse("sessions:check_in", args=[session.pk])

    page = client.get(reverse("admin:training_trainingsession_change", args=[session.pk])).content.decode()

    assert page.count(f'href="{check_in}"') == 1


def test_draft_session_page_has_no_check_in_link(client, trainer):
    session = TrainingSessionFactory(status=TrainingSession.Status.DRAFT)
    SessionTrainerFactory(session=session, trainer=trainer)
    client.force_login(trainer.user)

    page = client.get(reverse("admin:training_trainingsession_change", args=[session.pk])).content.decode()

    assert "/check-in/" not in page


def test_dashboard_this_week_links_to_the_check_in_of_each_published_session(client, trainer):
    today = TrainingSessionFactory(title="Today", starts_at=timezone.now())
    draft = TrainingSessionFactory(title="Draft", starts_at=timezone.now(), status=TrainingSession.Status.DRAFT)
    for session in (today, draft):
        SessionTrainerFactory(session=session, trainer=trainer)
    client.force_login(trainer.user)

    html = client.get(reverse("admin:index")).content.decode()

    assert html.count('class="back-office-action check-in-link"') == 1
    assert f'href="{reverse("sessions:check_in", args=[today.pk])}"' in html


def test_roll_call_page_links_to_the_check_in(client, taught):
    session, trainer = taught
    client.force_login(trainer.user)

    page = client.get(reverse("admin:training_trainingsession_roll_call", args=[session.pk])).content.decode()

    assert f'<a href="{reverse("sessions:check_in", args=[session.pk])}" id="check-in-link">' in page


def test_check_in_page_speaks_the_visitors_language(client, taught):
    session, trainer = taught
    client.force_login(trainer.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    response = client.get(reverse("sessions:check_in", args=[session.pk]))

    assert response.context["page_config"]["words"]["already"] == "Déjà enregistré à %(time)s"
    assert '<h2 id="check-in-scan-title">Scanner</h2>' in response.content.decode()


def test_portal_session_page_links_its_trainer_to_the_check_in(client, taught):
    session, trainer = taught
    client.force_login(trainer.user)
    check_in = reverse("sessions:check_in", args=[session.pk])

    page = client.get(reverse("sessions:detail", args=[session.pk])).content.decode()

    assert page.count(f'href="{check_in}"') == 1


@pytest.mark.parametrize("who", ["officer", "other trainer"])
def test_portal_session_page_has_no_check_in_link_for_others(client, taught, who):
    session, _ = taught
    client.force_login(OfficerFactory().user if who == "officer" else TrainerFactory().user)

    page = client.get(reverse("sessions:detail", args=[session.pk])).content.decode()

    assert "/check-in/" not in page


def test_check_in_codes_page_links_to_the_check_in(client, taught):
    session, trainer = taught
    client.force_login(trainer.user)

    page = client.get(reverse("admin:training_trainingsession_check_in_codes", args=[session.pk])).content.decode()

    assert f'<a href="{reverse("sessions:check_in", args=[session.pk])}" id="check-in-link">' in page
