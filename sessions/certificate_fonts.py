"""The PDF that certificates are drawn on: Source Sans 3, and a face for each script it lacks.

Officers, agencies and sessions are named in every script the program meets. Source Sans 3
(Adobe's Source Sans Pro under its current name, from Weblate's ``weblate-fonts``) draws Latin,
Greek and Cyrillic. Every other character is drawn by
the first face below that has it, all from wheels pinned in requirements.txt: IBM Plex Sans
Arabic (``fontpkg-ibm-plex-sans-arabic``: Arabic, Persian, Urdu, Kurdish, Pashto, Uyghur),
the Noto faces of ``manimgx-fonts`` (wider Latin, rarer Arabic letters, Hebrew, Armenian,
Georgian, the Indic scripts, Sinhala, Thai, Lao, Khmer, Myanmar, Ethiopic, symbols and
monochrome emoji) and Noto Sans CJK (``noto-cjk-sans-jp-regular``: Han, kana, Hangul).

A PDF loads a face only when its text needs it, so a certificate in Latin, Greek or Cyrillic
alone costs what it always did and is drawn without the shaping engine. Once another script
appears, HarfBuzz (``uharfbuzz``) shapes the text and fpdf2 orders each line with the Unicode
bidirectional algorithm: Arabic letters join, Indic clusters form, Hebrew and Arabic run right
to left, and a line that starts in a right-to-left script is laid out right to left.

Weights: Source Sans 3 and IBM Plex Sans Arabic have a bold; the Noto faces are drawn in
regular even on a bold line (the CJK wheel has no bold, and deriving bold instances of the
variable Noto fonts costs 0.1 to 2 seconds each). A letter that no face draws is printed in
its plain form when it has one (𝐉𝐨𝐬é in mathematical bold prints as José), an invisible
formatting character is dropped, and anything else prints as "?": Tifinagh, Syriac, Thaana,
Tibetan, Mongolian and Yi, for instance, are in none of the bundled fonts.
"""

import functools
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import fontpkg_ibm_plex_sans_arabic
import manimgx_fonts
import noto_cjk_sans_jp_regular
import weblate_fonts
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.unicode_script import UnicodeScript, get_unicode_script

NOTO_DIR = Path(manimgx_fonts.__file__).parent
PLEX_ARABIC_DIR = fontpkg_ibm_plex_sans_arabic.ROOT / "files"
SOURCE_SANS_DIR = Path(weblate_fonts.__file__).parent / "static" / "weblate_fonts" / "source-sans" / "ttf"

# Variable fonts keep their regular outlines as the default instance. PDF has no variable
# fonts, and viewers misdraw an embedded one, so these tables are dropped before embedding.
VARIATION_TABLES = ("fvar", "gvar", "avar", "cvar", "HVAR", "VVAR", "MVAR", "STAT")
# Kept in a script's face although Source Sans 3 has them, so that the words of a
# right-to-left line and the spaces between them are one run (shaped, and copied, whole).
SHARED_SPACES = frozenset(map(ord, " \u00a0"))


@dataclass(frozen=True)
class Face:
    family: str
    regular: Path
    bold: Path | None = None
    scripts: frozenset[UnicodeScript] = frozenset()


def _noto(family: str, file_stem: str, *scripts: UnicodeScript) -> Face:
    return Face(family, NOTO_DIR / f"{file_stem}[wght].ttf", scripts=frozenset(scripts))


PRIMARY = Face(
    "Source",
    SOURCE_SANS_DIR / "SourceSans3-Regular.ttf",
    SOURCE_SANS_DIR / "SourceSans3-Bold.ttf",
)
# In order of preference for a character several faces have (digits, punctuation).
FACES = (
    _noto("NotoSans", "NotoSans", UnicodeScript.LATIN, UnicodeScript.GREEK, UnicodeScript.CYRILLIC),
    Face(
        "PlexArabic",
        PLEX_ARABIC_DIR / "IBMPlexSansArabic-Regular.ttf",
        PLEX_ARABIC_DIR / "IBMPlexSansArabic-Bold.ttf",
        frozenset({UnicodeScript.ARABIC}),
    ),
    _noto("NotoArabic", "NotoSansArabic", UnicodeScript.ARABIC),
    _noto("NotoHebrew", "NotoSansHebrew", UnicodeScript.HEBREW),
    _noto("NotoArmenian", "NotoSansArmenian", UnicodeScript.ARMENIAN),
    _noto("NotoGeorgian", "NotoSansGeorgian", UnicodeScript.GEORGIAN),
    _noto("NotoDevanagari", "NotoSansDevanagari", UnicodeScript.DEVANAGARI),
    _noto("NotoBengali", "NotoSansBengali", UnicodeScript.BENGALI),
    _noto("NotoGurmukhi", "NotoSansGurmukhi", UnicodeScript.GURMUKHI),
    _noto("NotoGujarati", "NotoSansGujarati", UnicodeScript.GUJARATI),
    _noto("NotoOriya", "NotoSansOriya", UnicodeScript.ORIYA),
    _noto("NotoTamil", "NotoSansTamil", UnicodeScript.TAMIL),
    _noto("NotoTelugu", "NotoSansTelugu", UnicodeScript.TELUGU),
    _noto("NotoKannada", "NotoSansKannada", UnicodeScript.KANNADA),
    _noto("NotoMalayalam", "NotoSansMalayalam", UnicodeScript.MALAYALAM),
    _noto("NotoSinhala", "NotoSansSinhala", UnicodeScript.SINHALA),
    _noto("NotoThai", "NotoSansThai", UnicodeScript.THAI),
    _noto("NotoLao", "NotoSansLao", UnicodeScript.LAO),
    _noto("NotoKhmer", "NotoSansKhmer", UnicodeScript.KHMER),
    _noto("NotoMyanmar", "NotoSansMyanmar", UnicodeScript.MYANMAR),
    _noto("NotoEthiopic", "NotoSansEthiopic", UnicodeScript.ETHIOPIC),
    Face(
        "NotoCJK",
        Path(str(noto_cjk_sans_jp_regular.FONT_PATH)),
        scripts=frozenset(
            {
                UnicodeScript.HAN,
                UnicodeScript.HIRAGANA,
                UnicodeScript.KATAKANA,
                UnicodeScript.HANGUL,
                UnicodeScript.BOPOMOFO,
            }
        ),
    ),
    _noto("NotoSymbols", "NotoSansSymbols"),
    _noto("NotoEmoji", "NotoEmoji"),
)
FACE_ORDER = {face.family: position for position, face in enumerate(FACES)}


@functools.cache
def covered_codepoints(path: Path) -> frozenset[int]:
    """The characters a font file maps, read once per process (Noto Sans CJK's map takes ~0.1 s)."""
    return frozenset(TTFont(str(path), lazy=True).getBestCmap())


@functools.lru_cache(maxsize=4096)
def face_for(char: str) -> Face | None:
    """The face that draws ``char``: the faces made for its script first, then the others in order."""
    script = get_unicode_script(char)
    candidates = sorted(FACES, key=lambda face: script not in face.scripts)
    return next((face for face in candidates if ord(char) in covered_codepoints(face.regular)), None)


def in_primary(char: str) -> bool:
    return ord(char) in covered_codepoints(PRIMARY.regular)


def is_mark_or_format(char: str) -> bool:
    """Accents, vowel signs, joiners, variation selectors: what belongs to the character before."""
    return unicodedata.category(char) in ("Mn", "Mc", "Me", "Cf")


def substitute(char: str) -> str:
    """What is printed for a character no face draws: a letter's plain form, nothing, or "?"."""
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    is_letter = unicodedata.category(char).startswith("L")
    if is_letter and base and base != char and all(in_primary(c) or face_for(c) for c in base):
        return base
    if is_mark_or_format(char):
        return ""
    return "?"


class CertificatePDF(FPDF):
    """An fpdf2 document that loads, for each script its text uses, the face that draws it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.families: list[str] = []
        self.line_style = ""
        self.add_font(PRIMARY.family, "", str(PRIMARY.regular))
        self.add_font(PRIMARY.family, "B", str(PRIMARY.bold))

    def prepare(self, texts: Sequence[str]) -> list[str]:
        """Return ``texts`` as they will be printed, and register the faces they need.

        Call it once, with every text of the document, before drawing: each face is loaded
        with only the characters it draws here (Noto Sans CJK loads in ~0.1 s instead of ~0.25 s).
        """
        if self.families:
            raise RuntimeError("The faces of a certificate are registered once, before drawing.")
        needed: dict[Face, set[int]] = defaultdict(set)
        printed = [self._printable(unicodedata.normalize("NFC", text), needed) for text in texts]
        for face in sorted(needed, key=lambda face: FACE_ORDER[face.family]):
            self._register(face, needed[face] | (SHARED_SPACES & covered_codepoints(face.regular)))
        if self.families:
            self.set_fallback_fonts([PRIMARY.family, *self.families], exact_match=False)
            self.set_text_shaping(True)
        return printed

    def set_line_font(self, text: str, *, size: float, bold: bool = False) -> None:
        """Select the font for a line of printable text.

        A line whose first letter is in a script Source Sans 3 lacks is set in that
        script's face, so that its words and the spaces between them are one run.
        """
        self.line_style = "B" if bold else ""
        first_letter = next((c for c in text if unicodedata.bidirectional(c) in ("L", "R", "AL")), None)
        face = PRIMARY if first_letter is None or in_primary(first_letter) else face_for(first_letter)
        self.set_font(face.family, self.line_style if face.bold else "", size)

    def get_fallback_font(self, char: str, style: str = "") -> str | None:
        # fpdf2 asks for the style of the current font; a bold line set in a face without a
        # bold still wants its Latin words in bold.
        return super().get_fallback_font(char, self.line_style)

    @staticmethod
    def _printable(text: str, needed: dict[Face, set[int]]) -> str:
        printed, previous = [], PRIMARY
        for char in text:
            if char in "\n\t" or in_primary(char):
                printed.append(char)
                previous = PRIMARY
                continue
            # A mark or joiner stays in the face of the letter it follows, so that HarfBuzz
            # shapes them together (a Sinhala or Indic conjunct, an emoji's variation selector).
            keeps_previous = is_mark_or_format(char) and ord(char) in covered_codepoints(previous.regular)
            face = previous if keeps_previous else face_for(char)
            if face is None:
                printed.append(substitute(char))
                continue
            needed[face].add(ord(char))
            printed.append(char)
            previous = face
        return "".join(printed)

    def _register(self, face: Face, codepoints: set[int]) -> None:
        self.add_font(face.family, "", str(face.regular), unicode_range=sorted(codepoints))
        if face.bold:
            self.add_font(face.family, "B", str(face.bold), unicode_range=sorted(codepoints))
        ttfont = self.fonts[face.family.lower()].ttfont
        if "fvar" in ttfont:
            for tag in VARIATION_TABLES:
                if tag in ttfont:
                    del ttfont[tag]
        self.families.append(face.family)
