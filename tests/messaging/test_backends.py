"""`make run`'s email backend prints a readable summary of each email (messaging/backends.py)."""

import io

from django.core.mail import EmailMultiAlternatives, get_connection

from messaging.backends import SummaryConsoleEmailBackend


def test_summary_backend_prints_recipient_subject_links_and_attachments():
    stream = io.StringIO()
    message = EmailMultiAlternatives(
        subject="Confirm your email address for TrainingOps",
        body="Open http://127.0.0.1:8000/accounts/confirm-email/abc/. Help: https://example.org/help, thanks.",
        from_email="TrainingOps <training@trainingops.example>",
        to=["ana@policia.gob.mx"],
    )
    message.attach_alternative("<p><a href='http://127.0.0.1:8000/accounts/confirm-email/abc/'>x</a></p>", "text/html")
    message.attach("session.ics", "BEGIN:VCALENDAR", "text/calendar")

    sent = SummaryConsoleEmailBackend(stream=stream).send_messages([message])

    assert sent == 1
    assert stream.getvalue().splitlines()[1:-1] == [
        "Email to ana@policia.gob.mx",
        "  From:    TrainingOps <training@trainingops.example>",
        "  Subject: Confirm your email address for TrainingOps",
        "  Links:",
        "    http://127.0.0.1:8000/accounts/confirm-email/abc/",
        "    https://example.org/help",
        "  Attached: session.ics",
    ]
    assert "Content-Transfer-Encoding" not in stream.getvalue()


def test_summary_backend_reads_links_from_an_html_only_email():
    stream = io.StringIO()
    message = EmailMultiAlternatives(subject="Hi", body='<a href="https://x.example/a">a</a>', to=["b@x.example"])
    message.content_subtype = "html"

    SummaryConsoleEmailBackend(stream=stream).send_messages([message])

    assert "    https://x.example/a\n" in stream.getvalue()


def test_summary_backend_sends_nothing_for_no_messages():
    assert SummaryConsoleEmailBackend(stream=io.StringIO()).send_messages([]) == 0


def test_summarymail_url_selects_the_summary_backend(settings):
    import environ

    config = environ.Env.email_url_config("summarymail://")

    assert config["EMAIL_BACKEND"] == "messaging.backends.SummaryConsoleEmailBackend"
    settings.EMAIL_BACKEND = config["EMAIL_BACKEND"]
    assert isinstance(get_connection(), SummaryConsoleEmailBackend)
