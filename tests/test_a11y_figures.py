"""Figures people can read: at phone width every inline figure draws its smallest text at 9 CSS px or more.

The smallest text of each figure is read from its SVG file on disk (matplotlib draws text as glyph
paths under `scale(s -s)`, s = size in pt / 100; the root gives the width in pt), independently of
the page's own script (docs/javascripts/figure-fit.js). The page is opened at 390 px, every image is
loaded, and the drawn width of each figure gives the drawn size of that text:
    text px = smallest size (pt) × drawn width (px) / figure width (pt).
A figure too wide to reach 9 px in the column must then sit in a box that scrolls sideways to show
all of it. Needs `make site` first.
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from test_a11y import open_page
from test_browser import SITE, browser  # noqa: F401 (browser: fixture)

pytestmark = pytest.mark.browser

MIN_TEXT_PX = 9
# Lesson pages and notebook pages with figures.
PAGES = sorted(p.parent.relative_to(SITE).as_posix() + "/" for p in SITE.glob("phase-*/week-*/*/index.html")
               if "<img" in p.read_text()) if SITE.is_dir() else []


def svg_text_sizes(path: Path) -> tuple[float, float]:
    """(width in pt, smallest text size in pt) of a matplotlib SVG."""
    svg = path.read_text()
    width = re.search(r'<svg[^>]*\swidth="([\d.]+)pt"', svg)
    sizes = [100 * float(s) for s in re.findall(r"scale\(([\d.]+) -\1\)", svg)]
    assert width and sizes, f"{path}: not a matplotlib SVG with text (no width in pt or no glyph runs)"
    return float(width.group(1)), min(sizes)


FIGURES = """async () => {
  // Figures shown in this scheme (a page may hold a light and a dark variant; one is display: none).
  // Not a notebook's outputs drawn by code (inlined SVG; in the dark scheme a .dark.svg file): like
  // figure-fit.js, the check covers the page's figures and a notebook's Markdown-cell figures.
  const imgs = [...document.querySelectorAll('.md-content img:not(.jp-OutputArea-output img)')]
    .filter(i => /\\.svg($|\\?)/.test(i.currentSrc || i.src) && getComputedStyle(i).display !== 'none');
  imgs.forEach(i => { i.loading = 'eager'; });
  await Promise.all(imgs.map(i => i.decode().catch(() => null)));
  return imgs.map(i => {
    const cs = getComputedStyle(i), r = i.getBoundingClientRect();
    const pad = parseFloat(cs.paddingLeft) + parseFloat(cs.paddingRight) + parseFloat(cs.borderLeftWidth) + parseFloat(cs.borderRightWidth);
    let box = i.parentElement;
    while (box && box !== document.body && getComputedStyle(box).overflowX === 'visible') box = box.parentElement;
    return { src: i.currentSrc || i.src, drawn: r.width - pad, fitted: i.dataset.minTextPx !== undefined,
             scrolls: !!box && box !== document.body && box.scrollWidth >= r.width - 1 && ['auto', 'scroll'].includes(getComputedStyle(box).overflowX),
             overflows: r.width > document.querySelector('.md-content').clientWidth + 1 };
  });
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])  # each scheme shows its own variant of the figures
@pytest.mark.parametrize("path", PAGES)
def test_inline_figure_text_at_least_9px_on_phone(browser, site_url, path, scheme):
    context, page, guard = open_page(browser, site_url, path, scheme, "phone")
    try:
        page.evaluate("() => document.querySelectorAll('.md-content details').forEach(d => { d.open = true; })")
        page.evaluate(FIGURES)  # loads every figure (they are lazy), so that figure-fit.js measures them
        page.wait_for_function("() => [...document.querySelectorAll('.md-content img:not(.jp-OutputArea-output img)')]"
                               ".filter(i => /\\.svg/.test(i.src) && getComputedStyle(i).display !== 'none')"
                               ".every(i => i.dataset.minTextPx !== undefined)",
                               timeout=15_000)
        figures = page.evaluate(FIGURES)
    finally:
        context.close()
    assert figures, f"/{path}: no SVG figure found"
    small = []
    for f in figures:
        local = SITE / urlsplit(urljoin(site_url + path, f["src"])).path.lstrip("/")
        width_pt, min_pt = svg_text_sizes(local)
        px = min_pt * f["drawn"] / width_pt
        if px < MIN_TEXT_PX - 0.05:
            small.append(f"{local.name}: {min_pt:g} pt text drawn at {px:.1f} px")
        if f["overflows"]:
            assert f["scrolls"], f"{local.name} is wider than the column but its box does not scroll sideways"
    assert not small, f"/{path} ({scheme}) at 390 px: figure text under {MIN_TEXT_PX} px:\n  " + "\n  ".join(small)
    guard.check(f"figures on /{path} ({scheme})")


# Each figure of the page as the reader meets it: the variant shown (display is not none), its file, and
# whether it is drawn on the white card of the light figures. Loads the shown figures (they are lazy).
SHOWN = """async () => {
  const all = [...document.querySelectorAll('.md-content img')]
    .filter(i => /\\.svg($|\\?)|^data:image\\/svg/.test(i.getAttribute('src')));
  const shown = all.filter(i => i.checkVisibility());
  shown.forEach(i => { i.loading = 'eager'; });
  await Promise.all(shown.map(i => i.decode().catch(() => null)));
  return { total: all.length, hidden: all.filter(i => !i.checkVisibility()).map(i => i.getAttribute('src')),
           shown: shown.map(i => ({ src: i.getAttribute('src').slice(0, 200), loaded: i.naturalWidth > 0,
                                    card: getComputedStyle(i).backgroundColor, alt: i.alt })) };
}"""
TOGGLE = 'form[data-md-component="palette"] label:not([hidden])'


def check_variants(figures: dict, dark: bool, where: str) -> None:
    shown, hidden = figures["shown"], figures["hidden"]
    assert shown and len(shown) == len(hidden) == figures["total"] // 2, \
        f"{where}: {len(shown)} figures shown, {len(hidden)} hidden, of {figures['total']} images"
    wrong = [f["src"][:80] for f in shown if f["src"].endswith(".dark.svg") != dark]
    assert not wrong, f"{where}: the {'light' if dark else 'dark'} variant is shown: {wrong}"
    assert all(f["loaded"] and f["alt"] for f in shown), f"{where}: a figure shown did not load or has no alt text"
    if dark:
        carded = [f["src"][:80] for f in shown if f["card"] not in ("rgba(0, 0, 0, 0)", "transparent")]
        assert not carded, f"{where}: dark figures drawn on a card: {carded}"


@pytest.mark.parametrize("path", [p for p in PAGES if "notebook" not in p] + [p for p in PAGES if "day-03-notebook" in p])
def test_figures_follow_the_colour_scheme(browser, site_url, path):
    """Every figure has a dark variant: the page shows the light one in the light scheme and the dark one
    in the dark scheme, also after the reader switches with the palette toggle (not only by the system
    preference); the other one is display: none (not read, not a Tab stop, not fetched). The zoom view
    shows the variant on screen."""
    context, page, guard = open_page(browser, site_url, path, "light", "desktop")
    try:
        page.evaluate("() => document.querySelectorAll('.md-content details').forEach(d => { d.open = true; })")
        check_variants(page.evaluate(SHOWN), False, f"/{path} (light)")
        page.locator(TOGGLE).click()
        page.wait_for_function("() => document.body.dataset.mdColorScheme === 'slate'")
        check_variants(page.evaluate(SHOWN), True, f"/{path} (switched to dark)")
        page.wait_for_function("() => [...document.querySelectorAll('.md-content img.only-dark')]"
                               ".filter(i => i.checkVisibility()).every(i => i.closest('.figure-zoom__link'))")
        link = page.locator(".md-content .figure-zoom__link:visible").first
        link.focus()
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.querySelector('dialog.figure-zoom')?.open")
        zoomed = page.evaluate("() => { const i = document.querySelector('dialog.figure-zoom img');"
                               " return [i.getAttribute('src'), getComputedStyle(i).backgroundColor]; }")
        assert zoomed[0].endswith(".dark.svg") and zoomed[1] == "rgba(0, 0, 0, 0)", f"/{path}: zoom view shows {zoomed}"
        page.keyboard.press("Escape")
    finally:
        context.close()
    guard.check(f"figure variants on /{path}")
    context, page, guard = open_page(browser, site_url, path, "dark", "phone")  # the system asks for dark
    try:
        page.evaluate("() => document.querySelectorAll('.md-content details').forEach(d => { d.open = true; })")
        check_variants(page.evaluate(SHOWN), True, f"/{path} (dark, phone)")
        light_fetched = page.evaluate("() => performance.getEntriesByType('resource')"
                                      ".map(e => e.name).filter(n => /\\.svg$/.test(n) && !/\\.dark\\.svg$/.test(n))")
        assert not light_fetched, f"/{path} (dark): light figures fetched though hidden: {light_fetched}"
    finally:
        context.close()
    guard.check(f"figure variants on /{path} (dark)")
