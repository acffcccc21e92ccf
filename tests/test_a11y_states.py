"""Accessibility in the states readers actually use, not only as a page first loads.

tests/test_a11y.py runs axe-core on every page as loaded. Here each lesson page is driven into the
states a reader puts it in, in both colour schemes at both widths, and axe runs on each:

  - every collapsed block (<details>) opened, the playground opened and run, the page scrolled to its
    middle (the table of contents has followed it and its sticky title sits over its links);
  - the figure zoom view open;
  - the phone navigation drawer open (phone width);
  - the search dialog open with a query and its results listed.

Every violation of any impact fails (minor included), with the same rule tags as tests/test_a11y.py.
Needs `make site` first.
"""
from __future__ import annotations

import pytest

from test_a11y import AXE, AXE_RUN, SCHEMES, TAGS, WIDTHS, describe, open_page
from test_browser import DAY3, SITE, browser  # noqa: F401 (browser: fixture)

pytestmark = pytest.mark.browser

# The lesson pages (not their notebooks): Day 3 has every state, including the playground.
LESSONS = sorted(p.parent.relative_to(SITE).as_posix() + "/" for p in SITE.glob("phase-*/week-*/day-[0-9][0-9]/index.html")) \
    if SITE.is_dir() else [DAY3]
SEARCH_QUERY = "gradient"


@pytest.fixture(scope="module")
def chromium(browser):
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `make pytest` (scripts/fetch_axe.sh fetches axe-core with npm)", pytrace=False)
    return browser


def axe(page, context: str = "document") -> list[dict]:
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(AXE_RUN.replace("axe.run(document,", f"axe.run({context},"), TAGS)


def open_everything(page) -> None:
    """All <details> open, the playground (if any) loaded and run once, the page scrolled halfway."""
    page.evaluate("() => document.querySelectorAll('.md-content details').forEach(d => { d.open = true; })")
    if page.locator("[data-playground]").count():
        page.wait_for_function("() => document.querySelector('[data-playground]').playground !== undefined")
        page.locator("[data-pg=length]").fill("40")
        page.locator("[data-pg=go]").click()
        page.wait_for_function("() => document.querySelector('[data-pg=stop]').disabled "
                               "&& document.querySelector('[data-pg=outGen]').textContent.length === 40")
    page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight / 2)")
    page.wait_for_timeout(300)  # the table of contents follows the scroll on the next frames


def open_zoom(page) -> bool:
    link = page.locator(".md-content .figure-zoom__link:visible").first  # the variant of this scheme
    if not link.count():
        return False
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('dialog.figure-zoom')?.open")
    return True


def close_zoom(page) -> None:
    page.keyboard.press("Escape")
    page.wait_for_function("() => !document.querySelector('dialog.figure-zoom').open")


def open_drawer(page) -> None:
    page.locator(".a11y-menu-button").click()
    page.wait_for_function("() => document.getElementById('__drawer').checked")
    page.wait_for_timeout(300)  # slide-in


def open_search(page) -> None:
    page.evaluate("() => window.scrollTo(0, 0)")
    box = page.locator('input[data-md-component="search-query"]')
    magnifier = page.locator('.md-header label.md-header__button[for="__search"]')
    if magnifier.is_visible():  # phone: the magnifier opens the search
        magnifier.click()
        box.wait_for(state="visible")
    else:  # desktop: the field is in the header
        box.click()
    box.press_sequentially(SEARCH_QUERY, delay=10)
    page.wait_for_function("() => document.querySelectorAll('.md-search-result__item').length > 0")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("path", LESSONS)
def test_axe_in_every_state(chromium, site_url, path, scheme, width):
    """0 axe violations of any impact in each state the page can be put in."""
    context, page, guard = open_page(chromium, site_url, path, scheme, width)
    found: dict[str, list[dict]] = {}
    try:
        open_everything(page)
        found["details and playground open, page scrolled"] = axe(page)
        if open_zoom(page):
            found["figure zoom open"] = axe(page)
            close_zoom(page)
        if width == "phone":
            open_drawer(page)
            found["navigation drawer open"] = axe(page)
            page.keyboard.press("Escape")
        if path == DAY3:  # the search dialog is the same on every page
            open_search(page)
            found[f'search open with "{SEARCH_QUERY}"'] = axe(page)
    finally:
        context.close()
    failing = {state: v for state, v in found.items() if v}
    assert not failing, f"/{path} ({scheme}, {width}):\n" + "\n".join(
        f"  {state}:\n    {describe(v)}" for state, v in failing.items())
    guard.check(f"/{path} ({scheme}, {width}) in every state")
