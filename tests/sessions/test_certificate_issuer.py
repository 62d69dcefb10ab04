"""Certificates name the issuing organisation and a signatory, and carry the verification link as a QR code."""

import io
import re

import pytest
import qrcode
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from sessions.models import CertificateSettings
from sessions.services.certificates import (
    dark_runs,
    issue_certificate,
    render_certificate_pdf,
    update_certificate_settings,
    verification_qr_matrix,
    verification_url,
)
from tests.factories import CertificateSettingsFactory, ManagerFactory, TrainerFactory
from tests.sessions.test_certificates import completed_registration

pytestmark = pytest.mark.django_db

CHANGE_URL = reverse("admin:training_certificatesettings_change", args=[1])
ADD_URL = reverse("admin:training_certificatesettings_add")


def image_bytes(image_format: str = "PNG", size=(300, 100)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (255, 255, 255)).save(buffer, format=image_format)
    return buffer.getvalue()


def set_issuer(**values):
    defaults = {
        "organisation_name": "Blockchain Investigations Training Program",
        "signatory_name": "María Fernanda Ortiz",
        "signatory_title": "Program Director",
        "signature": image_bytes(),
        "by": None,
    }
    return update_certificate_settings(**{**defaults, **values})


def pdf_page(pdf: bytes):
    return PdfReader(io.BytesIO(pdf)).pages[0]


def test_certificate_names_the_organisation_and_the_signatory():
    set_issuer()
    certificate = issue_certificate(registration=completed_registration())

    page = pdf_page(render_certificate_pdf(certificate=certificate))

    text = page.extract_text()
    assert text.splitlines()[0] == "Blockchain Investigations Training Program"
    assert "María Fernanda Ortiz\nProgram Director" in text
    assert len(page.images) == 1


def test_certificate_keeps_the_issuer_of_its_day():
    set_issuer()
    certificate = issue_certificate(registration=completed_registration())
    set_issuer(organisation_name="Another Program", signatory_name="Omar Haddad", signatory_title="Head")

    certificate.refresh_from_db()
    page = pdf_page(render_certificate_pdf(certificate=certificate))

    assert (certificate.organisation_name, certificate.signatory_name) == (
        "Blockchain Investigations Training Program",
        "María Fernanda Ortiz",
    )
    assert "María Fernanda Ortiz" in page.extract_text()
    assert "Omar Haddad" not in page.extract_text()
    # Omar's signature is not put above María's name.
    assert len(page.images) == 0


def test_certificate_without_issuer_says_trainingops_and_has_no_signature_block():
    certificate = issue_certificate(registration=completed_registration())

    page = pdf_page(render_certificate_pdf(certificate=certificate))

    assert page.extract_text().splitlines()[0] == "TrainingOps"
    assert len(page.images) == 0


def test_qr_code_encodes_the_verification_url():
    certificate = issue_certificate(registration=completed_registration())
    expected = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    expected.add_data("https://training.example.org/certificates/" + certificate.code + "/")
    expected.make(fit=True)

    matrix = verification_qr_matrix(certificate)

    assert verification_url(certificate) == f"https://training.example.org/certificates/{certificate.code}/"
    assert matrix == expected.get_matrix()
    assert len(matrix) >= 25


def test_qr_code_is_drawn_in_the_pdf_module_by_module():
    certificate = issue_certificate(registration=completed_registration())
    matrix = verification_qr_matrix(certificate)

    content = pdf_page(render_certificate_pdf(certificate=certificate)).get_contents().get_data().decode("latin-1")

    filled = re.findall(r"[\d.]+ [\d.]+ [\d.]+ -[\d.]+ re f", content)
    assert len(filled) == sum(len(dark_runs(row)) for row in matrix)


def test_dark_runs_groups_neighbouring_modules():
    assert dark_runs([True, True, False, True, False, False, True]) == [(0, 2), (3, 1), (6, 1)]


# --- The back office -----------------------------------------------------------------------------


@pytest.fixture
def manager_client(client):
    client.force_login(ManagerFactory())
    return client


def post_settings(client, upload=None, **values):
    data = {"organisation_name": "Program", "signatory_name": "Ana Ruiz", "signatory_title": "Director", **values}
    if upload is not None:
        data["signature"] = upload
    return client.post(ADD_URL if not CertificateSettings.objects.exists() else CHANGE_URL, data)


def test_manager_sets_the_issuer_with_a_png_signature(manager_client):
    response = post_settings(manager_client, SimpleUploadedFile("sig.png", image_bytes(), "image/png"))

    assert response.status_code == 302
    issuer = CertificateSettings.objects.get()
    assert (issuer.organisation_name, issuer.signatory_name, issuer.signatory_title) == (
        "Program",
        "Ana Ruiz",
        "Director",
    )
    assert (bytes(issuer.signature_image), issuer.signature_content_type) == (image_bytes(), "image/png")
    assert issuer.history.get().history_user is not None


def test_jpeg_signature_is_accepted(manager_client):
    post_settings(manager_client, SimpleUploadedFile("sig.jpg", image_bytes("JPEG"), "image/jpeg"))

    assert CertificateSettings.objects.get().signature_content_type == "image/jpeg"


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("sig.png", b"not an image at all", "The signature image must be a PNG or JPEG file."),
        ("sig.gif", image_bytes("GIF"), "The signature image must be a PNG or JPEG file."),
        ("sig.png", image_bytes()[:60], "The signature image could not be read: the file is damaged."),
        ("sig.png", b"\x89PNG\r\n\x1a\n" + b"\0" * (1024 * 1024), "The signature image must be at most 1 MB."),
    ],
)
def test_bad_signature_upload_is_a_field_error_and_saves_nothing(manager_client, name, content, error):
    CertificateSettingsFactory(organisation_name="Before")

    response = post_settings(manager_client, SimpleUploadedFile(name, content, "image/png"))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["signature"] == [error]
    issuer = CertificateSettings.objects.get()
    assert (issuer.organisation_name, bytes(issuer.signature_image)) == ("Before", b"")


def test_removing_the_signature(manager_client):
    set_issuer()

    post_settings(manager_client, remove_signature="on")

    assert bytes(CertificateSettings.objects.get().signature_image) == b""


def test_settings_list_opens_the_one_row(manager_client):
    CertificateSettingsFactory()

    response = manager_client.get(reverse("admin:training_certificatesettings_changelist"))

    assert response["Location"] == CHANGE_URL


def test_trainers_cannot_change_the_issuer(client):
    CertificateSettingsFactory()
    client.force_login(TrainerFactory().user)

    assert client.post(CHANGE_URL, {"organisation_name": "Mine"}).status_code == 403
    assert CertificateSettings.objects.get().organisation_name == "Blockchain Investigations Training Program"
