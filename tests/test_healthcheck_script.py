import importlib.util
from datetime import timedelta

import pytest
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from tests.settings_variables import ROOT


@pytest.fixture(scope="module")
def healthcheck():
    spec = importlib.util.spec_from_file_location("healthcheck", ROOT / "bin" / "healthcheck.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _sweep(last_run_at):
    every = IntervalSchedule.objects.create(every=2, period=IntervalSchedule.MINUTES)
    return PeriodicTask.objects.create(
        name="messaging-requeue-pending",
        task="messaging.tasks.requeue_pending_messages",
        interval=every,
        last_run_at=last_run_at,
    )


@pytest.mark.parametrize(
    ("allowed_hosts", "expected"),
    [
        ("training.example.org,www.example.org", "training.example.org"),
        (".example.org", "example.org"),
        ("*", "localhost"),
        ("", "localhost"),
    ],
)
def test_healthcheck_probe_host_is_an_allowed_host(healthcheck, monkeypatch, allowed_hosts, expected):
    monkeypatch.setenv("ALLOWED_HOSTS", allowed_hosts)

    assert healthcheck._probe_host() == expected


@pytest.mark.django_db(transaction=True)
def test_healthcheck_web_healthy_against_live_server(healthcheck, live_server, countries):
    assert healthcheck.check_web(f"{live_server.url}/healthz") == 0


def test_healthcheck_web_unhealthy_when_nothing_listens(healthcheck):
    assert healthcheck.check_web("http://127.0.0.1:1/healthz") == 1


@pytest.mark.django_db
def test_healthcheck_beat_healthy_after_recent_sweep(healthcheck):
    _sweep(timezone.now() - timedelta(minutes=3))

    assert healthcheck.check_beat() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("minutes_ago", [None, 11])
def test_healthcheck_beat_unhealthy_without_recent_sweep(healthcheck, minutes_ago):
    _sweep(None if minutes_ago is None else timezone.now() - timedelta(minutes=minutes_ago))

    assert healthcheck.check_beat() == 1
