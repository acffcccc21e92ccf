"""Results builder: run the lesson's command-line tool exactly as the "Run it yourself" box shows it.

Trains with the CLI defaults for a fixed number of steps (deterministic: one thread, fixed seed),
samples from the checkpoint, and records the validation curve and the sample (cli_run.json) and,
separately, the wall-clock times (cli_run.timing.json: timings vary from run to run, so they are kept
out of the byte-identical results file).
"""
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The CLI runs in a subprocess; importing its modules here lets the build hook track them as inputs.
from .. import __main__, baselines, cells, checkpoint, cli, corpus, data, model, sample, train  # noqa: F401
from ..checkpoint import load_checkpoint
from .style import save_json

STEPS = 300
PROMPT = "BRUTUS."
TRAIN_ARGS = ["--steps", str(STEPS), "--eval-every", "100", "--seed", "0", "--threads", "1", "--no-progress"]
SAMPLE_ARGS = ["--prompt", PROMPT, "--length", "300", "--temperature", "0.8", "--seed", "0", "--threads", "1"]
ROOT = Path(__file__).resolve().parents[3]


def run_cli(*args: str) -> tuple[str, float]:
    """Run ``python -m lesson_code.day03 ARGS``; return its stdout and wall time; fail loudly."""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "lesson_code.day03", *args], cwd=ROOT,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"CLI {' '.join(args[:1])} failed: {proc.stderr.strip()}")
    return proc.stdout, time.perf_counter() - t0


def build(out_dir: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ckpt = Path(tmp) / "day03.pt"
        _, train_seconds = run_cli("train", "--checkpoint", str(ckpt), *TRAIN_ARGS)
        text, sample_seconds = run_cli("sample", "--checkpoint", str(ckpt), *SAMPLE_ARGS)
        _, vocab, config, extra = load_checkpoint(ckpt)
    hist = extra["history"]
    result = {
        "command_train": "python -m lesson_code.day03 train " + " ".join(TRAIN_ARGS),
        "command_sample": "python -m lesson_code.day03 sample " + " ".join(SAMPLE_ARGS),
        "model_config": config.to_dict(), "train_config": extra["train_config"],
        "val_step": hist["val_step"], "val_nats": hist["val_nats"],
        "quotes": {
            "steps": STEPS, "best_val_nats": hist["best_val_nats"],
            "bigram_nats": extra["baselines"]["bigram_nats"],
            "model": f"{config.num_layers}×{config.hidden_size} {config.cell.upper()} ({config.backend} backend)",
            "batch": f"{extra['train_config']['batch_size']}×{extra['train_config']['seq_len']}",
            "sample": text.rstrip("\n"),
        },
    }
    save_json(result, out_dir / "cli_run.json")
    timing = {"train_seconds": train_seconds, "sample_seconds": sample_seconds,
              "seconds_per_step": train_seconds / STEPS, "cpu_count": os.cpu_count(),
              "threads": int(TRAIN_ARGS[TRAIN_ARGS.index("--threads") + 1])}
    save_json(timing, out_dir / "cli_run.timing.json")
