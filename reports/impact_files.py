"""The impact summary's downloads, one function for the page, the public page and the command."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.utils.translation import gettext as _

from reports.impact import ImpactSummary, headline_items
from reports.impact_images import CARD_WIDTH, MAP_PNG_WIDTH, headline_card_svg, png_bytes, svg_to_png
from reports.impact_pdf import PAPERS, map_image, map_svg, render_impact_pdf

# (picture, extension) → content type; "summary.pdf" and "summary.json" are the whole summary.
KINDS = {
    "summary.pdf": "application/pdf",
    "summary.json": "application/json",
    "map.svg": "image/svg+xml",
    "map.png": "image/png",
    "card.svg": "image/svg+xml",
    "card.png": "image/png",
}


@dataclass(frozen=True)
class ImpactFile:
    content: bytes
    content_type: str
    filename: str


def card_svg(summary: ImpactSummary) -> str:
    title = _("Training impact %(year)s") % {"year": summary.year}
    return headline_card_svg(
        title=title,
        subtitle=_("Law-enforcement training program"),
        figures=[(value, label) for _metric, value, label in headline_items(summary)],
    )


def impact_file(summary: ImpactSummary, *, kind: str, paper: str = "a4") -> ImpactFile:
    """The download ``kind`` (a key of KINDS) of the summary, in the active language."""
    if kind not in KINDS:
        raise ValueError(kind)
    if paper not in PAPERS:
        raise ValueError(paper)
    picture, extension = kind.split(".")
    if kind == "summary.pdf":
        content = render_impact_pdf(summary, paper=paper)
        name = f"impact-{summary.year}-{paper}.pdf"
    elif kind == "summary.json":
        content = json.dumps(summary.as_dict(), ensure_ascii=False, indent=2).encode("utf-8")
        name = f"impact-{summary.year}.json"
    else:
        if extension == "svg":
            content = (map_svg(summary) if picture == "map" else card_svg(summary)).encode("utf-8")
        elif picture == "map":
            content = png_bytes(map_image(summary, width=MAP_PNG_WIDTH))
        else:
            content = svg_to_png(card_svg(summary), width=CARD_WIDTH)
        name = f"impact-{summary.year}-{picture}.{extension}"
    return ImpactFile(content=content, content_type=KINDS[kind], filename=name)
