"""Execute a notebook top to bottom in a fresh kernel: ``python scripts/notebook_exec.py IN.ipynb OUT.ipynb``.

Runs in the repository root with nbclient, errors not allowed. Writes the executed notebook to
OUT and, beside it, ``OUT.deps.json``: every repository file the kernel imported, with its
SHA-256 as read before the run (so the build hook re-executes when one of them changes, as for
the figure builders; see ``scripts/build_artifact.py``). When a cell fails, nothing is written;
``OUT.failure.json`` names the cell (its index in the notebook) and the error, and the exit code is 1.
"""
from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lesson_code.lessonkit.files import atomic_write, write_json  # noqa: E402
from scripts.build_artifact import package_files, snapshot  # noqa: E402

TIMEOUT_SECONDS = 900           # per cell
ANSI = re.compile(r"\x1b\[[0-9;]*m")
DEPS_CELL = """\
import json as _json, sys as _sys
_sys.path.insert(0, {root!r})
from scripts.build_artifact import input_files as _imported
print(_json.dumps(_imported()))
"""


def failure_of(nb) -> dict:
    """The first cell with an error output: its index, the error's name and value, the traceback."""
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                return {"cell": index, "ename": out.get("ename", ""), "evalue": out.get("evalue", ""),
                        "traceback": ANSI.sub("", "\n".join(out.get("traceback", [])))}
    return {"cell": None, "ename": "", "evalue": "", "traceback": ""}


def execute(src: Path, dest: Path) -> int:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    nb = nbformat.read(src, as_version=4)
    before = snapshot(package_files(ROOT / "lesson_code")
                      + ["scripts/notebook_exec.py", "scripts/build_artifact.py"], {})
    nb.cells.append(nbformat.v4.new_code_cell(DEPS_CELL.format(root=str(ROOT)), id="deps-probe"))
    client = NotebookClient(nb, timeout=TIMEOUT_SECONDS, kernel_name="python3", allow_errors=False,
                            record_timing=False, resources={"metadata": {"path": str(ROOT)}})
    t0 = time.perf_counter()
    failure_path = dest.with_name(dest.name + ".failure.json")
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as e:
        failure = failure_of(nb)
        if failure["cell"] is None:
            failure.update(ename=type(e).__name__, evalue=ANSI.sub("", str(e)).strip().splitlines()[0])
        failure_path.write_text(json.dumps(failure) + "\n")
        print(f"notebook_exec: cell {failure['cell']} failed: {failure['ename']}: {failure['evalue']}", file=sys.stderr)
        return 1
    probe = nb.cells.pop()
    printed = "".join(o.get("text", "") for o in probe.outputs if o.get("output_type") == "stream")
    imported = json.loads(printed.strip().splitlines()[-1])
    deps = {rel: before.get(rel) or "<imported-late>" for rel in imported}
    deps.update({rel: before[rel] for rel in ("scripts/notebook_exec.py", "scripts/build_artifact.py")})
    atomic_write(dest, lambda f: nbformat.write(nb, f), mode="w")
    write_json(dest.with_name(dest.name + ".deps.json"), deps)
    dest.with_name(dest.name + ".timing.json").write_text(
        json.dumps({"seconds": round(time.perf_counter() - t0, 2)}) + "\n")
    failure_path.unlink(missing_ok=True)
    return 0


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: notebook_exec.py IN.ipynb OUT.ipynb", file=sys.stderr)
        return 2
    os.chdir(ROOT)
    return execute(Path(argv[0]), Path(argv[1]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
