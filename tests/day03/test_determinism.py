"""Same seed, same versions -> byte-identical figures and data: rebuild two builders and compare
every file with what the docs build cached (`make site` runs before the tests)."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "artifacts" / "day03"


@pytest.mark.parametrize("builder", ["regimes", "gradient_norms"])
def test_rebuild_is_byte_identical(builder, tmp_path):
    cached = CACHE / builder
    if not (cached / f"{builder}.json").exists():
        pytest.fail(f"{cached} is missing: run `make site` first")
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_artifact.py"),
                    f"lesson_code.day03.figures.{builder}", str(tmp_path)], cwd=ROOT, check=True)
    outputs = sorted(p.name for p in cached.iterdir() if not p.name.startswith("."))
    assert outputs == sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("."))
    for name in outputs:
        assert (tmp_path / name).read_bytes() == (cached / name).read_bytes(), name
    svg = (tmp_path / next(n for n in outputs if n.endswith(".svg"))).read_text()
    assert "<dc:date>" not in svg  # no timestamp in the figures
