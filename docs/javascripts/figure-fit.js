// Figures never drawn with text under MIN_TEXT_PX CSS pixels (docs/maintainers/accessibility.md).
// A matplotlib SVG is drawn to fit the column; on a phone that shrinks its smallest text (6-8 pt in the
// file) to 3-7 px. Once a figure has loaded, its SVG source (from the browser's cache) gives its width
// and the size of its smallest glyph run; if the column would draw that text under MIN_TEXT_PX, the
// image gets the minimum width that keeps it at MIN_TEXT_PX and sits in a box that scrolls sideways,
// with a fade on the side that has more (theme-a11y.js) and the zoom view one tap away.
// A figure drawn for phones (large enough text at the column's width) is left as it is.
(() => {
  const MIN_TEXT_PX = 9;
  // Lesson figures and the figures of a notebook's Markdown cells.
  const SELECTOR = [".md-typeset figure img", ".jupyter-wrapper .jp-RenderedMarkdown img", ".jupyter-wrapper .jp-MarkdownOutput img"]
    .flatMap((s) => [`${s}[src$='.svg']`, `${s}[src*='.svg?']`]).join(", ");
  const measured = new Map();  // SVG URL -> Promise<{ widthPt, minFontPt } | null>

  // matplotlib writes each text as glyph paths under "translate(x y) scale(s -s)", s = size in pt / 100;
  // its root element carries width="…pt".
  function measure(url) {
    if (!measured.has(url)) {
      measured.set(url, fetch(url).then((r) => (r.ok ? r.text() : "")).then((svg) => {
        const width = /<svg[^>]*\swidth="([\d.]+)pt"/.exec(svg);
        const sizes = [...svg.matchAll(/scale\(([\d.]+) -\1\)/g)].map((m) => 100 * parseFloat(m[1]));
        return width && sizes.length ? { widthPt: parseFloat(width[1]), minFontPt: Math.min(...sizes) } : null;
      }).catch(() => null));
    }
    return measured.get(url);
  }

  function wrap(img) {
    const outer = img.closest(".figure-zoom__link") || img;
    if (outer.parentElement.classList.contains("figure-fit")) return outer.parentElement;
    const box = document.createElement("div");
    box.className = "figure-fit";
    outer.replaceWith(box);
    box.append(outer);
    return box;
  }

  async function fit(img) {
    const m = await measure(img.currentSrc || img.src);
    if (!m || !img.isConnected) return;
    const cs = getComputedStyle(img);
    const pad = parseFloat(cs.paddingLeft) + parseFloat(cs.paddingRight) + parseFloat(cs.borderLeftWidth) + parseFloat(cs.borderRightWidth);
    // text px = font pt × drawn width / width pt, so the drawn width must reach MIN_TEXT_PX × widthPt / minFontPt
    const need = Math.ceil((MIN_TEXT_PX * m.widthPt) / m.minFontPt + pad);
    img.style.minWidth = need + "px";
    img.dataset.minTextPx = String(MIN_TEXT_PX);
    wrap(img);
  }

  function scan(root) {
    for (const img of root.querySelectorAll(SELECTOR)) {
      if (img.dataset.figureFit) continue;
      img.dataset.figureFit = "1";
      // decode() settles once the image has loaded and been decoded: for a lazy image, when it nears
      // the window (it does not fetch it any earlier).
      img.decode().then(() => fit(img), () => {});
    }
  }
  document$.subscribe(({ body }) => scan(body));  // every page, also after an instant-navigation swap
})();
