"""Run a notebook as a learner does: ``python scripts/run_notebook.py NOTEBOOK.ipynb [--out EXECUTED.ipynb]``.

The kernel is the Python running this script and starts in the notebook's own folder (as Jupyter
and VS Code start it); every cell runs top to bottom, errors not allowed, cells tagged
``skip-execution`` skipped. Prints one JSON line: the total seconds and the seconds of each code
cell (by its index in the notebook). A failing cell prints one line naming it and the error, and
the exit code is 1.

It imports nothing from the repository, so the learner test can run it with the interpreter of a
fresh environment outside the checkout.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from datetime import datetime
from pathlib import Path

TIMEOUT_SECONDS = 1800          # per cell
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def cell_seconds(cell) -> float | None:
    """The seconds nbclient recorded between the cell's start and the kernel's reply."""
    timing = cell.get("metadata", {}).get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not (start and end):
        return None
    parse = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))  # noqa: E731
    return round((parse(end) - parse(start)).total_seconds(), 2)


def first_error(nb) -> str:
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                return f"cell {index}: {out.get('ename', '')}: {ANSI.sub('', out.get('evalue', ''))}"
    return "no cell reported an error"


def run(path: Path, out: Path | None) -> int:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=TIMEOUT_SECONDS, kernel_name="python3", allow_errors=False,
                            record_timing=True, resources={"metadata": {"path": str(path.parent.resolve())}})
    t0 = time.perf_counter()
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as e:
        detail = first_error(nb) if not isinstance(e, (CellTimeoutError, DeadKernelError)) else type(e).__name__
        print(f"run_notebook: {path}: {detail}", file=sys.stderr)
        return 1
    seconds = {str(i): s for i, c in enumerate(nb.cells) if c.cell_type == "code" and (s := cell_seconds(c)) is not None}
    if out is not None:
        nbformat.write(nb, out)
    print(json.dumps({"notebook": str(path), "seconds": round(time.perf_counter() - t0, 1), "cells": seconds}))
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--out", type=Path, default=None, help="write the executed notebook here")
    args = parser.parse_args(argv)
    if not args.notebook.is_file():
        print(f"error: {args.notebook} is not a file", file=sys.stderr)
        return 2
    return run(args.notebook, args.out)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
