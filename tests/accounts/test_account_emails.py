"""allauth's emails and verification pages in our voice: TrainingOps, formal ES/FR, resend, contact."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from tests.accounts.test_signup import signup_data
from tests.factories import AgencyFactory, OfficerFactory

pytestmark = pytest.mark.django_db

CONFIRMATION = {
    "en": (
        "Confirm your email address for TrainingOps",
        "Hello,\n\nPlease confirm that this is your email address for TrainingOps, the training program's portal"
        " for law-enforcement officers.\n\nConfirm your address by opening this link:\n",
        "If you did not create a TrainingOps account, you can ignore this email: nothing happens without your"
        " confirmation.\n\nThe TrainingOps team\nhttps://training.example.org\n"
        "Questions? Write to us at support@trainingops.example.",
    ),
    "es": (
        "Confirme su dirección de correo electrónico para TrainingOps",
        "Hola:\n\nConfirme que esta es su dirección de correo electrónico para TrainingOps, el portal del programa"
        " de capacitación para funcionarios encargados de hacer cumplir la ley.\n\nConfirme su dirección abriendo"
        " este enlace:\n",
        "Si usted no creó una cuenta en TrainingOps, puede ignorar este correo: no ocurrirá nada sin su"
        " confirmación.\n\nEl equipo de TrainingOps\nhttps://training.example.org\n"
        "¿Preguntas? Escríbanos a support@trainingops.example.",
    ),
    "fr": (
        "Confirmez votre adresse e-mail pour TrainingOps",
        "Bonjour,\n\nVeuillez confirmer qu'il s'agit bien de votre adresse e-mail pour TrainingOps, le portail du"
        " programme de formation destiné aux agents des services répressifs.\n\nConfirmez votre adresse en ouvrant"
        " ce lien :\n",
        "Si vous n'avez pas créé de compte TrainingOps, vous pouvez ignorer cet e-mail : rien ne se passe sans"
        " votre confirmation.\n\nL'équipe TrainingOps\nhttps://training.example.org\n"
        "Des questions ? Écrivez-nous à support@trainingops.example.",
    ),
}


@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_confirmation_email_speaks_for_trainingops(client, django_capture_on_commit_callbacks, language):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_signup"), signup_data(AgencyFactory(), email="ana@gmail.com", preferred_language=language)
        )

    subject, opening, closing = CONFIRMATION[language]
    message = mail.outbox[0]
    assert message.subject == subject
    assert message.body.startswith(opening)
    assert re.search(r"\nhttp://testserver/accounts/confirm-email/[^/\s]+/\n\n", message.body)
    assert message.body.endswith(closing)
    assert "testserver" not in message.subject
    assert "Hello from" not in message.body


PASSWORD_RESET = {
    "en": ("Reset your TrainingOps password", "To choose a new password, open this link:"),
    "es": ("Restablezca su contraseña de TrainingOps", "Para elegir una nueva contraseña, abra este enlace:"),
    "fr": ("Réinitialisez votre mot de passe TrainingOps", "Pour choisir un nouveau mot de passe, ouvrez ce lien :"),
}


@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_password_reset_email_speaks_for_trainingops(client, django_capture_on_commit_callbacks, language):
    officer = OfficerFactory(user__email="carla@policia.gob.mx", preferred_language=language)
    EmailAddress.objects.update_or_create(
        user=officer.user, email=officer.user.email, defaults={"verified": True, "primary": True}
    )

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": "carla@policia.gob.mx"})

    subject, line = PASSWORD_RESET[language]
    message = mail.outbox[0]
    assert message.subject == subject
    assert re.search(re.escape(line) + r"\nhttp://testserver/accounts/password/reset/key/\S+/\n", message.body)
    assert "support@trainingops.example" in message.body


def test_unknown_account_email_offers_sign_up(client, django_capture_on_commit_callbacks, settings):
    settings.ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = True

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": "nobody@policia.gob.mx"})

    message = mail.outbox[0]
    assert message.subject == "No TrainingOps account uses this address"
    assert "Someone, perhaps you, tried to reach a TrainingOps account with the address nobody@policia.gob.mx" in (
        message.body
    )


def test_other_allauth_subjects_get_the_product_name_in_front():
    from accounts.adapter import AccountAdapter

    assert AccountAdapter().format_email_subject("Authenticator app activated") == (
        "TrainingOps: Authenticator app activated"
    )
    assert AccountAdapter().format_email_subject("Reset your TrainingOps password") == "Reset your TrainingOps password"


def test_verification_sent_page_offers_a_resend_and_a_contact(client):
    response = client.get(reverse("account_email_verification_sent"))

    content = response.content.decode()
    assert "<h1>Confirm your email address</h1>" in content
    assert f'action="{reverse("account_login")}"' in content
    assert "Send the link again" in content
    assert '<a href="mailto:support@trainingops.example">support@trainingops.example</a>' in content


def test_verification_sent_page_in_french(client):
    response = client.get(reverse("account_email_verification_sent"), HTTP_ACCEPT_LANGUAGE="fr")

    content = response.content.decode()
    assert "Renvoyer le lien" in content
    assert "Toujours rien, ou un problème avec votre compte ?" in content


def test_resend_through_sign_in_sends_a_new_link(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_signup"), signup_data(AgencyFactory(), email="ana@gmail.com", preferred_language="en")
        )
    client.logout()
    # allauth sends the link at most once per three minutes per address (its "confirm_email" limit).
    from django.core.cache import cache

    cache.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_login"), {"login": "ana@gmail.com", "password": "a-Long-passphrase-42"})

    assert response["Location"] == reverse("account_email_verification_sent")
    assert [message.subject for message in mail.outbox] == ["Confirm your email address for TrainingOps"] * 2
    assert mail.outbox[1].to == ["ana@gmail.com"]


def test_invalid_confirmation_link_offers_a_resend(client):
    response = client.get(reverse("account_confirm_email", args=["not-a-key"]))

    content = response.content.decode()
    assert "This confirmation link has expired or is not valid." in content
    assert "Send the link again" in content


def test_support_email_comes_from_the_setting(client, settings):
    settings.SUPPORT_EMAIL = "help@program.example"

    response = client.get(reverse("account_email_verification_sent"))

    assert "mailto:help@program.example" in response.content.decode()
