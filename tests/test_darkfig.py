"""Dark variants of the figures (lesson_code/lessonkit/darkfig.py, paired into pages by scripts/dark_figures.py).

A dark variant must sit on the dark page with no white card, keep its text at 4.5:1 and its lines and
markers at 3:1 against that background, stay valid SVG, and differ from the light figure in colours
only. The build test checks that every figure of a built lesson or notebook page has its dark twin.
"""
from __future__ import annotations

import base64
import colorsys
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from lesson_code.lessonkit import darkfig
from scripts.dark_figures import pair_dark_images

ROOT = Path(__file__).resolve().parent.parent
SVG_NS = "{http://www.w3.org/2000/svg}"
COLOUR_PROPS = {"fill", "stroke", "stop-color", "flood-color", "lighting-color", "color"}
CACHED = sorted(p for p in (ROOT / ".cache" / "artifacts").glob("*/*/*.svg"))


def styles(el: ET.Element) -> dict[str, str]:
    """An element's presentation: its attributes overridden by its style="" declarations."""
    out = {k: v for k, v in el.attrib.items() if "}" not in k}
    for decl in el.get("style", "").split(";"):
        if ":" in decl:
            k, v = decl.split(":", 1)
            out[k.strip()] = v.strip()
    return out


def without_colours(el: ET.Element) -> dict[str, str]:
    """The element's attributes with every colour value blanked (style="" included)."""
    out = {}
    for k, v in el.attrib.items():
        if k == "style":
            v = ";".join(f"{d.split(':', 1)[0].strip()}:*" if d.split(":", 1)[0].strip() in COLOUR_PROPS else d.strip()
                         for d in v.split(";") if d.strip())
        elif k in COLOUR_PROPS:
            v = "*"
        out[k] = v
    return out


def walk(el: ET.Element, inherited: dict[str, str], in_pattern: bool = False):
    """(element, its effective fill, its own stroke, inside a <pattern>) for every element."""
    own = styles(el)
    fill = own.get("fill", inherited.get("fill", "#000000"))
    in_pattern = in_pattern or el.tag == SVG_NS + "pattern"
    yield el, fill, own.get("stroke"), in_pattern
    for child in el:
        yield from walk(child, {"fill": fill}, in_pattern)


def is_glyph_run(el: ET.Element) -> bool:
    """matplotlib draws a text as glyph paths in a <g> scaled by size/100: "translate(x y) scale(s -s)"."""
    return el.tag == SVG_NS + "g" and bool(re.search(r"scale\(([\d.]+) -\1\)", el.get("transform", "")))


def check_dark(light_text: str, dark_text: str, name: str) -> None:
    light, dark = ET.fromstring(light_text.encode()), ET.fromstring(dark_text.encode())  # valid XML, both
    bg = darkfig.BACKGROUND
    # The figure's own background (matplotlib's first patch) is the page's background: no white card.
    patch = dark.find(f".//{SVG_NS}g[@id='patch_1']/{SVG_NS}path")
    assert patch is not None and styles(patch)["fill"] == bg, f"{name}: the figure background is not {bg}"
    # Colours only: same elements in the same order, same attributes and text apart from colour values.
    light_els, dark_els = list(light.iter()), list(dark.iter())
    assert len(light_els) == len(dark_els), f"{name}: {len(light_els)} elements became {len(dark_els)}"
    for a, b in zip(light_els, dark_els):
        assert a.tag == b.tag and (a.text or "").strip() == (b.text or "").strip(), f"{name}: <{a.tag}> changed"
        extra = without_colours(b).keys() - without_colours(a).keys()
        assert without_colours(a) == {k: v for k, v in without_colours(b).items() if k not in extra} \
            and extra <= ({"fill"} if b is dark else set()), f"{name}: attributes of <{a.tag} id={a.get('id')}> changed"
    # Text at 4.5:1 and lines and markers at 3:1 against the background (grid lines are faint on purpose;
    # hatching inside a <pattern> is drawn on its bar, not on the page).
    low_text, low_line = set(), set()
    for el, fill, stroke, in_pattern in walk(dark, {}):
        if is_glyph_run(el) and darkfig.contrast(fill, bg) < 4.5:
            low_text.add(fill)
        if in_pattern:
            continue
        for colour in (stroke, styles(el).get("fill")):
            if darkfig.parse_colour(colour or "none") is None or colour in (bg, darkfig.GRID):
                continue
            if darkfig.contrast(colour, bg) < 3:
                low_line.add(colour)
    assert not low_text, f"{name}: text colours under 4.5:1 on {bg}: {sorted(low_text)}"
    assert not low_line, f"{name}: line or marker colours under 3:1 on {bg}: {sorted(low_line)}"


def sample_figure(tmp_path: Path) -> str:
    """A light figure in the course style with every kind of mark the lessons use."""
    import numpy as np

    from lesson_code.lessonkit import figstyle

    fig, (ax, bx) = figstyle.figure(8, 3.5, ncols=2)
    x = np.arange(10)
    for i, key in enumerate(k for k in figstyle.SERIES):
        ax.plot(x, x * (i + 1), label=figstyle.LABELS.get(key, key), **figstyle.series_style(key, markevery=3))
    for i in range(len(figstyle.SEQUENCE)):
        bx.plot(x, x + i, **figstyle.sequence_style(i))
    ax.fill_between(x, x, x * 2, color=figstyle.COLORS["lstm"], alpha=0.2, linewidth=0)
    ax.errorbar([2, 4], [3, 5], yerr=[1, 1], fmt="o", color=figstyle.COLORS["baseline"], mfc="white")
    ax.axhline(5, color="black", linestyle=":", linewidth=1)
    ax.annotate("chance", (8, 5), color=figstyle.COLORS["baseline"], fontsize=8)
    bx.bar([12], [4], color=figstyle.SEQUENCE[1], hatch="//", edgecolor="black")
    ax.set_title("title"), ax.set_xlabel("x label"), bx.set_ylabel("y label")
    ax.legend(fontsize=7)
    figstyle.save_svg(fig, tmp_path / "sample.svg")
    return (tmp_path / "sample.svg").read_text()


def test_a_figure_in_the_course_style_turns_dark(tmp_path):
    light = sample_figure(tmp_path)
    check_dark(light, darkfig.dark_svg(light), "sample figure")


@pytest.mark.parametrize("path", CACHED, ids=lambda p: p.name)
def test_every_built_figure_turns_dark(path):
    light = path.read_text()
    check_dark(light, darkfig.dark_svg(light), path.name)


def test_series_colours_keep_their_hue_and_get_lighter():
    from lesson_code.lessonkit import figstyle

    for colour in set(figstyle.COLORS.values()) | set(figstyle.SEQUENCE):
        rgb, dark = darkfig.parse_colour(colour), darkfig.parse_colour(darkfig.dark_colour(colour))
        (h, l, s), (h2, l2, s2) = colorsys.rgb_to_hls(*rgb), colorsys.rgb_to_hls(*dark)
        assert darkfig.contrast(dark, darkfig.BACKGROUND) >= 4.5, f"{colour} -> {darkfig.dark_colour(colour)}"
        if s >= 0.12:  # a colour, not a grey: same hue, not darker
            assert abs(h - h2) < 0.02 and l2 >= l - 0.005, f"{colour} -> {darkfig.dark_colour(colour)}"


def test_colour_forms():
    assert darkfig.dark_colour("#FFF") == darkfig.dark_colour("white") == darkfig.BACKGROUND
    assert darkfig.dark_colour("rgb(0, 0, 0)") == darkfig.FOREGROUND
    for keep in ("none", "url(#h1)", "currentColor"):
        assert darkfig.dark_colour(keep) == keep
    svg = ('<svg xmlns="http://www.w3.org/2000/svg"><style>rect{fill: #ffffff}</style>'
           '<rect fill="black" stroke="#0072B2" style="opacity: 0.5"/></svg>')
    out = darkfig.dark_svg(svg)
    assert f"fill: {darkfig.BACKGROUND}" in out and f'fill="{darkfig.FOREGROUND}"' in out
    assert 'style="opacity: 0.5"' in out and 'stroke="#0072B2"' not in out
    assert out.startswith(f'<svg xmlns="http://www.w3.org/2000/svg" fill="{darkfig.FOREGROUND}">')


@pytest.mark.parametrize("bad, message", [("<svg", "not well-formed"), ("<html/>", "not an SVG"),
                                          ('<svg xmlns="http://www.w3.org/2000/svg"><rect fill="tomatoish"/></svg>',
                                           "cannot read the colour")])
def test_bad_input_is_one_clear_line(bad, message):
    with pytest.raises(ValueError, match=message) as e:
        darkfig.dark_svg(bad)
    assert "\n" not in str(e.value)


def test_pairing_in_the_page_html():
    twins = {"phase-1/week-1/figures/day-03/x.svg": "phase-1/week-1/figures/day-03/x.dark.svg"}
    html = '<p><img loading="lazy" alt="A plot" src="../figures/day-03/x.svg" /></p>'
    assert pair_dark_images(html, "phase-1/week-1/day-03/", twins) == (
        '<p><img class="only-light" loading="lazy" alt="A plot" src="../figures/day-03/x.svg" />'
        '<img class="only-dark" loading="lazy" alt="A plot" src="../figures/day-03/x.dark.svg" /></p>')
    notebook = '<img alt="A" class="z" src="../../../phase-1/week-1/figures/day-03/x.svg"/>'
    assert 'class="z only-dark" src="../../../phase-1/week-1/figures/day-03/x.dark.svg"' in \
        pair_dark_images(notebook, "phase-1/week-1/day-03-notebook/", twins)
    inline = '<img alt="B" src="data:image/svg+xml;base64,%s"/>' % base64.b64encode(
        b'<svg xmlns="http://www.w3.org/2000/svg"><path style="fill: #ffffff"/></svg>').decode()
    stored = []
    paired = pair_dark_images(inline, "phase-1/week-1/day-03-notebook/", twins, lambda svg: stored.append(svg) or "o.dark.svg")
    assert paired.endswith('<img class="only-dark" alt="B" src="o.dark.svg"/>') and 'class="only-light"' in paired
    assert stored and f"fill: {darkfig.BACKGROUND}" in stored[0]
    assert pair_dark_images(inline, "x/", twins) == inline   # nowhere to store it: left alone
    for untouched in ('<img alt="A" src="../figures/day-03/y.svg"/>',              # no dark variant
                      '<img class="only-light" alt="A" src="../figures/day-03/x.svg"/>',  # paired by hand
                      '<img alt="A" src="https://example.org/figures/day-03/x.svg"/>'):
        assert pair_dark_images(untouched, "phase-1/week-1/day-03/", twins) == untouched


IMG = re.compile(r"<img\b[^>]*>")


def attr(tag: str, name: str) -> str | None:
    m = re.search(rf'\s{name}="([^"]*)"', tag)
    return m[1] if m else None


def test_every_page_figure_has_its_dark_twin_in_the_site(site_dir):
    """Each SVG figure a lesson or notebook page shows is paired: light then dark, same alt text, both
    lazy, and the dark file is in the site."""
    pages = sorted(site_dir.glob("phase-*/week-*/*/index.html"))
    assert pages, "no lesson page in the site"
    checked = 0
    for page in pages:
        tags = [t for t in IMG.findall(page.read_text()) if re.search(r'\ssrc="([^"]*\.svg|data:image/svg[^"]*)"', t)]
        for i, tag in enumerate(tags):
            src, cls = attr(tag, "src"), (attr(tag, "class") or "").split()
            inline = src.startswith("data:")   # a notebook output drawn by code: its dark variant is a file
            where = f"{page.relative_to(site_dir)}: {src[:60]}"
            if src.endswith(".dark.svg"):
                assert "only-dark" in cls and i and "only-light" in (attr(tags[i - 1], "class") or ""), f"{where}: unpaired"
                continue
            assert "only-light" in cls, f"{where}: no dark twin"
            twin = tags[i + 1] if i + 1 < len(tags) else ""
            dark_src = attr(twin, "src") or ""
            assert (dark_src.endswith(".dark.svg") if inline else dark_src == src[:-4] + ".dark.svg") \
                and "only-dark" in (attr(twin, "class") or ""), f"{where}: not followed by its dark variant"
            assert attr(twin, "alt") == attr(tag, "alt") and attr(tag, "alt"), f"{where}: alt text differs or is empty"
            assert attr(tag, "loading") == attr(twin, "loading") == "lazy", f"{where}: not lazy"
            assert (page.parent / attr(twin, "src")).resolve().is_file(), f"{where}: the dark file is not in the site"
            checked += 1
    assert checked >= 16, f"only {checked} figures paired"
