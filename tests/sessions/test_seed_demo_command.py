"""seed_demo on an empty database (the other seed_demo tests share one seeded database)."""

from django.core import mail
from django.core.management import call_command, get_commands

from demo.program import DEMO_PASSWORD, MANAGER_EMAIL, OFFICER_EMAIL, TRAINER_EMAIL
from demo.seed import seed_demo
from messaging.models import OutboundMessage
from sessions.cards import _new_catalogue_version


def test_seed_demo_sends_no_email(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = seed_demo()

    # 132 before the check-in workshop happening today and the three-day workshop.
    assert report.created["sessions"] == 134
    # Nothing is queued on commit but the portal cards' new catalogue version (topics and countries were
    # written): no email, no task.
    assert [callback for callback in callbacks if callback is not _new_catalogue_version] == []
    assert OutboundMessage.objects.count() == 0
    assert mail.outbox == []


def test_seed_demo_command_prints_logins_each_run(db, capsys):
    call_command("seed_demo")
    call_command("seed_demo")

    output = capsys.readouterr().out
    assert "Demo data created: 7 topics, 23 agencies" in output
    assert output.count(f"password: {DEMO_PASSWORD}") == 2
    for email in (MANAGER_EMAIL, TRAINER_EMAIL, OFFICER_EMAIL):
        assert output.count(email) == 2
    assert "Demo data already present: nothing added." in output


def test_seed_demo_command_comes_from_the_demo_app():
    assert get_commands()["seed_demo"] == "demo"
