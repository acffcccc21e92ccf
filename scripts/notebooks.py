"""The committed notebooks: ``python -m scripts.notebooks write`` regenerates ``notebooks/`` from the pages
(``make notebooks``); ``check`` lists the notebooks that are out of sync with their pages and exits 1;
``time`` runs each notebook in its folder and records how long each cell took in
``notebooks/cell-times.json`` (long cells then state their time: run ``write`` after it).

Where the course is published (its GitHub repository, its site) comes from the environment
(``REPO_URL``, ``SITE_URL``: the Pages workflow sets both); where it is not given, a notebook keeps
what its committed copy records, so regenerating on a machine that does not know them changes
nothing. ``make notebooks REPO_URL=https://github.com/OWNER/REPO`` records a new repository.

The numbers a page quotes come from its lesson's results file, so both first bring the figure
builders' outputs up to date (the build hook's own cached builders: nothing reruns when unchanged).
"""
from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from lesson_code.lessonkit.files import atomic_write_bytes
from scripts import notebook_setup as setup
from scripts import notebook_source as source
from scripts import page_blocks

RUNNER = source.ROOT / "scripts" / "run_notebook.py"


def published_for(lesson: source.Lesson) -> setup.Published:
    """Where the course is published, for ``lesson``'s notebook: the configuration's (the environment's)
    repository and site where known, else what the committed notebook records."""
    configured = setup.Published.from_config(page_blocks.mkdocs_config())
    try:
        recorded = json.loads(lesson.committed.read_text(encoding="utf-8"))["metadata"].get("course")
    except (OSError, ValueError, KeyError):
        recorded = None
    return configured.or_else(setup.Published.from_metadata(recorded))


def clean_links(published: setup.Published) -> source.Links:
    """Links of the downloadable notebook: absolute on the published site (none without one), figures embedded."""
    return source.Links(base=published.site_url, embed=True, site_files=source.site_files())


def clean_notebook(lesson: source.Lesson, origins: list[dict] | None = None) -> str:
    """The clean notebook of ``lesson``, as the text of its .ipynb file."""
    published = published_for(lesson)
    nb = source.build(lesson, clean_links(published), published, origins=origins)
    source.validate(nb)
    return source.dumps(nb)


def time_cells(lessons: list[source.Lesson]) -> dict[str, dict[str, float]]:
    """Run each lesson's clean notebook where it is committed (a copy beside it, kernel in that folder)
    and return the seconds of every code cell, by lesson stem and cell key."""
    times = {}
    for lesson in lessons:
        origins: list[dict] = []
        text = clean_notebook(lesson, origins)
        lesson.committed.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", suffix=".ipynb", dir=lesson.committed.parent, delete=False) as f:
            f.write(text)
        try:
            # One thread from the start, as the long cells then set it: the times they state are one thread's.
            proc = subprocess.run([sys.executable, str(RUNNER), f.name], capture_output=True, text=True,
                                  env=dict(os.environ, OMP_NUM_THREADS="1"))
        finally:
            os.unlink(f.name)
        if proc.returncode != 0:
            raise RuntimeError(f"{lesson.committed.name} failed: {proc.stderr.strip().splitlines()[-1]}")
        ran = json.loads(proc.stdout.strip().splitlines()[-1])
        code_indices = [i for i, c in enumerate(json.loads(text)["cells"]) if c["cell_type"] == "code"]
        times[lesson.stem] = {origin["key"]: ran["cells"][str(i)] for i, origin in zip(code_indices, origins)
                              if str(i) in ran["cells"] and origin["key"] != "setup"}
        print(f"notebooks: {lesson.committed.relative_to(source.ROOT)} ran in {ran['seconds']} s")
    return times


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
    if argv not in (["write"], ["check"], ["time"]):
        print("usage: python -m scripts.notebooks write|check|time", file=sys.stderr)
        return 2
    try:
        build_results()
        if argv == ["time"]:
            times = time_cells(source.lessons())
            atomic_write(source.CELL_TIMES, json.dumps(times, indent=1, sort_keys=True) + "\n")
            print(f"notebooks: {source.CELL_TIMES.relative_to(source.ROOT)} written; now run `make notebooks`")
            return 0
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
