// Accessibility fixes for markup that Material's own JavaScript creates, so no template override can
// reach it (docs/maintainers/accessibility.md). Runs on every page, including instant navigation.
// - The copy button bar of each code block is an unnamed <nav>: many navigation landmarks with no
//   name (axe: landmark-unique), though it holds a copy button, not navigation. It is given
//   role="none" (the only non-landmark role HTML allows on <nav>); the button keeps its own name.
(() => {
  function fix(root) {
    for (const bar of root.querySelectorAll("nav.md-code__nav:not([role])")) {
      bar.setAttribute("role", "none");
    }
  }
  new MutationObserver(() => fix(document.body)).observe(document.body, { childList: true, subtree: true });
  fix(document.body);
})();
