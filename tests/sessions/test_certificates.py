import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from sessions.models import Attendance, Certificate, TrainingSession
from sessions.services.certificates import CertificateError, issue_certificate, render_certificate_pdf
from tests.factories import AttendanceFactory, RegistrationFactory, SessionTrainerFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db


def completed_registration(attendance=Attendance.Status.PRESENT, **officer):
    start = timezone.now() - timedelta(days=2)
    session = TrainingSessionFactory(
        title="Tracing illicit funds",
        status=TrainingSession.Status.COMPLETED,
        starts_at=start,
        ends_at=start + timedelta(hours=3, minutes=30),
        timezone="America/Mexico_City",
    )
    SessionTrainerFactory(session=session, trainer__user__first_name="Lena", trainer__user__last_name="Berg")
    names = {"officer__user__first_name": "José", "officer__user__last_name": "Núñez"}
    registration = RegistrationFactory(session=session, **{**names, **officer})
    if attendance:
        AttendanceFactory(registration=registration, status=attendance)
    return registration


def test_issue_certificate_snapshots_printed_fields():
    registration = completed_registration(officer__preferred_language="es")

    certificate = issue_certificate(registration=registration)

    local_date = registration.session.starts_at.astimezone(registration.session.timezone).date()
    assert (certificate.officer_name, certificate.session_title, certificate.hours) == (
        "José Núñez",
        "Tracing illicit funds",
        Decimal("3.5"),
    )
    assert (certificate.trainer_names, certificate.language, certificate.session_date) == (
        "Lena Berg",
        "es",
        local_date,
    )
    assert certificate.agency_name == str(registration.agency)
    assert len(certificate.code) == 14


def test_issue_certificate_twice_returns_same():
    registration = completed_registration()

    assert issue_certificate(registration=registration) == issue_certificate(registration=registration)
    assert Certificate.objects.count() == 1


@pytest.mark.parametrize("attendance", [Attendance.Status.ABSENT, Attendance.Status.EXCUSED, None])
def test_issue_certificate_without_attendance_is_refused(attendance):
    registration = completed_registration(attendance=attendance)

    with pytest.raises(CertificateError, match="only to officers who attended"):
        issue_certificate(registration=registration)
    assert Certificate.objects.count() == 0


def test_issue_certificate_for_session_not_completed_is_refused():
    registration = RegistrationFactory()
    AttendanceFactory(registration=registration)

    with pytest.raises(CertificateError, match="once the session is completed"):
        issue_certificate(registration=registration)


def test_render_certificate_pdf_is_a_pdf_in_each_language():
    registration = completed_registration(attendance=Attendance.Status.PARTIAL)
    certificate = issue_certificate(registration=registration)

    for language in ("en", "es", "fr"):
        certificate.language = language
        pdf = render_certificate_pdf(certificate=certificate)
        assert pdf.startswith(b"%PDF-")
        assert len(pdf) > 5000


def test_certificate_pdf_view_downloads_own_certificate(client):
    registration = completed_registration()
    client.force_login(registration.officer.user)

    response = client.get(reverse("sessions:certificate_pdf", args=[registration.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def test_certificate_pdf_view_prints_hangul_name(client):
    registration = completed_registration(officer__user__first_name="민준", officer__user__last_name="김")
    client.force_login(registration.officer.user)

    response = client.get(reverse("sessions:certificate_pdf", args=[registration.pk]))

    assert "민준김" in squeezed(page_text(response.content))
    assert "NotoSansCJKJP" in embedded_fonts(response.content)


def test_certificate_pdf_view_other_officers_registration_is_404(client):
    registration = completed_registration()
    other = RegistrationFactory()
    client.force_login(other.officer.user)

    assert client.get(reverse("sessions:certificate_pdf", args=[registration.pk])).status_code == 404
    assert Certificate.objects.count() == 0


def test_certificate_pdf_view_not_eligible_redirects_with_message(client):
    registration = completed_registration(attendance=Attendance.Status.ABSENT)
    client.force_login(registration.officer.user)

    response = client.get(reverse("sessions:certificate_pdf", args=[registration.pk]), follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "Certificates are issued only to officers who attended the session."
    ]


def test_certificate_verify_page_shows_only_printed_fields(client):
    registration = completed_registration()
    certificate = issue_certificate(registration=registration)

    response = client.get(reverse("sessions:certificate_verify", args=[certificate.code.lower()]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "José Núñez" in content
    assert certificate.code in content
    assert registration.officer.user.email not in content
    assert registration.officer.job_title not in content


def test_certificate_verify_page_sets_right_to_left_names_in_their_direction(client):
    certificate = issue_certificate(registration=completed_registration())
    certificate.officer_name, certificate.agency_name = "محمد عبد الله", "شرطة دبي"
    certificate.save()

    content = client.get(reverse("sessions:certificate_verify", args=[certificate.code])).content.decode()

    assert '<h2 dir="auto">محمد عبد الله</h2>' in content
    assert '<p dir="auto">شرطة دبي</p>' in content


@pytest.mark.parametrize("code", ["NOPE-NOPE-NOPE", "x" * 200, "%20", "not a code!"])
def test_certificate_verify_unknown_code_is_404_and_says_so(client, code):
    response = client.get(f"/certificates/{code}/")

    assert response.status_code == 404
    content = response.content.decode()
    assert "No certificate has this code." in content
    assert "This certificate is genuine" not in content


def test_certificate_verify_code_with_nul_is_400(client):
    # Refused before any lookup: PostgreSQL cannot compare text containing NUL.
    assert client.get("/certificates/AB%00CD/").status_code == 400


# Text extraction (pypdf) and the fonts a PDF embeds: what a reader copies and what draws it.


def page_text(pdf: bytes) -> str:
    return PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def squeezed(text: str) -> str:
    """Text without spaces, to compare scripts whose word spacing pypdf guesses from glyph gaps.

    pypdf also reads the two-byte codes of a CFF font's encoding CMap (Noto Sans CJK) one
    byte at a time, leaving a NUL before each character; the characters themselves are right.
    """
    return "".join(text.split()).replace("\x00", "")


def embedded_fonts(pdf: bytes) -> set[str]:
    fonts = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"].values()
    return {font.get_object()["/BaseFont"].split("+")[-1] for font in fonts}


def mapped_characters(pdf: bytes) -> str:
    """Every character the embedded fonts' ToUnicode maps give their glyphs."""
    characters = []
    for font in PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"].values():
        to_unicode = font.get_object()["/ToUnicode"].get_object().get_data().decode()
        for hex_text in re.findall(r"<[0-9A-F]{4}> <([0-9A-F]+)>", to_unicode):
            characters.append(bytes.fromhex(hex_text).decode("utf-16-be"))
    return "".join(characters)


def rendered(*, name, agency, title, trainers="Lena Berg", language="en") -> bytes:
    certificate = issue_certificate(registration=completed_registration())
    certificate.officer_name, certificate.agency_name, certificate.session_title = name, agency, title
    certificate.trainer_names, certificate.language = trainers, language
    return render_certificate_pdf(certificate=certificate)


# Scripts whose every glyph stands for one character, so pypdf copies them back exactly.
WHOLE_GLYPH_SCRIPTS = [
    pytest.param("김민준", "경찰청 사이버수사국", "가상자산 추적", "NotoSansCJKJP", id="hangul"),
    pytest.param("王小明", "公安部刑事侦查局", "追踪非法资金", "NotoSansCJKJP", id="chinese"),
    pytest.param("山田太郎", "警察庁 サイバー警察局", "暗号資産の追跡", "NotoSansCJKJP", id="japanese"),
    pytest.param("محمد عبد الله", "شرطة دبي", "تتبع الأموال غير المشروعة", "IBMPlexSansArabicBold", id="arabic"),
    pytest.param("דוד כהן", "משטרת ישראל", "חקירות נכסים דיגיטליים", "NotoSansHebrewLight", id="hebrew"),
    pytest.param("สมชาย ใจดี", "สำนักงานตำรวจแห่งชาติ", "การสืบสวนสินทรัพย์ดิจิทัล", "NotoSansThai", id="thai"),
    pytest.param(
        "ნინო ბერიძე", "შინაგან საქმეთა სამინისტრო", "კრიპტოვალუტის გამოძიება", "NotoSansGeorgian", id="georgian"
    ),
    pytest.param(
        "Արամ Պետրոսյան", "Հայաստանի ոստիկանություն", "Կրիպտոարժույթի հետաքննություն", "NotoSansArmenian", id="armenian"
    ),
    pytest.param("አበበ ቢቂላ", "የኢትዮጵያ ፌዴራል ፖሊስ", "የዲጂታል ንብረት ምርመራ", "NotoSansEthiopic", id="ethiopic"),
    pytest.param("Ƙabiru Ƴusuf", "Nigeria Police Force", "Tracing illicit funds", "NotoSans", id="african-latin"),
    pytest.param(
        "Әлия Қасымова", "Полиция Казахстана", "Ψηφιακά περιουσιακά στοιχεία", "SourceSans3", id="cyrillic-greek"
    ),
]

# Scripts where a glyph may stand for a cluster, or a cluster need several glyphs (a vowel
# sign drawn before its consonant, a conjunct, an Arabic ligature): readers differ in how they
# copy those, so the test checks what the PDF maps instead of what pypdf copies.
CLUSTER_SCRIPTS = [
    pytest.param("پریسا گلچین", "پلیس فتا", "ردیابی رمزارزها", "IBMPlexSansArabicBold", id="persian"),
    pytest.param("राजेश कुमार शर्मा", "केंद्रीय अन्वेषण ब्यूरो", "क्रिप्टोकरेंसी की जांच", "NotoSansDevanagari", id="devanagari"),
    pytest.param("রহিম উদ্দিন", "বাংলাদেশ পুলিশ", "ক্রিপ্টোকারেন্সি তদন্ত", "NotoSansBengali", id="bengali"),
    pytest.param("செல்வி முருகன்", "தமிழ்நாடு காவல்துறை", "கிரிப்டோ விசாரணை", "NotoSansTamil", id="tamil"),
    pytest.param("නිමල් පෙරේරා", "ශ්\u200dරී ලංකා පොලිසිය", "ඩිජිටල් වත්කම්", "NotoSansSinhala", id="sinhala"),
    pytest.param("សុខ ចាន់", "នគរបាលជាតិ", "ការស៊ើបអង្កេត", "NotoSansKhmer", id="khmer"),
    pytest.param("မောင်မောင်", "မြန်မာနိုင်ငံ ရဲတပ်ဖွဲ့", "ဒစ်ဂျစ်တယ် ပိုင်ဆိုင်မှု", "NotoSansMyanmar", id="myanmar"),
]


@pytest.mark.parametrize(("name", "agency", "title", "font"), WHOLE_GLYPH_SCRIPTS)
def test_render_certificate_pdf_prints_each_script(name, agency, title, font):
    pdf = rendered(name=name, agency=agency, title=title)

    text = page_text(pdf)
    assert [squeezed(field) in squeezed(text) for field in (name, agency, title)] == [True, True, True]
    assert "?" not in text
    assert font in embedded_fonts(pdf)


@pytest.mark.parametrize(("name", "agency", "title", "font"), CLUSTER_SCRIPTS)
def test_render_certificate_pdf_maps_every_character_of_clustered_scripts(name, agency, title, font, caplog):
    pdf = rendered(name=name, agency=agency, title=title)

    unmapped = {char for char in name + agency + title if char not in mapped_characters(pdf)}
    assert unmapped <= {" ", "\u200d"}
    assert "?" not in page_text(pdf)
    assert font in embedded_fonts(pdf)
    assert not [record for record in caplog.records if "missing the following glyphs" in record.getMessage()]


@pytest.mark.parametrize(
    ("name", "agency"),
    [("דוד כהן", "משטרת ישראל"), ("محمد عبد الله الهاشمي", "وحدة المعلومات المالية")],
    ids=["hebrew", "arabic"],
)
def test_render_certificate_pdf_right_to_left_lines_copy_in_reading_order(name, agency):
    pdf = rendered(name=name, agency=agency, title="Tracing illicit funds")

    lines = [line.strip() for line in page_text(pdf).splitlines()]

    # Drawn right to left, the glyphs are copied back in reading order; drawn left to right
    # (the bug this guards against) they would come back reversed.
    assert lines[3:5] == [name, agency]


def test_render_certificate_pdf_mixes_scripts_on_one_certificate():
    pdf = rendered(
        name="김민준 (Kim Min-jun)",
        agency="شرطة دبي — Dubai Police",
        title="ניתוח מטבעות קריפטוגרפיים · 加密货币调查 · การสืบสวน",
        trainers="Lena Berg, राजेश कुमार शर्मा, ნინო ბერიძე, Արամ Պետրոսյան",
        language="fr",
    )

    text = squeezed(page_text(pdf))
    assert [part in text for part in ("김민준(KimMin-jun)", "DubaiPolice", "加密货币调查", "การสืบสวน")] == [True] * 4
    assert [part in text for part in ("ნინობერიძე", "ԱրամՊետրոսյան", "Attestationdeparticipation")] == [True] * 3
    assert embedded_fonts(pdf) == {
        "SourceSans3",
        "SourceSans3Bold",
        "IBMPlexSansArabic",
        "NotoSansHebrewLight",
        "NotoSansDevanagari",
        "NotoSansGeorgian",
        "NotoSansArmenian",
        "NotoSansThai",
        "NotoSansCJKJP",
    }


def test_render_certificate_pdf_latin_only_embeds_only_source_sans():
    pdf = rendered(name="José Núñez — François Lœw", agency="Policía Federal", title="Tracing illicit funds")

    assert embedded_fonts(pdf) == {"SourceSans3", "SourceSans3Bold"}
    assert "JoséNúñez—FrançoisLœw" in squeezed(page_text(pdf))


def test_render_certificate_pdf_script_no_face_draws_prints_question_marks():
    # Tifinagh (Morocco's Amazigh) and Syriac are in no bundled font; the PDF is still valid.
    pdf = rendered(name="Yidir ⵢⵉⴷⵉⵔ", agency="ܐܪܡܝܐ Police", title="Tracing illicit funds")

    lines = [line.strip() for line in page_text(pdf).splitlines()]
    assert lines[3:5] == ["Yidir ?????", "????? Police"]


def test_render_certificate_pdf_embeds_no_variable_font():
    # PDF has no variable fonts: viewers drew an embedded one's Devanagari as scrambled shapes.
    pdf = rendered(name="राजेश कुमार शर्मा", agency="משטרת ישראל", title="ნინო ბერიძე · Արամ · ไทย")

    programs = []
    for font in PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"].values():
        descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        programs.append(TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data())))

    assert len(programs) == 7  # Source Sans 3 (regular, bold) and five Noto faces
    assert [tag for program in programs for tag in ("fvar", "gvar", "HVAR") if tag in program] == []
