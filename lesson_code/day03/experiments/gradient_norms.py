"""Exercises 1-3 at initialisation: |∂L/∂h_t| for every t, loss L = sum(h_T), RNN vs LSTM vs GRU.

Setup (per seed s = seed, seed+1, ...): torch.manual_seed(s) then one cell of each kind with its
default init (hidden 64, input 64); the four LSTM variants share the same weights and differ only
in the forget-gate bias ("lstm" = default init, b_f ~ U(-1/8, 1/8); "lstm_bias0/1/3" = b_f set with
set_forget_bias). One input stream x ~ N(0, 1) of length max(T) per seed, drawn from a
torch.Generator(s); a run of length T uses its first T steps. Initial state zero. Index t = 0 is the
initial state h_0 (the spec's code calls it "h₁": it is hiddens[0]); t = T is the last state.

Float64 for the main curves. Float32 separately, on a finer grid of T, for where the gradient at h_0
stops being representable: every entry exactly 0.0. Norms are computed with safe_norm (float64,
rescaled) because float32's own .norm() squares the entries and underflows much earlier: that
earlier "zero" is recorded too, as a measuring pitfall.

For the LSTM, "grad_h" is |∂L/∂h_t| (the same quantity as for the RNN and GRU; the figures use it),
"grad_c" is |∂L/∂c_t|, and "grad_hc" the norm of the concatenation (∂L/∂h_t, ∂L/∂c_t).

Path decomposition (T = 200, float64, the gated cells): which routes carry the gradient from h_T
back to the first state. `unroll_cut` re-runs the cell with chosen routes cut by .detach():
  - "direct": only the additive path, c_{t-1} -> f_t ⊙ c_{t-1} (LSTM) or h_{t-1} -> z_t ⊙ h_{t-1}
    (GRU), whose Jacobian is diag(f_t) or diag(z_t); every gate sees h_{t-1}.detach();
  - "candidate": the direct path plus the candidate's input h_{t-1} (LSTM: g_t, through
    h_{t-1} = o ⊙ tanh(c_{t-1}); GRU: n_t, through W_hn h_{t-1});
  - "candidate_only": the candidate route without the direct path (from step 2 on, f ⊙ c or z ⊙ h
    sees a detached state; step 1 keeps it, so that c_0 is reached at all), an RNN-like loop;
  - "total": nothing cut (the plain autograd gradient).
The first state that the direct path reaches is c_0 for the LSTM and h_0 for the GRU. Next to these:
the per-unit product of the keep gate over the T steps (∏_t f_t or ∏_t z_t, unit by unit: exactly
the diagonal of the direct-path Jacobian) and the heuristic σ(b)^T, with b the forget bias (σ(0)^T
for the GRU, whose biases start near 0).
"""
import math

import torch

from ..cells import make_cell
from ..init import set_forget_bias
from ._common import geomean, geomean_columns, mean, safe_norm, single_thread
from ._probe import lstm_gates

# name -> (cell kind, keep-gate bias: the LSTM's forget bias or the GRU's update-gate bias; None: default init)
CONFIGS = {
    "rnn": ("rnn", None),
    "gru": ("gru", None),
    "lstm": ("lstm", None),
    "lstm_bias0": ("lstm", 0.0),
    "lstm_bias1": ("lstm", 1.0),
    "lstm_bias3": ("lstm", 3.0),
    "gru_zbias0": ("gru", 0.0),  # Exercise 1: the GRU with both update-gate biases set to 0
    "gru_zbias3": ("gru", 3.0),  # Exercise 2: the GRU with its update gate biased to 3 (z ≈ σ(3) = 0.95)
}
FLOAT32_CONFIGS = ("rnn", "gru", "lstm")


# --8<-- [start:grad_at_first_state]
def grad_at_first_state(kind: str, T: int, seed: int = 0, size: int = 64, forget_bias=None) -> float:
    """|∂L/∂h_0| for L = sum(h_T): a fresh `kind` cell (default init, float64) run T steps on N(0, 1) inputs."""
    torch.manual_seed(seed)
    cell = make_cell(kind, size, size).double()
    if forget_bias is not None:
        set_forget_bias(cell, forget_bias)
    xs = torch.randn(1, T, size, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))
    h0 = xs.new_zeros(1, size, requires_grad=True)  # a leaf: autograd gives ∂L/∂h_0
    state = (h0, torch.zeros_like(h0)) if kind == "lstm" else h0  # the LSTM also starts from c_0 = 0
    for t in range(T):
        h, state = cell(xs[:, t], state)
    (grad,) = torch.autograd.grad(h.sum(), h0)  # backpropagation through all T steps
    return grad.norm().item()
# --8<-- [end:grad_at_first_state]


@torch.no_grad()
def set_update_gate_bias(cell, value: float) -> None:
    """Give our GRUCell an effective update-gate bias of `value`: b_xz = value and b_hz = 0 (slice
    [H:2H], gate order r, z, n; the two are always added, like nn.LSTM's two forget biases)."""
    H = cell.hidden_size
    cell.W_x.bias[H:2 * H] = value
    cell.W_h.bias[H:2 * H] = 0.0


def make_configured_cell(name: str, seed: int, size: int) -> torch.nn.Module:
    """The cell of config `name` built right after torch.manual_seed(seed) (float32): the same
    weights for every config of a kind at one seed, only the named biases changed."""
    kind, bias = CONFIGS[name]
    torch.manual_seed(seed)
    cell = make_cell(kind, size, size)
    if bias is not None:  # the keep gate's bias: f for the LSTM, z for the GRU
        (set_forget_bias if kind == "lstm" else set_update_gate_bias)(cell, bias)
    return cell


def grad_of_config(name: str, T: int, seed: int = 0, size: int = 64) -> float:
    """|∂L/∂h_0| for L = sum(h_T) as grad_at_first_state, for any cell of CONFIGS (float64)."""
    cell = make_configured_cell(name, seed, size).double()
    xs = torch.randn(1, T, size, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))
    states, _ = unroll_states(cell, xs)
    return state_gradients(states, T)[0][0]


def unroll_states(cell, xs):
    """Unroll `cell` over xs (1, T, n) from a zero state that requires grad; return the list of
    states [s_0, ..., s_T] (tensors, or (h, c) pairs for the LSTM) and the mean forget-gate
    activation per step (LSTM; else None)."""
    state = cell.init_state(xs[:, 0])
    is_lstm = isinstance(state, tuple)
    state = tuple(s.requires_grad_() for s in state) if is_lstm else state.requires_grad_()
    states, forget = [state], []
    for t in range(xs.size(1)):
        if is_lstm:
            forget.append(float(lstm_gates(cell, xs[:, t], state)["f"].mean()))
        _, state = cell(xs[:, t], state)
        states.append(state)
    return states, (forget if is_lstm else None)


def state_gradients(states, T):
    """For L = sum(h_T): norms |∂L/∂h_t|, t = 0..T, and for the LSTM also |∂L/∂c_t| and
    |∂L/∂(h_t, c_t)| (else None). `states` from unroll_states; the graph is kept for other T."""
    states = states[:T + 1]
    if not isinstance(states[0], tuple):
        grads = torch.autograd.grad(states[-1].sum(), states, retain_graph=True)
        return [safe_norm(g) for g in grads], None, None
    flat = [s for hc in states for s in hc]  # h_0, c_0, h_1, c_1, ...
    grads = torch.autograd.grad(states[-1][0].sum(), flat, retain_graph=True)
    gh, gc = grads[0::2], grads[1::2]
    return ([safe_norm(g) for g in gh], [safe_norm(g) for g in gc],
            [safe_norm(torch.cat([a, b], -1)) for a, b in zip(gh, gc)])


ROUTES = ("direct", "candidate", "candidate_only", "total")
DECOMPOSED = ("lstm_bias0", "lstm_bias1", "lstm_bias3", "gru", "gru_zbias0", "gru_zbias3")
SHARE_T = (20, 50, 100, 200)  # lengths at which the direct path's share of the gradient is measured


def unroll_cut(cell, xs, route: str = "total"):
    """Unroll an LSTM or GRU cell (float64) over xs (1, T, n) from a zero state, letting gradient
    through only the routes of `route` (see the module docstring). Returns (first, h_T, log_keep):
    `first` the leaf the direct path reaches (c_0 for the LSTM, h_0 for the GRU), log_keep (T, H) the
    log of the keep gate (f or z) per step. The forward values are the cell's, whatever the route."""
    lstm = isinstance(cell.init_state(xs[:, 0]), tuple)
    H = cell.hidden_size
    h = xs.new_zeros(1, H, requires_grad=not lstm)
    c = xs.new_zeros(1, H, requires_grad=lstm)
    first = c if lstm else h
    live = {"direct": "", "candidate": "gn", "candidate_only": "gn", "total": "ifgorzn"}[route]
    log_keep = []
    for t in range(xs.size(1)):
        xw = cell.project_input(xs[:, t])
        whh = cell.W_h(h).chunk(4 if lstm else 3, dim=-1)  # W_h h_{t-1} (+ b): gradient flows
        whh_cut = cell.W_h(h.detach()).chunk(4 if lstm else 3, dim=-1)  # same values, no gradient
        if lstm:
            i, f, g, o = (x + (w if k in live else wc) for k, x, w, wc in
                          zip("ifgo", xw.chunk(4, dim=-1), whh, whh_cut))
            f = torch.sigmoid(f)
            keep_c = c.detach() if route == "candidate_only" and t > 0 else c
            c = f * keep_c + torch.sigmoid(i) * torch.tanh(g)  # c_t = f ⊙ c_{t-1} + i ⊙ g
            h = torch.sigmoid(o) * torch.tanh(c)  # h_t = o ⊙ tanh(c_t)
            log_keep.append(f.detach().log()[0])
        else:
            x_r, x_z, x_n = xw.chunk(3, dim=-1)
            h_r, h_z, h_n = (w if k in live else wc for k, w, wc in zip("rzn", whh, whh_cut))
            r, z = torch.sigmoid(x_r + h_r), torch.sigmoid(x_z + h_z)
            n = torch.tanh(x_n + r * h_n)
            keep_h = h.detach() if route == "candidate_only" and t > 0 else h
            h = (1 - z) * n + z * keep_h  # h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}: direct Jacobian diag(z)
            log_keep.append(z.detach().log()[0])
    return first, h, torch.stack(log_keep)


def path_decomposition(name: str, seed: int, xs) -> dict:
    """One seed of the path decomposition for config `name` (LSTM or GRU): the gradient norm at the
    first state for every route, and the per-unit keep-gate products over the T steps of xs (1, T, n)."""
    cell = make_configured_cell(name, seed, xs.size(-1)).double()
    out = {}
    for route in ROUTES:
        first, hT, log_keep = unroll_cut(cell, xs, route)
        (g,) = torch.autograd.grad(hT.sum(), [first])
        out[f"grad_{route}"] = safe_norm(g)
    log_products = log_keep.sum(0)  # log ∏_t keep_t per unit: (H,)
    out["log10_unit_products"] = (log_products / math.log(10)).tolist()
    out["mean_keep_gate"] = float(log_keep.exp().mean())
    return out


def _spread(rows):
    """Per-column geometric mean, min and max of per-seed rows."""
    return {"geomean": geomean_columns(rows), "min": [min(c) for c in zip(*rows)],
            "max": [max(c) for c in zip(*rows)]}


def measure(seed: int = 0, n_seeds: int = 5, T_values=(10, 20, 50, 100, 200), hidden_size: int = 64,
        float32_T_max: int = 300, float32_T_step: int = 10) -> dict:
    """Gradient norms at init for all CONFIGS over n_seeds seeds; see the module docstring.

    Returns {"float64": {config: {"kind", "keep_bias",
        "T": {str(T): {"grad_h": {"geomean"|"min"|"max": [over seeds, for t = 0..T]},
                       LSTMs also "grad_c_geomean", "grad_hc_geomean": [t = 0..T] and "mean_forget_gate"}},
        "h0_per_seed": [[|∂L/∂h_0| per T] per seed], "h0_geomean": [per T],
        LSTMs also "hc0_geomean", "c0_geomean": [per T]}},
     "float32": {"T_grid": [...], config: {"h0_norm": [[per T] per seed], "naive_norm": [[...]],
        "zero_from_T": [per seed; None = never zero on the grid], "naive_zero_from_T": [...]}},
     "paths": {"T": T, config in DECOMPOSED: {"per_seed": [path_decomposition() per seed],
        "heuristic": σ(b)^T, geometric means over seeds of every "grad_<route>" and of the per-unit
        products' "max", "median", "geomean", and "share_units_above_heuristic" (mean over seeds)}},
     "quotes": {...}, plus the setup (seeds, budget, T_values, ...)}."""
    T_values = sorted(int(T) for T in T_values)
    seeds = [seed + k for k in range(n_seeds)]
    grid = list(range(float32_T_step, float32_T_max + 1, float32_T_step))
    with single_thread():
        inputs = {s: torch.randn(1, max(T_values + grid), hidden_size, dtype=torch.float64,
                                 generator=torch.Generator().manual_seed(s)) for s in seeds}

        float64 = {}
        for name, (kind, bias) in CONFIGS.items():
            rows = {str(T): {"grad_h": [], "grad_c": [], "grad_hc": [], "forget": []} for T in T_values}
            for s in seeds:
                cell = make_configured_cell(name, s, hidden_size).double()
                states, forget = unroll_states(cell, inputs[s][:, :T_values[-1]])
                for T in T_values:
                    gh, gc, ghc = state_gradients(states, T)
                    r = rows[str(T)]
                    r["grad_h"].append(gh)
                    r["grad_c"].append(gc)
                    r["grad_hc"].append(ghc)
                    r["forget"].append(mean(forget[:T]) if forget else None)
            per_T = {}
            for T in T_values:
                r = rows[str(T)]
                per_T[str(T)] = {"grad_h": _spread(r["grad_h"])}
                if kind == "lstm":
                    per_T[str(T)].update(grad_c_geomean=geomean_columns(r["grad_c"]),
                                         grad_hc_geomean=geomean_columns(r["grad_hc"]),
                                         mean_forget_gate=mean(r["forget"]))
            out = {"kind": kind, "keep_bias": bias, "T": per_T,
                   "h0_per_seed": [[rows[str(T)]["grad_h"][k][0] for T in T_values] for k in range(n_seeds)],
                   "h0_geomean": [per_T[str(T)]["grad_h"]["geomean"][0] for T in T_values]}
            if kind == "lstm":
                out["hc0_geomean"] = [per_T[str(T)]["grad_hc_geomean"][0] for T in T_values]
                out["c0_geomean"] = [per_T[str(T)]["grad_c_geomean"][0] for T in T_values]
            float64[name] = out

        float32 = {"T_grid": grid}
        for name in FLOAT32_CONFIGS:
            norms, naive = [], []
            for s in seeds:
                cell = make_configured_cell(name, s, hidden_size)  # float32 weights
                states, _ = unroll_states(cell, inputs[s][:, :grid[-1]].float())
                row, row_naive = [], []
                for T in grid:
                    h0 = states[0][0] if isinstance(states[0], tuple) else states[0]
                    hT = states[T][0] if isinstance(states[T], tuple) else states[T]
                    (g,) = torch.autograd.grad(hT.sum(), [h0], retain_graph=True)
                    row.append(safe_norm(g))  # 0.0 exactly when every entry is 0.0
                    row_naive.append(float(g.norm()))  # the pitfall: the squares underflow in float32
                norms.append(row)
                naive.append(row_naive)
            float32[name] = {
                "h0_norm": norms, "naive_norm": naive,
                "zero_from_T": [_first_true(grid, [v == 0.0 for v in r]) for r in norms],
                "naive_zero_from_T": [_first_true(grid, [v == 0.0 for v in r]) for r in naive],
            }

    Tq = 200 if 200 in T_values else T_values[-1]
    iq = T_values.index(Tq)
    paths = {"T": Tq}
    with single_thread():
        for name in DECOMPOSED:
            per_seed = [path_decomposition(name, s, inputs[s][:, :Tq]) for s in seeds]
            bias = CONFIGS[name][1] or 0.0  # the keep gate's bias (None: torch's init, about 0)
            heuristic = (1.0 / (1.0 + math.exp(-bias))) ** Tq  # σ(b)^T
            entry = {"per_seed": per_seed, "heuristic": heuristic,
                     **{f"grad_{r}": geomean(p[f"grad_{r}"] for p in per_seed) for r in ROUTES},
                     "mean_keep_gate": mean(p["mean_keep_gate"] for p in per_seed)}
            for stat, fn in (("max", max), ("median", _median), ("geomean", mean)):  # on log10 products
                entry[f"unit_product_{stat}"] = 10 ** mean(fn(p["log10_unit_products"]) for p in per_seed)
            entry["share_units_above_heuristic"] = mean(
                mean(v > math.log10(heuristic) for v in p["log10_unit_products"]) for p in per_seed)
            entry["direct_over_total"] = entry["grad_direct"] / entry["grad_total"]
            entry["candidate_over_total"] = entry["grad_candidate"] / entry["grad_total"]
            entry["candidate_only_over_total"] = entry["grad_candidate_only"] / entry["grad_total"]
            entry["direct_over_heuristic"] = entry["grad_direct"] / heuristic
            paths[name] = entry
            entry["max_over_median"] = entry["unit_product_max"] / entry["unit_product_median"]
    # The direct path's share of the gradient at the first state, against T: per seed, then the
    # geometric mean and the range over seeds (section 3.3: the share depends on T)
    share = {"T": [T for T in SHARE_T if T <= T_values[-1]]}
    with single_thread():
        for name in DECOMPOSED:
            rows = []
            for s in seeds:
                cell = make_configured_cell(name, s, hidden_size).double()
                row = []
                for T in share["T"]:
                    g = {}
                    for route in ("direct", "total"):
                        first, hT, _ = unroll_cut(cell, inputs[s][:, :T], route)
                        g[route] = safe_norm(torch.autograd.grad(hT.sum(), [first])[0])
                    row.append(g["direct"] / g["total"])
                rows.append(row)
            share[name] = {"per_seed": rows, **_spread(rows)}
    path_quotes = {f"path_{name}_{k}": v for name in DECOMPOSED for k, v in paths[name].items()
                   if k != "per_seed"}
    for name in DECOMPOSED:
        for i, T in enumerate(share["T"]):
            path_quotes[f"share_{name}_T{T}"] = {"geomean": share[name]["geomean"][i], "min": share[name]["min"][i],
                                                 "max": share[name]["max"][i], "n": n_seeds}
    lstm_paths = [paths[name] for name in DECOMPOSED if CONFIGS[name][0] == "lstm"]
    # the largest factor (either way) by which one route's gradient differs from the reference, over the biases
    path_quotes["path_lstm_direct_over_heuristic_spread"] = max(
        max(e["direct_over_heuristic"], 1 / e["direct_over_heuristic"]) for e in lstm_paths)
    path_quotes["path_gru_direct_over_rnn"] = paths["gru"]["grad_direct"] / float64["rnn"]["h0_geomean"][iq]
    path_quotes["path_lstm_candidate_over_total_spread"] = max(
        max(e["candidate_over_total"], 1 / e["candidate_over_total"]) for e in lstm_paths)
    lstms = [name for name in CONFIGS if CONFIGS[name][0] == "lstm"]
    quotes = {
        "T_quoted": Tq,
        **{f"{name}_T{Tq}_geomean": float64[name]["h0_geomean"][iq] for name in CONFIGS},
        **{f"{name}_T{Tq}_hc_geomean": float64[name]["hc0_geomean"][iq] for name in lstms},
        **{f"{name}_mean_forget_gate": float64[name]["T"][str(Tq)]["mean_forget_gate"] for name in lstms},
        f"rnn_T{T_values[0]}_geomean": float64["rnn"]["h0_geomean"][0],
        # geometric-mean shrink factor per step of |∂L/∂h_0| between the smallest and largest T
        "rnn_decay_per_step": (float64["rnn"]["h0_geomean"][iq] / float64["rnn"]["h0_geomean"][0])
        ** (1.0 / (Tq - T_values[0])) if Tq > T_values[0] else None,
        # float32: smallest T on the grid (min and max over seeds) where every entry of ∂L/∂h_0 is 0.0
        **{f"float32_{name}_zero_from_T": _min_or_none(float32[name]["zero_from_T"]) for name in FLOAT32_CONFIGS},
        **{f"float32_{name}_zero_from_T_max": _max_or_none(float32[name]["zero_from_T"]) for name in FLOAT32_CONFIGS},
        # ... and where float32's own g.norm() already reads 0.0 although the entries are not
        "float32_rnn_naive_norm_zero_from_T": _min_or_none(float32["rnn"]["naive_zero_from_T"]),
        "float32_smallest_subnormal": float(torch.finfo(torch.float32).smallest_normal) * 2.0 ** -23,
        **path_quotes,
        **{f"{name}_T{T}_geomean": float64[name]["h0_geomean"][i]
           for name in CONFIGS for i, T in enumerate(T_values) if T == 20},
    }
    return {
        "experiment": "gradient_norms", "seed": seed, "seeds": seeds,
        "budget": {"n_seeds": n_seeds, "T_values": T_values, "hidden_size": hidden_size,
                   "float32_T_max": float32_T_max, "float32_T_step": float32_T_step},
        "hidden_size": hidden_size, "input_size": hidden_size, "T_values": T_values,
        "loss": "sum(h_T)", "t_index": "t = 0 is the initial state h_0, t = T the last state",
        "configs": {name: {"kind": k, "keep_bias": b} for name, (k, b) in CONFIGS.items()},
        "float64": float64, "float32": float32, "paths": paths, "direct_share": share, "quotes": quotes,
    }


def _median(values):
    """Median of a list of floats (the mean of the two middle ones for an even count)."""
    v = sorted(values)
    k = len(v) // 2
    return v[k] if len(v) % 2 else (v[k - 1] + v[k]) / 2


def _first_true(grid, flags):
    """Smallest grid value whose flag is True (None if none)."""
    return next((T for T, f in zip(grid, flags) if f), None)


def _max_or_none(values):
    values = [v for v in values if v is not None]
    return max(values) if values else None


def _min_or_none(values):
    values = [v for v in values if v is not None]
    return min(values) if values else None


def run(seed: int = 0, **budget) -> dict:
    """The measurement (see :func:`measure`) plus the per-T values and seed count the page quotes."""
    data = measure(seed=seed, **budget)
    q, f64 = data["quotes"], data["float64"]
    q.update({f"rnn_T{T}": v for T, v in zip(data["T_values"], f64["rnn"]["h0_geomean"])})
    q.update({f"gru_T{T}": v for T, v in zip(data["T_values"], f64["gru"]["h0_geomean"])})
    q["n_seeds"] = len(data["seeds"])
    return data
