"""Training lowers the loss; checkpoints round-trip; the command line fails with one line."""
import subprocess
import sys

import pytest
import torch

from lesson_code.day02.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from lesson_code.day02.cli import main
from lesson_code.day02.model import ModelConfig, build
from lesson_code.day02.shapes import sample
from lesson_code.day02.train import TrainConfig, evaluate, train


def test_short_training_lowers_the_loss():
    torch.manual_seed(0)
    model = build(ModelConfig(kind="cnn_pool", size=12, width=8))
    x, y = sample(256, 12, "all", torch.Generator().manual_seed(5))
    before = evaluate(model, x, y)["loss"]
    hist = train(model, TrainConfig(size=12, steps=150, eval_every=50, lr=1e-2, seed=0))
    assert hist["stopped"] == "steps" and evaluate(model, x, y)["loss"] < before - 0.3


def test_checkpoint_round_trip(tmp_path):
    torch.manual_seed(0)
    cfg = ModelConfig(kind="residual", size=12, width=4, depth=4)
    model = build(cfg).eval()
    path = save_checkpoint(tmp_path / "m.pt", model, cfg, {"note": "x"})
    loaded, cfg2, extra = load_checkpoint(path)
    x = torch.randn(3, 1, 12, 12)
    assert cfg2 == cfg and extra == {"note": "x"}
    torch.testing.assert_close(loaded(x), model(x))


def test_a_damaged_checkpoint_is_one_line(tmp_path):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError) as e:
        load_checkpoint(bad)
    assert "\n" not in str(e.value)


def test_cli_train_then_evaluate(tmp_path, capsys):
    ckpt = tmp_path / "c.pt"
    assert main(["train", "--steps", "5", "--size", "14", "--width", "4", "--checkpoint", str(ckpt), "--no-progress"]) == 0
    assert main(["evaluate", "--checkpoint", str(ckpt), "--n", "20"]) == 0
    assert "left half" in capsys.readouterr().out


def test_cli_on_a_canvas_too_narrow_for_halves_scores_the_whole_canvas(tmp_path, capsys):
    ckpt = tmp_path / "c.pt"
    assert main(["train", "--steps", "3", "--size", "12", "--width", "4", "--kind", "plain", "--depth", "2",
                 "--no-batchnorm", "--init", "he", "--region", "all", "--checkpoint", str(ckpt), "--no-progress"]) == 0
    assert main(["evaluate", "--checkpoint", str(ckpt), "--n", "20"]) == 0
    assert "whole canvas" in capsys.readouterr().out


@pytest.mark.parametrize("argv,code,needle", [
    (["train", "--steps", "0"], 2, "steps"),
    (["train", "--kind", "vgg"], 2, "kind"),
    (["train", "--size", "4", "--steps", "2", "--checkpoint", "{tmp}/x.pt"], 1, "size must exceed"),
    (["train", "--size", "12", "--steps", "2", "--checkpoint", "{tmp}/x.pt"], 1, "left and a right half"),
    (["train", "--kind", "plain", "--depth", "3", "--steps", "2", "--checkpoint", "{tmp}/x.pt"], 1, "even number"),
    (["evaluate", "--checkpoint", "{tmp}/missing.pt"], 1, "checkpoint not found"),
    (["experiment", "nothing"], 1, "unknown experiment"),
])
def test_bad_input_is_one_error_line(tmp_path, argv, code, needle):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    proc = subprocess.run([sys.executable, "-m", "lesson_code.day02", *argv], capture_output=True, text=True)
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert proc.returncode == code and len(lines) == 1 and lines[0].startswith("error:") and needle in lines[0]
    assert not (tmp_path / "x.pt").exists()


def test_experiment_command_prints_json(capsys):
    import json
    assert main(["experiment", "convolution"]) == 0
    q = json.loads(capsys.readouterr().out)["quotes"]
    assert q["gradcheck"] == "passed" and q["max_value_error"] < 1e-12


def test_evaluate_scores_batchnorm_networks_in_eval_mode():
    """Section 4.2: test losses use BatchNorm's running statistics, not the test batch's, and leave the
    model's mode as it was."""
    torch.manual_seed(0)
    model = build(ModelConfig(kind="plain", size=12, width=4, depth=2))
    train(model, TrainConfig(size=12, steps=5, eval_every=5, seed=0))
    x, y = sample(64, 12, "all", torch.Generator().manual_seed(7))
    model.train()
    got = evaluate(model, x, y)["loss"]
    assert model.training
    with torch.no_grad():
        eval_loss = float(torch.nn.functional.cross_entropy(model.eval()(x), y))
        train_loss = float(torch.nn.functional.cross_entropy(model.train()(x), y))
    assert got == pytest.approx(eval_loss) and got != pytest.approx(train_loss)
