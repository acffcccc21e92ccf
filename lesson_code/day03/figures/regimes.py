"""Figure builder: the vanilla RNN's gradient against distance, each regime against its bound and
against the one predictor the page uses: the rms gain ‖W_hh‖_F/√d times the rms tanh' slope per step.

Writes regimes.json and three figures (g = ‖W_hh‖_F/√d; for a × orthogonal W_hh, g = ρ = σ_max = a):
  grad_vs_distance.svg     default init: measured, the bound σ_max^d, ρ^d and (g · rms tanh')^d
  regimes_rescaled.svg     random W_hh rescaled to σ_max = a (inputs N(0, 1)): measured and Π g · rms_k tanh'
  regimes_orthogonal.svg   a × orthogonal W_hh (small inputs): measured and Π g · rms_k tanh'
"""
import math
from pathlib import Path

from ..experiments import regimes
from lesson_code.lessonkit.figstyle import SEQUENCE, figure, save_json, save_svg, sequence_style

SEED = 0


def _factor(x: float) -> str:
    """A total gain such as ×0.61, ×44 or ×4.3·10⁻³ for a legend."""
    if 0.01 <= x < 100:
        return f"×{x:.2g}"
    e = math.floor(math.log10(x))
    m = x / 10 ** e
    if round(m, 1) >= 10:
        m, e = m / 10, e + 1
    return rf"×${m:.1f}\cdot 10^{{{e}}}$"


def _line(g0: float, rate: float, d):
    """g0 · rate^d for every distance d (the geometric curve of a constant per-step factor)."""
    return [g0 * rate ** k for k in d]


def _path_prediction(case: dict):
    """|∂L/∂h_T| · Π_{k = T−d+1}^{T} g · rms_k(tanh') for d = 0..T, g = ‖W_hh‖_F/√d: the predicted
    gradient when each backward step through step k multiplies the norm by the rms gain times that
    step's rms slope (the mean-field per-step factor)."""
    g, out = case["grad_geomean"][0], [case["grad_geomean"][0]]
    for r in reversed(case["rms_tanh_prime_by_step"]):  # k = T, T−1, ..., 1
        g *= case["rms_gain"] * r
        out.append(g)
    return out


def plot_default(data: dict, path: Path) -> None:
    """Default init: measured |∂L/∂h_{T-d}| against d, the bound σ_max^d, the spectral radius alone
    ρ^d, and the prediction (‖W_hh‖_F/√d · rms tanh')^d, all starting from the measured |∂L/∂h_T|."""
    case = data["cases"]["default"]
    d = data["distance"]
    g0 = case["grad_geomean"][0]
    sigma, rho, rate = case["sigma_max"], case["spectral_radius"], case["predicted_per_step_meanfield"]
    fig, ax = figure(7.0, 3.8)
    ax.plot(d, case["grad_geomean"], color=SEQUENCE[0], lw=2.5, marker="o", markevery=20, ms=5, label="measured (default init)")
    ax.plot(d, case["bound_geomean"], color=SEQUENCE[4], lw=1.5, ls="--",
            label=rf"bound $\sigma_{{\max}}^{{\,T-t}}$, $\sigma_{{\max}}$ = {sigma:.2f}")
    ax.plot(d, _line(g0, rho, d), color=SEQUENCE[2], lw=1.5, ls="-.",
            label=rf"spectral radius alone $\rho^{{\,T-t}}$, $\rho$ = {rho:.2f}")
    ax.plot(d, _line(g0, rate, d), color="#000000", lw=1.5, ls=":",
            label=rf"prediction $(\|W_{{hh}}\|_F/\sqrt{{d}} \times \mathrm{{rms}}\ \tanh')^{{\,T-t}}$ = {rate:.3f}$^{{\,T-t}}$")
    ax.set(yscale="log", xlabel="distance from the loss, T − t", ylabel=r"$\|\partial L/\partial h_t\|$",
           title=f"Vanilla RNN, default init, d = {data['budget']['hidden_size']}, T = {data['budget']['T']}")
    ax.set_ylim(min(case["grad_geomean"]) / 1e4, max(case["bound_geomean"]) * 1e3)
    ax.legend(fontsize=8, loc="lower left")
    save_svg(fig, path)


def plot_family(data: dict, family: str, title: str, path: Path, legend_loc: str) -> None:
    """One family of cases: measured curves (solid) and the path prediction Π ‖W_hh‖_F/√d · rms_k tanh' (dotted)."""
    d = data["distance"]
    names = [n for n, c in data["cases"].items() if c["family"] == family]
    fig, ax = figure(7.0, 4.2)
    for i, name in enumerate(names):
        c = data["cases"][name]
        color = SEQUENCE[i % len(SEQUENCE)]
        if family == "orthogonal":
            setting = rf"$a$ = {c['a']:g} ($\sigma_{{\max}} = \rho$ = {c['a']:g})"
        else:
            setting = rf"$\sigma_{{\max}}$ = {c['sigma_max']:g}, $\rho$ = {c['spectral_radius']:.2f}"
        ax.plot(d, c["grad_geomean"], lw=2.2, ms=5, **sequence_style(i, markevery=20),
                label=f"{setting}: {_factor(c['ratio_h0_hT'])} over {data['budget']['T']} steps ({c['outcome']})")
        ax.plot(d, _path_prediction(c), color=color, lw=1.2, ls=":")
    ax.plot([], [], color="#555555", lw=1.2, ls=":",
            label=r"dotted: predicted, each step $\times\, \|W_{hh}\|_F/\sqrt{d} \times \mathrm{rms}\ \tanh'$ of that step")
    measured = [g for n in names for g in data["cases"][n]["grad_geomean"] if g > 0]
    ax.set_ylim(min(measured) / 1e4, max(measured) * 1e4)  # every measured curve in view
    ax.set(yscale="log", xlabel="distance from the loss, T − t", ylabel=r"$\|\partial L/\partial h_t\|$",
           title=title)
    ax.legend(fontsize=7.5, loc=legend_loc)
    save_svg(fig, path)


def build(out_dir: Path) -> None:
    data = regimes.run(seed=SEED)
    save_json(data, out_dir / "regimes.json")
    plot_default(data, out_dir / "grad_vs_distance.svg")
    plot_family(data, "rescaled", r"Random $W_{hh}$ rescaled to $\sigma_{\max}$, inputs $\mathcal{N}(0, 1)$",
                out_dir / "regimes_rescaled.svg", legend_loc="lower left")
    small = data["budget"]["small_input"]
    title = rf"$a \times$ orthogonal $W_{{hh}}$, bias 0, inputs ${small:g}\,\mathcal{{N}}(0, 1)$"
    plot_family(data, "orthogonal", title, out_dir / "regimes_orthogonal.svg", legend_loc="upper left")
