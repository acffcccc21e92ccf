"""Real-browser test of the built site: Debian's Chromium driven by Playwright, site/ served on 127.0.0.1.

Every request that is not to loopback is aborted and recorded; any such attempt fails the test.
On every page: math typeset by KaTeX, no KaTeX errors, no raw TeX left, every image decoded,
no console errors. Also: the palette toggle switches the theme, search finds the Day 3 page, and
following an internal link swaps the page in place (Material's instant navigation) with the page's
scripts run again on the new content.
Needs `make site` first. Never run `playwright install`: the system Chromium is used.
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
LOCAL_SCHEMES = {"data", "blob", "about"}
DAY3 = "phase-1/week-1/day-03/"
SITE = Path(__file__).resolve().parent.parent / "site"


def site_pages() -> list[str]:
    """Every page of site/ as a path relative to the site root ('' for the home page)."""
    if not (SITE / "index.html").is_file():
        return ["<site/ not built>"]
    pages = []
    for index in sorted(SITE.rglob("index.html")):
        rel = index.relative_to(SITE)
        if rel.parts[0] == "assets":
            continue
        pages.append("" if rel.parent == Path(".") else rel.parent.as_posix() + "/")
    return pages


class Guard:
    """Routes every request: loopback goes through, anything else is aborted and recorded.
    Collects console errors, page errors, failed and HTTP-error responses."""

    def __init__(self):
        self.offsite: list[str] = []
        self.problems: list[str] = []

    def route(self, route):
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in LOCAL_SCHEMES or parts.hostname in LOOPBACK:
            route.continue_()
        else:
            self.offsite.append(url)
            route.abort("blockedbyclient")

    def web_socket(self, ws):
        if urlsplit(ws.url).hostname in LOOPBACK:
            ws.connect_to_server()
        else:
            self.offsite.append(ws.url)
            ws.close()

    def watch(self, page):
        page.on("console", lambda m: m.type == "error" and self.problems.append(
            f"console error: {m.text} ({m.location.get('url', '')}:{m.location.get('lineNumber', '')})"))
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        # net::ERR_ABORTED is the browser cancelling a request it no longer needs (a favicon fetch cut
        # short when the page moves on), not a failure to load; a missing file shows as an HTTP 404 below.
        page.on("requestfailed", lambda r: urlsplit(r.url).hostname in LOOPBACK
                and "ERR_ABORTED" not in (r.failure or "")
                and self.problems.append(f"request failed: {r.url} ({r.failure})"))
        page.on("response", lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status}: {r.url}"))
        return page

    def check(self, what: str) -> None:
        problems = ([f"non-loopback request(s) attempted (aborted): {self.offsite}"] if self.offsite else [])
        problems = list(dict.fromkeys(problems + self.problems))
        assert not problems, f"{what}:\n  " + "\n  ".join(problems)


@pytest.fixture(scope="module")
def browser(site_dir):
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's Chromium (apt-get install chromium); "
                    "never `playwright install`", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def guarded_context(browser, site_url: str, scheme: str = "light", size: tuple[int, int] = (1280, 900),
                    timeout_ms: int = 10_000, **options):
    """A new context on the served site in `scheme` at `size`, every request and web socket routed
    through a Guard (off-loopback traffic aborted and recorded). Returns (context, page, guard)."""
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, color_scheme=scheme,
                                  service_workers="block", base_url=site_url, **options)
    context.set_default_timeout(timeout_ms)
    guard = Guard()
    context.route("**/*", guard.route)
    context.route_web_socket(re.compile(".*"), guard.web_socket)
    return context, guard.watch(context.new_page()), guard


@pytest.fixture
def guarded(browser, site_url):
    """A fresh light-mode context whose requests are routed through a Guard; yields (page, guard)."""
    context, page, guard = guarded_context(browser, site_url)
    yield page, guard
    context.close()


PAGE_REPORT = """async () => {
  const imgs = [...document.images];
  imgs.forEach(img => { img.loading = "eager"; });
  await Promise.all(imgs.map(img => img.decode().catch(() => null)));
  const skip = "pre, code, script, style, noscript, textarea, .katex, .md-search";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const raw = [];
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.parentElement || node.parentElement.closest(skip)) continue;
    const text = node.textContent;
    for (const token of ["$$", "\\\\[", "\\\\(", "<!--"]) {
      if (text.includes(token)) { raw.push(token + " in: " + text.trim().slice(0, 100)); break; }
    }
  }
  const math = [...document.querySelectorAll(".arithmatex")];
  return {
    arithmatex: math.length,
    katex: document.querySelectorAll(".katex").length,
    untypeset: math.filter(e => !e.querySelector(".katex")).map(e => e.textContent.trim().slice(0, 80)),
    katexErrors: [...document.querySelectorAll(".katex-error")].map(e => e.title || e.textContent.slice(0, 80)),
    raw: raw,
    brokenImages: imgs.filter(img => !(img.complete && img.naturalWidth > 0)).map(img => img.currentSrc || img.src),
    images: imgs.length,
  };
}"""


@pytest.mark.parametrize("path", site_pages(), ids=lambda p: p or "home")
def test_page_renders_offline(guarded, site_dir, path):
    page, guard = guarded
    page.goto(path, wait_until="load")
    page.wait_for_load_state("networkidle")
    try:  # KaTeX typesets on Material's document$; give it a moment before judging
        page.wait_for_function("() => [...document.querySelectorAll('.arithmatex')]"
                               ".every(e => e.querySelector('.katex'))", timeout=5_000)
    except Exception:
        pass  # reported below, with details
    report = page.evaluate(PAGE_REPORT)
    where = f"/{path}"
    problems = []
    if report["arithmatex"] and not report["katex"]:
        problems.append(f"{report['arithmatex']} math element(s) but no .katex: KaTeX did not run")
    if report["untypeset"]:
        problems.append(f"math not typeset: {report['untypeset'][:5]}")
    if report["katexErrors"]:
        problems.append(f".katex-error: {report['katexErrors'][:5]}")
    if report["raw"]:
        problems.append(f"raw TeX/markup left in the text: {report['raw'][:5]}")
    if report["brokenImages"]:
        problems.append(f"image(s) not decoded (naturalWidth 0): {report['brokenImages']}")
    problems += guard.problems
    if guard.offsite:
        problems.insert(0, f"non-loopback request(s) attempted (aborted): {guard.offsite}")
    problems = list(dict.fromkeys(problems))
    assert not problems, f"{where}:\n  " + "\n  ".join(problems)


def test_palette_toggle_switches_theme(guarded):
    page, guard = guarded
    page.goto("", wait_until="load")
    body = page.locator("body")
    toggle = page.locator('form[data-md-component="palette"] label:not([hidden])')
    assert body.get_attribute("data-md-color-scheme") == "default"
    toggle.click()
    page.wait_for_function("() => document.body.dataset.mdColorScheme === 'slate'", timeout=5_000)
    toggle.click()
    page.wait_for_function("() => document.body.dataset.mdColorScheme === 'default'", timeout=5_000)
    guard.check("palette toggle")


SEARCH_HITS = """(day3) => [...document.querySelectorAll(".md-search-result__item a")].map(a => ({
  href: a.getAttribute("href"),
  day3: new URL(a.href).pathname.endsWith("/" + day3),
  score: parseFloat(a.querySelector("article")?.dataset.mdScore || "0"),
  missing: [...a.querySelectorAll(".md-search-result__terms del")].map(d => d.textContent),
}))"""


def search_finds(page, query: str, target: str, timeout: float = 10_000) -> tuple[bool, str]:
    """Type ``query`` into the search box; True if ``target`` is a scored result matching every word."""
    box = page.locator('input[data-md-component="search-query"]')
    box.click()
    box.press_sequentially(query, delay=20)
    full_match = f"(day3) => ({SEARCH_HITS})(day3).some(h => h.day3 && h.score > 0 && h.missing.length === 0)"
    try:
        page.wait_for_function(full_match, arg=target, timeout=timeout)
        return True, ""
    except Exception:
        pass
    meta = page.locator(".md-search-result__meta").text_content(timeout=1_000)
    hits = page.evaluate(SEARCH_HITS, target)
    return False, f"search says {meta!r}; results: " + "; ".join(
        f"{h['href']} [score {h['score']}]" + (f" (missing: {', '.join(h['missing'])})" if h["missing"] else "")
        for h in hits)


@pytest.mark.parametrize("query", ["forget gate", "BPTT", "vanishing"])
def test_search_finds_day3(guarded, query):
    """Searching the query lists the Day 3 page as a match for every word: a scored Day 3 result
    without Material's "Missing: <word>" note (a page or section matching only part does not count)."""
    page, guard = guarded
    page.goto("", wait_until="load")
    found, details = search_finds(page, query, DAY3)
    assert found, f'search "{query}" does not list the Day 3 page ({DAY3}) as a match for every word; {details}'
    guard.check("search")


ALL_MATH_TYPESET = ("() => document.querySelectorAll('.arithmatex').length > 0 && "
                    "[...document.querySelectorAll('.arithmatex')].every(e => e.querySelector('.katex'))")


def built_site_url(site_dir: Path) -> str:
    """The site_url the site was built with, read from its sitemap (the first <loc> is the home page)."""
    match = re.search(r"<loc>([^<]+)</loc>", (site_dir / "sitemap.xml").read_text())
    assert match, "site/sitemap.xml lists no page: site_url is not set, so instant navigation is inert"
    return match.group(1)


def test_instant_navigation_swaps_page_and_reruns_scripts(guarded, site_dir, site_url):
    """Clicking the week page's link to Day 3 replaces the page without a full load (a marker set on
    ``window`` survives and the browser requests no new document: Material fetches the page and
    swaps it in), and the site's scripts run again on the swapped-in content: KaTeX typesets Day 3's
    math, which was not in the page the browser loaded.

    Material matches links against the sitemap's URLs with their host rebased but their port kept, so
    (as when deployed, or under ``mkdocs serve``) the page must be at the site_url it was built with:
    the browser asks for that URL (a loopback address) and the test's server answers it."""
    page, guard = guarded
    built = built_site_url(site_dir)
    assert urlsplit(built).hostname in LOOPBACK, f"built with site_url {built}: build locally (no SITE_URL) to test"
    page.route(f"{built}**", lambda route: route.continue_(url=site_url + route.request.url[len(built):]))
    page.goto(built + "phase-1/week-1/", wait_until="load")
    page.wait_for_load_state("networkidle")  # Material has fetched sitemap.xml: instant navigation armed
    assert page.evaluate("() => document.querySelectorAll('.arithmatex').length") == 0, \
        "the week page should have no math, so that Day 3's typeset math proves the scripts reran"
    page.evaluate("() => { window.__notReloaded = true; }")
    documents = []
    page.on("request", lambda r: r.resource_type == "document" and documents.append(r.url))
    page.locator('article a[href$="day-03/"]').first.click()
    page.wait_for_url(f"{built}{DAY3}")
    page.wait_for_function(ALL_MATH_TYPESET, timeout=10_000)
    assert page.evaluate("() => window.__notReloaded === true"), \
        "following an internal link reloaded the whole page: instant navigation is not active (is site_url set?)"
    assert documents == [], f"the browser loaded a new document instead of swapping the page: {documents}"
    guard.check("instant navigation")
