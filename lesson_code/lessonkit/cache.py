"""Where the lessons keep downloaded data: in the repository when run from a checkout, else the user cache.

``cache_dir("corpus")`` is, in order: ``$EDL_CACHE_DIR/corpus`` when that variable is set;
``<repo>/.cache/corpus`` in a checkout of the course repository (the set-up fills it); otherwise,
for the installed package (say on Colab), ``$XDG_CACHE_HOME/executable-dl/corpus``, by default
``~/.cache/executable-dl/corpus``.
"""
from __future__ import annotations

import os
from pathlib import Path

#: The folder that holds ``lesson_code/``: the repository root in a checkout, site-packages when installed.
PACKAGE_PARENT = Path(__file__).resolve().parent.parent.parent
ENV_VAR = "EDL_CACHE_DIR"
APP_NAME = "executable-dl"


def in_checkout() -> bool:
    """True when ``lesson_code`` is imported from a checkout of the course repository."""
    return (PACKAGE_PARENT / "pyproject.toml").is_file() and (PACKAGE_PARENT / "mkdocs.yml").is_file()


def cache_root() -> Path:
    """The folder under which each kind of downloaded data has its own subfolder (see the module doc)."""
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    if in_checkout():
        return PACKAGE_PARENT / ".cache"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / APP_NAME


def cache_dir(name: str) -> Path:
    """The cache folder for one kind of data, e.g. ``cache_dir("corpus")``; not created here."""
    return cache_root() / name
