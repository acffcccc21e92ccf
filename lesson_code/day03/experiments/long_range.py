"""A long-range memory task after Hochreiter & Schmidhuber (1997): recall the first symbol after a gap.

A sequence is  [c, d_1, ..., d_gap, q]:  c is one of K class symbols (ids 0..K-1), the d_i are
distractors drawn uniformly from D other symbols (ids K..K+D-1), q is a query symbol (id K+D).
After reading q the model must output c; nothing between carries information about it, so the
gradient that teaches the model to store c has to travel back `gap` + 1 steps. Chance = 1/K.

Model: embedding -> one recurrent layer (hidden 32) -> linear head on the last hidden state.
Trained with Adam and gradient clipping on fresh random batches; accuracy is measured on a fixed
held-out batch (its own generator, so it is the same for every model). Every model at a given seed
and gap sees the same training batches. The default backend is torch's nn.RNN/nn.LSTM/nn.GRU,
which compute the same functions as our cells (tests/day03/test_cells.py checks it) about 3-6x
faster on CPU; backend="scratch" runs the same training on our cells.

For the gated cells, `keep_gate_products` also measures what the weights do with memory: the
product of the "keep" gate (the LSTM's forget gate f, the GRU's update gate z) over the gap + 1
steps a symbol must be held, per unit, before and after training. That product is the factor by
which the direct path (diag(prod f) or diag(prod z)) scales both the stored symbol and the gradient
that teaches the model to store it.
"""
import copy

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..cells import GRUCell, LSTMCell, make_cell, unroll
from ..init import set_forget_bias
from ..torch_compat import copy_from_torch
from lesson_code.lessonkit.statistics import t_interval

from ._common import geomean, mean, safe_norm, single_thread
from .gradient_norms import unroll_cut

# name -> (cell kind, forget bias or None for the default init)
MODELS = {
    "rnn": ("rnn", None),
    "lstm_bias0": ("lstm", 0.0),
    "lstm_bias1": ("lstm", 1.0),
    "lstm_bias3": ("lstm", 3.0),
    "gru": ("gru", None),
}
SOLVED = 0.9  # held-out accuracy counted as "solved"
SHARE_BATCH = 200  # held-out sequences over which the direct path's share of the gradient is measured


def make_batch(batch_size: int, gap: int, n_classes: int, n_distractors: int, gen: torch.Generator):
    """x: LongTensor (B, gap + 2) = [class, gap distractors, query]; y: (B,) the class (= x[:, 0])."""
    y = torch.randint(0, n_classes, (batch_size,), generator=gen)
    d = torch.randint(n_classes, n_classes + n_distractors, (batch_size, gap), generator=gen)
    q = torch.full((batch_size, 1), n_classes + n_distractors, dtype=torch.long)
    return torch.cat([y[:, None], d, q], dim=1), y


class RecallNet(nn.Module):
    """Embedding -> recurrent layer -> Linear on the last step: x (B, T) -> logits (B, K)."""

    def __init__(self, kind: str, vocab_size: int, n_classes: int, hidden_size: int = 32,
                 embed_size: int = 16, backend: str = "torch"):
        super().__init__()
        self.backend = backend
        self.embed = nn.Embedding(vocab_size, embed_size)
        if backend == "torch":
            self.rnn = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[kind](embed_size, hidden_size, batch_first=True)
        elif backend == "scratch":
            self.rnn = make_cell(kind, embed_size, hidden_size)
        else:
            raise ValueError(f"unknown backend {backend!r}; expected 'torch' or 'scratch'")
        self.head = nn.Linear(hidden_size, n_classes)

    def forward(self, x):
        e = self.embed(x)  # (B, T, E)
        hs = self.rnn(e)[0] if self.backend == "torch" else unroll(self.rnn, e)[0]  # (B, T, H)
        return self.head(hs[:, -1])  # (B, K)


def _our_cell(net: RecallNet):
    """The recurrent layer of net as our cell (LSTMCell/GRUCell) with the same weights, or None (RNN)."""
    kind = {nn.LSTM: "lstm", nn.GRU: "gru", LSTMCell: "lstm", GRUCell: "gru"}.get(type(net.rnn))
    if kind is None or not isinstance(net.rnn, (nn.LSTM, nn.GRU)):
        return net.rnn if kind else None
    with torch.random.fork_rng():  # building it draws an init: leave the global generator untouched
        cell = make_cell(kind, net.rnn.input_size, net.rnn.hidden_size)
    copy_from_torch(cell, net.rnn, "_l0")
    return cell


def direct_path_share(net: RecallNet, x) -> float | None:
    """Section 3.3's route-cutting measurement on the recall model: ||∂L/∂c_0|| through the direct
    path alone over ||∂L/∂c_0|| through every route (∂L/∂h_0 for the GRU), L = sum of h_T over the
    sequences x (B, gap + 2), in float64. None for the vanilla RNN."""
    cell = _our_cell(net)
    if cell is None:
        return None
    cell = copy.deepcopy(cell).double()  # a copy: the scratch backend's cell is the model's own
    with torch.no_grad():
        xs = net.embed(x).double()  # (B, T, E)
    g = {}
    for route in ("direct", "total"):
        first, hT, _ = unroll_cut(cell, xs, route)
        (grad,) = torch.autograd.grad(hT.sum(), [first])
        g[route] = safe_norm(grad)
    return g["direct"] / g["total"] if g["total"] > 0 else None


@torch.no_grad()
def keep_gate_products(net: RecallNet, x) -> list | None:
    """Per unit, the geometric mean over the batch x (B, gap + 2) of prod_t keep_t over the steps
    t = 1 .. gap + 1 that follow the symbol (keep = f for the LSTM, z for the GRU). A list of H
    floats, or None for the vanilla RNN (it has no keep gate)."""
    cell = _our_cell(net)  # our cell with the same weights, to read the gates
    if cell is None:
        return None
    kind = "lstm" if isinstance(cell, LSTMCell) else "gru"
    xw = cell.project_input(net.embed(x))  # (B, T, kH)
    state = cell.init_state(xw[:, 0, :cell.hidden_size])
    log_keep = []
    for t, xw_t in enumerate(xw.unbind(dim=1)):
        h = state[0] if kind == "lstm" else state
        if kind == "lstm":  # f = sigmoid(W_xf x + W_hf h + b_f), gate order i, f, g, o
            keep = torch.sigmoid((xw_t + cell.W_h(h)).chunk(4, dim=-1)[1])
        else:  # z = sigmoid(W_xz x + b_xz + W_hz h + b_hz), gate order r, z, n
            keep = torch.sigmoid(xw_t.chunk(3, dim=-1)[1] + cell.W_h(h).chunk(3, dim=-1)[1])
        if 1 <= t <= x.size(1) - 1:  # the gap + 1 steps after the symbol (distractors and query)
            log_keep.append(keep.double().log())  # (B, H)
        _, state = cell.recur(xw_t, state)
    return torch.stack(log_keep).sum(0).mean(0).exp().tolist()  # exp(mean_b sum_t log keep): (H,)


@single_thread()  # tiny matrices: threads only add overhead (and contention with a parallel job)
def train_recall(kind: str, forget_bias, gap: int, seed: int, steps: int = 1000, batch_size: int = 64,
                 lr: float = 1e-2, clip: float = 1.0, n_classes: int = 8, n_distractors: int = 8,
                 hidden_size: int = 32, eval_every: int = 50, eval_size: int = 1000,
                 backend: str = "torch") -> dict:
    """Train one RecallNet; return {"eval_step", "eval_accuracy", "eval_loss" (held-out, nats),
    "train_loss" (mean per eval window), "final_accuracy", "final_loss", and
    "keep_product_init"/"keep_product_final": keep_gate_products on the held-out batch (None: RNN)}.
    Model init from torch.manual_seed(seed); training batches from Generator(seed); the held-out
    batch from Generator(10**6 + gap), independent of the seed."""
    torch.manual_seed(seed)
    net = RecallNet(kind, n_classes + n_distractors + 1, n_classes, hidden_size, backend=backend)
    if forget_bias is not None:
        set_forget_bias(net, forget_bias)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    x_val, y_val = make_batch(eval_size, gap, n_classes, n_distractors, torch.Generator().manual_seed(10**6 + gap))
    hist = {"eval_step": [], "eval_accuracy": [], "eval_loss": [], "train_loss": []}
    window = []

    def evaluate(step):
        with torch.no_grad():
            logits = net(x_val)
        hist["eval_step"].append(step)
        hist["eval_accuracy"].append(float((logits.argmax(1) == y_val).double().mean()))
        hist["eval_loss"].append(float(F.cross_entropy(logits, y_val)))
        hist["train_loss"].append(mean(window) if window else None)
        window.clear()

    hist["keep_product_init"] = keep_gate_products(net, x_val)
    hist["direct_share_init"] = direct_path_share(net, x_val[:SHARE_BATCH])
    evaluate(0)
    for step in range(1, steps + 1):
        x, y = make_batch(batch_size, gap, n_classes, n_distractors, gen)
        loss = F.cross_entropy(net(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(net.parameters(), clip)
        opt.step()
        window.append(loss.item())
        if step % eval_every == 0 or step == steps:
            evaluate(step)
    hist["keep_product_final"] = keep_gate_products(net, x_val)
    hist["direct_share_final"] = direct_path_share(net, x_val[:SHARE_BATCH])
    hist["final_accuracy"] = hist["eval_accuracy"][-1]
    hist["final_loss"] = hist["eval_loss"][-1]
    return hist


def measure(seed: int = 0, n_seeds: int = 3, gaps=(10, 20, 50), steps: int = 800, models=tuple(MODELS),
        batch_size: int = 64, lr: float = 1e-2, n_classes: int = 8, n_distractors: int = 8,
        hidden_size: int = 32, eval_every: int = 50, backend: str = "torch") -> dict:
    """Accuracy vs gap for each model over n_seeds seeds. Returns {"models": {name: {"kind", "forget_bias",
    "accuracy" / "accuracy_min" / "accuracy_max": [mean / lowest / highest over seeds, per gap],
    "accuracy_per_seed": [[per gap] per seed],
    "accuracy_ci": [per gap: mean with its 95 % t interval over seeds, clipped to [0, 1]], "seeds_solved": [per gap: how many seeds reach SOLVED],
    "longest_gap_solved" (mean accuracy >= SOLVED), "longest_gap_solved_all_seeds",
    gated models also "keep_product_max_init" / "_final": [per gap: geometric mean over seeds of the
    largest per-unit keep-gate product over the gap], "runs": {str(gap): [train_recall() history per seed]}}},
    "gaps", "chance", "quotes", ...}."""
    gaps = [int(g) for g in gaps]
    seeds = [seed + k for k in range(n_seeds)]
    out = {}
    with single_thread():
        for name in models:
            kind, bias = MODELS[name]
            runs = {str(g): [train_recall(kind, bias, g, s, steps, batch_size, lr, 1.0, n_classes, n_distractors,
                                          hidden_size, eval_every, backend=backend) for s in seeds]
                    for g in gaps}
            per_seed = [[runs[str(g)][k]["final_accuracy"] for g in gaps] for k in range(n_seeds)]
            cols = list(zip(*per_seed))
            out[name] = {"kind": kind, "forget_bias": bias,
                         "accuracy": [mean(c) for c in cols], "accuracy_min": [min(c) for c in cols],
                         "accuracy_ci": [_interval(c) for c in cols],
                         "accuracy_max": [max(c) for c in cols], "accuracy_per_seed": per_seed,
                         "seeds_solved": [sum(a >= SOLVED for a in c) for c in cols], "runs": runs}
            if kind != "rnn":
                for when in ("init", "final"):
                    out[name][f"keep_product_max_{when}"] = [
                        geomean(max(r[f"keep_product_{when}"]) for r in runs[str(g)]) for g in gaps]
                    # the direct path's share of the gradient at the first state: geometric mean and range over seeds
                    out[name][f"direct_share_{when}"] = [
                        {"geomean": geomean(r[f"direct_share_{when}"] for r in runs[str(g)]),
                         "min": min(r[f"direct_share_{when}"] for r in runs[str(g)]),
                         "max": max(r[f"direct_share_{when}"] for r in runs[str(g)]),
                         "per_seed": [r[f"direct_share_{when}"] for r in runs[str(g)]]} for g in gaps]
    chance = 1.0 / n_classes
    for m in out.values():  # largest gap at which the model reached SOLVED accuracy (None: none)
        m["longest_gap_solved"] = max((g for g, a in zip(gaps, m["accuracy"]) if a >= SOLVED), default=None)
        m["longest_gap_solved_all_seeds"] = max((g for g, k in zip(gaps, m["seeds_solved"]) if k == n_seeds),
                                                default=None)
    quotes = {"chance": chance, "steps": steps, "solved_threshold": SOLVED, "n_seeds": n_seeds,
              "hidden_size": hidden_size, "n_classes": n_classes, "gap_min": min(gaps), "gap_max": max(gaps),
              **{f"{name}_gap{g}_{key}": out[name][field][i] for name in out for i, g in enumerate(gaps)
                 for key, field in (("accuracy", "accuracy"), ("accuracy_min", "accuracy_min"),
                                    ("accuracy_max", "accuracy_max"), ("seeds_solved", "seeds_solved"),
                                    ("accuracy_ci", "accuracy_ci"))},
              **{f"{name}_gap{g}_keep_product_max_{when}": out[name][f"keep_product_max_{when}"][i]
                 for name in out if out[name]["kind"] != "rnn" for i, g in enumerate(gaps)
                 for when in ("init", "final")},
              **{f"{name}_gap{g}_direct_share_{when}": out[name][f"direct_share_{when}"][i]
                 for name in out if out[name]["kind"] != "rnn" for i, g in enumerate(gaps)
                 for when in ("init", "final")},
              **{f"{name}_longest_gap_solved": out[name]["longest_gap_solved"] for name in out},
              **{f"{name}_longest_gap_solved_all_seeds": out[name]["longest_gap_solved_all_seeds"] for name in out}}
    return {
        "experiment": "long_range", "seed": seed, "seeds": seeds,
        "budget": {"n_seeds": n_seeds, "gaps": gaps, "steps": steps, "batch_size": batch_size, "lr": lr,
                   "n_classes": n_classes, "n_distractors": n_distractors, "hidden_size": hidden_size,
                   "eval_every": eval_every, "backend": backend},
        "task": "recall the first of gap + 2 symbols after `gap` random distractors and a query symbol",
        "solved_threshold": SOLVED, "gaps": gaps, "chance": chance, "models": out, "quotes": quotes,
    }


def _interval(per_seed) -> dict:
    """Mean accuracy over seeds with its 95 % Student-t interval, clipped to [0, 1]: {"mean", "lo", "hi", "n"}."""
    if len(per_seed) < 2:  # one seed (a quick test run): no interval, only the value
        return {"mean": float(per_seed[0]), "lo": float(per_seed[0]), "hi": float(per_seed[0]), "n": 1}
    ci = t_interval(per_seed)
    return {"mean": ci["mean"], "lo": max(0.0, ci["lo"]), "hi": min(1.0, ci["hi"]), "n": ci["n"]}


def run(seed: int = 0, **budget) -> dict:
    """The measurement (see :func:`measure`) plus the list of gaps the page quotes."""
    data = measure(seed=seed, **budget)
    data["quotes"]["gaps"] = data["gaps"]
    return data
