"""Day 4 CLI and checkpoint: one-line errors, a tiny train -> translate round trip, no half-written files."""
from pathlib import Path

import pytest
import torch

from lesson_code.day04 import cli
from lesson_code.day04.checkpoint import FORMAT, CheckpointError, load_checkpoint, save_checkpoint
from lesson_code.day04.model import Seq2Seq, Seq2SeqConfig
from lesson_code.day04.numbers import batch_of_numbers, source_vocab, target_vocab
from tests.cli_helpers import assert_one_line_error, run_module

REPO = Path(__file__).resolve().parents[2]
TINY = ["--hidden", "16", "--embed", "8", "--max-digits", "2", "--batch-size", "32", "--eval-every", "5",
        "--threads", "1", "--no-progress"]


def run(*args):
    return run_module("lesson_code.day04", *args)


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    path = tmp_path_factory.mktemp("ck") / "tiny.pt"
    proc = run("train", "--steps", 10, "--checkpoint", path, "--seed", 1, *TINY)
    assert proc.returncode == 0, proc.stderr
    assert path.is_file() and "held-out exact match" in proc.stdout
    return path


def test_translate_prints_digits_and_checks_them(checkpoint):
    proc = run("translate", "--checkpoint", checkpoint, "forty", "two")
    assert proc.returncode == 0, proc.stderr
    first = proc.stdout.split()[0]
    assert first.isdigit() or first == "(no", proc.stdout
    assert any(s in proc.stdout for s in ("reads back", "wrong", "no <eos>", "no digits")), proc.stdout


def test_translate_normalises_hyphens_commas_and_and(checkpoint):
    assert cli.normalise_words("Three hundred and twenty-one,") == ["three", "hundred", "twenty", "one"]
    proc = run("translate", "--checkpoint", checkpoint, "--beam", 3, "Twenty-One")
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("args,needle", [
    (["translate", "eleventy", "two"], "not a number word: 'eleventy'"),
    (["translate", "and"], "give the number in words"),
    (["translate", "--beam", "0", "two"], "expected an integer >= 1"),
    (["train", "--steps", "-3"], "expected an integer >= 1"),
    (["train", "--steps", "5", "--minutes", "1"], "not allowed with argument"),
    (["frobnicate"], "invalid choice"),
    (["experiment", "nope"], "unknown experiment 'nope'"),
])
def test_bad_input_is_one_line(args, needle, checkpoint):
    if args[0] == "translate" and "--checkpoint" not in args:
        args = [args[0], "--checkpoint", str(checkpoint), *args[1:]]
    assert needle in assert_one_line_error(run(*args))


def test_missing_and_corrupt_checkpoints(tmp_path):
    line = assert_one_line_error(run("translate", "--checkpoint", tmp_path / "none.pt", "two"))
    assert "checkpoint not found" in line and "python -m lesson_code.day04 train" in line
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a checkpoint")
    assert "not a valid checkpoint file" in assert_one_line_error(run("translate", "--checkpoint", bad, "two"))
    other = tmp_path / "other.pt"
    torch.save({"format": "lesson_code.day03.charlm", "version": 1}, other)
    assert f"format tag {FORMAT!r} missing" in assert_one_line_error(run("translate", "--checkpoint", other, "two"))


def test_train_into_a_directory_fails_before_training(tmp_path):
    line = assert_one_line_error(run("train", "--steps", 5, "--checkpoint", tmp_path, *TINY))
    assert "is a directory" in line
    assert list(tmp_path.iterdir()) == []


def test_checkpoint_round_trip_gives_identical_outputs(tmp_path):
    torch.manual_seed(3)
    cfg = Seq2SeqConfig(src_vocab_size=source_vocab().size, tgt_vocab_size=target_vocab().size,
                        embed_size=8, hidden_size=12, cell="gru")
    model = Seq2Seq(cfg).eval()
    path = save_checkpoint(tmp_path / "m.pt", model, {"note": "hi"})
    loaded, extra = load_checkpoint(path)
    assert extra == {"note": "hi"} and loaded.config == cfg and not loaded.training
    b = batch_of_numbers([5, 312_045, 70_000_406])
    assert torch.equal(model(b.src, b.src_len, b.tgt_in), loaded(b.src, b.src_len, b.tgt_in))
    assert [p.name for p in tmp_path.iterdir()] == ["m.pt"]  # no temporary file left behind


def test_inconsistent_checkpoint_is_refused(tmp_path):
    torch.manual_seed(0)
    cfg = Seq2SeqConfig(src_vocab_size=source_vocab().size, tgt_vocab_size=target_vocab().size, hidden_size=8)
    path = save_checkpoint(tmp_path / "m.pt", Seq2Seq(cfg))
    payload = torch.load(path, weights_only=True)
    payload["src_vocab"] = payload["src_vocab"][:-1]
    torch.save(payload, path)
    with pytest.raises(CheckpointError, match="vocabularies differ"):
        load_checkpoint(path)
