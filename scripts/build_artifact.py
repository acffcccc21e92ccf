"""Run one figure/results builder in a fresh process: ``python scripts/build_artifact.py MODULE OUT_DIR``.

The builder module must define ``build(out_dir: Path) -> None``. Its inputs are discovered, never
listed by hand: every file of its own lesson's package (the whole package, so a module it runs in a
subprocess, such as the lesson's CLI, or a data file it reads counts too); of every other
``lesson_code`` package (lessonkit, earlier lessons), the modules it imported and the package's
data files (so an edit to a Day 3 module Day 4 never imports does not rebuild Day 4); lesson_code's
own top-level modules; and this runner. They are written to ``OUT_DIR/.deps.json`` with their SHA-256 as
read when the run began (or, for files that appeared later, when it ended), so the build hook can
tell next time whether any input changed, including an edit made while the builder was running.
"""
from __future__ import annotations

import hashlib
import importlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def package_files(package_dir: Path) -> list[str]:
    """Every source and data file under one package folder (no caches), repository-relative."""
    return [p.relative_to(ROOT).as_posix() for p in sorted(package_dir.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo")]


def input_files(own_lesson: str | None = None) -> list[str]:
    """The run's inputs: every file of each lesson_code package it imported, and lesson_code's own modules.

    With ``own_lesson`` (a builder's lesson), only that package is taken whole; of any other package
    (lessonkit, earlier lessons) the modules imported plus its data (non-Python) files. Without it (a
    notebook, which may shell out to any lesson's CLI), every imported package is taken whole.
    """
    lesson_code = ROOT / "lesson_code"
    files = set(package_files(lesson_code / own_lesson)) if own_lesson else set()
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if not path or not Path(path).is_absolute():  # some extension modules report a bare name
            continue
        path = Path(path).resolve()
        if lesson_code not in path.parents:
            continue
        top = lesson_code / path.relative_to(lesson_code).parts[0]  # lesson_code/<package> or a top-level module
        if not top.is_dir():
            files.add(top.relative_to(ROOT).as_posix())
        elif own_lesson is None:
            files.update(package_files(top))
        else:
            files.add(path.relative_to(ROOT).as_posix())
            files.update(f for f in package_files(top) if not f.endswith(".py"))
    return sorted(files)


def snapshot(files: list[str], known: dict[str, str]) -> dict[str, str]:
    """``known`` plus the SHA-256 of each file in ``files`` not hashed yet."""
    out = dict(known)
    for rel in files:
        if rel not in out:
            out[rel] = hashlib.sha256((ROOT / rel).read_bytes()).hexdigest()
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: build_artifact.py MODULE OUT_DIR", file=sys.stderr)
        return 2
    module_name, out_dir = argv[0], Path(argv[1])
    sys.path.insert(0, str(ROOT))
    out_dir.mkdir(parents=True, exist_ok=True)
    # Hash every repository module before anything is imported: a file edited while the builder
    # runs then no longer matches what is recorded, and the next build runs the builder again.
    before = snapshot(package_files(ROOT / "lesson_code") + ["scripts/build_artifact.py"], {})
    builder = importlib.import_module(module_name)
    builder.build(out_dir)
    own_lesson = module_name.split(".")[1]  # lesson_code.<lesson>.figures.<name>
    deps = {rel: before.get(rel) or "<imported-late>"
            for rel in input_files(own_lesson) + ["scripts/build_artifact.py"]}
    (out_dir / ".deps.json").write_text(json.dumps(deps, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
