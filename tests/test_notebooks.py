"""Companion notebooks: generated from the pages, committed in sync, clean, executed at build, published.

The generator's own behaviour is checked on small pages written here; the real lessons' notebooks
are checked against their pages (``notebooks/`` must equal what the pages generate: run
``make notebooks`` after editing a page or its code) and against the built site (``make site`` first).
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from scripts import notebook_setup as setup
from scripts import notebook_source as source
from scripts import page_blocks
from scripts.notebooks import clean_notebook, out_of_sync, published_for

ROOT = source.ROOT
SITE = ROOT / "site"
LESSONS = source.lessons()
IDS = [lesson.stem for lesson in LESSONS]
RESULTS_MISSING = not any((ROOT / ".cache" / "artifacts").glob("*/results.json"))


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    return path


def notebook_of(tmp_path: Path, text: str, links: source.Links | None = None,
                published: setup.Published = setup.Published()) -> dict:
    page = write(tmp_path / "lesson.md", text)
    nb = source.build(source.Lesson("phase-9/week-9/lesson.md"), links or source.Links(base=None, embed=False),
                      published, page=page)
    source.validate(nb)
    return nb


def sources(nb: dict, kind: str) -> list[str]:
    return [c["source"] for c in nb["cells"] if c["cell_type"] == kind]


# ---------------------------------------------------------------------------------------------
# The generator


def test_prose_becomes_markdown_and_blocks_become_code_cells_in_page_order(tmp_path):
    nb = notebook_of(tmp_path, r'''
        # Lesson 9: Things

        *Phase IX · a subtitle*

        Some math $a_t = \sigma(z_t)$ and

        $$
        x^2
        $$

        ```python
        x = 1
        ```

        !!! warning "Correction: a title"
            Inside the warning.

            ```python
            y = x + 1
            ```

            After the code.

        ??? tip "Hint"
            A hidden hint with `code` and $math$.

        ??? success "Solution"
            ```python
            z = y * 2
            ```

        === "Tab one"

            First tab.

        <!-- skip-run -->
        ```python
        raise RuntimeError("shown, never run")
        ```

        ```text
        not python
        ```
    ''')
    code = sources(nb, "code")
    assert code[1:3] == ["x = 1", "y = x + 1"] and code[4:] == ["z = y * 2", 'raise RuntimeError("shown, never run")']
    assert code[3].startswith("# Your attempt at this exercise")      # an empty cell before the solution
    assert "COURSE_PACKAGE" in code[0]                       # the set-up cell comes first
    solution = next(c for c in nb["cells"] if c["source"] == "z = y * 2")
    assert solution["metadata"] == {"jupyter": {"source_hidden": True}}   # the solution starts collapsed
    md = "\n\n".join(sources(nb, "markdown"))
    assert md.startswith("# Lesson 9: Things · notebook")
    assert "$a_t = \\sigma(z_t)$" in md and "$$\nx^2\n$$" in md  # math intact
    assert "> **Correction: a title**\n>\n> Inside the warning." in md
    assert "> After the code." in md
    assert "<details><summary>Hint</summary>\n\nA hidden hint with `code` and $math$.\n\n</details>" in md
    assert "Solution" not in md                              # its only content is the hidden code cell
    assert "**Tab one**\n\nFirst tab." in md
    assert "```text\nnot python\n```" in md
    assert not re.search(r"^(!!!|\?\?\?|===)", md, re.M) and "<!--" not in md
    skipped = [c for c in nb["cells"] if c["metadata"].get("tags") == [source.SKIP_TAG]]
    assert [c["source"] for c in skipped] == ['raise RuntimeError("shown, never run")']


def test_snippets_are_expanded_as_the_build_expands_them(tmp_path):
    nb = notebook_of(tmp_path, '''
        # Snippet

        ```python
        --8<-- "lesson_code/day03/cells.py:unroll"
        ```
    ''')
    expected = page_blocks.collect_blocks(tmp_path / "lesson.md")[0].code
    cell = sources(nb, "code")[1]
    assert cell.endswith(expected.rstrip("\n")) and expected.startswith("def unroll(")
    assert cell.splitlines()[:2] == [             # what the snippet uses but the page never defined
        "from lesson_code.day03.cells import Cell   # not shown on the page: the package's Cell", "import torch"]


def test_figures_links_and_navigation(tmp_path):
    figure = write(tmp_path / "fig.svg", '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>')
    text = '''
        # Figures

        <div class="lesson-nav" markdown>

        - [Previous](../../curriculum.md#day-2)

        </div>

        See [the curriculum](../../curriculum.md#day-4) and [data](figures/f.json).

        <figure markdown="span">
          ![A tiny figure.](figures/f.svg)
          <figcaption markdown="span">The caption, with $x$.</figcaption>
        </figure>

        ```python
        pass
        ```
    '''
    embedded = notebook_of(tmp_path, text, source.Links(base="https://example.org/course/", embed=True,
                                                        site_files={"phase-9/week-9/figures/f.svg": figure}))
    md = "\n\n".join(sources(embedded, "markdown"))
    assert "Previous" not in md                                        # site navigation dropped
    assert "[the curriculum](https://example.org/course/curriculum/#day-4)" in md
    assert "[data](https://example.org/course/phase-9/week-9/figures/f.json)" in md
    assert "![A tiny figure.](attachment:f.svg)" in md
    assert "*Figure.* The caption, with $x$." in md
    cell = next(c for c in embedded["cells"] if "attachment:f.svg" in c["source"])
    assert list(cell["attachments"]["f.svg"]) == ["image/svg+xml"]

    unlinked = notebook_of(tmp_path, text)                             # no site_url: text only
    md = "\n\n".join(sources(unlinked, "markdown"))
    assert "See the curriculum and data." in md and "](" not in md.split("· notebook", 1)[1]

    relative = notebook_of(tmp_path, text, source.Links(base="../../../", embed=False))
    assert "![A tiny figure.](../../../phase-9/week-9/figures/f.svg)" in "\n".join(sources(relative, "markdown"))


def test_macros_are_rendered_from_the_results_file(tmp_path, monkeypatch):
    results = tmp_path / "artifacts" / "day99"
    write(results / "results.json", '{"exp": {"rate": 0.123456, "tiny": 2.5e-12}}')
    monkeypatch.setattr("scripts.results_macros.CACHE", tmp_path / "artifacts")
    nb = notebook_of(tmp_path, '''
        ---
        render_macros: true
        results: day99
        ---

        # Macros

        Rate {{ q("exp.rate", ".2f") }}, tiny {{ q("exp.tiny", "sci") }}.

        <div class="site-only" markdown>
        It took {{ timing("exp.seconds") }} s.
        </div>

        ```python
        pass
        ```
    ''')
    md = "\n\n".join(sources(nb, "markdown"))
    assert "Rate 0.12, tiny $2.5 \\times 10^{-12}$." in md
    assert "It took" not in md and source.SITE_ONLY_NOTE in md


def test_a_wall_clock_time_outside_a_site_only_block_fails(tmp_path, monkeypatch):
    write(tmp_path / "artifacts" / "day99" / "results.json", '{"exp": {}}')
    monkeypatch.setattr("scripts.results_macros.CACHE", tmp_path / "artifacts")
    with pytest.raises(source.NotebookSourceError, match=r"lesson\.md: a wall-clock time .*site-only"):
        notebook_of(tmp_path, '''
            ---
            render_macros: true
            results: day99
            ---
            # Timed

            It took {{ timing("exp.seconds") }} s.

            ```python
            pass
            ```
        ''')


def test_a_missing_quote_fails_naming_the_page(tmp_path, monkeypatch):
    write(tmp_path / "artifacts" / "day99" / "results.json", '{"exp": {}}')
    monkeypatch.setattr("scripts.results_macros.CACHE", tmp_path / "artifacts")
    with pytest.raises(source.NotebookSourceError, match=r"lesson\.md: rendering its macros failed: .*exp\.nope"):
        notebook_of(tmp_path, '''
            ---
            render_macros: true
            results: day99
            ---
            # Missing

            {{ q("exp.nope") }}
        ''')


def test_notebook_is_deterministic_and_clean(tmp_path):
    text = "# Same\n\n```python\nprint(1)\n```\n"
    first = source.dumps(notebook_of(tmp_path, text))
    second = source.dumps(notebook_of(tmp_path, text))
    assert first == second
    nb = json.loads(first)
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
    assert len({c["id"] for c in nb["cells"]}) == len(nb["cells"])


def test_colab_link_and_install_follow_repo_url():
    lesson = source.Lesson("phase-1/week-1/day-03.md")
    config = lambda repo, site="http://127.0.0.1:8000/": type("C", (), {"repo_url": repo, "site_url": site})()  # noqa: E731
    assert source.colab_url(setup.Published.from_config(config("")), lesson) is None
    assert source.colab_url(setup.Published.from_config(config("https://gitlab.com/o/r")), lesson) is None
    published = setup.Published.from_config(config("https://github.com/owner/course.git"))
    assert source.colab_url(published, lesson) == (
        "https://colab.research.google.com/github/owner/course/blob/main/notebooks/phase-1/week-1/day-03.ipynb")
    assert published.site_url is None                                      # a loopback site is no published site
    assert setup.Published.from_config(config("", "https://o.github.io/c")).site_url == "https://o.github.io/c/"
    assert "COURSE_PACKAGE = None" in setup.setup_source(setup.Published())
    code = setup.setup_source(published)
    assert "COURSE_PACKAGE = 'git+https://github.com/owner/course@main'" in code
    assert "requirements" not in code                                      # never the pinned requirements
    assert setup.is_loopback("http://localhost:8000/") and setup.is_loopback("http://[::1]/")
    assert not setup.is_loopback("https://example.org/")


def test_published_ref_is_the_branch_pages_deploys():
    workflow = (ROOT / ".github" / "workflows" / "pages.yml").read_text()
    assert re.search(rf"branches:\s*\[\s*{source.PUBLISHED_REF}\s*\]", workflow)


def test_setup_cell_finds_a_checkout_above_it_and_explains_in_one_line_otherwise(tmp_path):
    code = setup.setup_source(setup.Published())
    nowhere = tmp_path / "empty"
    nowhere.mkdir()
    # -S as well as -I: `make setup` installs the course package into the venv (editable), and this case
    # is about an interpreter that has neither a checkout nor the package
    proc = subprocess.run([sys.executable, "-I", "-S", "-c", code], cwd=nowhere, capture_output=True, text=True)
    assert proc.returncode != 0, "lesson_code must not be importable from an isolated interpreter here"
    assert proc.stderr.strip().splitlines()[-1].startswith(
        "ModuleNotFoundError: the course package lesson_code is missing: open this notebook inside a checkout")

    checkout = tmp_path / "course"                       # a stand-in checkout, the kernel two folders down
    write(checkout / "pyproject.toml", "")
    write(checkout / "lesson_code" / "__init__.py", "")
    write(checkout / "lesson_code" / "lessonkit" / "__init__.py", "")
    (checkout / "notebooks" / "week").mkdir(parents=True)
    proc = subprocess.run([sys.executable, "-I", "-S", "-c", code], cwd=checkout / "notebooks" / "week",
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"{setup.READY} the checkout"


def test_notebook_uses_the_learners_definitions_and_runs_each_definition(tmp_path):
    nb = notebook_of(tmp_path, '''
        # Own

        ```python
        --8<-- "lesson_code/day03/cells.py:unroll"
        ```

        ```python
        from lesson_code.day03.cells import RNNCell, unroll   # the package's copies
        ```

        ```python
        --8<-- "lesson_code/day03/model.py:char_lm"
        ```
    ''')
    code = sources(nb, "code")
    assert code[2].splitlines() == ["# unroll: your definition above, not the package's copy",
                                    "from lesson_code.day03.cells import RNNCell"]
    assert "from lesson_code.day03.model import make_cell   # not shown on the page" in code[3]
    assert "from lesson_code.day03.model import unroll" not in code[3]          # defined by the notebook


# ---------------------------------------------------------------------------------------------
# The lessons' notebooks


def test_every_lesson_page_has_a_notebook():
    assert "phase-1/week-1/day-03.md" in [lesson.src_uri for lesson in LESSONS]


def test_committed_notebooks_are_in_sync_with_their_pages():
    if RESULTS_MISSING:
        pytest.fail("no results file in .cache/artifacts: run `make site` first (notebooks quote the results)",
                    pytrace=False)
    problems = out_of_sync()
    assert not problems, "\n".join(problems) + "\nrun `make notebooks` and commit notebooks/"


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_committed_notebook_is_clean_and_holds_the_page_code(lesson):
    nb = json.loads(lesson.committed.read_text(encoding="utf-8"))
    source.validate(nb)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    origins: list[dict] = []
    clean_notebook(lesson, origins)
    blocks = page_blocks.collect_blocks(lesson.page)
    assert [o["where"] for o in origins if o["where"].startswith("the block at")] == [
        f"the block at {b.where}" for b in blocks]                      # every page block, in page order
    md = "\n".join(c["source"] for c in nb["cells"] if c["cell_type"] == "markdown")
    text = lesson.committed.read_text(encoding="utf-8")
    for bad in ("127.0.0.1", "localhost", "(timed on the site)", source.TIMING_MARK, source.DRAW_MARK):
        assert bad not in text, f"{lesson.committed.name}: {bad!r} (a loopback URL or a placeholder)"
    attempts = [c for c in code if c["source"].startswith("# Your attempt at")]
    assert len(attempts) == len(re.findall(r"^### Exercise", lesson.page.read_text(), re.M))
    for leftover in ("{{", "{%", "--8<--", "<figure", "<div", "!!! ", "??? ", '=== "', "lesson-nav"):
        assert leftover not in md, f"{lesson.committed.name}: build syntax {leftover!r} left in the Markdown"
    assert "attachment:" in md                                  # figures travel with the notebook


# ---------------------------------------------------------------------------------------------
# Execution


def test_a_failing_cell_fails_execution_naming_the_cell(tmp_path):
    nb = {"cells": [{"cell_type": "code", "id": "a", "metadata": {}, "source": "x = 1", "outputs": [],
                     "execution_count": None},
                    {"cell_type": "markdown", "id": "b", "metadata": {}, "source": "text"},
                    {"cell_type": "code", "id": "c", "metadata": {}, "source": "raise ValueError('boom')",
                     "outputs": [], "execution_count": None}],
          "metadata": {"kernelspec": source.KERNELSPEC}, "nbformat": 4, "nbformat_minor": 5}
    src = tmp_path / "in.ipynb"
    src.write_text(source.dumps(nb))
    out = tmp_path / "out.ipynb"
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "notebook_exec.py"), str(src), str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1
    failure = json.loads((tmp_path / "out.ipynb.failure.json").read_text())
    assert (failure["cell"], failure["ename"], failure["evalue"]) == (2, "ValueError", "boom")
    assert not out.exists()                                     # nothing half-written


def test_the_build_names_page_cell_and_block_of_a_failure(tmp_path, monkeypatch):
    from mkdocs.exceptions import PluginError

    from scripts import notebook_hook

    lesson = source.Lesson("phase-9/week-9/lesson.md")
    nb = notebook_of(tmp_path, "# Fails\n\n```python\nx = 1\n```\n\n```python\n1 / 0\n```\n")
    origins = [{"where": "the set-up cell"}, {"where": "the block at docs/lesson.md:3"},
               {"where": "the block at docs/lesson.md:7"}]
    nb["cells"][1]["source"] = "pass"                           # no set-up needed for this check
    with pytest.raises(PluginError, match=r"notebook of docs/phase-9/week-9/lesson\.md: cell \d+ \(code cell 3 "
                                          r"of 3, the block at docs/lesson\.md:7\) failed in a fresh kernel: "
                                          r"ZeroDivisionError"):
        notebook_hook.execute(lesson, nb, tmp_path / "executed.ipynb", origins)


# ---------------------------------------------------------------------------------------------
# The built site


def built(path: str) -> Path:
    file = SITE / path
    if not file.is_file():
        pytest.fail(f"{file} is missing: run `make site` first", pytrace=False)
    return file


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_site_publishes_the_clean_download(lesson):
    assert built(lesson.download_uri).read_text(encoding="utf-8") == clean_notebook(lesson)


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_site_renders_the_executed_notebook(lesson):
    page = built(lesson.stem + "-notebook/index.html")
    html = page.read_text(encoding="utf-8")
    assert page.stat().st_size <= 1_000_000, f"{page}: {page.stat().st_size:,} bytes of HTML (budget 1 MB)"
    n_code = sum(c["cell_type"] == "code" for c in json.loads(lesson.committed.read_text())["cells"])
    assert html.count('class="jp-Cell jp-CodeCell') >= n_code
    printing = sum("print(" in c["source"] for c in json.loads(lesson.committed.read_text())["cells"])
    assert html.count('class="jp-RenderedText jp-OutputArea-output') >= printing, "a printing cell shows no output"
    for bad in ("Traceback (most recent call last)", "jp-OutputArea-error", 'data-mime-type="application/vnd.jupyter.stderr"'):
        assert bad not in html, f"{page}: {bad!r} in the rendered notebook"
    body = html[html.index('<div class="notebook-body"'):html.index("</article>")]
    assert "<script" not in body and "<style" not in body and "cdnjs" not in html


def test_search_index_has_no_notebook_code():
    index = json.loads(built("search/search_index.json").read_text())
    for lesson in LESSONS:
        entries = [d for d in index["docs"] if d["location"].startswith(lesson.stem + "-notebook/")]
        assert entries, f"{lesson.stem}: the notebook page is not in the search index at all"
        assert all("def " not in d["text"] and "import torch" not in d["text"] for d in entries)


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_lesson_page_links_download_notebook_and_colab(lesson):
    html = built(source.page_url(lesson.src_uri) + "index.html").read_text(encoding="utf-8")
    name = Path(lesson.download_uri).name
    assert re.search(rf'<a (?=[^>]*\bdownload\b)[^>]*href="\.\./{re.escape(name)}"', html), "no Download notebook link"
    assert "Download notebook" in html and "Notebook with outputs" in html
    colab = source.colab_url(setup.Published.from_config(page_blocks.mkdocs_config()), lesson)
    if colab is None:
        assert "colab.research.google.com" not in html and "Open in Colab" not in html
    else:
        assert f'href="{colab}"' in html and "Open in Colab" in html


def test_download_links_sit_under_the_title(monkeypatch):
    from scripts import notebook_hook

    lesson = source.Lesson("phase-1/week-1/day-03.md")
    built = notebook_hook.Built(lesson, Path("x"), Path("y"), [])
    monkeypatch.setitem(notebook_hook._built, lesson.src_uri, built)
    page = type("P", (), {"file": type("F", (), {"src_uri": lesson.src_uri})(), "url": "phase-1/week-1/day-03/"})()
    config = type("C", (), {"repo_url": "", "site_url": None})()
    out = notebook_hook.on_page_markdown("# Day 3: X\n\n*Phase I · a subtitle*\n\nProse.\n", page, config, None)
    lines = out.split("\n")
    assert lines[:3] == ["# Day 3: X", "", "*Phase I · a subtitle*"]
    assert "[:material-download: Download notebook](day-03.ipynb){ .md-button download }" in out
    assert "(day-03-notebook.ipynb)" in out and "Colab" not in out
    assert out.index("notebook-actions") < out.index("Prose.")
    config.repo_url = "https://github.com/o/r"
    assert "colab.research.google.com/github/o/r/blob/main/notebooks/phase-1/week-1/day-03.ipynb" in \
        notebook_hook.on_page_markdown("# T\n\nProse.\n", page, config, None)


def test_nav_lists_the_notebook_after_its_lesson():
    html = built("phase-1/week-1/day-03-notebook/index.html").read_text(encoding="utf-8")
    nav = re.findall(r'class="md-nav__link[^"]*"[^>]*>\s*(?:<span[^>]*>\s*)?([^<]+?)\s*<', html)
    titles = [t.strip() for t in nav]
    assert "Day 3 · notebook" in titles
    assert titles.index("Day 3 · notebook") == titles.index("Day 3: RNN/LSTM Essentials") + 1


def test_published_location_comes_from_the_environment_else_from_the_committed_notebook(tmp_path, monkeypatch):
    monkeypatch.setattr(source, "NOTEBOOKS_DIR", tmp_path)
    lesson = source.Lesson("phase-9/week-9/lesson.md")
    config = type("C", (), {"repo_url": "", "site_url": "http://127.0.0.1:8000/"})()
    monkeypatch.setattr(page_blocks, "mkdocs_config", lambda: config)
    assert published_for(lesson) == setup.Published()                  # nothing known, nothing committed
    write(lesson.committed, json.dumps({"metadata": {"course": {"repository": "https://github.com/o/r",
                                                                "site": "https://o.github.io/r/"}}}))
    assert published_for(lesson) == setup.Published("https://github.com/o/r", "https://o.github.io/r/")
    config.repo_url = "https://github.com/fork/r"                       # REPO_URL given: it wins
    assert published_for(lesson).repo_url == "https://github.com/fork/r"
