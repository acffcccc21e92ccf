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
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from ..cells import make_cell, unroll
from ..init import set_forget_bias
from ._common import mean, single_thread

# name -> (cell kind, forget bias or None for the default init)
MODELS = {
    "rnn": ("rnn", None),
    "lstm_bias0": ("lstm", 0.0),
    "lstm_bias1": ("lstm", 1.0),
    "lstm_bias3": ("lstm", 3.0),
    "gru": ("gru", None),
}
SOLVED = 0.9  # held-out accuracy counted as "solved"


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


@single_thread()  # tiny matrices: threads only add overhead (and contention with a parallel job)
def train_recall(kind: str, forget_bias, gap: int, seed: int, steps: int = 1000, batch_size: int = 64,
                 lr: float = 1e-2, clip: float = 1.0, n_classes: int = 8, n_distractors: int = 8,
                 hidden_size: int = 32, eval_every: int = 50, eval_size: int = 1000,
                 backend: str = "torch") -> dict:
    """Train one RecallNet; return {"eval_step", "eval_accuracy", "eval_loss" (held-out, nats),
    "train_loss" (mean per eval window), "final_accuracy", "final_loss"}.
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
    hist["final_accuracy"] = hist["eval_accuracy"][-1]
    hist["final_loss"] = hist["eval_loss"][-1]
    return hist


def run(seed: int = 0, n_seeds: int = 1, gaps=(10, 20, 50, 100), steps: int = 800, models=tuple(MODELS),
        batch_size: int = 64, lr: float = 1e-2, n_classes: int = 8, n_distractors: int = 8,
        hidden_size: int = 32, eval_every: int = 50, backend: str = "torch") -> dict:
    """Accuracy vs gap for each model. Returns {"models": {name: {"kind", "forget_bias",
    "accuracy": [mean over seeds, per gap], "accuracy_per_seed": [[per gap] per seed], "longest_gap_solved",
    "runs": {str(gap): [train_recall() history per seed]}}}, "gaps", "chance", "quotes", ...}."""
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
            out[name] = {"kind": kind, "forget_bias": bias,
                         "accuracy": [mean(col) for col in zip(*per_seed)],
                         "accuracy_per_seed": per_seed, "runs": runs}
    chance = 1.0 / n_classes
    for m in out.values():  # largest gap at which the model reached SOLVED accuracy (None: none)
        m["longest_gap_solved"] = max((g for g, a in zip(gaps, m["accuracy"]) if a >= SOLVED), default=None)
    quotes = {"chance": chance, "steps": steps, "solved_threshold": SOLVED,
              **{f"{name}_gap{g}_accuracy": out[name]["accuracy"][i] for name in out for i, g in enumerate(gaps)},
              **{f"{name}_longest_gap_solved": out[name]["longest_gap_solved"] for name in out}}
    return {
        "experiment": "long_range", "seed": seed, "seeds": seeds,
        "budget": {"n_seeds": n_seeds, "gaps": gaps, "steps": steps, "batch_size": batch_size, "lr": lr,
                   "n_classes": n_classes, "n_distractors": n_distractors, "hidden_size": hidden_size,
                   "eval_every": eval_every, "backend": backend},
        "task": "recall the first of gap + 2 symbols after `gap` random distractors and a query symbol",
        "gaps": gaps, "chance": chance, "models": out, "quotes": quotes,
    }
