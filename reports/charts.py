"""Server-side SVG charts for the report page: no JavaScript, no CDN, labels escaped by format_html."""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

_WIDTH = 640
_BAR_HEIGHT = 22


def column_chart(*, title: str, points: list[tuple[str, int]], color: str = "#2f6f9f") -> SafeString:
    """Vertical bars, one per point (e.g. a month), each labelled with its value."""
    height, top, bottom, left = 220, 24, 28, 8
    plot_height = height - top - bottom
    highest = max((value for _, value in points), default=0) or 1
    step = (_WIDTH - 2 * left) / max(len(points), 1)
    bars = []
    for index, (label, value) in enumerate(points):
        bar_height = round(plot_height * value / highest, 1)
        x = round(left + index * step + step * 0.15, 1)
        y = round(top + plot_height - bar_height, 1)
        bars.append(
            (x, y, round(step * 0.7, 1), bar_height, color, label, value, round(x + step * 0.35, 1), height - 10, y - 4)
        )
    body = format_html_join(
        "",
        '<g><title>{5}: {6}</title><rect x="{0}" y="{1}" width="{2}" height="{3}" fill="{4}"></rect>'
        '<text x="{7}" y="{8}" text-anchor="middle" class="axis">{5}</text>'
        '<text x="{7}" y="{9}" text-anchor="middle" class="value">{6}</text></g>',
        bars,
    )
    return _svg(title=title, height=height, body=body)


def bar_chart(*, title: str, points: list[tuple[str, int]], color: str = "#3d8b5f") -> SafeString:
    """Horizontal bars for a ranking (regions, countries), longest first as given."""
    label_width, right = 190, 60
    height = max(len(points), 1) * _BAR_HEIGHT + 8
    highest = max((value for _, value in points), default=0) or 1
    plot_width = _WIDTH - label_width - right
    bars = []
    for index, (label, value) in enumerate(points):
        y = 4 + index * _BAR_HEIGHT
        width = round(plot_width * value / highest, 1)
        bars.append((label, value, y + 15, label_width - 6, label_width, y + 3, width, color, label_width + width + 4))
    body = format_html_join(
        "",
        '<g><title>{0}: {1}</title><text x="{3}" y="{2}" text-anchor="end" class="axis">{0}</text>'
        '<rect x="{4}" y="{5}" width="{6}" height="16" fill="{7}"></rect>'
        '<text x="{8}" y="{2}" class="value">{1}</text></g>',
        bars,
    )
    return _svg(title=title, height=height, body=body)


def _svg(*, title: str, height: int, body: SafeString) -> SafeString:
    return format_html(
        '<svg class="report-chart" viewBox="0 0 {} {}" role="img" aria-label="{}"><title>{}</title>{}</svg>',
        _WIDTH,
        height,
        title,
        title,
        body,
    )
