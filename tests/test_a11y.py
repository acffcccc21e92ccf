"""Accessibility of the built site: axe-core in Chromium on every page, both colour schemes, two widths.

axe-core is fetched by set-up (scripts/fetch_axe.sh, npm registry, pinned) into .cache/axe and injected
from disk, never from a CDN. Every page that `make site` writes is checked (pages are discovered from
site/, so new lessons and notebook pages are covered with no extra work), in the light ("default")
and dark ("slate") schemes, at 1280 px and 390 px. Any serious or critical violation fails; a
moderate one fails unless it is listed in MODERATE_ACCEPTED with its reason (the same list is in
docs/maintainers/accessibility.md). Needs `make site` first.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from test_browser import DAY3, browser, guarded_context, site_pages  # noqa: F401 (browser: fixture)

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / ".cache" / "axe" / "axe.min.js"
SCHEMES = {"light": "default", "dark": "slate"}
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
# WCAG 2.0/2.1 A and AA, 2.2 AA, plus axe's best practices (landmarks, unique names, headings).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
FAILING_IMPACTS = {"serious", "critical"}
# Smallest text a figure may hold (lesson_code/lessonkit/figstyle.py SMALLEST_FONT_PT = 6 pt), in CSS px
# at the figure's natural size (matplotlib SVGs are sized in pt: 1 pt = 4/3 px).
SMALLEST_FONT_PX = 6 * 4 / 3
# Moderate rules that are knowingly left, each with its reason (kept in step with the maintainers' doc).
MODERATE_ACCEPTED: dict[str, str] = {}


@pytest.fixture(scope="module")
def chromium(browser):
    """The shared Chromium of the browser tests, once axe-core is on disk."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `make pytest` (scripts/fetch_axe.sh fetches axe-core with npm)", pytrace=False)
    return browser


def open_page(browser, site_url: str, path: str, scheme: str, width: str):
    """A new context in `scheme` at `width`, guarded offline, with `path` loaded and typeset."""
    context, page, guard = guarded_context(browser, site_url, scheme, WIDTHS[width], timeout_ms=15_000,
                                           reduced_motion="reduce")
    page.goto(path, wait_until="load")
    page.wait_for_load_state("networkidle")
    page.wait_for_function("(s) => document.body.dataset.mdColorScheme === s", arg=SCHEMES[scheme])
    page.wait_for_function("() => [...document.querySelectorAll('.arithmatex')].every(e => e.querySelector('.katex'))")
    return context, page, guard


AXE_RUN = """async (tags) => {
  const r = await axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
  return r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,
                                  targets: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
                                  summary: (v.nodes[0] && v.nodes[0].failureSummary || "").split("\\n").slice(0, 3).join(" ") }));
}"""


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(AXE_RUN, TAGS)


def describe(violations: list[dict]) -> str:
    return "\n  ".join(f"{v['id']} [{v['impact']}] x{v['count']}: {v['help']}; first: {v['targets']}; {v['summary']}"
                       for v in violations)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("path", site_pages(), ids=lambda p: p or "home")
def test_axe_no_serious_violations(chromium, site_url, path, scheme, width):
    """0 serious or critical axe violations; moderate ones only where documented."""
    context, page, guard = open_page(chromium, site_url, path, scheme, width)
    try:
        violations = axe_violations(page)
    finally:
        context.close()
    failing = [v for v in violations if v["impact"] in FAILING_IMPACTS
               or (v["impact"] == "moderate" and v["id"] not in MODERATE_ACCEPTED)]
    assert not failing, f"/{path} ({scheme}, {width}): {len(failing)} axe rule(s) violated:\n  {describe(failing)}"
    guard.check(f"/{path} ({scheme}, {width})")


FOCUS_INFO = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  // A visually hidden radio (the palette toggle) shows its focus on the label that follows it.
  const shown = el.matches("input.md-option") && el.nextElementSibling ? el.nextElementSibling : el;
  const cs = getComputedStyle(shown);
  const r = shown.getBoundingClientRect();
  const id = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
             (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  return {
    id: id,
    text: (el.getAttribute("aria-label") || el.textContent || "").trim().slice(0, 60),
    href: el.getAttribute("href"),
    inContent: !!el.closest(".md-content"),
    inPalette: !!el.closest('form[data-md-component="palette"]'),
    summary: el.tagName === "SUMMARY",
    zoom: el.classList.contains("figure-zoom__link"),
    outline: cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) >= 1,
    ring: cs.boxShadow !== "none",
    visible: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth,
  };
}"""


# Restart the keyboard path at the top of the page (the next Tab goes to the stop after the skip link)
# without reloading it: a reload would cut off requests still in flight, which the guard reports.
TO_TOP = "() => { const a = document.querySelector('a.md-skip'); a.focus(); a.blur(); window.scrollTo(0, 0); }"


def tab_through(page, limit: int = 600) -> list[dict]:
    """Press Tab from the top of the page until focus wraps around; the focused elements, in order."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = page.evaluate(FOCUS_INFO)
        if info is None:
            continue
        if stops and info == stops[0]:
            return stops
        stops.append(info)
    raise AssertionError(f"focus did not come back to the first Tab stop within {limit} presses")


def test_keyboard_path_day3(chromium, site_url):
    """Day 3 with the keyboard alone: skip link first, every stop visibly focused, every content link,
    solution and figure reachable; solutions open with Enter and Space; figures zoom with Enter and
    close with Escape; the palette toggle is reachable and switches the scheme. Also: every formula
    keeps KaTeX's MathML, which is what screen readers read."""
    context, page, guard = open_page(chromium, site_url, DAY3, "light", "desktop")
    try:
        katex, mathml = page.evaluate("() => [document.querySelectorAll('.katex').length, "
                                      "document.querySelectorAll('.katex > .katex-mathml math').length]")
        assert katex and mathml == katex, f"{mathml} of {katex} formulas carry MathML for screen readers"
        page.keyboard.press("Tab")
        first = page.evaluate(FOCUS_INFO)
        assert first and "md-skip" in first["id"] and first["visible"], f"first Tab stop is not a visible skip link: {first}"
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.activeElement.closest('.md-content')", timeout=3_000)
        page.wait_for_timeout(300)  # focus stays there (the theme does not re-render the content)
        page.keyboard.press("Tab")
        after = page.evaluate(FOCUS_INFO)
        assert after and after["inContent"], f"after the skip link, Tab does not land in the content: {after}"

        page.evaluate(TO_TOP)
        page.wait_for_function("() => document.querySelector('.figure-zoom__link')")
        # Let every lazy figure load and be fitted first: a figure fitted while Tab passes over it can
        # be focused twice, which would count a stop twice (a race of the test, not of the page's order).
        page.evaluate("() => Promise.all([...document.querySelectorAll('.md-content img')].map("
                      "i => { i.loading = 'eager'; return i.decode().catch(() => {}); }))")
        page.wait_for_timeout(500)
        stops = tab_through(page)
        unfocused = [s for s in stops if not (s["outline"] or s["ring"])]
        assert not unfocused, f"{len(unfocused)} Tab stop(s) without a visible focus indicator: {unfocused[:5]}"
        offscreen = [s for s in stops if not s["visible"]]
        assert not offscreen, f"{len(offscreen)} Tab stop(s) focused while not in view: {offscreen[:5]}"
        expected = page.evaluate("""() => ({
          links: [...document.querySelectorAll('.md-content a[href]')]
                   .filter(a => !a.closest('details:not([open])') && a.getClientRects().length).length,
          summaries: document.querySelectorAll('.md-content summary').length,
          // each figure once: its variant of the other colour scheme is display: none (dark_figures.py)
          figures: [...document.querySelectorAll('.md-content figure img')]
                     .filter(i => !i.closest('details:not([open])') && getComputedStyle(i).display !== 'none').length,
        })""")
        reached = {"links": sum(1 for s in stops if s["inContent"] and s["href"] is not None),
                   "summaries": sum(1 for s in stops if s["summary"]),
                   "figures": sum(1 for s in stops if s["zoom"])}
        assert reached == expected, f"Tab reaches {reached} of {expected} on /{DAY3}"
        assert any(s["inPalette"] for s in stops), "the palette toggle is not reachable with Tab"

        # Solutions open with Enter and with Space.
        summaries = page.locator(".md-content details > summary")
        for i, key in ((0, "Enter"), (1, "Space")):
            summaries.nth(i).focus()
            page.keyboard.press(key)
            assert summaries.nth(i).evaluate("s => s.parentElement.open"), f"{key} does not open collapsed block {i}"

        # A figure zooms with Enter, focus moves into the dialog, Escape closes and restores focus.
        link = page.locator(".figure-zoom__link:visible").first
        link.focus()
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.querySelector('dialog.figure-zoom')?.open")
        assert page.evaluate("() => !!document.activeElement.closest('dialog.figure-zoom')"), "focus did not move into the zoom dialog"
        page.keyboard.press("Escape")
        page.wait_for_function("() => !document.querySelector('dialog.figure-zoom').open")
        assert page.evaluate("() => document.activeElement.classList.contains('figure-zoom__link')"), \
            "focus did not return to the figure after Escape"

        # The palette toggle works from the keyboard: a few Tabs from the top of the page, then Enter.
        page.evaluate(TO_TOP)
        for _ in range(10):
            page.keyboard.press("Tab")
            if (page.evaluate(FOCUS_INFO) or {}).get("inPalette"):
                break
        else:
            raise AssertionError("the palette toggle is not among the first 10 Tab stops")
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.body.dataset.mdColorScheme === 'slate'", timeout=3_000)
    finally:
        context.close()
    guard.check(f"keyboard path on /{DAY3}")


def test_figure_zoom_on_phone(chromium, site_url):
    """At 390 px a tap on each Day 3 figure opens the zoom view with the figure drawn at least 1.5x its
    natural size: the smallest figure text (figstyle.SMALLEST_FONT_PT, 6 pt = 8 CSS px at natural
    size) is then 12 px or more. The view closes with its Close button; the figure keeps its alt text."""
    context, page, guard = open_page(chromium, site_url, DAY3, "light", "phone")
    try:
        page.wait_for_function("() => document.querySelector('.figure-zoom__link')")
        page.evaluate("() => document.querySelectorAll('.md-content details').forEach(d => { d.open = true; })")
        links = page.locator(".md-content figure .figure-zoom__link:visible")  # not the other scheme's variant
        assert links.count() >= 1, "no zoomable figure on the Day 3 page"
        for i in range(links.count()):
            link = links.nth(i)
            link.scroll_into_view_if_needed()
            link.click()
            page.wait_for_function("() => document.querySelector('dialog.figure-zoom')?.open")
            page.wait_for_function("() => { const img = document.querySelector('dialog.figure-zoom img');"
                                   " return img.complete && img.naturalWidth > 0 && img.style.width !== ''; }")
            size = page.evaluate("""() => { const img = document.querySelector('dialog.figure-zoom img');
              return { alt: img.alt, scale: img.getBoundingClientRect().width / img.naturalWidth }; }""")
            assert size["alt"], f"figure {i}: the zoomed image has no alt text"
            min_px = size["scale"] * SMALLEST_FONT_PX
            assert min_px >= 11, f"figure {i}: smallest text at {min_px:.1f} px when zoomed (needs >= 11 px)"
            if i == 0:  # the open zoom view passes axe too
                page.add_script_tag(path=str(AXE))
                found = page.evaluate(AXE_RUN.replace("axe.run(document,", "axe.run('dialog.figure-zoom',"), TAGS)
                bad = [v for v in found if v["impact"] in FAILING_IMPACTS or v["impact"] == "moderate"]
                assert not bad, f"zoom view: axe violations:\n  {describe(bad)}"
            page.locator("dialog.figure-zoom .figure-zoom__close").click()
            page.wait_for_function("() => !document.querySelector('dialog.figure-zoom').open")
    finally:
        context.close()
    guard.check(f"figure zoom on /{DAY3}")


def test_phone_menu_opens_with_keyboard(chromium, site_url):
    """At 390 px (also what a desktop zoomed to 400% shows) the navigation drawer's button is a Tab stop:
    Enter opens the drawer with focus on a link in it, Escape closes it and focus returns to the button."""
    context, page, guard = open_page(chromium, site_url, DAY3, "light", "phone")
    try:
        page.wait_for_function("() => document.querySelector('.a11y-menu-button')")
        for _ in range(5):
            page.keyboard.press("Tab")
            if page.evaluate("() => document.activeElement.matches('.a11y-menu-button')"):
                break
        else:
            raise AssertionError("the navigation menu button is not among the first 5 Tab stops")
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.getElementById('__drawer').checked")
        page.wait_for_function("() => document.activeElement.closest('.md-sidebar--primary')")
        page.keyboard.press("Escape")
        page.wait_for_function("() => !document.getElementById('__drawer').checked "
                               "&& document.activeElement.matches('.a11y-menu-button')")
    finally:
        context.close()
    guard.check(f"navigation menu on /{DAY3}")
