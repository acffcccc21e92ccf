"""The committed notebooks: ``python -m scripts.notebooks write`` regenerates ``notebooks/`` from the pages
(``make notebooks``); ``check`` lists the notebooks that are out of sync with their pages and exits 1.

The numbers a page quotes come from its lesson's results file, so both first bring the figure
builders' outputs up to date (the build hook's own cached builders: nothing reruns when unchanged).
"""
from __future__ import annotations

import fcntl
import os
import sys
from pathlib import Path

from lesson_code.lessonkit.files import atomic_write_bytes
from scripts import notebook_source as source
from scripts import page_blocks


def clean_links() -> source.Links:
    """Links of the downloadable notebook: absolute on the published site, figures embedded."""
    site_url = page_blocks.mkdocs_config().site_url or ""
    base = (site_url.rstrip("/") + "/") if site_url else None
    return source.Links(base=base, embed=True, site_files=source.site_files())


def clean_notebook(lesson: source.Lesson) -> str:
    """The clean notebook of ``lesson``, as the text of its .ipynb file."""
    config = page_blocks.mkdocs_config()
    nb = source.build(lesson, clean_links(), config.repo_url or "")
    source.validate(nb)
    return source.dumps(nb)


def build_results() -> None:
    """Bring every lesson's figures and results file up to date (cached builders, as in the build)."""
    from scripts import artifact_hook

    builders = artifact_hook.discover()
    artifact_hook.CACHE.mkdir(parents=True, exist_ok=True)
    with open(artifact_hook.CACHE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        artifact_hook.build_all(builders, jobs=int(os.environ.get("ARTIFACT_JOBS", "2")))
        artifact_hook.write_results(builders)


def atomic_write(path: Path, text: str) -> None:
    """Write UTF-8 text atomically (lessonkit's atomic write)."""
    atomic_write_bytes(path, text.encode("utf-8"))


def stale_files(lessons: list[source.Lesson]) -> list[Path]:
    """Committed notebooks whose page no longer exists or no longer has code."""
    wanted = {lesson.committed for lesson in lessons}
    return sorted(p for p in source.NOTEBOOKS_DIR.rglob("*.ipynb") if p not in wanted)


def out_of_sync() -> list[str]:
    """One line per committed notebook that differs from its page (missing, changed or stale)."""
    lessons = source.lessons()
    problems = []
    for lesson in lessons:
        rel = lesson.committed.relative_to(source.ROOT)
        if not lesson.committed.is_file():
            problems.append(f"{rel}: missing (the page {lesson.src_uri} has code)")
        elif lesson.committed.read_text(encoding="utf-8") != clean_notebook(lesson):
            problems.append(f"{rel}: differs from what docs/{lesson.src_uri} generates")
    problems += [f"{p.relative_to(source.ROOT)}: no page generates it any more" for p in stale_files(lessons)]
    return problems


def main(argv: list[str]) -> int:
    if argv not in (["write"], ["check"]):
        print("usage: python -m scripts.notebooks write|check", file=sys.stderr)
        return 2
    try:
        build_results()
        if argv == ["check"]:
            problems = out_of_sync()
            for line in problems:
                print(line, file=sys.stderr)
            if problems:
                print("notebooks: out of sync with their pages; run `make notebooks` and commit notebooks/",
                      file=sys.stderr)
            return 1 if problems else 0
        lessons = source.lessons()
        for lesson in lessons:
            text = clean_notebook(lesson)
            rel = lesson.committed.relative_to(source.ROOT)
            if lesson.committed.is_file() and lesson.committed.read_text(encoding="utf-8") == text:
                print(f"notebooks: {rel} up to date")
            else:
                atomic_write(lesson.committed, text)
                print(f"notebooks: {rel} written")
        for path in stale_files(lessons):
            path.unlink()
            print(f"notebooks: {path.relative_to(source.ROOT)} removed (no page generates it)")
    except (source.NotebookSourceError, page_blocks.PageError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except Exception as e:  # a builder failure (PluginError) and the like: one line, then the details
        print(f"error: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
