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
// - Below 76.25em (a phone, or a desktop zoomed to 200% and more) the navigation is a drawer opened
//   by a <label>, which the keyboard cannot reach. The label is replaced by a <button> (Enter or
//   Space opens the drawer and focuses its first link; Escape closes it and returns focus to it).
(() => {
  const SCROLLERS = ".md-typeset div.arithmatex, .md-typeset .md-typeset__scrollwrap, .jupyter-wrapper .jp-OutputArea-output pre";
  let pending = false;

  function fix() {
    pending = false;
    for (const bar of document.querySelectorAll("nav.md-code__nav:not([role])")) {
      bar.setAttribute("role", "none");
    }
    for (const box of document.querySelectorAll(SCROLLERS)) {
      if (box.scrollWidth > box.clientWidth + 1) box.setAttribute("tabindex", "0");
      else box.removeAttribute("tabindex");
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
  const drawer = document.getElementById("__drawer");
  const label = document.querySelector('.md-header label[for="__drawer"]');
  if (drawer && label) {
    const menu = document.createElement("button");  // a real button: focusable, Enter and Space
    menu.type = "button";
    menu.className = label.className + " a11y-menu-button";
    menu.setAttribute("aria-label", "Navigation menu");
    menu.append(...label.childNodes);
    label.replaceWith(menu);
    const sync = () => menu.setAttribute("aria-expanded", String(drawer.checked));
    const toggle = (open) => {
      drawer.checked = open;
      drawer.dispatchEvent(new Event("change", { bubbles: true }));
      sync();
    };
    sync();
    drawer.addEventListener("change", sync);
    menu.addEventListener("click", (e) => {
      e.stopPropagation();
      toggle(!drawer.checked);
      // With the keyboard (detail 0), move focus into the drawer once its visibility has flipped.
      if (drawer.checked && e.detail === 0) {
        requestAnimationFrame(() => document.querySelector(".md-sidebar--primary a[href]")?.focus());
      }
    });
    document.addEventListener("keydown", (e) => {
      if (e.key !== "Escape" || !drawer.checked) return;
      toggle(false);
      menu.focus();
    });
  }
  document$.subscribe(later);  // each page, also after an instant-navigation swap
  new MutationObserver(later).observe(document.body, { childList: true, subtree: true });
  window.addEventListener("resize", later);
  fix();
})();
