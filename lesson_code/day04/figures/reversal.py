"""Figure builder: the source read in order against reversed (Sutskever et al., 2014), several seeds.
Writes reversal.json and reversal.svg (exact match by length; teacher-forced accuracy by output position)."""
from pathlib import Path

from lesson_code.lessonkit.figstyle import COLORS, LABELS, figure, save_json, save_svg, series_style

from ..experiments import reversal

SEED = 0
KEYS = {"in_order": "source_in_order", "reversed": "source_reversed"}


def plot(data: dict, path: Path) -> None:
    fig, (len_ax, pos_ax) = figure(9.0, 3.9, ncols=2)
    q = data["quotes"]
    for name, s in data["summary"].items():
        key = KEYS[name]
        len_ax.plot(s["digits"], s["exact_mean"], lw=2, ms=5, label=LABELS[key], **series_style(key))
        len_ax.fill_between(s["digits"], s["exact_min"], s["exact_max"], color=COLORS[key], alpha=0.2, lw=0)
        positions = list(range(1, q["position_digits"] + 1))
        pos_ax.plot(positions, s["position_tf_mean"][:q["position_digits"]], lw=2, ms=5, label=LABELS[key],
                    **series_style(key))
    len_ax.set(xlabel="digits in the number", ylabel="exact match (greedy)", ylim=(0, 1.02),
               title=f"H = {q['hidden']}: mean and range of {q['n_seeds']} seeds")
    pos_ax.set(xlabel="output position (digit 1 = most significant)", ylabel="teacher-forced accuracy",
               ylim=(0, 1.02), title=f"Where the errors sit, {q['position_digits']}-digit numbers")
    pos_ax.set_xticks(list(range(1, q["position_digits"] + 1)))
    handles, labels = len_ax.get_legend_handles_labels()
    fig.legend(handles, labels, fontsize=8, loc="outside lower center", ncols=2, handlelength=3.2)
    save_svg(fig, path)


def build(out_dir: Path) -> None:
    data = reversal.run(seed=SEED)
    save_json(data, out_dir / "reversal.json")
    plot(data, out_dir / "reversal.svg")
