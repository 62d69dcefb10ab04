"""What the browser tests share: accounts a person can sign in with, and the emails they got."""

import re
from urllib.parse import urlencode

from allauth.account.models import EmailAddress
from django.core import mail

from tests.factories import OfficerFactory, UserFactory

PASSWORD = "correct-horse-battery"  # UserFactory's password


def verified_officer(email: str, *, first_name: str = "Ana", last_name: str = "López", **fields):
    """An officer whose email address is confirmed, so they can sign in with PASSWORD."""
    user = UserFactory(email=email, first_name=first_name, last_name=last_name)
    officer = OfficerFactory(user=user, **fields)
    EmailAddress.objects.update_or_create(user=officer.user, email=email, defaults={"verified": True, "primary": True})
    return officer


def verified_user(user):
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    return user


def sign_in(page, email: str, *, password: str = PASSWORD, next_url: str = "") -> None:
    """Sign in through allauth's form, as a person would."""
    page.goto("/accounts/login/" + (f"?{urlencode({'next': next_url})}" if next_url else ""))
    page.fill("#id_login", email)
    page.fill("#id_password", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def emails_to(address: str) -> list:
    return [message for message in mail.outbox if message.to == [address]]


def link_in(message, pattern: str) -> str:
    """The one link in the message's text that matches ``pattern``."""
    links = re.findall(r"https?://\S+", message.body)
    matching = [link for link in links if re.search(pattern, link)]
    assert len(matching) == 1, (pattern, links)
    return matching[0]
