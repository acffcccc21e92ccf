"""Figure builder: the character-level language models (section 5 and Exercise 4).

Writes char_lm.json, char_lm_curves.svg (train/validation curves with baselines), lstm_gates.svg
(gate heatmaps over a text excerpt) and temperature_entropy.svg (next-character entropy vs temperature).
"""
from pathlib import Path

import matplotlib.ticker

from ..corpus import TRAIN_PLAYS
from ..experiments import char_lm
from .style import COLORS, LABELS, SERIES, figure, save_json, save_svg, series_style

SEED = 0
GATE_NAMES = {"i": "input gate $i_t$", "f": "forget gate $f_t$", "o": "output gate $o_t$"}


def plot_curves(data: dict, path: Path) -> None:
    fig, ax = figure(8.5, 3.8)
    for cell, m in data["models"].items():
        ax.plot(m["train_step"], m["train_nats"], color=COLORS[cell], ls=SERIES[cell]["linestyle"], lw=1, alpha=0.45)
        ax.plot(m["val_step"], m["val_nats"], lw=2, ms=4, **series_style(cell),
                label=f"{LABELS[cell]} (H = {m['hidden_size']}, {m['parameters']:,} params)")
    for name, ls in (("bigram", "--"), ("unigram", ":")):
        ax.axhline(data["baselines"][name], color=COLORS["baseline"], ls=ls, lw=1.2, label=f"{name} baseline")
    ax.set(xlabel="training step", ylabel="loss (nats/char)", ylim=(min(v for m in data["models"].values() for v in m["train_nats"] + m["val_nats"]) - 0.1,
                 data["baselines"]["unigram"] + 0.2),
           title="Shakespeare: validation on a held-out play (thin lines: training loss)")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    save_svg(fig, path)


def plot_gates(data: dict, path: Path) -> None:
    gates = data["gates"]
    layer = gates["layers"][gates["layer_shown"]]
    chars = ["↵" if c == "\n" else ("␣" if c == " " else c) for c in gates["chars"]]
    fig, axes = figure(10.0, 5.4, nrows=3, sharex=True)
    for ax, key in zip(axes, ("i", "f", "o")):
        im = ax.imshow(layer["units"][key], aspect="auto", cmap="cividis", vmin=0.0, vmax=1.0,
                       interpolation="nearest")
        ax.set_ylabel(GATE_NAMES[key] + "\nunit", fontsize=9)
        ax.set_yticks([0, len(layer["units"][key]) - 1])
        ax.grid(False)
    axes[-1].set_xticks(range(len(chars)))
    axes[-1].set_xticklabels(chars, fontsize=6, family="DejaVu Sans Mono")
    axes[-1].tick_params(axis="x", length=0)
    fig.colorbar(im, ax=list(axes), shrink=0.8, label="activation (0 closed, 1 open)")
    axes[0].set_title(f"Gates of {len(layer['units']['i'])} LSTM units over a passage of the held-out play")
    save_svg(fig, path)


def plot_entropy(data: dict, path: Path) -> None:
    e = data["entropy"]
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
    data = char_lm.run(seed=SEED)
    gates = data["gates"]
    layer = gates["layers"][gates["layer_shown"]]
    data["quotes"].update({
        "n_train_plays": len(TRAIN_PLAYS),
        "samples": [{"temperature": s["temperature"], "text": s["text"],
                     "mean_log_likelihood": s["mean_log_likelihood"]} for s in data["samples"]],
        "n_units_shown": len(layer["units"]["f"]),
        "train_chars": data["train_chars"], "val_chars": data["val_chars"],
        "eval_tokens": data["budget"]["eval_tokens"],
        "corpus_chars": data["train_chars"] + data["val_chars"],
    })
    save_json(data, out_dir / "char_lm.json")
    plot_curves(data, out_dir / "char_lm_curves.svg")
    plot_gates(data, out_dir / "lstm_gates.svg")
    plot_entropy(data, out_dir / "temperature_entropy.svg")
