"""Run one figure/results builder in a fresh process: ``python scripts/build_artifact.py MODULE OUT_DIR``.

The builder module must define ``build(out_dir: Path) -> None``. The repository files of every
module it imported are written to ``OUT_DIR/.deps.json`` with their SHA-256 as read when the run
began (or, for modules imported later, when the run ended), so the build hook can tell next time
whether any input changed, including an edit made while the builder was running.
"""
from __future__ import annotations

import hashlib
import importlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_repo_files() -> list[str]:
    """Repository-relative paths of the imported modules that live in this repository."""
    files = set()
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if not path or not Path(path).is_absolute():  # some extension modules report a bare name
            continue
        path = Path(path).resolve()
        if ROOT in path.parents and ".venv" not in path.parts and path.is_file():
            files.add(path.relative_to(ROOT).as_posix())
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
    before = snapshot([p.relative_to(ROOT).as_posix() for p in sorted(ROOT.glob("lesson_code/**/*.py"))]
                      + ["scripts/build_artifact.py"], {})
    builder = importlib.import_module(module_name)
    builder.build(out_dir)
    deps = {rel: before.get(rel) or "<imported-late>" for rel in imported_repo_files()}
    (out_dir / ".deps.json").write_text(json.dumps(deps, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
