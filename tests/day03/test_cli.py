"""CLI: one-line errors without tracebacks or files, a tiny train -> sample round trip, dispatch."""

import json
import sys
import types
from pathlib import Path

import pytest

from lesson_code.day03 import cli
from lesson_code.day03.corpus import EXCERPT_PATH
from tests.cli_helpers import assert_one_line_error, run_module

REPO = Path(__file__).resolve().parents[2]
TINY = ["--text", str(EXCERPT_PATH), "--hidden", "24", "--layers", "1", "--embed", "8",
        "--batch-size", "8", "--seq-len", "16", "--eval-every", "5", "--threads", "1", "--no-progress"]


def run(*args, cwd=REPO):
    return run_module("lesson_code.day03", *args, cwd=cwd)


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    path = tmp_path_factory.mktemp("ck") / "tiny.pt"
    proc = run("train", "--steps", 5, "--checkpoint", path, "--seed", 1, *TINY)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert path.is_file()
    assert "val" in proc.stdout and "wrote" in proc.stdout
    return path


def test_train_with_forget_bias_keeps_it_in_the_checkpoint(tmp_path):
    import torch

    path = tmp_path / "fb.pt"
    proc = run("train", "--steps", 2, "--checkpoint", path, "--forget-bias", "1", *TINY, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "forget bias 1" in proc.stdout
    saved = torch.load(path, map_location="cpu", weights_only=False)
    config = next(v for k, v in saved.items() if "config" in k and isinstance(v, dict) and "cell" in v)
    assert config["forget_bias"] == 1.0


def test_train_then_sample(checkpoint):
    a = run("sample", "--checkpoint", checkpoint, "--prompt", "First", "--length", 40, "--seed", 3)
    assert a.returncode == 0, a.stderr
    assert a.stdout.startswith("First") and len(a.stdout.rstrip("\n")) >= 40
    b = run("sample", "--checkpoint", checkpoint, "--prompt", "First", "--length", 40, "--seed", 3,
            "--temperature", "0.7", "--top-k", "5")
    c = run("sample", "--checkpoint", checkpoint, "--prompt", "First", "--length", 40, "--seed", 3,
            "--temperature", "0.7", "--top-k", "5")
    assert b.returncode == 0 and b.stdout == c.stdout


PARSE_ERRORS = [
    [],
    ["fly"],
    ["train", "--steps", "abc"],
    ["train", "--steps", "-3"],
    ["train", "--steps", "0"],
    ["train", "--steps", "2.5"],
    ["train", "--minutes", "0"],
    ["train", "--minutes", "nan"],
    ["train", "--steps", "5", "--minutes", "1"],
    ["train", "--lr", "-1"],
    ["train", "--dropout", "1.5"],
    ["train", "--hidden", "0"],
    ["train", "--cell", "transformer"],
    ["train", "--bogus"],
    ["train", "--reset-prob", "-0.1"],
    ["train", "--reset-prob", "1.5"],
    ["train", "--reset-prob", "abc"],
    ["train", "--threads", "0"],
    ["train", "--forget-bias", "nan"],
    ["train", "--forget-bias", "one"],
    ["sample", "--temperature", "0"],
    ["sample", "--temperature", "-1"],
    ["sample", "--temperature", "inf"],
    ["sample", "--length", "-5"],
    ["sample", "--top-k", "0"],
    ["sample", "--prompt", ""],
    ["sample", "--seed", "x"],
    ["experiment"],
]


@pytest.mark.parametrize("args", PARSE_ERRORS, ids=lambda a: " ".join(a) or "no-command")
def test_bad_arguments_give_one_line(args, tmp_path):
    proc = run(*args, cwd=tmp_path)
    assert proc.returncode == 2
    assert_one_line_error(proc)
    assert list(tmp_path.iterdir()) == []


def test_runtime_errors_give_one_line_and_leave_no_file(tmp_path, checkpoint):
    ck = tmp_path / "out" / "model.pt"
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "binary.txt").write_bytes(b"\xff\xfe\x00\x81 not utf-8")
    (tmp_path / "corrupt.pt").write_bytes(b"definitely not a checkpoint")
    (tmp_path / "adir").mkdir()
    cases = [
        (["train", "--steps", "3", "--checkpoint", ck, "--text", tmp_path / "missing.txt"], "not found"),
        (["train", "--steps", "3", "--checkpoint", ck, "--text", tmp_path / "empty.txt"], "empty"),
        (["train", "--steps", "3", "--checkpoint", ck, "--text", tmp_path / "binary.txt"], "UTF-8"),
        (["train", "--steps", "3", "--checkpoint", ck, "--text", tmp_path], "directory"),
        (["train", "--steps", "3", "--checkpoint", tmp_path / "adir", *TINY], "directory"),
        (["train", "--steps", "3", "--checkpoint", ck, *TINY, "--batch-size", "100000"], "batch"),
        (["train", "--steps", "3", "--checkpoint", ck, *TINY, "--cell", "gru", "--forget-bias", "1"], "--forget-bias"),
        (["sample", "--checkpoint", tmp_path / "missing.pt"], "not found"),
        (["sample", "--checkpoint", tmp_path / "corrupt.pt"], "corrupt"),
        (["sample", "--checkpoint", checkpoint, "--prompt", "Zebra \u00e9"], "'\u00e9' (U+00E9)"),
        (["experiment", "no_such_experiment"], "experiment"),
    ]
    import torch

    if not torch.cuda.is_available():
        cases.append((["train", "--steps", "3", "--checkpoint", ck, "--device", "cuda", *TINY], "CUDA"))
    for args, fragment in cases:
        proc = run(*args, cwd=tmp_path)
        assert proc.returncode == 1, (args, proc.stderr)
        line = assert_one_line_error(proc)
        assert fragment in line, (args, line)
    assert not (tmp_path / "out").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adir", "binary.txt", "corrupt.pt", "empty.txt"]


def test_help_everywhere():
    for args in ([], ["train"], ["sample"], ["experiment"]):
        proc = run(*args, "--help")
        assert proc.returncode == 0 and "usage:" in proc.stdout, args
    train_help = run("train", "--help").stdout
    assert "Julius Caesar" in train_help and "--reset-prob" in train_help
    assert "--threads 1 can be much faster" in " ".join(train_help.split())


def test_defaults_leave_threads_to_torch():
    parser = cli.build_parser()
    for command in ("train", "sample"):
        assert parser.parse_args([command]).threads is None
    args = parser.parse_args(["train", "--threads", "1", "--reset-prob", "0"])
    assert args.threads == 1 and args.reset_prob == 0.0
    assert parser.parse_args(["train"]).reset_prob == cli.DEFAULTS["reset_prob"]


def test_experiment_dispatch(monkeypatch, capsys):
    fake = types.ModuleType("lesson_code.day03.experiments")
    fake.EXPERIMENTS = {"echo": lambda seed=0: {"seed": seed, "values": [1.5, 2.5]}}
    monkeypatch.setitem(sys.modules, "lesson_code.day03.experiments", fake)
    monkeypatch.setattr(sys.modules["lesson_code.day03"], "experiments", fake, raising=False)
    assert cli.main(["experiment", "echo", "--seed", "4"]) == 0
    assert json.loads(capsys.readouterr().out) == {"seed": 4, "values": [1.5, 2.5]}
    assert cli.main(["experiment", "nope"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: unknown experiment 'nope'") and "echo" in err
