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

from scripts import page_blocks, results_macros

ROOT = page_blocks.ROOT
NOTEBOOKS_DIR = ROOT / "notebooks"          # the committed, clean notebooks (Colab opens them from here)
#: The branch the site is published from (.github/workflows/pages.yml); Colab and pip use it.
PUBLISHED_REF = "main"
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


def github_repo(repo_url: str) -> str | None:
    """'owner/name' of a GitHub ``repo_url``, else None (Colab opens notebooks from GitHub only)."""
    parts = urlsplit(repo_url or "")
    path = parts.path.strip("/").removesuffix(".git")
    if parts.netloc.lower() not in {"github.com", "www.github.com"} or path.count("/") != 1:
        return None
    return path


def colab_url(repo_url: str, lesson: Lesson) -> str | None:
    """The "Run in Colab" address of the committed notebook, or None while ``repo_url`` is not a GitHub repository."""
    repo = github_repo(repo_url)
    if repo is None:
        return None
    path = NOTEBOOKS_DIR.relative_to(ROOT).as_posix() + "/" + lesson.download_uri
    return f"https://colab.research.google.com/github/{repo}/blob/{PUBLISHED_REF}/{path}"


def pip_spec(repo_url: str) -> str | None:
    """What Colab pip-installs: the repository at the published ref, or None without a repository."""
    repo = github_repo(repo_url)
    return f"git+https://github.com/{repo}@{PUBLISHED_REF}" if repo else None


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


def clean_html(lines: list[str]) -> list[str]:
    """Figures -> image + caption paragraph; navigation divs dropped; other ``markdown`` divs
    unwrapped; invisible comments dropped."""
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
            i = j + 1
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
    """Accumulates cells: prose lines go into the current Markdown cell, a fence starts a code cell."""
    rewrite: Callable[[str], str]
    cells: list[dict] = field(default_factory=list)
    prose: list[str] = field(default_factory=list)

    def text(self, line: str, prefix: str = "") -> None:
        if not prefix and HEADING.match(line) and any(p.strip() and not HEADING.match(p) for p in self.prose):
            self.flush()                                         # one Markdown cell per section
        self.prose.append((prefix + self.rewrite(line)).rstrip() if line.strip() else prefix.rstrip())

    def flush(self) -> None:
        while self.prose and not self.prose[-1].strip():
            self.prose.pop()
        while self.prose and not self.prose[0].strip(" >"):
            self.prose.pop(0)
        lines: list[str] = []
        for line in self.prose:                                  # runs of blank lines -> one
            if line.strip(" >") or not lines or lines[-1].strip(" >") or lines[-1] != line:
                lines.append(line)
        if lines:
            self.cells.append({"cell_type": "markdown", "source": "\n".join(lines)})
        self.prose = []

    def code(self, fence: Fence) -> None:
        self.flush()
        cell = {"cell_type": "code", "source": "\n".join(fence.body).rstrip("\n")}
        if fence.skip:
            cell["tags"] = [SKIP_TAG]
        self.cells.append(cell)


def emit(nodes: list, out: Cells, prefix: str = "") -> None:
    for node in nodes:
        if isinstance(node, str):
            if not COMMENT_LINE.match(node):
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
        elif node.marker.startswith("???") and not has_code(node.children):
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
    """Render the page's Jinja with the site's macros. Wall-clock timings differ from run to run, so
    a notebook (which must be deterministic) does not quote them: it points to the page."""
    import jinja2

    env = _MacroEnv(meta)
    results_macros.define_env(env)
    env.macros["timing"] = lambda key, fmt="": "(timed on the site)"
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


def setup_source(repo_url: str) -> str:
    """The first code cell: make ``lesson_code`` importable. Only on Colab does it install anything:
    the repository at the published ref with its loose requirements (never requirements.txt, whose
    pins would replace Colab's own torch)."""
    spec = pip_spec(repo_url)
    lines = [
        "# Set-up: makes the course's code importable. Nothing to do in a checkout of the",
        "# repository (after `make setup`); on Colab it installs the code, once per session.",
        "import importlib",
        "import importlib.util",
        "import subprocess",
        "import sys",
        "",
        f"COURSE_PACKAGE = {spec!r}",
        'if importlib.util.find_spec("lesson_code") is None:',
        '    if "google.colab" in sys.modules and COURSE_PACKAGE:',
        '        pip = [sys.executable, "-m", "pip", "install", "--quiet"]',
        "        subprocess.run(pip + [COURSE_PACKAGE], check=True)",
        "        importlib.invalidate_caches()",
        "    else:",
        "        raise ModuleNotFoundError(",
        '            "this notebook needs the course package lesson_code: run it from the root "',
        '            "of a checkout of the course repository after `make setup`"',
        '            + (f", or pip install {COURSE_PACKAGE}" if COURSE_PACKAGE else ""))',
    ]
    return "\n".join(lines)


def intro_source(title_line: str, lesson: Lesson, links: Links) -> str:
    page = links.url(page_url(lesson.src_uri))
    name = title_line.lstrip("#").strip()
    ref = f"[the lesson page]({page})" if page else "the lesson page"
    return "\n".join([
        f"# {name} · notebook",
        "",
        f"The companion notebook of {ref}. It is generated from the page: every code cell is one of "
        "the page's code blocks, in page order, and every number in the text comes from the build "
        "that produced the page's figures. Run the cells from the top.",
    ])


def cell_id(source: str, seen: set[str]) -> str:
    base = hashlib.sha256(source.encode()).hexdigest()[:12]
    ident, k = base, 1
    while ident in seen:
        k += 1
        ident = f"{base}-{k}"
    seen.add(ident)
    return ident


def build(lesson: Lesson, links: Links, repo_url: str, page: Path | None = None) -> dict:
    """The clean notebook of ``lesson`` as a JSON-ready dict (nbformat 4.5, no outputs).
    ``page``: read this file instead of the lesson's page under docs/ (the generator's own tests)."""
    page = page or lesson.page
    where = page_blocks.display_path(page)
    lines, _ = page_markdown(page)
    title_at = next((k for k, ln in enumerate(lines) if re.match(r"^#\s", ln)), None)
    if title_at is None:
        raise NotebookSourceError(f"{where}: no level-1 heading to title the notebook; start the page with '# Title'")
    title = lines.pop(title_at)
    rewriter = Rewriter(lesson, links)
    cells = Cells(rewriter)
    emit(parse(clean_html(lines)), cells)
    cells.flush()
    raw = [{"cell_type": "markdown", "source": intro_source(title, lesson, links)},
           {"cell_type": "code", "source": setup_source(repo_url)}] + cells.cells
    check_code_cells(page, [c["source"] for c in cells.cells if c["cell_type"] == "code"])

    seen: set[str] = set()
    nb_cells = []
    for c in raw:
        cell = {"cell_type": c["cell_type"], "id": cell_id(c["cell_type"] + c["source"], seen),
                "metadata": {"tags": c["tags"]} if c.get("tags") else {}, "source": c["source"]}
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
        },
        "nbformat": NBFORMAT[0],
        "nbformat_minor": NBFORMAT[1],
    }


def check_code_cells(page: Path, sources: list[str]) -> None:
    """The code cells must be the page's python blocks as the snippet runner finds them, in order."""
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
