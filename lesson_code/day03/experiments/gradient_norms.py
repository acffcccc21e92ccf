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
"""
import torch

from ..cells import make_cell
from ..init import set_forget_bias
from ._common import geomean_columns, mean, safe_norm, single_thread
from ._probe import lstm_gates

# name -> (cell kind, forget bias or None for the default init)
CONFIGS = {
    "rnn": ("rnn", None),
    "gru": ("gru", None),
    "lstm": ("lstm", None),
    "lstm_bias0": ("lstm", 0.0),
    "lstm_bias1": ("lstm", 1.0),
    "lstm_bias3": ("lstm", 3.0),
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


def make_configured_cell(name: str, seed: int, size: int) -> torch.nn.Module:
    """The cell of config `name` built right after torch.manual_seed(seed) (float32)."""
    kind, bias = CONFIGS[name]
    torch.manual_seed(seed)
    cell = make_cell(kind, size, size)
    if bias is not None:
        set_forget_bias(cell, bias)
    return cell


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


def _spread(rows):
    """Per-column geometric mean, min and max of per-seed rows."""
    return {"geomean": geomean_columns(rows), "min": [min(c) for c in zip(*rows)],
            "max": [max(c) for c in zip(*rows)]}


def run(seed: int = 0, n_seeds: int = 5, T_values=(10, 50, 100, 200), hidden_size: int = 64,
        float32_T_max: int = 300, float32_T_step: int = 10) -> dict:
    """Gradient norms at init for all CONFIGS over n_seeds seeds; see the module docstring.

    Returns {"float64": {config: {"kind", "forget_bias",
        "T": {str(T): {"grad_h": {"geomean"|"min"|"max": [over seeds, for t = 0..T]},
                       LSTMs also "grad_c_geomean", "grad_hc_geomean": [t = 0..T] and "mean_forget_gate"}},
        "h0_per_seed": [[|∂L/∂h_0| per T] per seed], "h0_geomean": [per T],
        LSTMs also "hc0_geomean", "c0_geomean": [per T]}},
     "float32": {"T_grid": [...], config: {"h0_norm": [[per T] per seed], "naive_norm": [[...]],
        "zero_from_T": [per seed; None = never zero on the grid], "naive_zero_from_T": [...]}},
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
            out = {"kind": kind, "forget_bias": bias, "T": per_T,
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
    }
    return {
        "experiment": "gradient_norms", "seed": seed, "seeds": seeds,
        "budget": {"n_seeds": n_seeds, "T_values": T_values, "hidden_size": hidden_size,
                   "float32_T_max": float32_T_max, "float32_T_step": float32_T_step},
        "hidden_size": hidden_size, "input_size": hidden_size, "T_values": T_values,
        "loss": "sum(h_T)", "t_index": "t = 0 is the initial state h_0, t = T the last state",
        "configs": {name: {"kind": k, "forget_bias": b} for name, (k, b) in CONFIGS.items()},
        "float64": float64, "float32": float32, "quotes": quotes,
    }


def _first_true(grid, flags):
    """Smallest grid value whose flag is True (None if none)."""
    return next((T for T, f in zip(grid, flags) if f), None)


def _max_or_none(values):
    values = [v for v in values if v is not None]
    return max(values) if values else None


def _min_or_none(values):
    values = [v for v in values if v is not None]
    return min(values) if values else None
