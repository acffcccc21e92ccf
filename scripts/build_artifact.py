"""Run one figure/results builder in a fresh process: ``python scripts/build_artifact.py MODULE OUT_DIR``.

The builder module must define ``build(out_dir: Path) -> None``. After it returns, the repository
files of every module it imported are written to ``OUT_DIR/.deps.json``, so the build hook can tell
next time whether any of its inputs changed.
"""
from __future__ import annotations

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


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: build_artifact.py MODULE OUT_DIR", file=sys.stderr)
        return 2
    module_name, out_dir = argv[0], Path(argv[1])
    sys.path.insert(0, str(ROOT))
    out_dir.mkdir(parents=True, exist_ok=True)
    builder = importlib.import_module(module_name)
    builder.build(out_dir)
    (out_dir / ".deps.json").write_text(json.dumps(imported_repo_files(), indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
