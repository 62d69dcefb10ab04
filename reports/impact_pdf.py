"""The impact summary as a one-page PDF (A4 or US Letter), ready to attach to a press release.

Drawn with fpdf2 on the certificates' document class (``sessions.certificate_fonts``), so the
same fonts from wheels are embedded and any script in a country, topic or quote prints. The map is
the same SVG as the page's, drawn to PNG by Cairo and placed as an image.
"""

from __future__ import annotations

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reports.impact import ImpactSummary, format_items, headline_items, number
from reports.impact_images import world_map_image, world_map_svg
from sessions.certificate_fonts import CertificatePDF

PAPERS = {"a4": "A4", "letter": "Letter"}
INK = (27, 36, 48)
MUTED = (74, 85, 101)
ACCENT = (11, 61, 98)
MARGIN = 14
MAP_PNG_WIDTH = 1400
# Countries named on the page (the map and the JSON have them all): a third of a page at most.
PDF_COUNTRIES = 40


def map_title(summary: ImpactSummary) -> str:
    return _("Countries reached in %(year)s, shaded by officers trained") % {"year": summary.year}


def _map_countries(summary: ImpactSummary) -> list[tuple[str, str, int]]:
    return [(row.key, row.label, row.officers_trained) for row in summary.countries]


def map_svg(summary: ImpactSummary) -> str:
    return world_map_svg(countries=_map_countries(summary), title=map_title(summary))


def map_image(summary: ImpactSummary, *, width: int):
    return world_map_image(countries=_map_countries(summary), title=map_title(summary), width=width)


def hours_rule() -> str:
    return _(
        "Hours of training delivered: for each attendance, the session's hours when present; when partial, "
        "the recorded time where known, otherwise half the session's hours."
    )


def pdf_texts(summary: ImpactSummary) -> dict:
    """Every text the page of the PDF prints, in the active language."""
    figures = summary.figures
    survey = _("Average rating %(rating)s / 5 · net promoter score %(nps)s · %(responses)s answers") % {
        "rating": number(figures.average_overall_rating),
        "nps": number(figures.net_promoter_score),
        "responses": number(figures.survey_responses),
    }
    as_of = formats.date_format(summary.report.as_of, "DATE_FORMAT") if summary.report.as_of else ""
    return {
        "title": _("Training impact %(year)s") % {"year": summary.year},
        "as_of": _("Figures as of %(date)s") % {"date": as_of},
        "headline": [(value, label) for _metric, value, label in headline_items(summary)],
        "formats": " · ".join(f"{value} {label}" for value, label in format_items(summary)),
        "countries_heading": _("Countries reached"),
        "countries": _countries_text(summary),
        "topics_heading": _("Top topics"),
        "topics": [
            ngettext("%(topic)s: %(sessions)s session", "%(topic)s: %(sessions)s sessions", row.sessions)
            % {"topic": row.label, "sessions": number(row.sessions)}
            for row in summary.top_topics
        ],
        "months_heading": _("Sessions by month"),
        "months": [(row.key[5:], row.sessions) for row in summary.months],
        "survey_heading": _("What participants said"),
        "survey": survey,
        "quotes": [f"“{quote}”" for quote in summary.quotes],
        "learning": (
            _("Learning gain: %(gain)s points (%(officers)s officers took both tests)")
            % {"gain": number(summary.learning_gain["gain"]), "officers": number(summary.learning_gain["officers"])}
            if summary.learning_gain
            else ""
        ),
        "rule": hours_rule(),
    }


def _countries_text(summary: ImpactSummary) -> str:
    """The countries reached, most officers first; past PDF_COUNTRIES (about three lines), how many more."""
    names = [row.label for row in summary.countries]
    text = ", ".join(names[:PDF_COUNTRIES])
    if len(names) > PDF_COUNTRIES:
        text += " " + _("and %(count)s more") % {"count": number(len(names) - PDF_COUNTRIES)}
    return text


def render_impact_pdf(summary: ImpactSummary, *, paper: str = "a4") -> bytes:
    """Draw the one-page summary in the active language on A4 or Letter paper."""
    pdf = CertificatePDF(orientation="portrait", unit="mm", format=PAPERS[paper])
    texts = pdf_texts(summary)
    pdf.set_title(texts["title"])
    pdf.set_author("TrainingOps")
    pdf.set_auto_page_break(auto=False)
    printable = [texts["title"], texts["as_of"], texts["formats"], texts["countries"], texts["survey"]]
    printable += [label for _value, label in texts["headline"]] + texts["topics"] + texts["quotes"]
    printable += [texts["learning"], texts["rule"], texts["countries_heading"], texts["topics_heading"]]
    printable += [texts["months_heading"], texts["survey_heading"]]
    pdf.prepare(printable)
    pdf.add_page()
    width = pdf.w - 2 * MARGIN
    _text(pdf, texts["title"], y=MARGIN, size=22, bold=True, colour=ACCENT)
    _text(pdf, texts["as_of"], y=MARGIN + 10, size=10, colour=MUTED)
    y = _headline(pdf, texts["headline"], y=MARGIN + 18, width=width)
    _text(pdf, texts["formats"], y=y, size=10, colour=MUTED)
    map_height = width * 1398 / 2754
    pdf.image(map_image(summary, width=MAP_PNG_WIDTH), x=MARGIN, y=y + 6, w=width, h=map_height)
    y += 8 + map_height
    _text(pdf, texts["countries_heading"], y=y, size=11, bold=True)
    y = _paragraph(pdf, texts["countries"], y=y + 6, width=width, size=9)
    column = width / 2
    _text(pdf, texts["topics_heading"], y=y + 2, size=11, bold=True)
    _text(pdf, texts["months_heading"], y=y + 2, size=11, bold=True, x=MARGIN + column)
    for index, topic in enumerate(texts["topics"]):
        _text(pdf, topic, y=y + 8 + 5 * index, size=9, width=column - 4)
    _months(pdf, texts["months"], x=MARGIN + column, y=y + 8, width=column)
    y += 8 + 5 * max(len(texts["topics"]), 5) + 2
    _text(pdf, texts["survey_heading"], y=y, size=11, bold=True)
    y = _paragraph(pdf, texts["survey"], y=y + 6, width=width, size=9)
    for quote in texts["quotes"]:
        y = _paragraph(pdf, quote, y=y + 1, width=width, size=9, italic_colour=True)
    if texts["learning"]:
        y = _paragraph(pdf, texts["learning"], y=y + 2, width=width, size=9)
    _paragraph(pdf, texts["rule"], y=max(y + 2, pdf.h - MARGIN - 8), width=width, size=7.5)
    return bytes(pdf.output())


def _text(pdf, text, *, y, size, bold=False, colour=INK, x=MARGIN, width=None):
    pdf.set_line_font(text, size=size, bold=bold)
    pdf.set_text_color(*colour)
    pdf.set_xy(x, y)
    pdf.cell(w=width or 0, h=size * 0.45, text=text)


def _paragraph(pdf, text, *, y, width, size, italic_colour=False) -> float:
    pdf.set_line_font(text, size=size)
    pdf.set_text_color(*(ACCENT if italic_colour else INK))
    pdf.set_xy(MARGIN, y)
    pdf.multi_cell(w=width, h=size * 0.45, text=text)
    return pdf.get_y()


def _headline(pdf, items, *, y, width) -> float:
    step = width / 4
    for index, (value, label) in enumerate(items):
        left, top = MARGIN + (index % 4) * step, y + (index // 4) * 17
        _text(pdf, value, x=left, y=top, size=18, bold=True, colour=ACCENT)
        _text(pdf, label, x=left, y=top + 8, size=8.5, colour=MUTED, width=step - 2)
    return y + 17 * ((len(items) + 3) // 4) + 1


def _months(pdf, months, *, x, y, width) -> None:
    """Twelve columns, one per month, with the month's number below and its sessions above."""
    largest = max((count for _month, count in months), default=0) or 1
    step = (width - 4) / len(months)
    pdf.set_fill_color(*ACCENT)
    for index, (month, count) in enumerate(months):
        height = 18 * count / largest
        left = x + index * step
        if height:
            pdf.rect(left + 0.5, y + 20 - height, step - 1, height, style="F")
        _text(pdf, month, x=left, y=y + 21, size=6.5, colour=MUTED, width=step)
        _text(pdf, str(count), x=left, y=y + 16 - height, size=6.5, colour=INK, width=step)
