"""Figure builder: accuracy on the first-symbol recall task against the gap, per cell type, over seeds.

Writes long_range.json and long_range.svg (mean over seeds, bars: the 95 % t interval over seeds).
"""
from pathlib import Path

from ..experiments import long_range
from lesson_code.lessonkit.figstyle import COLORS, LABELS, SERIES, figure, save_json, save_svg

SEED = 0
N_SEEDS = 5


def plot(data: dict, path: Path) -> None:
    """Mean held-out accuracy per gap (markers and line style per cell), its 95 % t interval over seeds as bars.
    The gaps sit at equal spacing, each series nudged sideways so that the bars do not overlap."""
    gaps = data["gaps"]
    names = list(data["models"])
    n_seeds = len(data["seeds"])
    fig, ax = figure(8.0, 3.9)
    for k, name in enumerate(names):
        m = data["models"][name]
        x = [i + 0.05 * (k - (len(names) - 1) / 2) for i in range(len(gaps))]
        lo = [a - ci["lo"] for a, ci in zip(m["accuracy"], m["accuracy_ci"])]
        hi = [ci["hi"] - a for a, ci in zip(m["accuracy"], m["accuracy_ci"])]
        ax.errorbar(x, m["accuracy"], yerr=[lo, hi], color=COLORS[name], ms=6, **SERIES[name],
                    lw=1.8, capsize=3, elinewidth=1.2, label=LABELS[name])
    ax.axhline(data["chance"], color=COLORS["baseline"], ls=":", lw=1.2)
    ax.annotate("chance", (len(gaps) - 0.6, data["chance"]), xytext=(0, 3), textcoords="offset points",
                color=COLORS["baseline"], fontsize=8, ha="right", va="bottom")
    ax.set(xlabel="gap (distractors between the symbol and the query)", ylabel="held-out accuracy",
           ylim=(0, 1.04), xlim=(-0.4, len(gaps) - 0.6), xticks=range(len(gaps)), xticklabels=[str(g) for g in gaps],
           title=f"Recall the first symbol: mean of {n_seeds} seeds (bars: 95 % interval), "
                 f"{data['budget']['steps']} steps")
    ax.title.set_fontsize(10)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), handlelength=3.2)
    save_svg(fig, path)


def build(out_dir: Path) -> None:
    data = long_range.run(seed=SEED, n_seeds=N_SEEDS)
    save_json(data, out_dir / "long_range.json")
    plot(data, out_dir / "long_range.svg")
