"""Results builder: the showcase model of section 5, trained by the lesson's command-line tool exactly
as the "Run it yourself" box shows it.

build() trains one model with the CLI's defaults for a fixed number of steps (deterministic: one
thread, fixed seed), keeps its checkpoint as the hidden file .showcase.pt (dot files are not
published), loads it, and runs the probes one by one: samples at several temperatures, entropy
against temperature, the gates of the last LSTM layer, and a sample from the CLI's own `sample`
command; then exports the model for the in-browser playground (browser_export.py). Writes showcase.json, temperature_entropy.svg, lstm_gates.svg and, separately,
showcase.timing.json (wall-clock times vary from run to run, so they stay out of the byte-identical
results file).
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import matplotlib.ticker

from ..browser_export import export_for_browser
from ..checkpoint import load_checkpoint
from ..corpus import load_corpus, train_val_split
from ..experiments import lm_probes
from lesson_code.lessonkit.experiments import single_thread
from lesson_code.lessonkit.figstyle import COLORS, figure, save_json, save_svg

STEPS = 2000
SEED = 0
CHECKPOINT = "runs/day03.pt"  # as in the page's commands; the build runs them in a scratch folder
TRAIN_ARGS = ["--checkpoint", CHECKPOINT, "--steps", str(STEPS), "--eval-every", "500", "--seed", str(SEED),
              "--threads", "1"]
SAMPLE_ARGS = ["--checkpoint", CHECKPOINT, "--prompt", "BRUTUS.", "--length", "300", "--temperature", "0.8",
               "--seed", str(SEED), "--threads", "1"]
TEMPERATURES = (0.2, 0.5, 0.8, 1.0, 1.5, 2.0)
PROBE = dict(sample_length=300, prompt_context=300, entropy_positions=10_000, entropy_grid_size=25,
             excerpt_length=100, warmup_length=300, n_units=16, span_length=5000)
ROOT = Path(__file__).resolve().parents[3]
GATE_NAMES = {"i": "input gate $i_t$", "f": "forget gate $f_t$", "o": "output gate $o_t$"}


def run_cli(cwd: Path, *args: str) -> tuple[str, float]:
    """Run ``python -m lesson_code.day03 ARGS`` in folder cwd; return its stdout and wall time; fail loudly."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "lesson_code.day03", *args], cwd=cwd, env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"CLI {' '.join(args[:1])} failed: {proc.stderr.strip()}")
    return proc.stdout, time.perf_counter() - t0


def train_showcase(out_dir: Path) -> dict:
    """Train with the CLI and keep the checkpoint as out_dir/.showcase.pt; also sample with the CLI.
    Returns the CLI sample and the wall times."""
    with tempfile.TemporaryDirectory() as tmp:
        _, train_seconds = run_cli(Path(tmp), "train", *TRAIN_ARGS)
        text, sample_seconds = run_cli(Path(tmp), "sample", *SAMPLE_ARGS)
        shutil.move(Path(tmp) / CHECKPOINT, out_dir / ".showcase.pt")
    return {"cli_sample": text.rstrip("\n"), "train_seconds": train_seconds, "sample_seconds": sample_seconds}


def probe_samples(model, vocab, val_text: str) -> dict:
    prompt = lm_probes.sample_prompt(val_text, PROBE["prompt_context"])
    return {"sample_prompt": prompt,
            "samples": lm_probes.samples_at_temperatures(model, vocab, prompt, TEMPERATURES,
                                                         PROBE["sample_length"], SEED)}


def probe_entropy(model, vocab, val_text: str) -> dict:
    return lm_probes.entropy_vs_temperature(model, vocab, vocab.encode(val_text), PROBE["entropy_positions"],
                                            PROBE["entropy_grid_size"])


def probe_gates(model, vocab, val_text: str) -> dict:
    return lm_probes.gate_probe(model, vocab, val_text, PROBE["excerpt_length"], PROBE["warmup_length"],
                                PROBE["n_units"], PROBE["span_length"])


def plot_gates(g: dict, path: Path) -> None:
    chars = ["↵" if c == "\n" else ("␣" if c == " " else c) for c in g["chars"]]
    fig, axes = figure(10.0, 6.6, nrows=3, sharex=True)
    n = len(g["unit_index"])
    for ax, key in zip(axes, ("i", "f", "o")):
        im = ax.imshow(g["units"][key], aspect="auto", cmap="cividis", vmin=0.0, vmax=1.0,
                       interpolation="nearest")
        ax.set_ylabel(GATE_NAMES[key] + "\nunit", fontsize=9)
        ax.set_yticks(range(n))
        ax.set_yticklabels([str(u) for u in g["unit_index"]], fontsize=6)
        ax.grid(False)
        ax.tick_params(axis="x", length=0)
    axes[-1].set_xticks(range(len(chars)))
    axes[-1].set_xticklabels(chars, fontsize=6, family="DejaVu Sans Mono")
    for label, c in zip(axes[-1].get_xticklabels(), g["chars"]):
        if lm_probes.is_boundary(c):
            label.set_color(COLORS["rnn"])
    fig.colorbar(im, ax=list(axes), shrink=0.8, label="activation (0 closed, 1 open)")
    axes[0].set_title(f"Gates of {n} units of LSTM layer {g['layer_shown'] + 1} (of {g['num_layers']}) "
                      "over a passage of the held-out play")
    save_svg(fig, path)


def plot_entropy(e: dict, path: Path) -> None:
    fig, ax = figure(7.0, 3.8)
    ax.plot(e["temperature"], e["mean_entropy"], color=COLORS["lstm"], lw=2, marker="o", ms=3,
            label="mean entropy of the next-character distribution")
    ax.plot(e["temperature"], e["val_cross_entropy"], color=COLORS["accent"], lw=1.5, ls="-.",
            label="validation cross-entropy at that temperature")
    ax.axhline(e["log_vocab"], color=COLORS["baseline"], ls="--", lw=1.2, label=r"uniform: $\ln V$")
    ax.axvline(1.0, color=COLORS["baseline"], ls=":", lw=1)
    ax.set(xscale="log", xlabel=r"temperature $\tau$", ylabel="nats", ylim=(0, 1.5 * e["log_vocab"]),
           title="From greedy (τ → 0) to uniform noise (τ → ∞)")
    ax.xaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
    ax.legend(fontsize=8, loc="upper center")
    save_svg(fig, path)


def build(out_dir: Path) -> None:
    run = train_showcase(out_dir)
    model, vocab, config, extra = load_checkpoint(out_dir / ".showcase.pt")
    _, val_text = train_val_split(load_corpus())
    with single_thread():
        samples = probe_samples(model, vocab, val_text)
        entropy = probe_entropy(model, vocab, val_text)
        gates = probe_gates(model, vocab, val_text)
    playground = export_for_browser(model, vocab, out_dir, vocab.encode(val_text))  # the page's playground
    hist, tcfg = extra["history"], extra["train_config"]
    e = entropy
    quotes = {
        "steps": STEPS, "seed": SEED,
        "train_command": "python -m lesson_code.day03 train " + " ".join(TRAIN_ARGS),
        "sample_command": "python -m lesson_code.day03 sample " + " ".join(SAMPLE_ARGS),
        "best_val_nats": hist["best_val_nats"], "best_step": hist["best_step"],
        "final_val_nats": hist["val_nats"][-1], "epochs": hist["epochs"],
        "bigram_nats": extra["baselines"]["bigram_nats"], "unigram_nats": extra["baselines"]["unigram_nats"],
        "model": f"{config.num_layers}×{config.hidden_size} {config.cell.upper()} ({config.backend} backend)",
        "batch": f"{tcfg['batch_size']}×{tcfg['seq_len']}", "eval_every": tcfg["eval_every"],
        "dropout": config.dropout, "parameters": sum(p.numel() for p in model.parameters()),
        "cli_sample": run["cli_sample"],
        "samples": samples["samples"],
        **{f"sample_T{s['temperature']:g}_loglik": s["mean_log_likelihood"] for s in samples["samples"]
           if s["temperature"] is not None},
        "sample_greedy_loglik": samples["samples"][0]["mean_log_likelihood"],
        "val_loglik": -hist["best_val_nats"],
        "vocab_size": vocab.size, "log_vocab": e["log_vocab"],
        "entropy_at_T1": e["at_temperature_1"], "entropy_positions": e["positions"],
        "entropy_min_T": e["temperature"][0], "entropy_at_min_T": e["mean_entropy"][0],
        "entropy_max_T": e["temperature"][-1], "entropy_at_max_T": e["mean_entropy"][-1],
        "best_val_temperature": e["best_temperature"],
        **{f"gates_{k}": v for k, v in lm_probes.gate_quotes(gates).items()},
        **{f"playground_{k}": v for k, v in playground.items()},
    }
    result = {"experiment": "showcase", "seed": SEED, "probe_budget": PROBE, "temperatures": list(TEMPERATURES),
              "model_config": config.to_dict(), "train_config": tcfg,
              "val_step": hist["val_step"], "val_nats": hist["val_nats"],
              **samples, "entropy": entropy, "gates": gates, "quotes": quotes}
    save_json(result, out_dir / "showcase.json")
    plot_entropy(entropy, out_dir / "temperature_entropy.svg")
    plot_gates(gates, out_dir / "lstm_gates.svg")
    timing = {"train_seconds": run["train_seconds"], "sample_seconds": run["sample_seconds"],
              "seconds_per_step": run["train_seconds"] / STEPS, "minutes": run["train_seconds"] / 60,
              "cpu_count": os.cpu_count(), "threads": int(TRAIN_ARGS[TRAIN_ARGS.index("--threads") + 1])}
    save_json(timing, out_dir / "showcase.timing.json")
