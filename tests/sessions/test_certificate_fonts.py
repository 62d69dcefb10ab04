import pytest
from fontTools.ttLib import TTFont

from sessions.certificate_fonts import FACES, CertificatePDF, face_for, substitute


@pytest.mark.parametrize(
    ("char", "family"),
    [
        ("김", "NotoCJK"),
        ("山", "NotoCJK"),
        ("ア", "NotoCJK"),
        ("م", "PlexArabic"),
        ("پ", "PlexArabic"),
        ("ש", "NotoHebrew"),
        ("ა", "NotoGeorgian"),
        ("Ա", "NotoArmenian"),
        ("क", "NotoDevanagari"),
        ("ก", "NotoThai"),
        ("Ɓ", "NotoSans"),
    ],
)
def test_face_for_picks_the_face_made_for_the_script(char, family):
    assert face_for(char).family == family


def test_face_for_script_in_no_bundled_font_is_none():
    assert [face_for(char) for char in "ⵜܐދ"] == [None, None, None]


@pytest.mark.parametrize(
    ("char", "printed"),
    [
        ("𝐉", "J"),  # mathematical bold letters, pasted from social media, print plain
        ("ⵜ", "?"),  # Tifinagh: no bundled font
        ("∄", "?"),  # a symbol is never reduced to another meaning (∃)
        ("\U000e0001", ""),  # an invisible language tag is dropped
    ],
)
def test_substitute_character_no_face_draws(char, printed):
    assert substitute(char) == printed


def test_prepare_latin_greek_cyrillic_loads_no_other_face_and_no_shaping():
    pdf = CertificatePDF()

    printed = pdf.prepare(["José Núñez — François Lœw", "Γιώργος", "Әлия Қасымова"])

    assert printed == ["José Núñez — François Lœw", "Γιώργος", "Әлия Қасымова"]
    assert (pdf.families, pdf.text_shaping) == ([], None)


def test_prepare_loads_only_the_faces_the_text_needs():
    pdf = CertificatePDF()

    pdf.prepare(["김민준 (Kim Min-jun)", "Policía Federal"])

    assert pdf.families == ["NotoCJK"]
    assert pdf.text_shaping["use_shaping_engine"] is True
    # Only the characters drawn are loaded from Noto Sans CJK, which maps 44,810.
    assert sorted(pdf.fonts["notocjk"].cmap) == sorted(map(ord, " \u00a0김민준"))


def test_prepare_keeps_a_joiner_in_the_face_of_its_letters():
    pdf = CertificatePDF()

    pdf.prepare(["ශ්\u200dරී ලංකා"])

    # Noto Sans has the zero-width joiner too: drawn from it, the joiner would split the
    # conjunct in two runs and Sinhala's touching form would not be shaped.
    assert pdf.families == ["NotoSinhala"]


def test_prepare_twice_is_refused():
    pdf = CertificatePDF()
    pdf.prepare(["김민준"])

    with pytest.raises(RuntimeError, match="once"):
        pdf.prepare(["דוד כהן"])


def test_set_line_font_right_to_left_line_is_set_in_its_script_face():
    pdf = CertificatePDF()
    (text,) = pdf.prepare(["שרה לוי — Israel Police"])

    pdf.set_line_font(text, size=14)

    assert pdf.font_family == "notohebrew"


def test_set_line_font_bold_line_in_a_face_without_bold_keeps_latin_bold():
    pdf = CertificatePDF()
    (text,) = pdf.prepare(["김민준 (Kim Min-jun)"])

    pdf.set_line_font(text, size=26, bold=True)

    assert (pdf.font_family, pdf.get_fallback_font("K")) == ("notocjk", "sourceB")


def test_set_line_font_bold_arabic_line_uses_plex_bold():
    pdf = CertificatePDF()
    (text,) = pdf.prepare(["محمد عبد الله"])

    pdf.set_line_font(text, size=26, bold=True)

    assert (pdf.font_family, pdf.font_style) == ("plexarabic", "B")


@pytest.mark.parametrize("face", FACES, ids=lambda face: face.family)
def test_variable_faces_default_to_the_regular_weight(face):
    # Their variation tables are dropped before embedding, which leaves the default instance.
    font = TTFont(str(face.regular), lazy=True)
    axes = {axis.axisTag: axis.defaultValue for axis in font["fvar"].axes} if "fvar" in font else {}

    assert axes in ({"wght": 400.0}, {})
