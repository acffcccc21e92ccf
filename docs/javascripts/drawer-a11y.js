// The navigation drawer (below 76.25em: a phone, or a desktop zoomed to 200% and more), made usable
// from the keyboard (docs/maintainers/accessibility.md):
// - Material opens it from a <label>, which the keyboard cannot reach: the label becomes a <button>
//   ("Navigation menu", aria-expanded). Enter or Space opens the drawer and focuses its first visible
//   link; Escape closes it and returns focus to the button.
// - Material slides nested sections in as panels over their parent, but leaves every link of every
//   panel in the Tab order (on Day 3, 41 of 47 stops were on panels out of sight). Only what is on
//   screen now takes focus: a stop whose centre is covered or off-screen gets tabindex -1 until it
//   shows again (measured, so it follows Material's layout, whatever the nesting). A panel's title
//   ("← Week 1") is a button back to the parent panel.
// - While it is open the drawer is modal: the rest of the page is inert and Tab wraps inside it.
(() => {
  const drawer = document.getElementById("__drawer");
  const label = document.querySelector('.md-header label[for="__drawer"]');
  if (!drawer || !label) return;
  const FOCUSABLE = "a[href], button, input:not([type=hidden]):not(.md-nav__toggle), select, textarea, [tabindex]";
  const BEHIND = ".md-header, .md-tabs, .md-content, .md-sidebar--secondary, .md-footer, .md-skip, .md-top";
  const sidebar = () => document.querySelector(".md-sidebar--primary");
  const isDrawer = () => sidebar() && getComputedStyle(sidebar()).position === "fixed";

  const menu = document.createElement("button");  // a real button: focusable, Enter and Space
  menu.type = "button";
  menu.className = label.className + " a11y-menu-button";
  menu.setAttribute("aria-label", "Navigation menu");
  menu.append(...label.childNodes);
  label.replaceWith(menu);

  // On screen and not covered by another panel: the element at its centre is it or inside it.
  function shown(el) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height) return false;
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) return false;
    const hit = document.elementFromPoint(x, y);
    return !!hit && (el === hit || el.contains(hit) || hit.contains(el) || hit.htmlFor === el.id);
  }

  // Tab stops of the drawer that can be seen; the others leave the Tab order until they show.
  function visibleStops() {
    const stops = [];
    for (const el of sidebar().querySelectorAll(FOCUSABLE)) {
      if (el.dataset.a11yHidden === undefined && el.getAttribute("tabindex") === "-1") continue; // not ours
      const ok = drawer.checked && isDrawer() ? shown(el) : true;
      if (ok) { if (el.dataset.a11yHidden !== undefined) { el.removeAttribute("tabindex"); delete el.dataset.a11yHidden; } stops.push(el); }
      else if (el.dataset.a11yHidden === undefined) { el.dataset.a11yHidden = ""; el.setAttribute("tabindex", "-1"); }
    }
    return stops;
  }

  function setModal(open) {
    for (const el of document.querySelectorAll(BEHIND)) el.inert = open;
    if (!open) visibleStops();  // closed: restore every stop (the closed drawer is hidden by CSS anyway)
  }

  // A nested panel's title (an arrow and the section's name) goes back to the parent panel when
  // tapped; from the keyboard it is a button too, or a reader in a nested panel could not go back up.
  function backButtons() {
    for (const title of sidebar()?.querySelectorAll('label.md-nav__title[for]:not([for="__drawer"])') || []) {
      if (title.querySelector(".a11y-back")) continue;
      const back = document.createElement("button");  // inside the label, but it toggles the panel itself
      back.type = "button";
      back.className = "a11y-back";
      back.textContent = `Back from ${title.textContent.trim()}`;
      back.addEventListener("click", (e) => {
        e.preventDefault();
        e.stopPropagation();
        const panel = document.getElementById(title.htmlFor);
        if (!panel) return;
        panel.checked = !panel.checked;
        panel.dispatchEvent(new Event("change", { bubbles: true }));
        setTimeout(() => visibleStops().find((el) => el.matches("a[href]"))?.focus(), 350);
      });
      title.prepend(back);
    }
  }

  const sync = () => {
    backButtons();
    const open = drawer.checked && isDrawer();
    menu.setAttribute("aria-expanded", String(drawer.checked));
    setModal(open);
  };
  const toggle = (open) => {
    drawer.checked = open;
    drawer.dispatchEvent(new Event("change", { bubbles: true }));
    sync();
  };
  // After a panel slides (or the drawer opens), measure again once the movement has ended.
  const remeasure = () => { if (drawer.checked && isDrawer()) { requestAnimationFrame(visibleStops); setTimeout(visibleStops, 300); } };

  sync();
  drawer.addEventListener("change", () => { sync(); remeasure(); });
  document.addEventListener("change", (e) => { if (e.target.matches && e.target.matches(".md-nav__toggle")) remeasure(); });
  document.addEventListener("transitionend", (e) => { if (sidebar() && sidebar().contains(e.target)) remeasure(); });
  menu.addEventListener("click", (e) => {
    e.stopPropagation();
    toggle(!drawer.checked);
    // With the keyboard (detail 0), move focus into the drawer once it is on screen.
    if (drawer.checked && e.detail === 0) {
      const focusFirst = () => {
        if (!sidebar().contains(document.activeElement)) visibleStops().find((el) => el.matches("a[href]"))?.focus();
      };
      requestAnimationFrame(() => requestAnimationFrame(focusFirst));
      setTimeout(focusFirst, 300);  // once the slide-in has ended, where there is one
    }
    remeasure();
  });
  document.addEventListener("keydown", (e) => {
    if (!drawer.checked || !isDrawer()) return;
    if (e.key === "Escape") {
      toggle(false);
      menu.focus();
    } else if (e.key === "Tab") {  // wrap inside the drawer
      const stops = visibleStops();
      if (!stops.length) return;
      const i = stops.indexOf(document.activeElement);
      const next = e.shiftKey ? (i <= 0 ? stops.length - 1 : i - 1) : (i === -1 || i === stops.length - 1 ? 0 : i + 1);
      e.preventDefault();
      stops[next].focus();
    }
  });
  document$.subscribe(sync);  // each page, also after an instant-navigation swap
  window.addEventListener("resize", sync);
})();
