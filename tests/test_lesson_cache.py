"""Where downloaded data goes: the checkout's .cache, $EDL_CACHE_DIR, or the user cache when installed."""
from __future__ import annotations

from pathlib import Path

from lesson_code.lessonkit import cache

ROOT = Path(__file__).resolve().parent.parent


def test_checkout_uses_the_repository_cache(monkeypatch):
    monkeypatch.delenv(cache.ENV_VAR, raising=False)
    assert cache.in_checkout()
    assert cache.cache_dir("corpus") == ROOT / ".cache" / "corpus"


def test_environment_variable_overrides(monkeypatch, tmp_path):
    monkeypatch.setenv(cache.ENV_VAR, str(tmp_path))
    assert cache.cache_dir("corpus") == tmp_path / "corpus"


def test_installed_package_uses_the_user_cache(monkeypatch, tmp_path):
    monkeypatch.delenv(cache.ENV_VAR, raising=False)
    monkeypatch.setattr(cache, "PACKAGE_PARENT", tmp_path / "site-packages")   # no pyproject.toml there
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir("corpus") == tmp_path / "xdg" / "executable-dl" / "corpus"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_dir("corpus") == tmp_path / "home" / ".cache" / "executable-dl" / "corpus"
