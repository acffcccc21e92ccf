"""Collect and run the ``python`` blocks of a docs page, with snippets expanded exactly as the build does.

The build (MkDocs) strips the page's front matter, then Python-Markdown runs pymdownx's
``SnippetPreprocessor`` first of all preprocessors on ``text.split("\\n")``. Here the same
preprocessor, configured from ``mkdocs.yml`` (``markdown_extensions`` -> ``pymdownx.snippets``),
expands the page; markdown-it-py then finds the fenced blocks. Every expanded line keeps the page
line it came from, so a block is named ``page:line`` (the line of its opening fence, or of the
snippet line that included it).

Fences indented inside admonitions, collapsible details and content tabs (``!!!``, ``???``,
``===``) are found too: their bodies are dedented, line for line, before markdown-it sees them.
A ``python`` fence that markdown-it still does not see as a fence is an error, never a silent skip.

A block opts out of running only through the invisible marker ``<!-- skip-run -->`` on the line
directly before its opening fence.
"""
from __future__ import annotations

import contextlib
import linecache
import os
import re
import sys
import traceback
import types
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MKDOCS_YML = ROOT / "mkdocs.yml"

PYTHON_LANGS = {"python", "py", "python3", "py3"}
SKIP_MARKER = re.compile(r"^\s*<!--\s*skip-run\s*-->\s*$")
JINJA = re.compile(r"\{\{|\{%|\{#")
CONTAINER = re.compile(r"^(?P<indent> *)(?:!!!\+?|\?\?\?\+?|===[!+]?)(?:[ \t]|$)")
FENCE_OPEN = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
# A line that looks like the opening fence of a python block, wherever it is indented.
PY_FENCE_LIKE = re.compile(
    r"^\s*(?:`{3,}|~{3,})\s*(?:\{[^}]*?\.(?:python|py|python3|py3)\b|(?:python|py|python3|py3)(?:[\s{]|$))",
    re.IGNORECASE,
)


class PageError(Exception):
    """A page cannot be collected or one of its blocks failed; the message names page and line."""


@dataclass
class Block:
    page: str            # page path as shown in messages (relative to the repo root when inside it)
    line: int            # 1-based page line of the opening fence (or of the snippet line including it)
    code: str
    info: str            # the fence's info string, e.g. 'python title="cells.py"'
    skip: bool = False   # opted out with <!-- skip-run -->
    from_page: list[bool] = field(default_factory=list, repr=False)   # per code line: written in the page
    page_lines: list[int] = field(default_factory=list, repr=False)   # per code line: 1-based page line

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"


@dataclass
class PageScan:
    page: str
    blocks: list[Block]
    stray_markers: list[int]   # 1-based page lines of skip-run markers not directly before a python fence
    render_macros: bool


# ---------------------------------------------------------------------------------------------
# Configuration, read the way the build reads it


_config = None


def mkdocs_config():
    """The site's configuration: the one a running build handed over (``use_config``), else mkdocs.yml."""
    global _config
    if _config is None:
        os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
        from mkdocs.config import load_config

        _config = load_config(str(MKDOCS_YML))
    return _config


def use_config(config) -> None:
    """Read the build's own configuration from now on (a hook calls this; no second load of mkdocs.yml)."""
    global _config
    _config = config


def snippet_options(base_paths=None) -> dict:
    """The ``pymdownx.snippets`` options of mkdocs.yml; relative base paths resolve against the repo
    root (the build runs there). ``base_paths`` overrides ``base_path`` (used by the runner's own tests)."""
    config = mkdocs_config()
    if "pymdownx.snippets" not in config.markdown_extensions:
        raise PageError("mkdocs.yml does not enable pymdownx.snippets")
    options = dict(config.mdx_configs.get("pymdownx.snippets", {}))
    bases = base_paths if base_paths is not None else options.get("base_path", ["."])
    if isinstance(bases, (str, os.PathLike)):
        bases = [bases]
    options["base_path"] = [str((ROOT / b).resolve()) if not Path(b).is_absolute() else str(b) for b in bases]
    return options


def render_by_default() -> bool:
    plugin = mkdocs_config().plugins.get("macros")
    return bool(plugin and plugin.config.get("render_by_default", True))


def docs_pages() -> list[Path]:
    """Every Markdown page under docs/, except docs/assets."""
    docs = Path(mkdocs_config().docs_dir)
    return sorted(p for p in docs.rglob("*.md") if "assets" not in p.relative_to(docs).parts[:1])


def display_path(page: Path) -> str:
    page = Path(page).resolve()
    try:
        return page.relative_to(ROOT).as_posix()
    except ValueError:
        return str(page)


# ---------------------------------------------------------------------------------------------
# Snippet expansion with line provenance


def _preprocessor(base_paths=None):
    import markdown
    from pymdownx.snippets import SnippetExtension

    md = markdown.Markdown(extensions=[SnippetExtension(**snippet_options(base_paths))])
    return md.preprocessors["snippet"]


def expand(lines: list[str], base_paths=None) -> list[str]:
    """``lines`` with every snippet expanded, exactly as the build expands them (no provenance)."""
    return _preprocessor(base_paths).run(list(lines))


def expand_snippets(lines: list[str], base_paths=None) -> tuple[list[str], list[tuple[int, bool]]]:
    """Expand ``lines`` with the build's SnippetPreprocessor.

    Returns the expanded lines and, for each, ``(page line index, written in the page)``. The
    preprocessor only appends while it walks the page, so the expansion of a prefix of the page is a
    prefix of the expansion: measuring prefixes around every snippet line gives the provenance."""
    pre = _preprocessor(base_paths)
    full = pre.run(list(lines))                       # exactly what the build gets
    auto_append, pre.auto_append = pre.auto_append, []
    try:
        mask = pre.get_syntax_mask(lines)
        cuts = sorted({0, len(lines)} | {i for i, m in enumerate(mask) if m} | {i + 1 for i, m in enumerate(mask) if m})
        out_len = {k: len(pre.run(list(lines[:k]))) for k in cuts}
    finally:
        pre.auto_append = auto_append
    origin: list[tuple[int, bool]] = []
    for a, b in zip(cuts, cuts[1:]):
        n = out_len[b] - out_len[a]
        if b - a == 1 and mask[a]:
            origin += [(a, False)] * n                # lines included by the snippet line a
        elif n == b - a:
            origin += [(i, True) for i in range(a, b)]
        else:                                         # not expected: keep the run's first line
            origin += [(a, False)] * n
    last = max(len(lines) - 1, 0)
    origin += [(last, False)] * (len(full) - len(origin))   # auto_append
    if len(origin) != len(full):
        raise PageError("snippet expansion: provenance does not match the expansion (runner bug)")
    return full, origin


# ---------------------------------------------------------------------------------------------
# Finding the blocks


def dedent_containers(lines: list[str]) -> list[str]:
    """Dedent the bodies of admonitions, details and tabs (line for line), so markdown-it sees the
    fences inside them as Python-Markdown + superfences do. Container headers become blank lines."""
    out: list[str] = []
    stack: list[int] = []           # absolute indent of each open container's body
    fence: tuple[str, int] | None = None
    for line in lines:
        line = line.expandtabs(4)
        blank = not line.strip()
        indent = len(line) - len(line.lstrip(" "))
        if not blank:
            while stack and indent < stack[-1]:
                stack.pop()
                fence = None        # a container's end closes a fence left open in it
        depth = stack[-1] if stack else 0
        text = "" if blank else line[depth:]
        if fence is not None:
            char, n = fence
            if re.match(rf"^ {{0,3}}{re.escape(char)}{{{n},}}\s*$", text):
                fence = None
            out.append(text)
            continue
        m = FENCE_OPEN.match(text)
        if m and not (m["fence"][0] == "`" and "`" in m["info"]):
            fence = (m["fence"][0], len(m["fence"]))
            out.append(text)
            continue
        if not blank and CONTAINER.match(line) and indent >= depth:
            stack.append(indent + 4)
            out.append("")
            continue
        out.append(text)
    return out


def fence_lang(info: str) -> str:
    info = info.strip()
    if info.startswith("{"):
        m = re.search(r"(?:^|\s)\.([\w+-]+)", info.strip("{} "))
        return m.group(1).lower() if m else ""
    return re.split(r"[\s{]", info, maxsplit=1)[0].lower()


def read_page(page: Path) -> tuple[list[str], int, dict]:
    """The page as the build hands it to Markdown: front matter stripped (mkdocs' own get_data)."""
    from mkdocs.utils.meta import get_data

    with open(page, encoding="utf-8-sig", errors="strict") as f:   # as mkdocs reads it
        source = f.read()
    doc, meta = get_data(source)
    if not source.endswith(doc):
        raise PageError(f"{display_path(page)}: cannot locate the page body after its front matter")
    offset = source[: len(source) - len(doc)].count("\n")
    return doc.split("\n"), offset, meta


def scan_page(page_path, base_paths=None) -> PageScan:
    from markdown_it import MarkdownIt

    page = Path(page_path)
    shown = display_path(page)
    lines, offset, meta = read_page(page)
    try:
        expanded, origin = expand_snippets(lines, base_paths)
    except Exception as e:   # SnippetMissingError and friends: the build would fail the same way
        raise PageError(f"{shown}: snippet expansion failed: {type(e).__name__}: {e}") from e

    def page_line(i: int) -> int:     # expanded line index -> 1-based page line
        return origin[i][0] + 1 + offset

    parsed = dedent_containers(expanded)
    tokens = MarkdownIt("commonmark").parse("\n".join(parsed))
    fence_ranges = [t.map for t in tokens if t.type == "fence" and t.map]
    code_ranges = fence_ranges + [t.map for t in tokens if t.type == "code_block" and t.map]

    def in_code(i: int) -> bool:
        return any(a <= i < b for a, b in code_ranges)

    def in_fence(i: int) -> bool:
        return any(a <= i < b for a, b in fence_ranges)

    markers = {i for i, text in enumerate(parsed) if SKIP_MARKER.match(text) and not in_code(i)}
    blocks, starts = [], set()
    for t in tokens:
        if t.type != "fence" or fence_lang(t.info) not in PYTHON_LANGS:
            continue
        start, end = t.map
        starts.add(start)
        body = range(start + 1, start + 1 + len(t.content.splitlines()))
        blocks.append(Block(
            page=shown,
            line=page_line(start),
            code=t.content,
            info=t.info.strip(),
            skip=(start - 1) in markers,
            from_page=[origin[i][1] for i in body if i < len(origin)],
            page_lines=[page_line(i) for i in body if i < len(origin)],
        ))
    # A python-looking fence line that is neither a block's opening fence nor content of another fence
    # (an indented code block, raw HTML, ...) would never run: report it.
    unseen = [i for i, text in enumerate(parsed) if PY_FENCE_LIKE.match(text) and i not in starts and not in_fence(i)]
    if unseen:
        where = ", ".join(f"{shown}:{page_line(i)}" for i in unseen)
        raise PageError(
            f"{where}: looks like a python fence, but it does not parse as one (indentation? inside "
            f"raw HTML?), so it would never run. Fix its indentation or make it a fence the page shows."
        )
    stray = sorted(page_line(i) for i in markers if i + 1 not in starts)
    render = bool(meta.get("render_macros", render_by_default())) if isinstance(meta, dict) else render_by_default()
    return PageScan(page=shown, blocks=blocks, stray_markers=stray, render_macros=render)


def collect_blocks(page_path, base_paths=None) -> list[Block]:
    """The python blocks of a page, in page order, snippets expanded as the build does."""
    return scan_page(page_path, base_paths).blocks


# ---------------------------------------------------------------------------------------------
# Running a page


def _check_jinja(scan: PageScan) -> None:
    if not scan.render_macros:
        return
    for b in scan.blocks:
        bad = [ln for ln, own, text in zip(b.page_lines, b.from_page, b.code.splitlines()) if own and JINJA.search(text)]
        if bad:
            raise PageError(
                f"{b.where}: this page has render_macros: true, so mkdocs-macros renders Jinja before the "
                f"build sees the block, but the python block contains Jinja syntax ({{{{, {{% or {{#}} at "
                f"page line(s) {', '.join(map(str, bad))}. Move the code into lesson_code/ and include it "
                f"with a snippet (included files are not rendered), or wrap it in {{% raw %}}.")


def run_page(page_path, base_paths=None) -> None:
    """Run every python block of the page in page order, once, in one namespace; cwd = repo root.
    Raises PageError naming the page and the block's line if a block fails."""
    scan = scan_page(page_path, base_paths)
    _check_jinja(scan)
    runnable = [b for b in scan.blocks if not b.skip]
    if not runnable:
        return
    os.environ.setdefault("MPLBACKEND", "Agg")
    name = "_page_" + re.sub(r"\W", "_", scan.page)
    module = types.ModuleType(name)
    module.__file__ = str(Path(page_path).resolve())
    sys.modules[name] = module
    try:
        with contextlib.chdir(ROOT):
            for n, b in enumerate(runnable, 1):
                _run_block(b, module.__dict__, f"block {n} of {len(runnable)}")
    finally:
        sys.modules.pop(name, None)
        plt = sys.modules.get("matplotlib.pyplot")
        if plt is not None:
            plt.close("all")


def _run_block(b: Block, namespace: dict, label: str) -> None:
    filename = f"{b.page}:{b.line}"
    linecache.cache[filename] = (len(b.code), None, b.code.splitlines(True), filename)
    try:
        code = compile(b.code, filename, "exec")
        exec(code, namespace)
    except KeyboardInterrupt:
        raise
    except BaseException as e:  # noqa: BLE001 - SystemExit in a block is a failure too
        tb = e.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
            tb = tb.tb_next                      # drop the runner's own frames
        detail = "".join(traceback.format_exception(type(e), e, tb))
        where = ""
        k = _error_line(e, filename)
        if k is not None and 1 <= k <= len(b.page_lines):
            own = "written on the page" if b.from_page[k - 1] else "from a snippet included at this line"
            where = f" (block line {k} = page line {b.page_lines[k - 1]}, {own})"
        raise PageError(
            f"{b.where}: python block ({label}) failed{where}: {type(e).__name__}: {e}\n\n{detail}"
        ) from None


def _error_line(e: BaseException, filename: str) -> int | None:
    if isinstance(e, SyntaxError) and e.filename == filename:
        return e.lineno
    line = None
    for frame, lineno in traceback.walk_tb(e.__traceback__):
        if frame.f_code.co_filename == filename:
            line = lineno
    return line


# ---------------------------------------------------------------------------------------------
# Cross-check: the blocks the build renders


def built_python_blocks(page_path) -> list[str]:
    """The code of every python block as the build renders the page (all of mkdocs.yml's Markdown
    extensions), read back from the highlighted HTML. Used to check that the runner sees the same blocks."""
    import html.parser

    import markdown

    config = mkdocs_config()
    lines, _, _ = read_page(Path(page_path))
    options = dict(config.mdx_configs)
    options["pymdownx.snippets"] = snippet_options()
    md = markdown.Markdown(extensions=config.markdown_extensions, extension_configs=options)
    rendered = md.convert("\n".join(lines))
    classes = {f"language-{lang}" for lang in PYTHON_LANGS}

    class Collect(html.parser.HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.blocks, self.stack = [], []     # stack of (tag, role) for open elements

        def handle_starttag(self, tag, attrs):
            cls = set((dict(attrs).get("class") or "").split())
            role = None
            if tag == "div" and "highlight" in cls and cls & classes:
                role = "block"
                self.blocks.append([])
            elif cls & {"linenos", "linenodiv", "filename"}:
                role = "skip"
            elif tag == "code":
                role = "code"
            if tag not in ("br", "img", "input", "wbr"):
                self.stack.append((tag, role))

        def handle_endtag(self, tag):
            while self.stack:
                if self.stack.pop()[0] == tag:
                    break

        def handle_data(self, data):
            roles = [r for _, r in self.stack]
            if "block" in roles and "code" in roles and "skip" not in roles:
                self.blocks[-1].append(data)

    parser = Collect()
    parser.feed(rendered)
    return ["".join(parts) for parts in parser.blocks]


def normalise_code(code: str) -> str:
    return "\n".join(line.rstrip() for line in code.expandtabs(4).split("\n")).strip("\n")
