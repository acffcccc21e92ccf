"""Figure builder: the three regimes of the vanilla RNN's gradient, each against its bound.

Writes regimes.json, grad_vs_distance.svg (default init with the bound) and regimes.svg
(random W_hh rescaled to sigma_max: saturating; orthogonal W_hh times a: unsaturated).
"""
from pathlib import Path

from ..experiments import regimes
from .style import SEQUENCE, figure, save_json, save_svg, sequence_style

SEED = 0


def plot_default(data: dict, path: Path) -> None:
    """|∂L/∂h_{T-d}| against d for the default init, with sigma_max^d |∂L/∂h_T| dashed."""
    case = data["cases"]["default"]
    d = data["distance"]
    fig, ax = figure(7.0, 3.6)
    ax.plot(d, case["grad_geomean"], color=SEQUENCE[0], lw=2, label="measured (default init)")
    ax.plot(d, case["bound_geomean"], color=SEQUENCE[0], lw=1.5, ls="--",
            label=rf"bound $\sigma_{{\max}}^{{T-t}}\,\|\partial L/\partial h_T\|$, $\sigma_{{\max}}$ = {case['sigma_max']:.2f}")
    ax.set(yscale="log", xlabel="distance from the loss, T − t", ylabel=r"$\|\partial L/\partial h_t\|$",
           title=f"Vanilla RNN, d = {data['budget']['hidden_size']}, T = {data['budget']['T']}")
    ax.legend(fontsize=8)
    save_svg(fig, path)


def plot_regimes(data: dict, path: Path) -> None:
    """Two panels: rescaled random W_hh (inputs N(0,1)), and a times an orthogonal W_hh (small inputs)."""
    d = data["distance"]
    fig, axes = figure(9.5, 4.0, ncols=2, sharey=True)
    panels = [("rescaled", "random $W_{hh}$ rescaled, inputs N(0, 1)"),
              ("orthogonal", "$a \\times$ orthogonal $W_{hh}$, small inputs")]
    for ax, (family, title) in zip(axes, panels):
        names = [n for n, c in data["cases"].items() if c["family"] == family]
        for i, name in enumerate(names):
            case = data["cases"][name]
            ax.plot(d, case["grad_geomean"], lw=2, **sequence_style(i, markevery=len(d) // 10),
                    label=rf"$\sigma_{{\max}}$ = {case['sigma_max']:.1f}: {case['outcome']}")
            ax.plot(d, case["bound_geomean"], color=SEQUENCE[i], lw=1, ls="--", alpha=0.8)
        ax.set(yscale="log", xlabel="distance from the loss, T − t", title=title)
        measured = [g for c in data["cases"].values() for g in c["grad_geomean"] if g > 0]
        ax.set_ylim(min(measured) / 1e3, max(measured) * 1e6)  # every measured curve in view; bounds may leave it
        ax.legend(fontsize=8, loc="lower left")
    axes[0].set_ylabel(r"$\|\partial L/\partial h_t\|$  (dashed: bound)")
    save_svg(fig, path)


def build(out_dir: Path) -> None:
    data = regimes.run(seed=SEED)
    c = data["cases"]
    q = data["quotes"]
    # Extra quotes the page uses.
    q.update({
        "orthogonal_explode_a": min(c[n]["a"] for n in q["exploding_cases"]),
        "n_seeds": len(data["seeds"]),
    })
    save_json(data, out_dir / "regimes.json")
    plot_default(data, out_dir / "grad_vs_distance.svg")
    plot_regimes(data, out_dir / "regimes.svg")
