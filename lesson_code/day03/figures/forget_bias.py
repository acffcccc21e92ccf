"""Figure builder: LSTM training with forget-gate bias 0, 1 and 3 on the recall task (Exercise 3).

Writes forget_bias.json and forget_bias.svg (held-out loss and accuracy, mean and range over seeds).
"""
from pathlib import Path

from ..experiments import forget_bias
from lesson_code.lessonkit.figstyle import COLORS, figure, save_json, save_svg, series_style

SEED = 0
COLOR_OF_BIAS = {"0": COLORS["lstm_bias0"], "1": COLORS["lstm_bias1"], "3": COLORS["lstm_bias3"]}


def plot(data: dict, path: Path) -> None:
    steps = data["eval_step"]
    fig, (loss_ax, acc_ax) = figure(9.0, 3.9, ncols=2)
    for key, s in data["settings"].items():
        color = COLOR_OF_BIAS.get(key, "#000000")
        label = f"forget bias {key}"
        for ax, metric in ((loss_ax, "eval_loss"), (acc_ax, "eval_accuracy")):
            ax.plot(steps, s[metric + "_mean"], lw=2, label=label, ms=5, **series_style(f"lstm_bias{key}", 4))
            ax.fill_between(steps, s[metric + "_min"], s[metric + "_max"], color=color, alpha=0.2, lw=0)
    loss_ax.axhline(data["chance_loss"], color="#555555", ls=":", lw=1, label="chance")
    acc_ax.axhline(data["chance"], color="#555555", ls=":", lw=1, label="chance")
    n = len(data["seeds"])
    loss_ax.set(xlabel="training step", ylabel="held-out loss (nats)", title=f"Loss, mean and range of {n} seeds")
    acc_ax.set(xlabel="training step", ylabel="held-out accuracy", ylim=(0, 1.02),
               title=f"Recall after a gap of {data['budget']['gap']}")
    handles, labels = acc_ax.get_legend_handles_labels()  # one legend below both panels, clear of the data
    fig.legend(handles, labels, fontsize=8, loc="outside lower center", ncols=len(labels), handlelength=3.2)
    save_svg(fig, path)


def build(out_dir: Path) -> None:
    data = forget_bias.run(seed=SEED)
    save_json(data, out_dir / "forget_bias.json")
    plot(data, out_dir / "forget_bias.svg")
