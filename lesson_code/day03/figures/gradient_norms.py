"""Figure builder: gradient at the first state vs sequence length, and along t at T=200, for every cell.

Writes gradient_norms.json (the experiment's data and quotes) and grad_first_state.svg.
"""
from pathlib import Path

from ..experiments import gradient_norms
from lesson_code.lessonkit.figstyle import LABELS, figure, save_json, save_svg, series_style

SEED = 0
SHOWN = ("rnn", "gru", "lstm_bias0", "lstm_bias1", "lstm_bias3")


def plot(data: dict, path: Path) -> None:
    """Left: |∂L/∂h_0| against T. Right: |∂L/∂h_t| against t for the longest T."""
    f64 = data["float64"]
    T_values = data["T_values"]
    T_max = T_values[-1]
    fig, (left, right) = figure(9.0, 3.8, ncols=2)
    for name in SHOWN:
        style = dict(label=LABELS[name], lw=2, ms=5, **series_style(name))
        left.plot(T_values, f64[name]["h0_geomean"], **style)
        right.plot(range(T_max + 1), f64[name]["T"][str(T_max)]["grad_h"]["geomean"], **style | dict(markevery=25))
    left.set(yscale="log", xlabel="sequence length T", ylabel=r"$\|\partial L/\partial h_0\|$",
             title="Gradient reaching the first state",
             xticks=sorted({0, *range(50, T_max + 1, 50)}))  # markers show the measured T values
    right.set(yscale="log", xlabel="time step t", ylabel=r"$\|\partial L/\partial h_t\|$",
              title=f"Along the sequence, T = {T_max}")
    left.legend(fontsize=8)
    save_svg(fig, path)


def build(out_dir: Path) -> None:
    data = gradient_norms.run(seed=SEED)
    save_json(data, out_dir / "gradient_norms.json")
    plot(data, out_dir / "grad_first_state.svg")
