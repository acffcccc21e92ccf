// Typeset the math of notebook pages. mkdocs-jupyter leaves a Markdown cell's $…$ and $$…$$ as
// text (it would load MathJax from a CDN, which the build removes); the site's KaTeX renders it.
// Only rendered Markdown cells are searched: a "$" in code or in an output stays as it is.
document$.subscribe(({ body }) => {
  for (const cell of body.querySelectorAll(".jp-RenderedMarkdown")) {
    renderMathInElement(cell, {
      delimiters: [
        { left: "$$", right: "$$", display: true },
        { left: "$", right: "$", display: false },
      ],
      throwOnError: false,
    });
  }
});
