// Tap-to-zoom for figures, offline and keyboard-operable (docs/maintainers/accessibility.md).
// Every image in a content <figure> (and every image of a notebook page) becomes a link to the image
// file; activating it (click, tap, Enter) opens a modal <dialog> that shows the image at ZOOM times
// its natural size or the window width, whichever is larger, in a scroll area (arrow keys, drag).
// With matplotlib's SVGs that puts text of 6 pt (the smallest style.py allows) at 12 CSS px, so a
// two-panel figure is readable on a phone. Escape, the Close button or a click outside closes the
// dialog and focus returns to the figure. Without JavaScript the images stay plain images.
(() => {
  const ZOOM = 1.5;
  // Lesson figures, notebook outputs, and the figures of a notebook's Markdown cells.
  const SELECTOR = ".md-typeset figure img, .md-typeset .jp-OutputArea-output img, " +
    ".jupyter-wrapper .jp-RenderedMarkdown img, .jupyter-wrapper .jp-MarkdownOutput img";
  let dialog = null;
  let opener = null;

  function buildDialog() {
    const d = document.createElement("dialog");
    d.className = "figure-zoom";
    d.setAttribute("aria-label", "Enlarged figure");
    d.innerHTML =
      '<div class="figure-zoom__bar">' +
      '<span class="figure-zoom__hint">Scroll or drag to pan; Escape closes.</span>' +
      '<button type="button" class="figure-zoom__close">Close</button></div>' +
      '<div class="figure-zoom__scroll" tabindex="0" role="group" aria-label="Enlarged figure, scrollable">' +
      '<img class="figure-zoom__img" alt=""></div>' +
      '<div class="figure-zoom__caption md-typeset"></div>';
    d.querySelector(".figure-zoom__close").addEventListener("click", () => d.close());
    d.addEventListener("click", (e) => { if (e.target === d) d.close(); });  // the backdrop
    d.addEventListener("close", () => {
      if (opener && opener.isConnected) opener.focus();
      opener = null;
    });
    document.body.appendChild(d);
    return d;
  }

  function open(link, img) {
    if (!dialog || !dialog.isConnected) dialog = buildDialog();
    opener = link;
    const big = dialog.querySelector(".figure-zoom__img");
    // Sized from the zoomed image's own natural width once it has loaded: a figure tapped before its
    // lazy-loaded image arrived has no natural width yet, and would open at 0 px.
    const fit = () => {
      const natural = big.naturalWidth;
      if (!natural) return;
      const room = document.documentElement.clientWidth - 32;
      big.style.width = Math.round(Math.max(ZOOM * natural, Math.min(room, 2 * natural))) + "px";
    };
    big.onload = fit;
    big.style.width = "";
    big.src = img.currentSrc || img.src;
    big.alt = img.alt;
    if (big.complete) fit();
    // The figure opened is the one shown, so the view shows the variant of the current colour scheme;
    // a dark variant (scripts/dark_figures.py) keeps its class, which drops the white card (extra.css).
    big.classList.toggle("only-dark", img.classList.contains("only-dark"));
    const caption = img.closest("figure")?.querySelector("figcaption");
    const box = dialog.querySelector(".figure-zoom__caption");
    box.innerHTML = caption ? caption.innerHTML : "";
    box.hidden = !caption;
    dialog.showModal();
    dialog.querySelector(".figure-zoom__scroll").scrollTo(0, 0);
  }

  function enhance(root) {
    for (const img of root.querySelectorAll(SELECTOR)) {
      if (img.closest("a")) continue;  // already a link (or already enhanced)
      const link = document.createElement("a");
      link.className = "figure-zoom__link";
      link.href = img.currentSrc || img.src;
      link.setAttribute("aria-haspopup", "dialog");
      link.title = "Enlarge the figure";
      img.replaceWith(link);
      link.appendChild(img);
      link.addEventListener("click", (e) => {
        if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;  // new tab etc.
        e.preventDefault();
        open(link, img);
      });
    }
  }

  document$.subscribe(({ body }) => enhance(body));  // every page, also after an instant-navigation swap
})();
