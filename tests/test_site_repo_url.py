"""The site built with a repository URL (as the Pages workflow builds it): repository, edit and Colab links.

Builds the whole site once more, strict, with ``REPO_URL`` set, into a temporary folder. The
figures and the executed notebooks come from the caches the main build filled (naming a repository
changes only the notebooks' set-up cell, which their cache key leaves out), so this takes seconds;
with stale figures it stops instead of rebuilding them for minutes.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from scripts import artifact_hook
from scripts import notebook_source as source

ROOT = Path(__file__).resolve().parent.parent
REPO = "https://github.com/example-owner/example-course"
LESSONS = source.lessons()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    stale = [f"{b.lesson}/{b.name}" for b in artifact_hook.discover() if not artifact_hook.is_fresh(b)]
    if stale:
        pytest.fail(f"figures not built or stale ({', '.join(stale)}): run `make site` first", pytrace=False)
    out = tmp_path_factory.mktemp("site-with-repo")
    env = dict(os.environ, REPO_URL=REPO, NO_MKDOCS_2_WARNING="1")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.stem for lesson in LESSONS])
def test_lesson_page_has_download_outputs_colab_and_edit_links(site, lesson):
    html = (site / source.page_url(lesson.src_uri) / "index.html").read_text(encoding="utf-8")
    colab = f"https://colab.research.google.com/github/example-owner/example-course/blob/main/notebooks/{lesson.download_uri}"
    assert f'href="{colab}"' in html and "Open in Colab" in html
    assert "Download notebook" in html and "Notebook with outputs" in html
    assert f'href="{REPO}/edit/main/docs/{lesson.src_uri}"' in html          # Material's edit button
    assert f'href="{REPO}"' in html                                            # the header's repository link

    notebook_page = (site / (lesson.stem + "-notebook") / "index.html").read_text(encoding="utf-8")
    assert f'href="{colab}"' in notebook_page
    assert f'href="{REPO}/edit/main/docs/{lesson.src_uri}"' in notebook_page   # it is generated from the page


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.stem for lesson in LESSONS])
def test_published_notebook_installs_from_the_repository(site, lesson):
    nb = json.loads((site / lesson.download_uri).read_text(encoding="utf-8"))
    setup_cell = next(c for c in nb["cells"] if c["cell_type"] == "code")["source"]
    assert "COURSE_PACKAGE = 'git+https://github.com/example-owner/example-course@main'" in setup_cell
    assert nb["metadata"]["course"]["repository"] == REPO
    text = json.dumps(nb)
    assert not re.search(r"127\.0\.0\.1|localhost", text), "a loopback URL in the published notebook"
