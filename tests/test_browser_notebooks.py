"""Browser test of the notebook pages (Debian's Chromium, site/ on 127.0.0.1), in light and dark mode.

On top of what tests/test_browser.py checks on every page (no off-site request, no console error,
images decoded, no raw display math): the Markdown cells' $…$ math is typeset by the site's KaTeX
with no dollar sign left, the outputs are shown, and prose, code and outputs are readable (WCAG
contrast of at least 4.5:1 against what is actually behind them) in both colour schemes.
"""
from __future__ import annotations

import pytest

from scripts import notebook_source as source
from tests.test_browser import browser, guarded_context  # noqa: F401  (the module-scoped Chromium fixture)

pytestmark = pytest.mark.browser

NOTEBOOK_PAGES = [source.page_url(lesson.notebook_page_uri.removesuffix(".ipynb") + ".md")
                  for lesson in source.lessons()]

REPORT = """() => {
  const parse = c => { const m = c.match(/[\\d.]+/g).map(Number); return m.length > 3 ? m : [...m, 1]; };
  const lum = ([r, g, b]) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const background = el => { for (; el; el = el.parentElement) { const c = parse(getComputedStyle(el).backgroundColor);
    if (c[3] > 0.5) return c; } return [255, 255, 255, 1]; };
  const contrast = el => { const a = lum(parse(getComputedStyle(el).color)), b = lum(background(el));
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); };
  const sample = {
    prose: document.querySelector(".jp-RenderedMarkdown p"),
    code: document.querySelector(".jp-InputArea-editor pre code"),
    output: document.querySelector(".jp-OutputArea-output pre"),
    quote: document.querySelector(".jp-RenderedMarkdown blockquote p"),
  };
  const raw = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, parent = node.parentElement;
    if (!parent || !parent.closest(".jp-RenderedMarkdown") || parent.closest(".katex, code, pre")) continue;
    if (node.textContent.includes("$")) raw.push(node.textContent.trim().slice(0, 80));
  }
  return {
    scheme: document.body.dataset.mdColorScheme,
    missing: Object.entries(sample).filter(([k, el]) => !el).map(([k]) => k),
    contrast: Object.fromEntries(Object.entries(sample).filter(([k, el]) => el).map(([k, el]) => [k, contrast(el)])),
    katex: document.querySelectorAll(".jp-RenderedMarkdown .katex").length,
    katexErrors: document.querySelectorAll(".katex-error").length,
    raw: raw,
    outputs: document.querySelectorAll(".jp-OutputArea-output").length,
  };
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", NOTEBOOK_PAGES)
def test_notebook_page_reads_in_both_themes(browser, site_url, path, scheme):  # noqa: F811
    context, page, guard = guarded_context(browser, site_url, scheme)
    try:
        page.goto(path, wait_until="load")
        page.wait_for_load_state("networkidle")
        page.wait_for_function("() => document.querySelector('.jp-RenderedMarkdown .katex')", timeout=5_000)
        report = page.evaluate(REPORT)
    finally:
        context.close()
    assert report["scheme"] == ("slate" if scheme == "dark" else "default")
    assert not report["missing"], f"/{path}: no {report['missing']} on the page"
    assert report["katex"] > 20 and not report["katexErrors"], report
    assert not report["raw"], f"/{path}: math left as text: {report['raw'][:5]}"
    assert report["outputs"] > 5, f"/{path}: only {report['outputs']} outputs shown"
    low = {k: round(v, 2) for k, v in report["contrast"].items() if v < 4.5}
    assert not low, f"/{path} ({scheme}): contrast below 4.5:1 for {low}"
    guard.check(f"/{path} ({scheme})")
