// Accessibility fixes for markup that Material's own JavaScript creates, so no template override can
// reach it (docs/maintainers/accessibility.md). Runs on every page, including instant navigation.
// - The copy button bar of each code block is an unnamed <nav>: many navigation landmarks with no
//   name (axe: landmark-unique), though it holds a copy button, not navigation. It is given
//   role="none" (the only non-landmark role HTML allows on <nav>); the button keeps its own name.
// - Display math (extra.css), tables (Material) and notebook outputs wider than the column scroll sideways; such a box
//   joins the Tab order so that it can be scrolled with the arrow keys (axe: scrollable-region-
//   focusable). No label is added: the formula's MathML or the table is what a screen reader reads.
// - "Skip to content" moves keyboard focus to the page's first heading. With instant navigation the
//   theme treated it as a page load, re-rendered the content and dropped focus to <body>, so the next
//   Tab landed in the navigation again.
// - A box that scrolls sideways shows it: a fade on the edge that hides more columns (class
//   a11y-more-right / a11y-more-left, set here as it scrolls; extra.css draws the fade).
// - The colour-scheme toggle is a pair of radio buttons of which Material checks none on a first
//   visit: Tab then focused a hidden one (no visible focus in dark), and Space checked the scheme
//   already shown (nothing happened). The shown scheme's radio is checked, and Space, like Enter,
//   switches to the other scheme.
// - "Copied to clipboard" (Material's dialog) is announced: its box is a polite live region.
// - Notebook pages: mkdocs-jupyter gives every cell wrapper tabindex 0, unnamed stops with nothing
//   to operate (84 on Day 3's notebook); they leave the Tab order unless they scroll.
// The phone navigation drawer has its own script, drawer-a11y.js.
(() => {
  const SCROLLERS = ".md-typeset div.arithmatex, .md-typeset .md-typeset__scrollwrap, .jupyter-wrapper .jp-OutputArea-output pre";
  // Boxes that scroll sideways but hold a link (a figure too wide to shrink): the fade cue only, no
  // extra Tab stop (arrow keys scroll the box around the focused link).
  const FADED = ".md-typeset .figure-fit";
  const CELLS = ".jupyter-wrapper [tabindex='0']:is(.jp-Cell, .jp-InputArea, .jp-OutputArea, .jp-Cell-inputWrapper, .jp-Cell-outputWrapper, .jp-RenderedHTMLCommon, .jp-OutputArea-output, .jp-InputPrompt, .jp-OutputPrompt)";
  let pending = false;

  // The fade cue of a sideways scroller: more to see on the right, on the left.
  function edges(box) {
    const more = box.scrollWidth > box.clientWidth + 1;
    box.classList.toggle("a11y-more-right", more && box.scrollLeft + box.clientWidth < box.scrollWidth - 1);
    box.classList.toggle("a11y-more-left", more && box.scrollLeft > 1);
  }

  function fix() {
    pending = false;
    for (const bar of document.querySelectorAll("nav.md-code__nav:not([role])")) {
      bar.setAttribute("role", "none");
    }
    for (const cell of document.querySelectorAll(CELLS)) {
      if (!cell.matches(SCROLLERS)) cell.removeAttribute("tabindex");
    }
    for (const box of document.querySelectorAll(SCROLLERS + ", " + FADED)) {
      if (box.matches(SCROLLERS)) {
        if (box.scrollWidth > box.clientWidth + 1) box.setAttribute("tabindex", "0");
        else box.removeAttribute("tabindex");
      }
      edges(box);
      if (!box.dataset.a11yEdges) {
        box.dataset.a11yEdges = "1";
        box.addEventListener("scroll", () => edges(box), { passive: true });
      }
    }
    const copied = document.querySelector(".md-dialog__inner");
    if (copied && !copied.hasAttribute("role")) {
      copied.setAttribute("role", "status");
      copied.setAttribute("aria-live", "polite");
    }
    palette();
  }

  // Check the radio of the scheme on show (its label is the visible one).
  function palette() {
    const form = document.querySelector('form[data-md-component="palette"]');
    if (!form) return;
    for (const input of form.querySelectorAll("input.md-option")) {
      const label = input.nextElementSibling;
      if (label && !label.hidden && !input.checked) input.checked = true;
    }
    if (!form.dataset.a11ySpace) {
      form.dataset.a11ySpace = "1";
      form.addEventListener("keydown", (e) => {  // Space as Enter: switch to the next scheme
        if (e.key !== " " || !e.target.matches("input.md-option")) return;
        e.preventDefault();
        e.target.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
      });
      form.addEventListener("keyup", (e) => { if (e.key === " " && e.target.matches("input.md-option")) e.preventDefault(); });
      form.addEventListener("change", () => requestAnimationFrame(palette));
    }
  }
  function later() {  // once per frame, however many mutations (KaTeX adds thousands of nodes)
    if (!pending) { pending = true; requestAnimationFrame(fix); }
  }
  document.addEventListener("click", (e) => {  // capture: before instant navigation, which would
    const skip = e.target.closest && e.target.closest("a.md-skip");  // reload the page's content
    const target = skip && document.getElementById(decodeURIComponent(new URL(skip.href).hash.slice(1)));
    if (!target) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: true });
    const header = document.querySelector(".md-header");
    window.scrollTo({ top: target.getBoundingClientRect().top + window.scrollY - (header ? header.offsetHeight : 0) - 8 });
  }, true);
  document$.subscribe(later);  // each page, also after an instant-navigation swap
  new MutationObserver(later).observe(document.body, { childList: true, subtree: true });
  window.addEventListener("resize", later);
  fix();
})();
