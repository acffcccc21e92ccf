"""Figure builder: CNN with pooling, CNN without, and a size-matched MLP, trained on the left half and
scored on both halves. Writes invariance.json (quotes cited as invariance.<key>) and invariance.svg."""
from pathlib import Path

from lesson_code.lessonkit.figstyle import figure, save_json, sequence_style

from ..experiments import invariance
from .common import finish

SEED = 0
LABELS = {"cnn_pool": "CNN + global max pool", "cnn_flat": "CNN, flattened readout", "mlp": "MLP (size-matched)"}


def plot(data: dict, path: Path) -> None:
    """Accuracy on training positions (left) and unseen positions (right): mean of seeds, 95 % t interval, each seed a dot."""
    q = data["quotes"]
    fig, ax = figure(6.5, 3.6)
    width = 0.36
    for j, region in enumerate(("left", "right")):
        style = sequence_style(j)
        xs = [i + (j - 0.5) * width for i in range(len(LABELS))]
        means = [data["summary"][f"{k}_{region}"]["mean"] for k in LABELS]
        lows = [m - data["summary"][f"{k}_{region}"]["lo"] for k, m in zip(LABELS, means)]
        highs = [data["summary"][f"{k}_{region}"]["hi"] - m for k, m in zip(LABELS, means)]
        ax.bar(xs, means, width, color=style["color"], alpha=0.85, hatch=None if j == 0 else "//",
               label="left half (where it trained)" if region == "left" else "right half (never seen)",
               yerr=[lows, highs], capsize=3)
        for x, k in zip(xs, LABELS):
            ax.plot([x] * q["n_seeds"], [r["p"] for r in data["per_seed"][k][region]], ls="none",
                    marker=style["marker"], ms=4, color="black")
    ax.axhline(1 / 6, color="#555555", lw=1, ls=":")
    ax.text(2.45, 1 / 6 + 0.02, "chance", fontsize=8, ha="right", color="#555555")
    ax.set_xticks(range(len(LABELS)), [f"{v}\n{q['params_' + k]:,} params" for k, v in LABELS.items()], fontsize=8)
    finish(fig, ax, path, f"{q['n_test']} new images per half and seed, {q['n_seeds']} seeds (bars: 95 % t interval)",
           "upper right", ylabel="test accuracy", ylim=(0, 1.05))


def build(out_dir: Path) -> None:
    data = invariance.run(seed=SEED)
    save_json(data, out_dir / "invariance.json")
    plot(data, out_dir / "invariance.svg")
