"""MkDocs hook: every lesson page gets a companion notebook, executed at build, rendered by mkdocs-jupyter.

For each docs page with runnable python blocks (``notebook_source.lessons``):

* the clean notebook (no outputs, figures embedded) is generated from the page and published next
  to it (``day-03.ipynb``); it should equal the committed ``notebooks/`` copy (``make notebooks``
  rewrites that; a test fails when they differ, the build only warns);
* a copy with links relative to the site is executed in a fresh kernel (``scripts/notebook_exec.py``)
  only when its code cells, a repository file the kernel imported, or the environment changed; a
  failing cell fails the build naming the page, the cell and the page line of its block;
* the executed copy becomes the page "Day N · notebook" (next to its lesson in the nav), rendered by
  mkdocs-jupyter, then cleaned: the site's KaTeX and stylesheet (docs/stylesheets/notebook.css), no
  off-site requests, no inlined JupyterLab CSS;
* the lesson page gets "Download notebook", "Notebook with outputs" and, when ``repo_url`` is a
  GitHub repository (the Pages workflow passes ``REPO_URL``), "Open in Colab" links under its title.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import posixpath
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts import artifact_hook, notebook_setup as setup, notebook_source as source, page_blocks  # noqa: E402
from scripts.notebooks import clean_notebook, published_for  # noqa: E402
from lesson_code.lessonkit.files import atomic_write_bytes  # noqa: E402

CACHE = ROOT / ".cache" / "notebooks"
EXECUTOR = ROOT / "scripts" / "notebook_exec.py"
log = logging.getLogger("mkdocs.hooks.notebooks")


@dataclass
class Built:
    lesson: source.Lesson
    clean: Path          # the downloadable notebook
    rendered: Path       # the executed copy mkdocs-jupyter renders
    origins: list[dict]  # per code cell: where it comes from (see notebook_source.build)


_lessons: list[source.Lesson] = []
_built: dict[str, Built] = {}          # by the lesson's src_uri
_notebook_pages: dict[str, Built] = {}  # by the notebook page's src_uri


# ---------------------------------------------------------------------------------------------
# Configuration: find the lessons, put their notebooks in the nav


def nav_title(title: str | None, lesson: source.Lesson) -> str:
    """"Day 3: RNN/LSTM Essentials" -> "Day 3 · notebook"."""
    short = (title or Path(lesson.stem).name).split(":")[0].strip()
    return f"{short} · notebook"


def add_to_nav(nav, lessons: dict[str, source.Lesson]):
    """The nav with each lesson's notebook page inserted right after the lesson."""
    if not isinstance(nav, list):
        return nav
    out = []
    for item in nav:
        title, target = (None, item) if isinstance(item, str) else next(iter(item.items()))
        if isinstance(target, list):
            out.append({title: add_to_nav(target, lessons)} if title is not None else add_to_nav(target, lessons))
            continue
        out.append(item)
        if isinstance(target, str) and target in lessons:
            lesson = lessons[target]
            out.append({nav_title(title, lesson): lesson.notebook_page_uri})
    return out


def on_config(config, **kwargs):
    global _lessons
    if not config.repo_url:      # mkdocs.yml's edit_uri means something only with a repository (REPO_URL)
        config.edit_uri = None
    page_blocks.use_config(config)
    _lessons = source.lessons()
    if config.nav:
        config.nav = add_to_nav(config.nav, {lesson.src_uri: lesson for lesson in _lessons})
    return config


# ---------------------------------------------------------------------------------------------
# Build: generate, execute (cached), assemble


#: The kernel's environment beyond the build's own. tqdm.auto warns on stderr that ipywidgets is
#: missing (a notebook server without widgets; Colab has them): not something to publish.
KERNEL_ENV = {"PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONWARNINGS": "ignore:IProgress not found"}


def environment() -> str:
    return artifact_hook.environment() + ", " + ", ".join(
        f"{pkg} {version(pkg)}" for pkg in ("ipykernel", "nbclient", "nbformat")) + f", kernel env {KERNEL_ENV}"


def code_key(nb: dict) -> str:
    """What execution depends on in the notebook itself: its code cells and their tags, in order. The
    set-up cell is left out: in the checkout it finds the checkout whatever repository it names, and
    naming one (REPO_URL) must not rerun the notebooks."""
    code = [(c["source"], c["metadata"].get("tags", [])) for c in nb["cells"] if c["cell_type"] == "code"][1:]
    return hashlib.sha256(json.dumps(code).encode()).hexdigest()


def is_fresh(executed: Path, key: str) -> bool:
    """The cached execution ran exactly this code, in this environment, with unchanged imports."""
    try:
        manifest = json.loads(executed.with_name(executed.name + ".manifest.json").read_text())
        deps = json.loads(executed.with_name(executed.name + ".deps.json").read_text())
    except (OSError, ValueError):
        return False
    if manifest != {"code": key, "environment": environment()} or not executed.is_file():
        return False
    return all(artifact_hook.sha256(ROOT / rel) == digest for rel, digest in deps.items())


def execute(lesson: source.Lesson, nb: dict, executed: Path, origins: list[dict] | None = None) -> None:
    """Run the notebook in a fresh kernel (scripts/notebook_exec.py); fail the build naming the cell."""
    stage = executed.with_name(executed.stem + ".input.ipynb")
    stage.parent.mkdir(parents=True, exist_ok=True)
    stage.write_text(source.dumps(nb), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}   # the kernel shows figures inline
    env.update(KERNEL_ENV)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, str(EXECUTOR), str(stage), str(executed)], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        failure_file = executed.with_name(executed.name + ".failure.json")
        try:
            failure = json.loads(failure_file.read_text())
        except (OSError, ValueError):
            raise PluginError(f"notebook of {lesson.src_uri}: the executor failed (exit {proc.returncode}):\n"
                              f"{proc.stderr}") from None
        cells = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"]
        index = failure["cell"]
        where = ""
        if index in cells and origins and cells.index(index) < len(origins):
            where = ", " + origins[cells.index(index)]["where"]
        raise PluginError(
            f"notebook of docs/{lesson.src_uri}: cell {index} (code cell {cells.index(index) + 1 if index in cells else '?'}"
            f" of {len(cells)}{where}) failed in a fresh kernel: {failure['ename']}: {failure['evalue']}\n"
            f"{failure['traceback']}")
    manifest = executed.with_name(executed.name + ".manifest.json")
    manifest.write_text(json.dumps({"code": code_key(nb), "environment": environment()}, sort_keys=True))
    log.info(f"notebooks: {lesson.src_uri} executed in {time.perf_counter() - t0:.1f} s")


def with_outputs(nb: dict, executed: Path) -> dict:
    """``nb`` with the outputs of the cached execution (same code cells, in order)."""
    import nbformat

    ran = [c for c in nbformat.read(executed, as_version=4).cells if c.cell_type == "code"]
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    if [c.source for c in ran][1:] != [c["source"] for c in code][1:]:         # the set-up cell: see code_key
        raise PluginError(f"{executed}: cached execution does not match the notebook (delete .cache/notebooks)")
    for cell, done in zip(code, ran):
        cell["outputs"], cell["execution_count"] = coalesce_streams(done.outputs), done.execution_count
    return nb


def coalesce_streams(outputs: list) -> list:
    """Consecutive prints to the same stream as one output (the kernel flushes them in pieces)."""
    merged: list = []
    for out in outputs:
        out = dict(out)
        if (out.get("output_type") == "stream" and merged and merged[-1].get("output_type") == "stream"
                and merged[-1]["name"] == out["name"]):
            merged[-1] = dict(merged[-1], text="".join(merged[-1]["text"]) + "".join(out["text"]))
        else:
            merged.append(out)
    return merged


def write_if_changed(path: Path, text: str) -> None:
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        atomic_write_bytes(path, text.encode("utf-8"))


def build_one(lesson: source.Lesson, config) -> Built:
    published = published_for(lesson)
    clean_text = clean_notebook(lesson)
    clean = CACHE / "download" / lesson.download_uri
    write_if_changed(clean, clean_text)
    if not lesson.committed.is_file() or lesson.committed.read_text(encoding="utf-8") != clean_text:
        log.info(f"notebooks: {lesson.committed.relative_to(ROOT)} is out of sync with docs/{lesson.src_uri}; "
                    "run `make notebooks` and commit it (the test suite fails until then)")

    page = source.page_url(lesson.notebook_page_uri.removesuffix(".ipynb") + ".md")
    origins: list[dict] = []
    site_nb = source.build(lesson, source.Links(base="../" * page.count("/"), embed=False), published, origins=origins)
    executed = CACHE / "executed" / (lesson.stem + ".ipynb")
    key = code_key(site_nb)
    if is_fresh(executed, key):
        log.info(f"notebooks: {lesson.src_uri} cached")
    else:
        execute(lesson, site_nb, executed, origins)
    rendered = CACHE / "pages" / lesson.notebook_page_uri
    write_if_changed(rendered, source.dumps(with_outputs(site_nb, executed)))
    return Built(lesson, clean, rendered, origins)


def on_pre_build(config, **kwargs):
    """After the artifact hook (hooks run in mkdocs.yml order): the results file exists."""
    _built.clear()
    _notebook_pages.clear()
    page_blocks.use_config(config)
    with open(artifact_hook.CACHE / ".lock", "w") as lock:   # one build at a time, as for the figures
        import fcntl

        fcntl.flock(lock, fcntl.LOCK_EX)
        # each notebook runs in its own kernel process: as many at once as builders (ARTIFACT_JOBS)
        jobs = max(1, int(os.environ.get("ARTIFACT_JOBS", "2")))
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(build_one, lesson, config) for lesson in _lessons]
            for lesson, future in zip(_lessons, futures):   # in lesson order: the first failure is named
                try:
                    built = future.result()
                except (source.NotebookSourceError, page_blocks.PageError) as e:
                    raise PluginError(str(e)) from None
                _built[lesson.src_uri] = built
                _notebook_pages[lesson.notebook_page_uri] = built


@event_priority(100)   # before mkdocs-jupyter's on_files, which turns the notebook into a page
def on_files(files, config, **kwargs):
    for built in _built.values():
        # A File with its own src_dir, not File.generated: mkdocs-jupyter's NotebookFile recomputes
        # abs_src_path from src_dir and src_uri.
        files.append(File(built.lesson.notebook_page_uri, src_dir=str(CACHE / "pages"), dest_dir=config.site_dir,
                          use_directory_urls=config.use_directory_urls))
        files.append(File.generated(config, built.lesson.download_uri, abs_src_path=str(built.clean)))
    return files


# ---------------------------------------------------------------------------------------------
# Pages: links on the lesson, a header and clean-up on the notebook page


def action_links(lesson: source.Lesson, config, from_url: str, markdown: bool) -> list[tuple[str, str, str]]:
    """(label, href, icon) of the lesson's notebook actions. For the lesson's Markdown (``markdown``):
    links to source files, relative to the lesson's file, which MkDocs resolves and checks; for the
    notebook page's HTML: URLs relative to the page at ``from_url``."""
    if markdown:
        here = posixpath.dirname(lesson.src_uri)
        links = [("Download notebook", posixpath.relpath(lesson.download_uri, here), "download"),
                 ("Notebook with outputs", posixpath.relpath(lesson.notebook_page_uri, here), "notebook")]
    else:
        links = [("Lesson page", get_relative_url(source.page_url(lesson.src_uri), from_url), "lesson"),
                 ("Download notebook", get_relative_url(lesson.download_uri, from_url), "download")]
    colab = source.colab_url(setup.Published.from_config(config), lesson)
    if colab:
        links.append(("Open in Colab", colab, "colab"))
    return links


ICONS = {"download": ":material-download:", "notebook": ":material-notebook-outline:",
         "colab": ":simple-googlecolab:", "lesson": ":material-arrow-left:"}


def on_page_markdown(markdown, page, config, files, **kwargs):
    """Under the lesson's title (and its one-line subtitle, if any): the notebook links."""
    built = _built.get(page.file.src_uri)
    if built is None:
        return markdown
    links = action_links(built.lesson, config, page.url, markdown=True)
    buttons = " ".join(
        f'[{ICONS[icon]} {label}]({href}){{ .md-button{" download" if icon == "download" else ""} }}'
        for label, href, icon in links)
    block = f'\n<div class="notebook-actions" markdown>\n{buttons}\n</div>\n'
    lines = markdown.split("\n")
    title = next((k for k, ln in enumerate(lines) if re.match(r"^#\s", ln)), None)
    if title is None:
        return block + markdown
    at = title + 1
    nxt = next((k for k in range(at, len(lines)) if lines[k].strip()), None)
    if nxt is not None and re.match(r"^\*[^*].*\*\s*$", lines[nxt]) and (nxt + 1 == len(lines) or not lines[nxt + 1].strip()):
        at = nxt + 1                                  # keep the subtitle line with the title
    return "\n".join(lines[:at] + [block] + lines[at:])


STYLE = re.compile(r"<style[^>]*>.*?</style>", re.S)
SCRIPT = re.compile(r"<script(?![^>]*\btype=\"application/vnd)[^>]*>.*?</script>", re.S)
COMMENT = re.compile(r"<!--.*?-->", re.S)
COPY_BUTTON = re.compile(r'<div class="zeroclipboard-container">.*?</clipboard-copy>\s*</div>', re.S)
COPY_TEXT = re.compile(r'<div class="clipboard-copy-txt" id="cell-\d+">.*?</div>', re.S)
CODE = re.compile(r'<div class="highlight-ipynb hl-(?P<lang>[\w+-]+)"><pre>(?P<code>.*?)</pre></div>', re.S)
TITLE = re.compile(r"<h1[^>]*>.*?</h1>", re.S)


def clean_notebook_html(html: str) -> str:
    """mkdocs-jupyter's HTML without what the site does not want: inlined JupyterLab CSS, scripts
    (MathJax, Mermaid and RequireJS loaders point at CDNs; the clipboard script duplicates Material's),
    the hidden copy of every cell's code, and code blocks the theme does not style. Code cells become
    the theme's own highlighted blocks (same colours as the lesson, Material's copy button)."""
    html = STYLE.sub("", html)
    html = SCRIPT.sub("", html)
    html = COMMENT.sub("", html)
    html = COPY_BUTTON.sub("", html)
    html = COPY_TEXT.sub("", html)
    html = html.replace('class="anchor-link"', 'class="headerlink" title="Permanent link"')   # the theme's own
    return CODE.sub(lambda m: f'<div class="language-{m["lang"]} highlight"><pre><code>{m["code"]}</code></pre></div>', html)


def on_page_content(html, page, config, files, **kwargs):
    """The notebook page: cleaned (``clean_notebook_html``), under its title a line saying what it is and
    the lesson, download and Colab links; the notebook body kept out of the search index (below)."""
    built = _notebook_pages.get(page.file.src_uri)
    if built is None:
        return html
    if page.edit_url:                      # the notebook is generated from the lesson page: edit that
        page.edit_url = page.edit_url.removesuffix(page.file.src_uri) + built.lesson.src_uri
    html = clean_notebook_html(html)
    links = action_links(built.lesson, config, page.url, markdown=False)
    icons = {"lesson": "←", "download": "⤓", "colab": "▶"}
    buttons = "".join(f'<a class="md-button" href="{href}"{" download" if icon == "download" else ""}>'
                      f'{icons[icon]} {label}</a>' for label, href, icon in links)
    header = ('<p class="notebook-intro">Run top to bottom in a fresh kernel when this site was built: '
              "the outputs below are that run's. The notebook you download has none; run it yourself.</p>"
              f'<div class="notebook-actions">{buttons}</div>')
    title = TITLE.search(html)
    head = title.group(0) if title else f"<h1>{page.title}</h1>"
    body = html[:title.start()] + html[title.end():] if title else html
    _full_content[page.file.src_uri] = f'{head}{header}<div class="notebook-body">{body}</div>'
    return f"{head}{header}"          # what the search index sees; on_page_context restores the rest


# The search plugin indexes page.content in its on_page_context. The notebook body repeats the
# lesson's prose and code, so search sees the title and the header only (Material's
# data-search-exclude does not survive mkdocs-jupyter's unbalanced HTML), and the full content is
# put back right after, before the page is rendered.
_full_content: dict[str, str] = {}


@event_priority(-100)
def on_page_context(context, page, config, nav, **kwargs):
    if page.file.src_uri in _full_content:
        page.content = _full_content.pop(page.file.src_uri)
    return context
