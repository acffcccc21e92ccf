"""Every ``python`` block of every docs page runs: snippets expanded as the build does, blocks in page
order, once, one namespace per page, cwd = repo root. See scripts/page_blocks.py for the collector.

Opt-out: the invisible marker ``<!-- skip-run -->`` on the line directly before a block's fence.
"""
from __future__ import annotations

import textwrap

import pytest

from scripts.page_blocks import (
    PageError, built_python_blocks, collect_blocks, display_path, docs_pages, normalise_code, run_page, scan_page,
)

PAGES = docs_pages()


@pytest.mark.parametrize("page", PAGES, ids=[display_path(p).removeprefix("docs/") for p in PAGES])
def test_page_python_blocks_run(page):
    try:
        run_page(page)
        failure = None
    except PageError as e:
        failure = str(e)
    if failure:
        pytest.fail(failure, pytrace=False)


def test_skip_run_markers_are_few_and_placed(capsys):
    skipped, stray, errors = [], [], []
    for page in PAGES:
        try:
            scan = scan_page(page)
        except PageError as e:
            errors.append(str(e))
            continue
        skipped += [b.where for b in scan.blocks if b.skip]
        stray += [f"{scan.page}:{line}" for line in scan.stray_markers]
    with capsys.disabled():
        print(f"\n[skip-run] {len(skipped)} python block(s) opted out of running"
              + "".join(f"\n  {w}" for w in skipped))
    assert not errors, "\n".join(errors)
    assert not stray, (
        "<!-- skip-run --> marker(s) not on the line directly before a ```python fence "
        "(they skip nothing): " + ", ".join(stray))


# ---------------------------------------------------------------------------------------------
# The runner itself


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    return path


def test_runner_reports_page_and_line_of_a_broken_block(tmp_path):
    page = write(tmp_path / "broken.md", """
        # Broken

        ```python
        x = 1
        ```

        Some prose.

        ```python title="boom"
        y = x + 1
        raise ValueError("deliberately broken")
        ```
    """)
    with pytest.raises(PageError) as err:
        run_page(page, base_paths=[tmp_path])
    msg = str(err.value)
    assert msg.startswith(f"{page}:9: python block (block 2 of 2) failed")
    assert "ValueError: deliberately broken" in msg
    assert "page line 11" in msg
    assert f'File "{page}:9", line 2' in msg   # the traceback names the page and the block


def test_runner_reports_syntax_errors_with_page_line(tmp_path):
    page = write(tmp_path / "syntax.md", """
        ```py
        def f(:
        ```
    """)
    with pytest.raises(PageError, match=rf"^{page}:1: .*SyntaxError"):
        run_page(page, base_paths=[tmp_path])


def test_blocks_share_one_namespace_in_page_order(tmp_path):
    out = tmp_path / "out.txt"
    page = write(tmp_path / "two.md", f"""
        ```python
        import pathlib
        calls = ["first"]
        ```

        !!! note "inside an admonition"

            ```python
            calls.append("second")
            ```

        ```python
        calls.append("third")
        pathlib.Path({str(out)!r}).write_text(",".join(calls))
        ```
    """)
    assert [b.line for b in collect_blocks(page, [tmp_path])] == [1, 8, 12]
    run_page(page, base_paths=[tmp_path])
    assert out.read_text() == "first,second,third"   # shared namespace, each block once, in order


def test_skip_run_block_is_not_executed(tmp_path):
    page = write(tmp_path / "skip.md", """
        ```python
        ran = True
        ```

        <!--   skip-run   -->
        ```python
        raise RuntimeError("a skipped block ran")
        ```
    """)
    blocks = collect_blocks(page, [tmp_path])
    assert [(b.line, b.skip) for b in blocks] == [(1, False), (6, True)]
    run_page(page, base_paths=[tmp_path])


def test_stray_skip_run_marker_is_reported(tmp_path):
    page = write(tmp_path / "stray.md", """
        <!-- skip-run -->

        ```python
        pass
        ```

        <!-- skip-run -->
        Prose, not a fence.

        ```text
        <!-- skip-run -->
        ```
    """)
    scan = scan_page(page, [tmp_path])
    assert [b.skip for b in scan.blocks] == [False]
    assert scan.stray_markers == [1, 7]   # the one inside the text fence is content, not a marker


def test_snippet_include_is_expanded(tmp_path):
    write(tmp_path / "pkg" / "mod.py", """
        import math
        # --8<-- [start:area]
        def area(r):
            return math.pi * r * r
        # --8<-- [end:area]
    """)
    out = tmp_path / "area.txt"
    page = write(tmp_path / "inc.md", f"""
        ```python
        import math
        ```

        ```python title="pkg/mod.py"
        --8<-- "pkg/mod.py:area"
        ```

        ```python
        open({str(out)!r}, "w").write(str(round(area(1.0), 5)))
        ```
    """)
    blocks = collect_blocks(page, [tmp_path])
    assert [b.line for b in blocks] == [1, 5, 9]
    assert blocks[1].code == "def area(r):\n    return math.pi * r * r\n"
    assert blocks[1].page_lines == [6, 6]            # both lines come from the snippet line
    run_page(page, base_paths=[tmp_path])
    assert out.read_text() == "3.14159"


def test_missing_snippet_fails_like_the_build(tmp_path):
    page = write(tmp_path / "missing.md", """
        ```python
        --8<-- "nope.py"
        ```
    """)
    with pytest.raises(PageError, match="snippet expansion failed.*nope.py"):
        collect_blocks(page, [tmp_path])


def test_front_matter_keeps_line_numbers_and_jinja_is_refused(tmp_path):
    page = write(tmp_path / "macros.md", """
        ---
        render_macros: true
        ---

        ```python
        print(f"{{x}}")
        ```
    """)
    assert [b.line for b in collect_blocks(page, [tmp_path])] == [5]
    with pytest.raises(PageError, match=rf"^{page}:5: this page has render_macros: true"):
        run_page(page, base_paths=[tmp_path])


def test_python_fence_that_does_not_parse_is_an_error(tmp_path):
    page = write(tmp_path / "indented.md", """
        Text.

            ```python
            print("in an indented code block: never runs")
            ```
    """)
    with pytest.raises(PageError, match=rf"{page}:3: looks like a python fence"):
        collect_blocks(page, [tmp_path])


@pytest.mark.parametrize("page", PAGES, ids=[display_path(p).removeprefix("docs/") for p in PAGES])
def test_runner_sees_the_blocks_the_build_renders(page):
    """The collector (markdown-it) and the build (Python-Markdown + superfences) agree on the blocks."""
    ours = [normalise_code(b.code) for b in collect_blocks(page)]
    built = [normalise_code(c) for c in built_python_blocks(page)]
    assert ours == built, (
        f"{display_path(page)}: the runner found {len(ours)} python block(s), the build renders "
        f"{len(built)}; they differ (a fence the runner parses differently from the build)")
