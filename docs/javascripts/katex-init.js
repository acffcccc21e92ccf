// Typeset the math that pymdownx.arithmatex (generic mode) leaves as \( \) and \[ \] spans.
// document$ fires on every page load, including Material's instant navigation.
document$.subscribe(({ body }) => {
  renderMathInElement(body, {
    delimiters: [
      { left: "\\[", right: "\\]", display: true },
      { left: "\\(", right: "\\)", display: false },
    ],
    throwOnError: false,
  });
});
