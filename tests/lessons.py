"""The lessons the tests know about, found by discovery, never by name: every package
``lesson_code/<lesson>/figures/__init__.py`` that declares BUILDERS and SITE_DIR is a lesson."""
from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / ".cache" / "artifacts"


@dataclass(frozen=True)
class Lesson:
    name: str                       # e.g. "day03"
    site_dir: str                   # where its figures are published
    builders: tuple[str, ...]       # all its figure/results builders
    rebuild_in_tests: tuple[str, ...]  # the cheap builders the determinism test rebuilds

    @property
    def results_path(self) -> Path:
        return ARTIFACTS / self.name / "results.json"


def discover() -> list[Lesson]:
    """Every lesson with figure builders, in name order."""
    lessons = []
    for registry in sorted((ROOT / "lesson_code").glob("*/figures/__init__.py")):
        name = registry.parent.parent.name
        mod = importlib.import_module(f"lesson_code.{name}.figures")
        lessons.append(Lesson(name, mod.SITE_DIR, tuple(mod.BUILDERS), tuple(getattr(mod, "REBUILD_IN_TESTS", ()))))
    return lessons


def results(name: str) -> dict:
    """The results file the lesson's page quotes from (built by `make site`); fails if missing."""
    path = ARTIFACTS / name / "results.json"
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make site` first (it builds the figures and results)", pytrace=False)
    return json.loads(path.read_text())
