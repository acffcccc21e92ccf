"""Figure builder: accuracy on the first-symbol recall task against the gap, per cell type.

Writes long_range.json and long_range.svg.
"""
from pathlib import Path

from ..experiments import long_range
from .style import COLORS, LABELS, figure, save_json, save_svg, series_style

SEED = 0


def plot(data: dict, path: Path) -> None:
    fig, ax = figure(7.0, 3.8)
    for name, m in data["models"].items():
        ax.plot(data["gaps"], m["accuracy"], lw=2, label=LABELS[name], **series_style(name))
    ax.axhline(data["chance"], color=COLORS["baseline"], ls=":", lw=1.5, label="chance")
    ax.set(xlabel="gap (distractors between the symbol and the query)", ylabel="held-out accuracy",
           ylim=(0, 1.02), xticks=data["gaps"],
           title=f"Recall the first symbol: {data['budget']['steps']} training steps per run")
    ax.legend(fontsize=8)
    save_svg(fig, path)


def build(out_dir: Path) -> None:
    data = long_range.run(seed=SEED)
    data["quotes"]["gaps"] = data["gaps"]
    save_json(data, out_dir / "long_range.json")
    plot(data, out_dir / "long_range.svg")
