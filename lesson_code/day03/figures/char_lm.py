"""Figure builder: the three-cell comparison of section 5.4 (RNN vs LSTM vs GRU at a short budget,
over seeds; the LSTM also with forget bias 1, which Exercise 3 asks about and the figure leaves out).

Writes char_lm.json and char_lm_curves.svg (train/validation curves of the first seed, with baselines). The samples,
gates and entropy figure come from the longer-trained showcase model (figures/showcase.py).
"""
from pathlib import Path

from ..experiments import char_lm
from lesson_code.lessonkit.figstyle import COLORS, LABELS, SERIES, figure, save_json, save_svg, series_style

SEED = 0


def plot_curves(data: dict, path: Path) -> None:
    fig, ax = figure(8.5, 3.8)
    for cell in char_lm.CELLS:  # the three cells at their default initialisation (Exercise 3 has bias 1)
        m = data["models"][cell]
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


def build(out_dir: Path) -> None:
    data = char_lm.run(seed=SEED)
    save_json(data, out_dir / "char_lm.json")
    plot_curves(data, out_dir / "char_lm_curves.svg")
