"""The privacy notice: shown and required at sign-up, versioned, re-accepted, erased with the person."""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts import services
from accounts.models import PrivacyConsent, PrivacyNotice, User
from agencies import services as agency_services
from agencies.models import Officer
from tests.accounts.test_signup import signup_data
from tests.factories import (
    AgencyEmailDomainFactory,
    ManagerFactory,
    OfficerFactory,
    PrivacyConsentFactory,
    PrivacyNoticeFactory,
    TrainerFactory,
)

pytestmark = pytest.mark.django_db


def first_notice() -> PrivacyNotice:
    return PrivacyNotice.objects.get(version=1)


def test_the_migration_publishes_a_first_notice_in_three_languages():
    notice = first_notice()

    assert notice.text_en.startswith("Who is responsible for your data\n")
    assert notice.text_es.startswith("Responsable de sus datos\n")
    assert notice.text_fr.startswith("Responsable du traitement\n")
    for text in (notice.text_en, notice.text_es, notice.text_fr):
        assert "ARCO" in text


def test_signup_page_shows_the_notice_and_the_consent_box(client):
    response = client.get(reverse("account_signup"))

    content = response.content.decode()
    assert "How long we keep it" in content
    assert 'name="privacy_consent"' in content
    assert 'href="/privacy/"' in content


def test_signup_page_shows_the_notice_in_spanish(client):
    response = client.get(reverse("account_signup"), HTTP_ACCEPT_LANGUAGE="es")

    content = response.content.decode()
    assert "Cuánto tiempo los conservamos" in content
    assert "He leído el aviso de privacidad" in content


def test_signup_without_consent_is_refused_and_saves_nothing(client):
    domain = AgencyEmailDomainFactory(domain="policia.gob.mx")
    data = signup_data(domain.agency)
    del data["privacy_consent"]

    response = client.post(reverse("account_signup"), data)

    assert response.status_code == 200
    assert response.context["form"].errors["privacy_consent"] == [
        "Please accept the privacy notice to create your account."
    ]
    assert User.objects.filter(email="ana@policia.gob.mx").exists() is False
    assert PrivacyConsent.objects.count() == 0


def test_signup_with_consent_records_the_current_version(client):
    domain = AgencyEmailDomainFactory(domain="policia.gob.mx")
    current = PrivacyNoticeFactory()

    response = client.post(reverse("account_signup"), signup_data(domain.agency))

    assert response.status_code == 302
    consent = PrivacyConsent.objects.get(user__email="ana@policia.gob.mx")
    assert (consent.notice, consent.notice.version) == (current, 2)
    assert consent.consented_at is not None


def test_privacy_page_shows_the_current_version_in_the_reader_language(client):
    PrivacyNoticeFactory(text_en="Version two.", text_fr="Version deux.")

    english = client.get("/privacy/").content.decode()
    french = client.get("/privacy/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "<p>Version two.</p>" in english
    assert "Version 2, published on" in english
    assert "mailto:support@trainingops.example" in english
    assert "<p>Version deux.</p>" in french
    assert "Version 2, publiée le" in french


def test_privacy_page_falls_back_to_english_when_a_language_is_empty(client):
    PrivacyNoticeFactory(text_en="Only in English.", text_es="")

    response = client.get("/privacy/", HTTP_ACCEPT_LANGUAGE="es")

    assert "<p>Only in English.</p>" in response.content.decode()


def test_footer_links_the_privacy_notice(client):
    response = client.get(reverse("sessions:list"))

    footer = response.content.decode().split('<footer class="site-footer">')[1]
    assert '<a href="/privacy/">Privacy notice</a>' in footer


def test_publishing_adds_a_version_and_keeps_the_old_one(django_capture_on_commit_callbacks):
    manager = ManagerFactory()

    with django_capture_on_commit_callbacks(execute=True):
        notice = services.publish_privacy_notice(text_en=" New. ", text_es="Nuevo.", text_fr="Nouveau.", by=manager)

    assert list(PrivacyNotice.objects.values_list("version", flat=True)) == [2, 1]
    assert (notice.text_en, notice.published_by) == ("New.", manager)
    assert first_notice().text_en.startswith("Who is responsible")
    assert notice.history.get().history_user == manager


def test_officer_is_asked_to_accept_a_new_version_once(client, django_capture_on_commit_callbacks):
    officer = OfficerFactory()
    client.force_login(officer.user)
    assert client.get(reverse("sessions:my_trainings")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_privacy_notice(text_en="Second.", text_es="Segundo.", text_fr="Second.", by=None)

    asked = client.get(reverse("sessions:my_trainings"))
    page = client.get(asked["Location"])
    accepted = client.post(reverse("privacy:accept"), {"next": "/my-trainings/"})
    after = client.get(reverse("sessions:my_trainings"))

    assert asked.status_code == 302
    assert asked["Location"] == "/privacy/accept/?next=%2Fmy-trainings%2F"
    assert "Our privacy notice has changed" in page.content.decode()
    assert "<p>Second.</p>" in page.content.decode()
    assert (accepted.status_code, accepted["Location"]) == (302, "/my-trainings/")
    assert list(officer.user.privacy_consents.values_list("notice__version", flat=True)) == [2, 1]
    assert after.status_code == 200


def test_officer_who_accepted_in_another_browser_is_not_asked_again(client):
    officer = OfficerFactory()
    client.force_login(officer.user)
    notice = services.publish_privacy_notice(text_en="Second.", text_es="Segundo.", text_fr="Second.", by=None)
    services.record_privacy_consent(user=officer.user, notice=notice)

    assert client.get(reverse("sessions:my_trainings")).status_code == 200


def test_officer_without_any_consent_is_asked_first(client):
    officer = OfficerFactory(privacy_consent=False)
    client.force_login(officer.user)

    response = client.get(reverse("landing"))

    assert response["Location"] == "/privacy/accept/?next=%2F"
    assert "Please accept our privacy notice" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    "path", ["/api/v1/sessions/", "/accounts/logout/", "/privacy/", "/profile/delete/", "/surveys/unknown/"]
)
def test_pages_that_never_ask_for_the_notice(client, path):
    officer = OfficerFactory(privacy_consent=False)
    client.force_login(officer.user)

    response = client.get(path)

    assert response.status_code != 302 or not response["Location"].startswith("/privacy/accept/")


def test_staff_are_not_asked(client):
    trainer = TrainerFactory()
    client.force_login(trainer.user)
    PrivacyNoticeFactory()

    response = client.get(reverse("landing"))

    assert response.status_code == 200


def test_accept_ignores_a_next_on_another_site(client):
    officer = OfficerFactory(privacy_consent=False)
    client.force_login(officer.user)

    response = client.post(reverse("privacy:accept"), {"next": "https://evil.example/"})

    assert response["Location"] == "/"
    assert officer.user.privacy_consents.get().notice == first_notice()


def test_accepting_twice_records_one_consent(client):
    officer = OfficerFactory(privacy_consent=False)
    client.force_login(officer.user)

    client.post(reverse("privacy:accept"))
    client.post(reverse("privacy:accept"))

    assert officer.user.privacy_consents.count() == 1


def test_accept_page_needs_sign_in(client):
    response = client.get(reverse("privacy:accept"))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_erasure_keeps_the_consent_without_the_person():
    officer = OfficerFactory()
    consent = officer.user.privacy_consents.get()

    agency_services.erase_officer(officer=officer, by=officer.user)

    consent.refresh_from_db()
    assert (consent.user, consent.notice.version) == (None, 1)
    assert Officer.objects.filter(pk=officer.pk).exists() is False


def test_personal_data_export_lists_the_consents():
    officer = OfficerFactory()

    data = agency_services.export_officer_data(officer=officer)

    consent = officer.user.privacy_consents.get()
    assert data["privacy_consents"] == [{"notice_version": 1, "accepted_at": consent.consented_at.isoformat()}]


def test_notice_text_in_unknown_language_is_english():
    with translation.override("de"):
        assert first_notice().text_in("de") == first_notice().text_en


def test_consent_factory_builds_a_consent_to_a_new_version():
    consent = PrivacyConsentFactory()

    assert consent.notice.version == 2


def test_notice_text_becomes_headings_lists_and_escaped_paragraphs():
    from accounts.templatetags.privacy_notice import notice_html

    text = (
        "Why we process it\n- to register you;\n- to <b>issue</b> certificates.\nWe never sell it.\n\nOne line & more."
    )

    assert notice_html(text, 3) == (
        "<h3>Why we process it</h3><ul><li>to register you;</li><li>to &lt;b&gt;issue&lt;/b&gt; certificates.</li>"
        "</ul><p>We never sell it.</p><p>One line &amp; more.</p>"
    )
