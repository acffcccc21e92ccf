"""Keyboard and focus beyond the page as loaded: the phone drawer, the colour-scheme toggle, focus rings
in the header, the "Copied" announcement and the notebook pages' Tab stops.
(The playground's Generate/Stop/Esc path is in tests/test_playground.py.) Needs `make site` first.
"""
from __future__ import annotations

import pytest

from test_a11y import FOCUS_INFO, SCHEMES, open_page
from test_browser import DAY3, SITE, browser  # noqa: F401 (browser: fixture)

pytestmark = pytest.mark.browser

NOTEBOOKS = sorted(p.parent.relative_to(SITE).as_posix() + "/" for p in SITE.glob("phase-*/week-*/*notebook*/index.html")) \
    if SITE.is_dir() else []

# Luminance contrast of the focused element's outline against the header behind it.
RING_CONTRAST = """() => {
  const parse = c => c.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  let el = document.activeElement;
  if (el.matches('input.md-option')) el = el.nextElementSibling;
  const cs = getComputedStyle(el);
  if (cs.outlineStyle === 'none' || parseFloat(cs.outlineWidth) < 1) return { id: el.className, ratio: 0 };
  const a = lum(parse(cs.outlineColor)), b = lum(parse(getComputedStyle(document.querySelector('.md-header')).backgroundColor));
  return { id: el.getAttribute('aria-label') || el.title || el.className, ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) };
}"""

# Is the focused element on screen and not covered: the element at its centre is it (or inside it).
SHOWN = """() => { const el = document.activeElement, r = el.getBoundingClientRect();
  const x = r.left + r.width / 2, y = r.top + r.height / 2;
  if (!r.width || x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) return false;
  const hit = document.elementFromPoint(x, y);
  return !!hit && (hit === el || el.contains(hit) || hit.contains(el)); }"""


@pytest.mark.parametrize("scheme", SCHEMES)
def test_header_focus_and_palette_toggle(browser, site_url, scheme):
    """A first visit: every Tab stop in the header shows a focus ring of 3:1 or more against the header;
    the toggle's stop is its visible icon; Space and Enter each switch the scheme."""
    context, page, guard = open_page(browser, site_url, DAY3, scheme, "desktop")
    other = {"default": "slate", "slate": "default"}
    try:
        toggle = None
        for _ in range(12):
            page.keyboard.press("Tab")
            info = page.evaluate(FOCUS_INFO)
            if not info or not page.evaluate("() => !!document.activeElement.closest('.md-header')"):
                continue
            ring = page.evaluate(RING_CONTRAST)
            assert ring["ratio"] >= 3, f"{scheme}: focus ring on {ring['id']!r} is {ring['ratio']:.2f}:1 against the header"
            if info["inPalette"]:
                toggle = info
                break
        assert toggle, "the palette toggle is not among the first Tab stops"
        assert toggle["visible"] and toggle["outline"], f"{scheme}: the focused toggle shows no visible focus: {toggle}"
        start = page.evaluate("() => document.body.dataset.mdColorScheme")
        assert start == SCHEMES[scheme]
        for key, expected in (("Space", other[start]), ("Enter", start), ("Space", other[start])):
            page.keyboard.press(key)
            page.wait_for_function("(s) => document.body.dataset.mdColorScheme === s", arg=expected, timeout=3_000)
            shown = page.evaluate(FOCUS_INFO)
            assert shown and shown["inPalette"] and shown["visible"], f"after {key}, focus is not on the visible toggle: {shown}"
    finally:
        context.close()
    guard.check(f"palette toggle ({scheme})")


def test_phone_drawer_is_modal_and_shows_every_stop(browser, site_url):
    """At 390 px the open drawer holds focus: every Tab stop is on screen and uncovered, inside the
    drawer, Tab wraps around inside it, and the page behind is inert; Escape closes it, focus returns
    to the menu button and the page is usable again."""
    context, page, guard = open_page(browser, site_url, DAY3, "light", "phone")
    try:
        page.locator(".a11y-menu-button").focus()
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.activeElement.closest('.md-sidebar--primary')")
        page.wait_for_timeout(400)  # the panel has slid in
        assert page.evaluate("() => document.querySelector('.md-content').inert"), "the page behind the drawer is not inert"
        first = page.evaluate("() => document.activeElement.outerHTML.slice(0, 120)")
        stops, hidden = [], []
        for _ in range(60):
            here = page.evaluate("() => [document.activeElement.outerHTML.slice(0, 120), "
                                 "!!document.activeElement.closest('.md-sidebar--primary')]")
            assert here[1], f"Tab left the open drawer for {here[0]}"
            if not page.evaluate(SHOWN):
                hidden.append(here[0])
            stops.append(here[0])
            page.keyboard.press("Tab")
            if page.evaluate("() => document.activeElement.outerHTML.slice(0, 120)") == first:
                break
        else:
            raise AssertionError(f"Tab did not wrap around inside the drawer within 60 presses ({len(stops)} stops)")
        assert not hidden, f"{len(hidden)} of {len(stops)} drawer Tab stops are out of sight: {hidden[:3]}"
        page.keyboard.press("Shift+Tab")  # backwards from the first stop: the last one
        assert page.evaluate("() => document.activeElement.outerHTML.slice(0, 120)") == stops[-1]
        page.keyboard.press("Escape")
        page.wait_for_function("() => !document.getElementById('__drawer').checked "
                               "&& document.activeElement.matches('.a11y-menu-button')")
        assert not page.evaluate("() => document.querySelector('.md-content').inert")
    finally:
        context.close()
    guard.check("phone drawer")


def test_copied_to_clipboard_is_announced(browser, site_url):
    """Material's "Copied to clipboard" note sits in a polite live region, so screen readers say it."""
    context, page, guard = open_page(browser, site_url, DAY3, "light", "desktop")
    try:
        context.grant_permissions(["clipboard-read", "clipboard-write"])
        region = page.locator(".md-dialog__inner")
        assert region.get_attribute("role") == "status" and region.get_attribute("aria-live") == "polite"
        button = page.locator(".md-content .md-code__button[data-md-type=copy], .md-content button.md-clipboard").first
        button.scroll_into_view_if_needed()
        button.click()
        page.wait_for_function("() => document.querySelector('.md-dialog__inner').textContent.trim().length > 0")
        assert "copied" in region.text_content().lower()
    finally:
        context.close()
    guard.check("copy announcement")


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_notebook_tab_stops_are_named_or_scroll(browser, site_url, path):
    """No unnamed cell wrapper in the Tab order: every tabindex=0 element of a notebook is a control, a
    link, or a box that scrolls (which the arrow keys then scroll). Notebook images open the zoom view."""
    context, page, guard = open_page(browser, site_url, path, "light", "desktop")
    try:
        page.wait_for_timeout(300)
        idle = page.evaluate("""() => [...document.querySelectorAll('.md-content [tabindex="0"]')]
          .filter(e => !e.matches('a[href], button, input, select, textarea, summary'))
          .filter(e => e.scrollWidth <= e.clientWidth + 1 && e.scrollHeight <= e.clientHeight + 1)
          .map(e => e.className || e.tagName)""")
        assert not idle, f"/{path}: {len(idle)} Tab stop(s) with nothing to operate or scroll: {idle[:5]}"
        images = page.evaluate("() => [...document.querySelectorAll('.md-content img')].map(i => !!i.closest('.figure-zoom__link'))")
        assert all(images), f"/{path}: {images.count(False)} of {len(images)} images do not open the zoom view"
    finally:
        context.close()
    guard.check(f"notebook stops on /{path}")
