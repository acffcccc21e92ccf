"""The three regimes of σ_max(W_hh), measured against the bound |∂L/∂h_t| ≤ σ_max^(T−t) |∂L/∂h_T|.

One RNNCell (hidden = input = 64, float64), L = sum(h_T), zero initial state, inputs x ~ N(0, 1)
times `input_scale`, T = 200. Per seed s: torch.manual_seed(s) builds the cell, a
torch.Generator(s) draws x (and the orthogonal matrix). Cases:

  default          torch's init, W_hh ~ U(-1/8, 1/8): σ_max ≈ 1.1 but spectral radius ≈ 0.6
  rescaled_a       the default W_hh multiplied so that σ_max = a, inputs as above
  orthogonal_a     W_hh = a·Q (Q orthogonal: every singular value and |eigenvalue| is a),
                   bias 0 and inputs x 0.01, so tanh stays close to linear (tanh' ≈ 1)

Pascanu et al. (2013): with λ_1 = σ_max(W_hh) and γ bounding |σ'| (γ = 1 for tanh, 1/4 for the
sigmoid), λ_1 < 1/γ is sufficient for vanishing and λ_1 > 1/γ necessary for exploding; the
measurements show that it is not sufficient (default and rescaled_1.5 have σ_max > 1 and vanish).

What sets the rate instead. Backward, each step multiplies the gradient by diag(tanh'(z_k)) and then
by W_hhᵀ. Per setting we measure the spectral radius ρ (long products of one matrix grow like ρ^n,
not σ_max^n) and the slopes tanh' = 1 − h_k² along the forward trajectory (all units, steps 1..T,
seeds): their mean, and their root mean square over the units at each step, rms_t. For a
gradient spread evenly over the units, multiplying by diag(tanh'(z_t)) shrinks its norm by rms_t,
so the predicted per-step factor is ρ × rms_t, and over the path ρ × (geometric mean of rms_t over
steps and seeds), quoted as rms_tanh_prime. ρ × mean(tanh') is the simpler version, good while the
slopes are all alike. The measured per-step factor is (|∂L/∂h_0| / |∂L/∂h_T|)^(1/T): the geometric
mean of the T per-step ratios (geometric mean over seeds too).

Why ρ at all: each step has its own diag(tanh'), so Gelfand's ρ(W)^n (powers of one matrix) does not
apply directly. What a step does to a gradient spread evenly over the units is its root-mean-square
gain, E|W^T u|² = |W|_F²/d |u|² for isotropic u, so the mean-field per-step factor (Poole et al.
2016: σ_w² E[φ'²]) is rms_gain × rms tanh' with rms_gain = |W|_F/√d. For i.i.d. entries the circular
law puts the eigenvalues in a disc of radius |W|_F/√d (so ρ ≈ rms_gain) and σ_max ≈ 2 rms_gain
(Bai–Yin), which is why ρ ≈ σ_max / 2. At d = 64 ρ sits a few % above rms_gain, which is why the
ρ × rms prediction runs a few % high; for a·orthogonal ρ = σ_max = rms_gain = a exactly.

orthogonal_1_gaussian: the a = 1 orthogonal matrix with torch's bias and N(0, 1) inputs (not a plotted
case, quoted on its own): orthogonal initialisation without the tiny inputs.
"""
import math

import torch

from ..cells import RNNCell, rnn_step_jacobian
from ._common import geomean, geomean_columns, mean, safe_norm, single_thread

GAMMA = {"tanh": 1.0, "sigmoid": 0.25}
UNSATURATED = 0.7  # mean tanh' at or above this: the units sit mostly on the steep part of tanh


def _orthogonal(n: int, gen: torch.Generator) -> torch.Tensor:
    """A random orthogonal (n, n) matrix in float64 (QR of a Gaussian, signs fixed by diag(R))."""
    q, r = torch.linalg.qr(torch.randn(n, n, generator=gen, dtype=torch.float64))
    return q * torch.sign(torch.diagonal(r))


def build_case(case: dict, seed: int, size: int):
    """(cell in float64, inputs (1, T, size)) for one case dict (see CASES) and one seed."""
    torch.manual_seed(seed)
    cell = RNNCell(size, size).double()
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(1, case["T"], size, generator=gen, dtype=torch.float64) * case["input_scale"]
    with torch.no_grad():
        W = cell.W_hh.weight
        if case["family"] == "rescaled":
            W.mul_(case["a"] / torch.linalg.matrix_norm(W, 2))
        elif case["family"] == "orthogonal":
            W.copy_(case["a"] * _orthogonal(size, gen))
        if case["zero_bias"]:
            cell.W_hh.bias.zero_()
    return cell, x


def measure(cell: RNNCell, x: torch.Tensor) -> dict:
    """Unroll over x (1, T, n) from h_0 = 0, L = sum(h_T). Returns per-distance lists, d = T − t =
    0..T: "grad" |∂L/∂h_{T−d}|, "bound" σ_max^d |∂L/∂h_T|, "jacobian_bound" Π ||J_k||₂ |∂L/∂h_T|
    over the last d steps; "jacobian_norms" ||J_k||₂ = ||∂h_k/∂h_{k−1}||₂ for k = 1..T."""
    T = x.size(1)
    h = cell.init_state(x[:, 0]).requires_grad_()
    hs = [h]
    for t in range(T):
        h, _ = cell(x[:, t], h)
        hs.append(h)
    grads = torch.autograd.grad(hs[-1].sum(), hs)
    with torch.no_grad():
        W = cell.W_hh.weight
        sigma = float(torch.linalg.matrix_norm(W, 2))
        jn = [float(torch.linalg.matrix_norm(rnn_step_jacobian(cell, x[0, k - 1], hs[k - 1][0])[0], 2))
              for k in range(1, T + 1)]
    gT = safe_norm(grads[-1])
    grad = [safe_norm(grads[T - d]) for d in range(T + 1)]
    bound = [sigma ** d * gT for d in range(T + 1)]
    jb, prod = [gT], gT
    for d in range(1, T + 1):
        prod *= jn[T - d]  # ||J_k|| for k = T − d + 1
        jb.append(prod)
    return {"grad": grad, "bound": bound, "jacobian_bound": jb, "jacobian_norms": jn,
            "sigma_max": sigma,
            "spectral_radius": spectral_radius(W),
            "rms_gain": rms_gain(W),
            "mean_abs_h": float(torch.stack(hs[1:]).detach().abs().mean()),
            **slope_stats(hs[1:])}


def spectral_radius(W: torch.Tensor) -> float:
    """ρ(W) = max |λ| over the eigenvalues of the square matrix W."""
    return float(torch.linalg.eigvals(W.detach()).abs().max())


def rms_gain(W: torch.Tensor) -> float:
    """|W|_F / √d for a (d, d) matrix: the root-mean-square gain E|W^T u|/|u| over isotropic u, and the
    radius of the circular law's eigenvalue disc for i.i.d. entries."""
    return float(W.detach().norm() / math.sqrt(W.size(0)))


def slope_stats(states) -> dict:
    """tanh' = 1 − h² along a trajectory: states [h_1, ..., h_T], each (1, H). Returns the mean of
    tanh' over all units and steps, and per step t the root mean square over the units, rms_t."""
    slope = 1 - torch.stack([h.detach()[0] for h in states]) ** 2  # (T, H)
    return {"tanh_prime_mean": float(slope.mean()),
            "tanh_prime_rms_by_step": (slope ** 2).mean(dim=1).sqrt().tolist()}  # [t = 1..T]


def make_cases(T: int, scales, small_input: float) -> dict:
    """name -> case dict {"family", "a", "input_scale", "zero_bias", "T"}."""
    cases = {"default": {"family": "default", "a": None, "input_scale": 1.0, "zero_bias": False, "T": T}}
    for a in scales:
        cases[f"rescaled_{a:g}"] = {"family": "rescaled", "a": float(a), "input_scale": 1.0,
                                    "zero_bias": False, "T": T}
    for a in scales:
        cases[f"orthogonal_{a:g}"] = {"family": "orthogonal", "a": float(a), "input_scale": small_input,
                                      "zero_bias": True, "T": T}
    return cases


def outcome(ratio: float) -> str:
    """Label |∂L/∂h_0| / |∂L/∂h_T|: < 1e-3 vanishes, < 0.1 shrinks, ≤ 10 roughly stable (within a
    factor of 10), ≤ 1e3 grows, else explodes."""
    if ratio < 1e-3:
        return "vanishes"
    if ratio < 0.1:
        return "shrinks"
    if ratio <= 10.0:
        return "roughly stable"
    return "grows" if ratio <= 1e3 else "explodes"


def _max_error(ratios):
    """Largest |ratio − 1| over prediction/measured ratios (None where the gradient underflowed);
    None if there are none."""
    errors = [abs(x - 1) for x in ratios if x is not None]
    return max(errors) if errors else None


def run_cases(seed: int = 0, n_seeds: int = 3, T: int = 200, hidden_size: int = 64,
        scales=(0.9, 1.0, 1.1, 1.5, 3.0), small_input: float = 0.01) -> dict:
    """All cases over n_seeds seeds. Returns {"cases": {name: {setup..., "per_seed": [{"grad": [d = 0..T],
    "sigma_max", "spectral_radius", "mean_abs_h"} per seed], "jacobian_norms_mean": [k = 1..T],
    "grad_geomean", "bound_geomean", "jacobian_bound_geomean": [d = 0..T],
    "sigma_max", "spectral_radius", "rms_gain" |W|_F/√d (means over seeds), "ratio_h0_hT" (geomean), "growth_per_step"
    (the measured per-step factor), "mean_tanh_prime", "rms_tanh_prime", "predicted_per_step_mean"
    (ρ × mean tanh'), "predicted_per_step_rms" (ρ × rms tanh'), "predicted_per_step_meanfield"
    (rms_gain × rms tanh'), their ratios to the measured factor,
    "rms_tanh_prime_by_step": [t = 1..T] (geomean over seeds),
    "outcome", "below_bound", "sufficient_for_vanishing"}}, "orthogonal_1_gaussian": the same summary for a = 1 orthogonal
    with torch's bias and N(0, 1) inputs,
    "distance": [0..T], "quotes": {...}}."""
    seeds = [seed + k for k in range(n_seeds)]
    cases = make_cases(T, scales, small_input)
    out = {}
    worst = 0.0  # largest measured/bound ratio at any distance d >= 1: must be <= 1
    with single_thread():
        for name, case in cases.items():
            per_seed = [measure(*build_case(case, s, hidden_size)) for s in seeds]
            out[name] = summarise(case, per_seed, T)
            worst = max([worst] + [g / b for m in per_seed for g, b in zip(m["grad"][1:], m["bound"][1:])])
        # orthogonal init without the tiny inputs: a = 1, torch's bias, N(0, 1) inputs
        gauss = {"family": "orthogonal", "a": 1.0, "input_scale": 1.0, "zero_bias": False, "T": T}
        gaussian = summarise(gauss, [measure(*build_case(gauss, s, hidden_size)) for s in seeds], T)
    return _assemble(out, gaussian, worst, seed, seeds, n_seeds, T, hidden_size, scales, small_input)


def summarise(case: dict, per_seed: list, T: int) -> dict:
    """One case over its seeds: the setup, per-seed curves and the averaged quantities (see run)."""
    ratio = geomean(m["grad"][T] / m["grad"][0] for m in per_seed)
    below = all(g <= b * (1 + 1e-9) and g <= jb * (1 + 1e-9)
                for m in per_seed for g, b, jb in zip(m["grad"], m["bound"], m["jacobian_bound"]))
    sigma = mean(m["sigma_max"] for m in per_seed)
    c = {
        **case,
        "per_seed": [{k: m[k] for k in ("grad", "sigma_max", "spectral_radius", "mean_abs_h")}
                     for m in per_seed],
        "jacobian_norms_mean": [mean(c) for c in zip(*(m["jacobian_norms"] for m in per_seed))],
        "grad_geomean": geomean_columns([m["grad"] for m in per_seed]),
        "bound_geomean": geomean_columns([m["bound"] for m in per_seed]),
        "jacobian_bound_geomean": geomean_columns([m["jacobian_bound"] for m in per_seed]),
        "sigma_max": sigma,
        "spectral_radius": mean(m["spectral_radius"] for m in per_seed),
        "rms_gain": mean(m["rms_gain"] for m in per_seed),
        "mean_jacobian_norm": mean(mean(m["jacobian_norms"]) for m in per_seed),
        "ratio_h0_hT": ratio, "growth_per_step": ratio ** (1.0 / T) if ratio > 0 else 0.0,
        "outcome": outcome(ratio), "below_bound": below,
        "sufficient_for_vanishing": sigma < 1.0 / GAMMA["tanh"],
        "mean_abs_h": mean(m["mean_abs_h"] for m in per_seed),
        "mean_tanh_prime": mean(m["tanh_prime_mean"] for m in per_seed),
        "rms_tanh_prime": geomean(r for m in per_seed for r in m["tanh_prime_rms_by_step"]),
        "rms_tanh_prime_by_step": geomean_columns([m["tanh_prime_rms_by_step"] for m in per_seed]),
    }
    c["predicted_per_step_mean"] = c["spectral_radius"] * c["mean_tanh_prime"]
    c["predicted_per_step_rms"] = c["spectral_radius"] * c["rms_tanh_prime"]
    c["predicted_per_step_meanfield"] = c["rms_gain"] * c["rms_tanh_prime"]
    g = c["growth_per_step"]
    for k in ("mean", "rms", "meanfield"):
        c[f"{k}_prediction_over_measured"] = c[f"predicted_per_step_{k}"] / g if g > 0 else None
    return c


def _assemble(out, gaussian, worst, seed, seeds, n_seeds, T, hidden_size, scales, small_input) -> dict:
    """The run's result dict: cases and the page's quotes."""
    exploding = [n for n, c in out.items() if c["outcome"] == "explodes"]
    random = [n for n, c in out.items() if c["family"] in ("default", "rescaled")]
    # "unsaturated": the slopes are all alike, mean tanh' >= UNSATURATED
    unsaturated = [n for n, c in out.items() if c["mean_tanh_prime"] >= UNSATURATED]
    random_excess = [out[n]["rms_prediction_over_measured"] - 1 for n in random
                     if out[n]["rms_prediction_over_measured"] is not None]
    per_case = ("sigma_max", "spectral_radius", "rms_gain", "mean_abs_h", "mean_tanh_prime", "rms_tanh_prime",
                "predicted_per_step_mean", "predicted_per_step_rms", "predicted_per_step_meanfield",
                "mean_prediction_over_measured", "rms_prediction_over_measured",
                "meanfield_prediction_over_measured")
    quotes = {
        "T": T,
        "default_sigma_max": out["default"]["sigma_max"],
        "default_spectral_radius": out["default"]["spectral_radius"],
        "default_ratio_h0_hT": out["default"]["ratio_h0_hT"],
        "default_growth_per_step": out["default"]["growth_per_step"],
        **{f"{n}_ratio_h0_hT": c["ratio_h0_hT"] for n, c in out.items() if n != "default"},
        **{f"{n}_growth_per_step": c["growth_per_step"] for n, c in out.items() if n != "default"},
        "max_measured_over_bound": worst,
        "all_below_bound": all(c["below_bound"] for c in out.values()),
        "exploding_cases": exploding,
        "sigma_above_1_but_vanishing": [n for n, c in out.items()
                                        if c["sigma_max"] > 1.0 + 1e-9 and c["outcome"] == "vanishes"],
        **{f"{n}_{k}": c[k] for n, c in out.items() for k in per_case},
        # the random matrices: ρ far below σ_max
        "random_rho_over_sigma_min": min(out[n]["spectral_radius"] / out[n]["sigma_max"] for n in random),
        "random_rho_over_sigma_max": max(out[n]["spectral_radius"] / out[n]["sigma_max"] for n in random),
        "unsaturated_threshold": UNSATURATED,
        "unsaturated_cases": unsaturated,
        # largest relative error |prediction / measured − 1| of each predictor
        "mean_prediction_max_error_unsaturated": _max_error(out[n]["mean_prediction_over_measured"]
                                                            for n in unsaturated),
        "mean_prediction_max_error_all": _max_error(c["mean_prediction_over_measured"] for c in out.values()),
        "rms_prediction_max_error_all": _max_error(c["rms_prediction_over_measured"] for c in out.values()),
        "growing_cases": [n for n, c in out.items() if c["growth_per_step"] > 1.0],
        "random_rms_prediction_excess_min": min(random_excess, default=None),
        "random_rms_prediction_excess_max": max(random_excess, default=None),
        # why ρ × rms runs high: at d = 64 ρ exceeds the circular-law radius |W|_F/√d; σ_max ≈ 2 |W|_F/√d
        "random_rho_over_rms_gain_min": min(out[n]["spectral_radius"] / out[n]["rms_gain"] for n in random),
        "random_rho_over_rms_gain_max": max(out[n]["spectral_radius"] / out[n]["rms_gain"] for n in random),
        "random_sigma_max_over_rms_gain_min": min(out[n]["sigma_max"] / out[n]["rms_gain"] for n in random),
        "random_sigma_max_over_rms_gain_max": max(out[n]["sigma_max"] / out[n]["rms_gain"] for n in random),
        # the mean-field prediction rms_gain × rms tanh'
        "meanfield_prediction_max_error_random": _max_error(out[n]["meanfield_prediction_over_measured"]
                                                            for n in random),
        "meanfield_prediction_max_error_all": _max_error(c["meanfield_prediction_over_measured"]
                                                         for c in out.values()),
        # why ρ × mean tanh' lands close while the units are unsaturated: ρ's excess over rms_gain
        # nearly cancels the mean's shortfall below the rms
        "unsaturated_random_mean_over_rms_min": min(out[n]["mean_tanh_prime"] / out[n]["rms_tanh_prime"]
                                                    for n in random if n in unsaturated),
        "unsaturated_random_mean_over_rms_max": max(out[n]["mean_tanh_prime"] / out[n]["rms_tanh_prime"]
                                                    for n in random if n in unsaturated),
        **{f"orthogonal_1_gaussian_{k}": gaussian[k] for k in
           ("ratio_h0_hT", "growth_per_step", "mean_tanh_prime", "rms_tanh_prime", "predicted_per_step_rms")},
        "small_input": small_input,
        # float32 underflow: below the smallest normal number values become subnormal (section 2.2)
        "float32_smallest_normal": float(torch.finfo(torch.float32).tiny),
    }
    return {
        "experiment": "regimes", "seed": seed, "seeds": seeds,
        "budget": {"n_seeds": n_seeds, "T": T, "hidden_size": hidden_size, "scales": [float(a) for a in scales],
                   "small_input": small_input},
        "loss": "sum(h_T)", "distance": list(range(T + 1)),
        "distance_index": "index d is the distance T - t; grad[d] = |dL/dh_(T-d)|",
        "pascanu": {"gamma": GAMMA, "lambda_1": "largest singular value of W_hh",
                    "sufficient_for_vanishing": "lambda_1 < 1/gamma",
                    "necessary_for_exploding": "lambda_1 > 1/gamma"},
        "cases": out, "orthogonal_1_gaussian": gaussian, "quotes": quotes,
    }


def run(seed: int = 0, **budget) -> dict:
    """The measurement (see :func:`run_cases`) plus the smallest exploding scale and the seed count."""
    data = run_cases(seed=seed, **budget)
    c, q = data["cases"], data["quotes"]
    q.update({
        "orthogonal_explode_a": min((c[n]["a"] for n in q["exploding_cases"]), default=None),
        "n_seeds": len(data["seeds"]),
    })
    return data
