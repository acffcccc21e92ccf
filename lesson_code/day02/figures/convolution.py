"""Figure builder: convolution checked against torch, equivariance errors, receptive field against depth.

Writes convolution.json (quotes cited as convolution.<key>) and receptive.svg.
"""
from pathlib import Path

from lesson_code.lessonkit.figstyle import COLORS, figure, save_json, sequence_style

from ..experiments import convolution
from .common import finish

SEED = 0


def plot(data: dict, path: Path) -> None:
    """Receptive-field side against depth for 3x3 stacks, stride 1 and stride 2: formula (line), gradient support (markers)."""
    rows = data["receptive_field"]["rows"]
    depth = [r["depth"] for r in rows]
    fig, ax = figure(6.0, 3.4)
    for i, (key, label) in enumerate((("stride1", "stride 1: 1 + 2L"), ("stride2", "stride 2 every layer: 2^(L+1) − 1"))):
        style = sequence_style(i)
        ax.plot(depth, [r[key] for r in rows], lw=2, label=f"{label} (formula)", color=style["color"])
        ax.plot(depth, [r[f"{key}_measured"] for r in rows], ls="none", ms=7, label=f"{label.split(':')[0]} (measured)",
                marker=style["marker"], color=style["color"], markerfacecolor="none")
    ax.axhline(16, color=COLORS["baseline"], lw=1, ls=":")
    ax.text(1, 18, "this page's image side (16)", fontsize=8, color=COLORS["baseline"])
    finish(fig, ax, path, "What one output unit can see", "upper left",
           xlabel="3x3 convolutions stacked (L)", ylabel="receptive field side (pixels)", yscale="log")


def build(out_dir: Path) -> None:
    data = convolution.run(seed=SEED)
    save_json(data, out_dir / "convolution.json")
    plot(data, out_dir / "receptive.svg")
