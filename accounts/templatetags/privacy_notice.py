"""The privacy notice's plain text as HTML.

Managers write plain text in the back office; nothing they type is taken as HTML. A paragraph's
short first line without final punctuation is its heading, and lines starting with "- " are a list.
"""

from itertools import groupby

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

HEADING_MAX_LENGTH = 80


def _is_heading(lines: list[str]) -> bool:
    first = lines[0]
    return len(lines) > 1 and len(first) <= HEADING_MAX_LENGTH and not first.endswith((".", ":", ";", ","))


def _block(lines: list[str], level: int) -> SafeString:
    parts = []
    if _is_heading(lines):
        parts.append(format_html("<h{}>{}</h{}>", level, lines[0], level))
        lines = lines[1:]
    for is_item, run in groupby(lines, key=lambda line: line.startswith("- ")):
        run = list(run)
        if is_item:
            parts.append(format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((line[2:],) for line in run))))
        else:
            parts.append(format_html("<p>{}</p>", format_html_join(mark_safe("<br>"), "{}", ((line,) for line in run))))
    return mark_safe("".join(parts))  # noqa: S308 — every part is built with format_html


@register.filter
def notice_html(text: str, heading_level: int = 2) -> SafeString:
    """The notice as paragraphs, lists and headings of ``heading_level`` (2 on its own page)."""
    blocks = [block for block in text.replace("\r\n", "\n").split("\n\n") if block.strip()]
    rendered = [_block([line.strip() for line in block.strip().splitlines()], heading_level) for block in blocks]
    return mark_safe("".join(rendered))  # noqa: S308 — every block is built with format_html
