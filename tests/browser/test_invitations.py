"""A trainer pastes a list of 30 addresses, previews what happens to each, and sends: in Chromium."""

import re

import pytest
from django.core import mail

from sessions.models import Invitation
from tests.browser.helpers import sign_in, verified_user
from tests.factories import (
    AgencyFactory,
    CountryFactory,
    InvitationFactory,
    OfficerFactory,
    RegistrationFactory,
    SessionTrainerFactory,
    TrainerFactory,
    TrainingSessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

# 26 new addresses in the formats mail programs copy, joined by new lines, commas and semicolons.
NEW = [f"officer{n:02d}@policia.gob.mx" for n in range(26)]


def pasted_list(registered: str, invited: str) -> str:
    outlook = "; ".join(f'"López{n}, Ana" <{address}>' for n, address in enumerate(NEW[:10]))
    gmail = ", ".join(f"Luis Pérez{n} <{address.upper()}>" for n, address in enumerate(NEW[10:18]))
    bare = "\n".join(NEW[18:26])
    return f"{outlook};\n\n{gmail},\n{bare}\nnot-an-address; {registered}, Invited <{invited}>\n{NEW[3]};\n"


def test_trainer_previews_thirty_pasted_addresses_and_sends_only_the_new_ones(page, screenshot, roles):
    agency = AgencyFactory(name="Policía Federal Ministerial", acronym="PFM", country=CountryFactory(code="MX"))
    trainer = TrainerFactory(user__email="lena@trainingops.example")
    verified_user(trainer.user)
    session = TrainingSessionFactory(title="Tracing illicit funds", language="es")
    SessionTrainerFactory(session=session, trainer=trainer)
    registered = RegistrationFactory(
        session=session, officer=OfficerFactory(user=UserFactory(email="registered@policia.gob.mx"))
    )
    InvitationFactory(session=session, email="invited@policia.gob.mx")
    pasted = pasted_list(registered.officer.user.email, "invited@policia.gob.mx")

    sign_in(page, trainer.user.email, next_url=f"/admin/training/invitation/invite/{session.pk}/")
    page.fill("#id_emails", pasted)
    page.select_option("#id_default_agency", label="Policía Federal Ministerial (PFM)")
    page.get_by_role("button", name="Preview").click()
    page.wait_for_selector("#invitation-preview")

    assert page.locator("#invitation-preview .counts li").all_inner_texts() == [
        "26 new: will be invited",
        "1 already invited",
        "1 already registered",
        "2 invalid",
    ]
    rows = page.locator("#invitation-preview tbody tr")
    assert rows.count() == 30
    assert rows.nth(0).inner_text() == (f'1\t"López0, Ana" <{NEW[0]}>\tLópez0, Ana\t{NEW[0]}\tnew: will be invited')
    assert rows.nth(10).inner_text() == (
        f"3\tLuis Pérez0 <{NEW[10].upper()}>\tLuis Pérez0\t{NEW[10]}\tnew: will be invited"
    )
    assert [rows.nth(index).inner_text() for index in range(26, 30)] == [
        "12\tnot-an-address\t\t\tinvalid: not an email address",
        "12\tregistered@policia.gob.mx\t\tregistered@policia.gob.mx\talready registered",
        "12\tInvited <invited@policia.gob.mx>\tInvited\tinvited@policia.gob.mx\talready invited",
        f"13\t{NEW[3]}\t\t{NEW[3]}\tinvalid: duplicate: already on line 1 of the list",
    ]
    assert mail.outbox == []
    screenshot(page, "admin-invitations-preview")

    page.get_by_role("button", name="Send 26 invitations").first.click()
    page.wait_for_selector("#invitation-report")

    assert page.inner_text("#invitation-report .new") == "26 new invitations are being sent."
    assert sorted(message.to[0] for message in mail.outbox) == sorted(NEW)
    assert {message.subject for message in mail.outbox} == {"Invitación: Tracing illicit funds"}
    assert set(Invitation.objects.filter(email__in=NEW).values_list("agency_id", flat=True)) == {agency.pk}
    assert Invitation.objects.count() == 27
    screenshot(page, "admin-invitations-sent")

    page.get_by_role("link", name="See the invitations of this session").click()
    page.wait_for_url(re.compile(r"/admin/training/invitation/\?session__id__exact="))
