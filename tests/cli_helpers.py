"""Helpers the tests share: run ``python -m <package>`` in a subprocess, check that a failure is exactly
one "error:" line with no traceback, and copy the course package's source for an install test."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def copy_package_source(dst: Path) -> Path:
    """The files a build of the course package reads (pyproject, README, lesson_code) copied into ``dst``."""
    dst.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, dst / name)
    shutil.copytree(REPO / "lesson_code", dst / "lesson_code", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return dst


def run_module(package: str, *args, cwd=REPO, timeout: float = 120) -> subprocess.CompletedProcess:
    """``python -m package args...`` from ``cwd`` with the repository importable; output captured as text."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", package, *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout)


def assert_one_line_error(proc: subprocess.CompletedProcess) -> str:
    """The failure's single stderr line (starting "error: "); fails the test otherwise."""
    assert proc.returncode != 0, proc
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip("\n").split("\n")
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    return lines[0]
