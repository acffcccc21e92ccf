"""Where the course is published, and the notebooks' first code cell, which finds or installs its code.

The notebooks are opened in three kinds of places: inside a checkout of the repository (Jupyter and
VS Code start the kernel in the notebook's own folder, ``notebooks/phase-1/week-1/``), on Colab
(opened from GitHub through the lesson page's link), and anywhere else a learner saved the
download. The set-up cell handles all three: it walks up from the working folder looking for a
checkout and imports from it; failing that it uses an installed ``lesson_code``; failing that it
installs the course from its repository at the published ref with ``%pip``; and without a known
repository it says in one line what to run.

Where the course is published (``Published``) comes from the site's configuration, which takes it
from the environment: the Pages workflow sets ``REPO_URL`` (the repository it runs in) and
``SITE_URL``. A loopback site URL (the local default of ``make serve``) is no published site. The
committed notebooks record both in their metadata, so that regenerating them on a machine that does
not know them (no ``REPO_URL`` set) keeps what they had: see ``notebooks.published_for``.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

#: The branch the site is published from (.github/workflows/pages.yml); Colab and pip use it.
PUBLISHED_REF = "main"
#: What the set-up cell prints on success; the tests look for it.
READY = "course code ready:"


def is_loopback(url: str) -> bool:
    """True for a URL naming this machine (localhost, 127.0.0.0/8, ::1): no use to anyone else."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def github_repo(repo_url: str | None) -> str | None:
    """'owner/name' of a GitHub ``repo_url``, else None (Colab opens notebooks from GitHub only)."""
    parts = urlsplit(repo_url or "")
    path = parts.path.strip("/").removesuffix(".git")
    if parts.netloc.lower() not in {"github.com", "www.github.com"} or path.count("/") != 1:
        return None
    return path


@dataclass(frozen=True)
class Published:
    """The course's public homes: its GitHub repository and its site, each None while unknown."""
    repo_url: str | None = None
    site_url: str | None = None

    @classmethod
    def from_config(cls, config) -> "Published":
        """From the site configuration: ``repo_url`` when it is a GitHub repository, ``site_url`` unless loopback."""
        repo = github_repo(getattr(config, "repo_url", None))
        site = getattr(config, "site_url", None) or None
        return cls(f"https://github.com/{repo}" if repo else None,
                   None if site is None or is_loopback(site) else site.rstrip("/") + "/")

    def or_else(self, other: "Published") -> "Published":
        """Each field from ``self`` where known, else from ``other``."""
        return Published(self.repo_url or other.repo_url, self.site_url or other.site_url)

    def as_metadata(self) -> dict:
        return {"repository": self.repo_url, "site": self.site_url}

    @classmethod
    def from_metadata(cls, meta: dict | None) -> "Published":
        meta = meta or {}
        return cls(meta.get("repository") or None, meta.get("site") or None)

    @property
    def pip_spec(self) -> str | None:
        """What ``pip install`` takes to install the course: the repository at the published ref."""
        repo = github_repo(self.repo_url)
        return f"git+https://github.com/{repo}@{PUBLISHED_REF}" if repo else None

    def colab_url(self, notebook_path: str) -> str | None:
        """Colab's address of a committed notebook (``notebooks/...ipynb``), None without a GitHub repository."""
        repo = github_repo(self.repo_url)
        if repo is None:
            return None
        return f"https://colab.research.google.com/github/{repo}/blob/{PUBLISHED_REF}/{notebook_path}"


SETUP_TEMPLATE = '''\
# Set-up: makes the course's code (the package lesson_code) importable, wherever this notebook runs.
# In a checkout of the course it uses the checkout (found by walking up from this folder); elsewhere
# an installed copy; else it installs the course with %pip (on Colab too, once per session).
import importlib
import importlib.util
import subprocess
import sys
from pathlib import Path

COURSE_PACKAGE = {spec!r}   # pip's name for the course's repository at the published branch


def find_checkout(start: Path) -> Path | None:
    """The nearest folder at or above `start` that holds the course's code and its pyproject.toml."""
    for folder in (start, *start.parents):
        if (folder / "lesson_code" / "lessonkit").is_dir() and (folder / "pyproject.toml").is_file():
            return folder
    return None


checkout = find_checkout(Path.cwd().resolve())
if checkout is not None:
    sys.path.insert(0, str(checkout))
elif importlib.util.find_spec("lesson_code") is None:
    if COURSE_PACKAGE is None:
        raise ModuleNotFoundError({missing!r})
    try:
        get_ipython().run_line_magic("pip", "install --quiet " + COURSE_PACKAGE)  # into this kernel's env
    except NameError:                                                            # plain Python, not a notebook
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", COURSE_PACKAGE], check=True)
    importlib.invalidate_caches()

import lesson_code

print({ready!r}, "the checkout" if checkout is not None else "the installed package")'''


def setup_source(published: Published) -> str:
    """The first code cell of every notebook (see the module docstring)."""
    spec = published.pip_spec
    if spec:
        missing = f"the course package lesson_code is missing; run: pip install {spec}"
    else:
        missing = ("the course package lesson_code is missing: open this notebook inside a checkout of the "
                   "course repository (after `make setup`), or pip install that repository")
    return SETUP_TEMPLATE.format(spec=spec, missing=missing, ready=READY)
