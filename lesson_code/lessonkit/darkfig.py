"""Dark variants of the lessons' figures: a light matplotlib SVG in, the same figure for a dark page out.

The figure builders draw for a light page (:mod:`.figstyle`). The site shows a dark variant in its dark
scheme (Material's ``slate``), derived here from the light SVG after the builder ran, so the builders,
and their caches, are untouched. Only colours change; every path, glyph and number stays as it was:

* white (the figure and axes backgrounds, hollow markers) becomes the dark page's background, and
  other near-white fills a dim tint of their hue just above it;
* black and dark greys (text, spines, ticks, error bars) are inverted in lightness: black becomes
  :data:`FOREGROUND`;
* matplotlib's grid grey becomes :data:`GRID`, which its 0.3 opacity turns into a faint line again;
* every other colour (figstyle's Okabe-Ito series, anything a builder picked) keeps its hue and is
  lightened just enough for :data:`MIN_CONTRAST` against the background, enough for text (4.5:1)
  and so for lines and markers (3:1);
* hatching inside a ``<pattern>`` keeps its grey: it is drawn on the bar's colour, not on the page;
  raster images (heatmaps) are kept as they are; opacities are kept.

The root element gets ``fill`` = :data:`FOREGROUND`: an element with no fill of its own (matplotlib's
text glyphs) was black and is now light. This module uses the standard library only (the build hook
imports it) and no figure builder imports it, so changing it reruns no builder.
"""
from __future__ import annotations

import colorsys
import re
import xml.etree.ElementTree as ET

# Material's slate background, hsl(232, 15%, 14%), so that a figure sits on the page with no card.
BACKGROUND = "#1e2029"
FOREGROUND = "#dcdee5"   # text, spines, ticks: 13:1 on BACKGROUND
GRID = "#8a8f9e"          # matplotlib's grid grey #b0b0b0, drawn at opacity 0.3: a faint line
MIN_CONTRAST = 4.5        # WCAG AA for text; lines and markers need 3
PALE = 0.85               # HSL lightness from which a colour counts as a background tint

_FIXED = {"#ffffff": BACKGROUND, "#000000": FOREGROUND, "#b0b0b0": GRID}
_NAMED = {  # CSS names a hand-written figure might use (matplotlib writes hex); others are refused
    "white": "#ffffff", "black": "#000000", "gray": "#808080", "grey": "#808080", "silver": "#c0c0c0",
    "red": "#ff0000", "maroon": "#800000", "green": "#008000", "lime": "#00ff00", "blue": "#0000ff",
    "navy": "#000080", "yellow": "#ffff00", "olive": "#808000", "aqua": "#00ffff", "cyan": "#00ffff",
    "teal": "#008080", "fuchsia": "#ff00ff", "magenta": "#ff00ff", "purple": "#800080", "orange": "#ffa500",
}
_KEEP = {"none", "transparent", "currentcolor", "inherit"}
_PROPS = r"(?:fill|stroke|stop-color|flood-color|lighting-color|color)"
_ATTR = re.compile(r"(?<=\s)(" + _PROPS + r')="([^"]*)"')
_DECL = re.compile(r"(?<![\w-])(" + _PROPS + r")(\s*:\s*)([^;\"}]+?)(\s*(?:;|$|}))")
_STYLE_ATTR = re.compile(r'(?<=\s)style="([^"]*)"')
_STYLE_ELEM = re.compile(r"(<style\b[^>]*>)(.*?)(</style>)", re.S)
_PATTERN = re.compile(r"<pattern\b.*?</pattern>", re.S)
_ROOT = re.compile(r"<svg\b[^>]*>")


def parse_colour(text: str) -> tuple[float, float, float] | None:
    """(r, g, b) in 0..1 of a CSS colour (#rgb, #rrggbb, #rrggbbaa, rgb(), a basic name); None for
    none/transparent/currentColor/url(...). A colour it cannot read raises ValueError."""
    t = text.strip().lower()
    if t in _KEEP or t.startswith("url("):
        return None
    t = _NAMED.get(t, t)
    if re.fullmatch(r"#[0-9a-f]{3}", t):
        return tuple(int(c * 2, 16) / 255 for c in t[1:])
    if re.fullmatch(r"#[0-9a-f]{6}([0-9a-f]{2})?", t):
        return tuple(int(t[i:i + 2], 16) / 255 for i in (1, 3, 5))
    m = re.fullmatch(r"rgba?\(\s*([\d.]+%?)\s*,\s*([\d.]+%?)\s*,\s*([\d.]+%?)\s*(,\s*[\d.]+%?\s*)?\)", t)
    if m:
        return tuple(min(1.0, float(v[:-1]) / 100 if v.endswith("%") else float(v) / 255) for v in m.groups()[:3])
    raise ValueError(f"darkfig: cannot read the colour {text!r} (use #rrggbb, rgb() or a basic CSS name)")


def hex_colour(rgb) -> str:
    return "#" + "".join(f"{round(min(1.0, max(0.0, v)) * 255):02x}" for v in rgb)


def luminance(rgb) -> float:
    """WCAG relative luminance."""
    lin = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a, b) -> float:
    """WCAG contrast ratio of two colours (hex strings or rgb tuples)."""
    la, lb = (luminance(parse_colour(c) if isinstance(c, str) else c) for c in (a, b))
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def _lighten_to(h: float, lightness: float, s: float, target: float):
    bg = parse_colour(BACKGROUND)
    rgb = colorsys.hls_to_rgb(h, lightness, s)
    while contrast(rgb, bg) < target and lightness < 1:
        lightness = min(1.0, lightness + 0.005)
        rgb = colorsys.hls_to_rgb(h, lightness, s)
    return rgb


def dark_colour(light: str) -> str:
    """The dark-scheme colour of one light-scheme colour (see the module's rules); None-like values as given."""
    rgb = parse_colour(light)
    if rgb is None:
        return light
    key = hex_colour(rgb)
    if key in _FIXED:
        return _FIXED[key]
    h, lightness, s = colorsys.rgb_to_hls(*rgb)
    if lightness >= PALE:  # a background tint: just above the page, in its own hue
        t = (1 - lightness) / (1 - PALE)
        bg, tint = parse_colour(BACKGROUND), colorsys.hls_to_rgb(h, 0.30, s)
        return hex_colour([b + (c - b) * t for b, c in zip(bg, tint)])
    if s < 0.12:  # a grey: inverted lightness
        lightness = 1 - lightness
    return hex_colour(_lighten_to(h, lightness, s, MIN_CONTRAST))


def _map(value: str, in_pattern: bool) -> str:
    rgb = parse_colour(value)
    if rgb is None:
        return value
    if in_pattern and colorsys.rgb_to_hls(*rgb)[2] < 0.12:
        return value  # hatching: drawn on the bar's colour
    return dark_colour(value)


def _recolour(text: str, in_pattern: bool) -> str:
    def decls(css: str) -> str:
        return _DECL.sub(lambda m: m[1] + m[2] + _map(m[3], in_pattern) + m[4], css)

    text = _STYLE_ATTR.sub(lambda m: f'style="{decls(m[1])}"', text)
    text = _STYLE_ELEM.sub(lambda m: m[1] + decls(m[2]) + m[3], text)
    return _ATTR.sub(lambda m: f'{m[1]}="{_map(m[2], in_pattern)}"', text)


def dark_svg(svg: str) -> str:
    """The dark variant of a light SVG figure (text in, text out). Not an SVG: ValueError, one line."""
    try:
        root = ET.fromstring(svg.encode("utf-8"))
    except ET.ParseError as e:
        raise ValueError(f"darkfig: not well-formed XML ({e})") from None
    if root.tag != "{http://www.w3.org/2000/svg}svg":
        raise ValueError(f"darkfig: the root element is {root.tag!r}, not an SVG <svg>")
    parts, last = [], 0
    for m in _PATTERN.finditer(svg):
        parts += [_recolour(svg[last:m.start()], False), _recolour(m[0], True)]
        last = m.end()
    out = "".join(parts) + _recolour(svg[last:], False)
    tag = _ROOT.search(out)
    if not re.search(r'\sfill="', tag[0]):  # unstyled elements (matplotlib's text glyphs) were black
        end = tag.end() - (2 if tag[0].endswith("/>") else 1)
        out = out[:end] + f' fill="{FOREGROUND}"' + out[end:]
    return out
