"""A lesson page as a Jupyter notebook: prose as Markdown cells, every ``python`` block as a code cell.

The page is read as the build reads it: front matter stripped, Jinja macros rendered with the
site's own macros (``scripts/results_macros.py``: numbers come from the results file), snippets
expanded by the build's own preprocessor (``scripts/page_blocks.py``). Material's containers
become plain Markdown a notebook renders: an admonition a block quote with its title in bold, a
collapsed block with no code a ``<details>`` element, a content tab a bold title. Figures become
images (embedded as cell attachments in the downloadable notebook) with their captions.

The notebook is deterministic: no outputs, no execution counts, cell ids derived from the cell
content, JSON written sorted. Its code cells are checked to be the page's python blocks, in
page order, exactly as the snippet runner collects them.
"""
from __future__ import annotations

import base64
import hashlib
import json
import mimetypes
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from scripts import notebook_learn as learn
from scripts import notebook_setup as setup
from scripts import page_blocks, results_macros

ROOT = page_blocks.ROOT
NOTEBOOKS_DIR = ROOT / "notebooks"          # the committed, clean notebooks (Colab opens them from here)
PUBLISHED_REF = setup.PUBLISHED_REF
CELL_TIMES = NOTEBOOKS_DIR / "cell-times.json"   # seconds per cell when last timed (python -m scripts.notebooks time)
NBFORMAT = (4, 5)
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
SKIP_TAG = "skip-execution"                 # nbclient's own tag for cells it must not run

CONTAINER = re.compile(r'^(?P<marker>!!!\+?|\?\?\?\+?|===[!+]?)[ \t]*(?P<rest>.*)$')
ADMONITION_HEAD = re.compile(r'^(?P<kind>[\w-]+)(?:\s+[\w-]+)*\s*(?:"(?P<title>[^"]*)")?\s*$')
TAB_HEAD = re.compile(r'^"(?P<title>[^"]*)"')
FENCE_OPEN = page_blocks.FENCE_OPEN
COMMENT_LINE = re.compile(r"^\s*<!--.*-->\s*$")
LINK = re.compile(r"(?P<bang>!?)\[(?P<text>(?:[^\[\]]|\[[^\]]*\])*)\]\((?P<target>[^)\s]+)(?P<title>\s+\"[^\"]*\")?\)")
HEADING = re.compile(r"^#{1,6}\s")


class NotebookSourceError(Exception):
    """A page cannot be turned into a notebook; the message names the page and the fix."""


# ---------------------------------------------------------------------------------------------
# Which pages get a notebook, and where things go


@dataclass(frozen=True)
class Lesson:
    """A docs page with runnable python blocks, and the names of its notebook (paths are site paths)."""
    src_uri: str                 # e.g. "phase-1/week-1/day-03.md"

    @property
    def page(self) -> Path:
        return Path(page_blocks.mkdocs_config().docs_dir) / self.src_uri

    @property
    def stem(self) -> str:       # "phase-1/week-1/day-03"
        return self.src_uri.removesuffix(".md")

    @property
    def download_uri(self) -> str:          # the clean notebook on the site, next to the page
        return self.stem + ".ipynb"

    @property
    def notebook_page_uri(self) -> str:     # the executed notebook, rendered as a page by mkdocs-jupyter
        return self.stem + "-notebook.ipynb"

    @property
    def committed(self) -> Path:            # notebooks/phase-1/week-1/day-03.ipynb
        return NOTEBOOKS_DIR / self.download_uri


def lessons() -> list[Lesson]:
    """Every docs page with at least one python block that runs: each gets a notebook, no registration."""
    docs = Path(page_blocks.mkdocs_config().docs_dir)
    found = []
    for page in page_blocks.docs_pages():
        if any(not b.skip for b in page_blocks.collect_blocks(page)):
            found.append(Lesson(page.relative_to(docs).as_posix()))
    return found


def page_url(src_uri: str) -> str:
    """The site path of a docs file, as MkDocs makes it with directory URLs ('a/b.md' -> 'a/b/')."""
    if not src_uri.endswith(".md"):
        return src_uri
    stem = src_uri.removesuffix(".md")
    if stem == "index" or stem.endswith("/index"):
        return stem.removesuffix("index")
    return stem + "/"


def colab_url(published: setup.Published, lesson: Lesson) -> str | None:
    """The "Open in Colab" address of the committed notebook, or None while no GitHub repository is known."""
    return published.colab_url(lesson.committed.relative_to(ROOT).as_posix())


# ---------------------------------------------------------------------------------------------
# Links and images


@dataclass
class Links:
    """How a notebook refers to the rest of the site.

    ``base``: the URL a site path is joined to ("https://host/course/" for the download, a relative
    prefix such as "../" for the copy rendered on the site), or None when links cannot be resolved
    (no site_url): links then keep their text only. ``embed``: figures become cell attachments."""
    base: str | None
    embed: bool
    site_files: dict[str, Path] = field(default_factory=dict)   # site path -> file, for embedding

    def url(self, site_path: str) -> str | None:
        return None if self.base is None else self.base + site_path


def site_files() -> dict[str, Path]:
    """Site path -> file for every file a page may link to: docs/ and the figure builders' outputs."""
    from scripts import artifact_hook

    docs = Path(page_blocks.mkdocs_config().docs_dir)
    files = {p.relative_to(docs).as_posix(): p for p in docs.rglob("*") if p.is_file()}
    for b in artifact_hook.discover():
        if b.out_dir.is_dir():
            files.update({f"{b.site_dir}/{p.name}": p for p in b.out_dir.iterdir() if not p.name.startswith(".")})
        files[f"{b.site_dir}/results.json"] = artifact_hook.CACHE / b.lesson / "results.json"
    return files


def is_relative(target: str) -> bool:
    parts = urlsplit(target)
    return not (parts.scheme or parts.netloc or target.startswith(("#", "/")))


class Rewriter:
    """Rewrites the relative links and images of one page's Markdown for a notebook."""

    def __init__(self, lesson: Lesson, links: Links):
        self.lesson, self.links = lesson, links
        self.attachments: dict[str, dict[str, str]] = {}

    def site_path(self, target: str) -> tuple[str, str]:
        path, _, anchor = target.partition("#")
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(self.lesson.src_uri), path))
        return joined, anchor

    def __call__(self, line: str) -> str:
        return LINK.sub(self._one, line)

    def _one(self, m: re.Match) -> str:
        target = m["target"]
        if not is_relative(target):
            return m.group(0)
        path, anchor = self.site_path(target)
        if m["bang"]:
            return self._image(m, path)
        url = self.links.url(page_url(path))
        if url is None:
            return m["text"]
        return f"[{m['text']}]({url}{'#' + anchor if anchor else ''})"

    def _image(self, m: re.Match, path: str) -> str:
        if self.links.embed:
            file = self.links.site_files.get(path)
            if file is None or not file.is_file():
                raise NotebookSourceError(f"{self.lesson.src_uri}: image {m['target']} is not a file of the site "
                                          "(build the figures first: `make notebooks` does)")
            name = posixpath.basename(path)
            mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
            self.attachments[name] = {mime: base64.b64encode(file.read_bytes()).decode("ascii")}
            return f"![{m['text']}](attachment:{name})"
        url = self.links.url(path)
        return f"![{m['text']}]({url})" if url else m["text"]


# ---------------------------------------------------------------------------------------------
# Parsing Material's Markdown into a tree


@dataclass
class Fence:
    info: str
    lines: list[str]             # opening fence, body, closing fence (as written, container-dedented)
    body: list[str]
    skip: bool = False

    @property
    def lang(self) -> str:
        return page_blocks.fence_lang(self.info)


@dataclass
class Container:
    marker: str                  # "!!!", "???", "???+", "==="
    kind: str                    # admonition type ("note", "tip", ...) or "tab"
    title: str
    children: list


def parse(lines: list[str]) -> list:
    """Lines -> list of str (prose lines), Fence and Container, containers' bodies parsed recursively."""
    out: list = []
    i, n = 0, len(lines)
    while i < n:
        line = lines[i].expandtabs(4)
        m = FENCE_OPEN.match(line)
        if m and not (m["fence"][0] == "`" and "`" in m["info"]):
            char, width, indent = m["fence"][0], len(m["fence"]), len(m["indent"])
            close = re.compile(rf"^ {{0,3}}{re.escape(char)}{{{width},}}\s*$")
            j = i + 1
            while j < n and not close.match(lines[j].expandtabs(4)):
                j += 1
            body = [ln.expandtabs(4)[min(indent, len(ln) - len(ln.lstrip(" "))):] for ln in lines[i + 1:j]]
            skip = bool(out) and isinstance(out[-1], str) and page_blocks.SKIP_MARKER.match(out[-1]) is not None
            out.append(Fence(m["info"].strip(), [line] + lines[i + 1:j + 1], body, skip))
            i = j + 1
            continue
        m = CONTAINER.match(line)
        if m:
            j = i + 1
            while j < n and (not lines[j].strip() or lines[j].expandtabs(4).startswith("    ")):
                j += 1
            while j > i + 1 and not lines[j - 1].strip():
                j -= 1                               # trailing blank lines belong to the outer text
            body = [ln.expandtabs(4)[4:] for ln in lines[i + 1:j]]
            out.append(container(m["marker"], m["rest"], parse(body)))
            i = j
            continue
        out.append(line)
        i += 1
    return out


def container(marker: str, rest: str, children: list) -> Container:
    if marker.startswith("==="):
        m = TAB_HEAD.match(rest)
        return Container(marker, "tab", m["title"] if m else rest.strip(), children)
    m = ADMONITION_HEAD.match(rest)
    kind = m["kind"] if m else "note"
    title = m["title"] if m and m["title"] is not None else kind.capitalize()
    return Container(marker, kind, title, children)


def has_code(nodes: list) -> bool:
    return any((isinstance(x, Fence) and x.lang in page_blocks.PYTHON_LANGS)
               or (isinstance(x, Container) and has_code(x.children)) for x in nodes)


# ---------------------------------------------------------------------------------------------
# Prose clean-up: raw HTML the notebook cannot use


FIGURE_IMG = re.compile(r"!\[(?:[^\[\]]|\[[^\]]*\])*\]\([^)]*\)")
FIGCAPTION = re.compile(r"<figcaption[^>]*>(?P<caption>.*?)</figcaption>", re.S)
FIGURE_TARGET = re.compile(r"\]\((?P<target>[^)\s]+)")
DRAW_MARK = "\x00draw "        # internal: "a figure ends here", never left in a notebook
#: What replaces a page's ``<div class="site-only" markdown>`` block (wall-clock times of the build
#: differ from run to run; a notebook is deterministic and must not carry placeholders).
TIMING_MARK = "\x00timing"     # internal: what timing() renders to in a notebook; must not survive
SITE_ONLY_NOTE = "*(The times this took when the site was built are on the lesson page.)*"


def clean_html(lines: list[str]) -> list[str]:
    """Figures -> image + caption paragraph (+ a mark where a cell may draw it); navigation divs
    dropped; ``site-only`` divs replaced by a pointer to the page; other ``markdown`` divs unwrapped;
    invisible comments dropped."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        pad = line[:len(line) - len(line.lstrip())]
        if stripped.startswith("<figure"):
            j = i
            while j < len(lines) and "</figure>" not in lines[j]:
                j += 1
            block = "\n".join(lines[i:j + 1])
            img = FIGURE_IMG.search(block)
            cap = FIGCAPTION.search(block)
            if img:
                out += [pad + img.group(0), ""]
            if cap:
                caption = " ".join(part.strip() for part in cap["caption"].split("\n"))
                out += [f"{pad}*Figure.* {caption}"]
            if img:                                           # a code cell may draw it: see Cells.draw
                out += ["", pad + DRAW_MARK + FIGURE_TARGET.search(img.group(0))["target"], ""]
            i = j + 1
            continue
        if stripped.startswith("<div") and "site-only" in stripped:   # e.g. the build's wall-clock times
            j, depth = i + 1, 1
            while j < len(lines) and depth:
                depth += lines[j].count("<div") - lines[j].count("</div>")
                j += 1
            out += [pad + SITE_ONLY_NOTE, ""]
            i = j
            continue
        if stripped.startswith("<script"):                    # page scripts (e.g. a playground's) run on the site only
            i += 1
            continue
        if stripped.startswith("<div") and "data-playground" in stripped:  # an in-browser widget: a pointer instead
            j, depth = i + 1, 1
            while j < len(lines) and depth:
                depth += lines[j].count("<div") - lines[j].count("</div>")
                j += 1
            out += [pad + "*(The in-browser playground runs on the lesson page of the site.)*", ""]
            i = j
            continue
        if stripped.startswith("<div") and "markdown" in stripped:
            j, depth = i + 1, 1
            while j < len(lines) and depth:
                depth += lines[j].count("<div") - lines[j].count("</div>")
                j += 1
            if "lesson-nav" not in stripped:                  # site navigation means nothing in a notebook
                out += lines[i + 1:j - 1]
            i = j
            continue
        if COMMENT_LINE.match(line) and not page_blocks.SKIP_MARKER.match(line):   # markers: see parse()
            i += 1
            continue
        out.append(line)
        i += 1
    return out


# ---------------------------------------------------------------------------------------------
# Tree -> cells


@dataclass
class Cells:
    """Accumulates cells: prose lines go into the current Markdown cell, a fence starts a code cell.

    Inside an exercise's solution (``details`` set) prose is wrapped in collapsed ``<details>``
    blocks and code cells start with their source hidden; ``attempt`` adds the empty cell a learner
    writes in; ``draw`` adds the cell that draws the figure just shown, when one can."""
    rewrite: Callable[[str], str]
    drawer: Callable[[str], str | None] = lambda target: None
    cells: list[dict] = field(default_factory=list)
    prose: list[str] = field(default_factory=list)
    details: str | None = None
    heading: str = ""

    def text(self, line: str, prefix: str = "") -> None:
        if HEADING.match(line):
            self.heading = line.lstrip("#").strip()
        if not prefix and HEADING.match(line) and any(p.strip() and not HEADING.match(p) for p in self.prose):
            self.flush()                                         # one Markdown cell per section
        self.prose.append((prefix + self.rewrite(line)).rstrip() if line.strip() else prefix.rstrip())

    def flush(self) -> None:
        while self.prose and not self.prose[-1].strip(" >"):
            self.prose.pop()
        while self.prose and not self.prose[0].strip(" >"):
            self.prose.pop(0)
        lines: list[str] = []
        for line in self.prose:                                  # runs of blank lines -> one
            if line.strip(" >") or not lines or lines[-1].strip(" >") or lines[-1] != line:
                lines.append(line)
        if lines and self.details:
            lines = [f"<details><summary>{self.details}</summary>", ""] + lines + ["", "</details>"]
            self.details = self.details if self.details.endswith("(continued)") else self.details + " (continued)"
        if lines:
            self.cells.append({"cell_type": "markdown", "source": "\n".join(lines)})
        self.prose = []

    def code(self, fence: Fence) -> None:
        self.flush()
        cell = {"cell_type": "code", "source": "\n".join(fence.body).rstrip("\n"), "block": True,
                "skip": fence.skip, "hidden": self.details is not None}
        self.cells.append(cell)

    def attempt(self) -> None:
        """An empty cell for the learner's own attempt, before the exercise's solution."""
        self.flush()
        name = self.heading or "this exercise"
        self.cells.append({"cell_type": "code", "source": f"# Your attempt at {name}\n"
                                                          "# Write it here and run it, then compare with the solution below."})

    def draw(self, target: str) -> None:
        code = self.drawer(target)
        if code:
            self.flush()
            self.cells.append({"cell_type": "code", "source": code})


def is_solution(node: Container) -> bool:
    return node.marker.startswith("???") and node.title.lower().startswith("solution")


def emit(nodes: list, out: Cells, prefix: str = "") -> None:
    for node in nodes:
        if isinstance(node, str):
            if node.lstrip().startswith(DRAW_MARK):
                out.draw(node.lstrip()[len(DRAW_MARK):])
            elif not COMMENT_LINE.match(node):
                out.text(node, prefix)
        elif isinstance(node, Fence):
            if node.lang in page_blocks.PYTHON_LANGS:
                out.code(node)
            else:
                for line in node.lines:
                    out.prose.append((prefix + line).rstrip())
        elif node.kind == "tab":
            out.text(f"**{node.title}**", prefix)
            out.text("", prefix)
            emit(node.children, out, prefix)
            out.text("", prefix)
        elif is_solution(node) and has_code(node.children):   # text collapsed, code cells hidden
            out.attempt()
            out.details = node.title
            emit(node.children, out, prefix)
            out.flush()
            out.details = None
        elif node.marker.startswith("???") and not has_code(node.children):
            if is_solution(node):
                out.attempt()
            out.text(f"<details><summary>{node.title}</summary>", prefix)
            out.text("", prefix)
            emit(node.children, out, prefix)
            out.text("", prefix)
            out.text("</details>", prefix)
            out.text("", prefix)
        else:
            out.text("", prefix)
            out.text(f"**{node.title}**", prefix + "> ")
            out.text("", prefix + "> ")
            emit(node.children, out, prefix + "> ")
            out.text("", prefix)


# ---------------------------------------------------------------------------------------------
# Figures drawn by code


DRAW_TEMPLATE = '''\
# Draws the figure above by code: reruns its builder ({module}: the experiment, then the plot in
# the course's figure style) into a temporary folder and shows the picture it wrote.
import tempfile
from pathlib import Path

from IPython.display import SVG, display

from {package} import {name} as figure_builder

figures = Path(tempfile.gettempdir(), "executable-dl-figures", {lesson!r}, {name!r})
{build}
display(SVG(filename=str(figures / {file!r})))'''


@dataclass
class Drawer:
    """The code that draws a page figure, for the figures of cheap builders (each lesson's
    ``REBUILD_IN_TESTS``, the ones fast enough to rerun); None for the others, shown as images."""
    lesson: Lesson
    rewriter: "Rewriter"
    built: set[str] = field(default_factory=set)      # builders already run by an earlier cell

    def __call__(self, target: str) -> str | None:
        from scripts import artifact_hook

        if not is_relative(target):
            return None
        path, _ = self.rewriter.site_path(target)
        folder, file = posixpath.split(path)
        for b in artifact_hook.discover():
            if b.site_dir != folder or not (b.out_dir / file).is_file() or b.name not in cheap_builders(b.lesson):
                continue
            first = b.name not in self.built
            self.built.add(b.name)
            build = ("figures.mkdir(parents=True, exist_ok=True)\nfigure_builder.build(figures)" if first else
                     f"if not (figures / {file!r}).is_file():   # drawn by an earlier cell; run that one first\n"
                     "    figures.mkdir(parents=True, exist_ok=True)\n    figure_builder.build(figures)")
            return DRAW_TEMPLATE.format(module=b.module, package=b.module.rsplit(".", 1)[0], name=b.name,
                                        lesson=b.lesson, file=file, build=build)
        return None


def cheap_builders(lesson: str) -> tuple[str, ...]:
    import importlib

    return tuple(getattr(importlib.import_module(f"lesson_code.{lesson}.figures"), "REBUILD_IN_TESTS", ()))




# ---------------------------------------------------------------------------------------------
# The page's Markdown, as the build sees it


class _MacroEnv:
    """The part of mkdocs-macros' ``env`` that ``results_macros.define_env`` uses."""

    def __init__(self, meta: dict):
        self.macros: dict[str, Callable] = {}
        self.page = type("PageStub", (), {"meta": meta})()

    def macro(self, fn: Callable) -> Callable:
        self.macros[fn.__name__] = fn
        return fn


def render_macros(text: str, meta: dict, where: str) -> str:
    """Render the page's Jinja with the site's macros. Wall-clock timings differ from run to run, so a
    notebook (which must be deterministic) does not quote them: the page wraps them in a ``site-only``
    block, which the notebook replaces with a pointer to the page."""
    import jinja2

    env = _MacroEnv(meta)
    results_macros.define_env(env)
    env.macros["timing"] = lambda key, fmt="": TIMING_MARK   # must sit in a site-only block: see build()
    jenv = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    try:
        return jenv.from_string(text).render(**env.macros)
    except Exception as e:   # a missing quote or macro fails the build; fail the same way, naming the page
        raise NotebookSourceError(f"{where}: rendering its macros failed: {type(e).__name__}: {e}") from None


def page_markdown(page: Path) -> tuple[list[str], dict]:
    """The page's lines as Python-Markdown receives them: no front matter, macros rendered, snippets expanded."""
    lines, _, meta = page_blocks.read_page(page)
    meta = meta if isinstance(meta, dict) else {}
    text = "\n".join(lines)
    if meta.get("render_macros", page_blocks.render_by_default()):
        text = render_macros(text, meta, page_blocks.display_path(page))
    return page_blocks.expand(text.split("\n")), meta


# ---------------------------------------------------------------------------------------------
# The notebook


def intro_source(title_line: str, lesson: Lesson, links: Links) -> str:
    page = links.url(page_url(lesson.src_uri))
    name = title_line.lstrip("#").strip()
    ref = f"[the lesson page]({page})" if page else "the lesson page"
    return "\n".join([
        f"# {name} · notebook",
        "",
        f"The companion notebook of {ref}, generated from it: the page's prose, its code blocks in "
        "order and its figures. Run the cells from the top. The functions and classes you define here "
        "are the ones the later cells use, so you can change one and see what follows change (a cell "
        "that must use the course package's copy says so). Each exercise has an empty cell for your "
        "attempt; its solution comes after, folded away. The numbers in the text come from the build "
        "that produced the lesson page; a cell that takes a while says so, and runs torch on one thread.",
    ])


def cell_id(source: str, seen: set[str]) -> str:
    base = hashlib.sha256(source.encode()).hexdigest()[:12]
    ident, k = base, 1
    while ident in seen:
        k += 1
        ident = f"{base}-{k}"
    seen.add(ident)
    return ident


def cell_key(code: str) -> str:
    """A code cell's name in ``notebooks/cell-times.json``: a hash of its code as the page has it."""
    return hashlib.sha256(page_blocks.normalise_code(code).encode()).hexdigest()[:12]


def cell_times() -> dict[str, dict[str, float]]:
    """Seconds per cell, by lesson stem and cell key, as last timed (empty when never timed)."""
    try:
        return json.loads(CELL_TIMES.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except ValueError as e:
        raise NotebookSourceError(f"{CELL_TIMES.relative_to(ROOT)}: not valid JSON ({e}); "
                                  "rerun `python -m scripts.notebooks time`") from None


def notebook_options(meta: dict, where: str) -> dict[str, str]:
    """The page's ``notebook.package_names`` front matter: names whose package copy the notebook keeps, and why."""
    options = meta.get("notebook") or {}
    names = options.get("package_names") if isinstance(options, dict) else None
    if options and not (isinstance(options, dict) and isinstance(names or {}, dict)
                        and all(isinstance(v, str) and v.strip() for v in (names or {}).values())):
        raise NotebookSourceError(f"{where}: front matter `notebook` must be "
                                  "{package_names: {name: 'why the package copy is used'}}")
    return dict(names or {})


def build(lesson: Lesson, links: Links, published: setup.Published, page: Path | None = None,
          origins: list[dict] | None = None) -> dict:
    """The clean notebook of ``lesson`` as a JSON-ready dict (nbformat 4.5, no outputs).
    ``page``: read this file instead of the lesson's page under docs/ (the generator's own tests).
    ``origins``: if given, filled with one entry per code cell: ``where`` it comes from (a page
    block's ``page:line``, or a description) and its ``key`` in the cell timings."""
    page = page or lesson.page
    where = page_blocks.display_path(page)
    lines, meta = page_markdown(page)
    title_at = next((k for k, ln in enumerate(lines) if re.match(r"^#\s", ln)), None)
    if title_at is None:
        raise NotebookSourceError(f"{where}: no level-1 heading to title the notebook; start the page with '# Title'")
    title = lines.pop(title_at)
    rewriter = Rewriter(lesson, links)
    cells = Cells(rewriter, Drawer(lesson, rewriter))
    emit(parse(clean_html(lines)), cells)
    cells.flush()
    check_code_cells(page, [c["source"] for c in cells.cells if c.get("block")])
    for c in cells.cells:
        if TIMING_MARK in c["source"]:
            raise NotebookSourceError(
                f"{where}: a wall-clock time ({{{{ timing(...) }}}}) outside a <div class=\"site-only\" markdown> "
                "block; times differ from build to build, so the notebook leaves them to the page: wrap the "
                "sentences that quote them in such a div")

    learner = learn.Learner(package_names=notebook_options(meta, where), times=cell_times().get(lesson.stem, {}))
    page_text = page.read_text(encoding="utf-8").split("\n")
    blocks = iter(page_blocks.collect_blocks(page))
    found = [{"where": "the set-up cell", "key": "setup"}]
    for c in cells.cells:
        if c["cell_type"] != "code":
            continue
        key = cell_key(c["source"])
        if c.get("block"):
            b = next(blocks)
            files = learn.snippet_files(page_text, b.page_lines, b.from_page)
            c["source"] = learner.cell(c["source"], files, key, runs=not c["skip"])
            found.append({"where": f"the block at {b.where}", "key": key})
        else:
            c["source"] = learner.cell(c["source"], [], key)
            found.append({"where": "a cell the notebook adds (exercise or figure)", "key": key})
    if origins is not None:
        origins[:] = found

    raw = [{"cell_type": "markdown", "source": intro_source(title, lesson, links)},
           {"cell_type": "code", "source": setup.setup_source(published)}] + cells.cells
    seen: set[str] = set()
    nb_cells = []
    for c in raw:
        metadata: dict = {}
        if c.get("skip"):
            metadata["tags"] = [SKIP_TAG]
        if c.get("hidden"):
            metadata["jupyter"] = {"source_hidden": True}
        cell = {"cell_type": c["cell_type"], "id": cell_id(c["cell_type"] + c["source"], seen),
                "metadata": metadata, "source": c["source"]}
        if c["cell_type"] == "code":
            cell.update(execution_count=None, outputs=[])
        else:
            used = {name: data for name, data in rewriter.attachments.items() if f"(attachment:{name})" in c["source"]}
            if used:
                cell["attachments"] = used
        nb_cells.append(cell)
    return {
        "cells": nb_cells,
        "metadata": {
            "kernelspec": KERNELSPEC,
            "language_info": {"name": "python"},
            "lesson": {"page": where, "generated_by": "make notebooks (scripts/notebooks.py); edit the page, not this file"},
            "course": published.as_metadata(),
        },
        "nbformat": NBFORMAT[0],
        "nbformat_minor": NBFORMAT[1],
    }


def check_code_cells(page: Path, sources: list[str]) -> None:
    """The page's code cells must be its python blocks as the snippet runner finds them, in order."""
    blocks = [page_blocks.normalise_code(b.code) for b in page_blocks.collect_blocks(page)]
    cells = [page_blocks.normalise_code(s) for s in sources]
    if blocks != cells:
        first = next((k for k, (a, b) in enumerate(zip(blocks, cells)) if a != b), min(len(blocks), len(cells)))
        raise NotebookSourceError(
            f"{page_blocks.display_path(page)}: the notebook's code cells differ from the page's python blocks "
            f"({len(cells)} cells, {len(blocks)} blocks; first difference at block {first + 1}). A fence the "
            "notebook generator parses differently from the build: fix scripts/notebook_source.py or the fence.")


def dumps(nb: dict) -> str:
    """The notebook as committed: nbformat's own layout (indent 1, sorted keys), newline at the end."""
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def validate(nb: dict) -> None:
    import nbformat

    nbformat.validate(nbformat.from_dict(nb))
