"""An email backend for `make run`: each email as a short, readable summary on the console.

Django's console backend prints the raw MIME message (base64 or quoted-printable bodies, headers,
attachments), where a developer following a flow only wants to know who got what and which link
to open. ``EMAIL_URL=summarymail://`` selects this backend; bin/devserver.py makes it the default
of `make run`.
"""

import re
import sys
import threading

from django.core.mail.backends.base import BaseEmailBackend

LINK = re.compile(r"https?://[^\s<>\"')\]]+")
RULE = "-" * 78


def links_in(text: str) -> list[str]:
    """The distinct links of a text, in order of appearance (trailing punctuation left out)."""
    found: list[str] = []
    for match in LINK.findall(text):
        link = match.rstrip(".,;:!?")
        if link not in found:
            found.append(link)
    return found


def summarise(message) -> str:
    """Recipient, subject, links and attachment names of one EmailMessage, as plain lines."""
    lines = [RULE, f"Email to {', '.join(message.to)}"]
    if message.cc:
        lines.append(f"  Cc:      {', '.join(message.cc)}")
    if message.bcc:
        lines.append(f"  Bcc:     {', '.join(message.bcc)}")
    lines.append(f"  From:    {message.from_email}")
    lines.append(f"  Subject: {message.subject}")
    body = message.body
    if not body:
        body = next((content for content, mimetype in getattr(message, "alternatives", []) if "html" in mimetype), "")
    links = links_in(str(body))
    lines.append("  Links:" if links else "  Links:   (none)")
    lines += [f"    {link}" for link in links]
    for attachment in message.attachments:
        name = attachment[0] if isinstance(attachment, tuple) else attachment.get_filename()
        lines.append(f"  Attached: {name}")
    lines.append(RULE)
    return "\n".join(lines) + "\n"


class SummaryConsoleEmailBackend(BaseEmailBackend):
    """Writes a summary of each email to standard output instead of sending it."""

    def __init__(self, *args, stream=None, **kwargs):
        self.stream = stream or sys.stdout
        self._lock = threading.RLock()
        super().__init__(*args, **kwargs)

    def send_messages(self, email_messages):
        if not email_messages:
            return 0
        sent = 0
        with self._lock:
            for message in email_messages:
                self.stream.write(summarise(message))
                self.stream.flush()
                sent += 1
        return sent
