"""Same seed, same versions -> byte-identical figures and data: for every lesson, rebuild the cheap
builders it names in REBUILD_IN_TESTS and compare every file with what the docs build cached
(`make site` runs before the tests). Lessons are discovered, not named."""
import subprocess
import sys

import pytest

from tests.lessons import ARTIFACTS, ROOT, discover

CASES = [(lesson.name, builder) for lesson in discover() for builder in lesson.rebuild_in_tests]


def test_every_lesson_names_a_builder_to_rebuild():
    missing = [lesson.name for lesson in discover() if not lesson.rebuild_in_tests]
    assert not missing, f"lessons without REBUILD_IN_TESTS in figures/__init__.py: {missing}"


@pytest.mark.parametrize("lesson,builder", CASES, ids=[f"{l}/{b}" for l, b in CASES])
def test_rebuild_is_byte_identical(lesson, builder, tmp_path):
    cached = ARTIFACTS / lesson / builder
    if not (cached / f"{builder}.json").exists():
        pytest.fail(f"{cached} is missing: run `make site` first")
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_artifact.py"),
                    f"lesson_code.{lesson}.figures.{builder}", str(tmp_path)], cwd=ROOT, check=True)
    outputs = sorted(p.name for p in cached.iterdir() if not p.name.startswith("."))
    assert outputs == sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("."))
    for name in outputs:
        assert (tmp_path / name).read_bytes() == (cached / name).read_bytes(), name
    for svg in (tmp_path / n for n in outputs if n.endswith(".svg")):
        assert "<dc:date>" not in svg.read_text()  # no timestamp in the figures
