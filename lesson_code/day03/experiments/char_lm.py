"""Char-level language models on the Shakespeare corpus: RNN vs LSTM vs GRU at equal parameter counts,
at a short budget, over several seeds (the page's showcase model, trained much longer, is
figures/showcase.py). The LSTM runs twice: with torch's default initialisation and with the forget
bias started at 1 (Jozefowicz et al. 2015), the confound the comparison must remove.

Corpus, split and vocabulary: corpus.load_corpus() (raises CorpusError if it cannot be fetched),
corpus.train_val_split (validation = the held-out play), data.Vocab over the whole text. Baselines:
baselines.unigram_nats / bigram_nats on the same split. Each model is a TorchCharLM (nn.LSTM/GRU/RNN,
one layer) trained with train.train for a fixed number of steps (not wall-clock, so the result is
deterministic); the LSTM fixes the budget and the GRU's and RNN's hidden sizes are chosen so their
parameter counts are as close as possible to the LSTM's. train.train keeps the weights of the best
validation point; the final validation loss is measured on the whole validation play.
"""
import math

import torch

from ..baselines import bigram_nats, unigram_nats
from ..corpus import TRAIN_PLAYS, load_corpus, train_val_split
from ..data import Vocab
from ..model import CharLMConfig, build_model, count_parameters
from ..train import TrainConfig, evaluate, train
from lesson_code.lessonkit.statistics import t_interval

from ._common import mean, single_thread

# arm -> (cell, forget bias or None for torch's default initialisation)
ARMS = {"rnn": ("rnn", None), "lstm": ("lstm", None), "lstm_bias1": ("lstm", 1.0), "gru": ("gru", None)}
CELLS = ("rnn", "lstm", "gru")
# the paired comparisons (a − b, per seed, then a t interval over seeds) the page reads
COMPARISONS = (("lstm_bias1", "lstm"), ("gru", "lstm"), ("gru", "lstm_bias1"), ("rnn", "lstm"),
               ("rnn", "gru"), ("rnn", "lstm_bias1"))


def matched_hidden_size(cell: str, target: int, vocab_size: int, embed_size: int, num_layers: int) -> int:
    """Hidden size whose TorchCharLM parameter count is closest to `target` (ties: the smaller)."""
    def count(h):
        cfg = CharLMConfig(vocab_size, cell=cell, embed_size=embed_size, hidden_size=h,
                           num_layers=num_layers, backend="torch")
        return count_parameters(build_model(cfg))
    lo, hi = 1, 4096
    while lo < hi:  # smallest h with count(h) >= target (count grows with h)
        mid = (lo + hi) // 2
        if count(mid) < target:
            lo = mid + 1
        else:
            hi = mid
    return min((h for h in (lo - 1, lo) if h >= 1), key=lambda h: (abs(count(h) - target), h))


def block_means(values, block: int):
    """Means of consecutive blocks of `block` values (the last block may be shorter)."""
    return [mean(values[i:i + block]) for i in range(0, len(values), block)]


def memorisation(train_ids, val_ids, vocab_size: int, seed: int, chars: int = 500, steps: int = 300,
                 hidden: int = 128, num_layers: int = 2, embed_size: int = 32, batch_size: int = 2,
                 seq_len: int = 50, eval_tokens: int = 20_000) -> dict:
    """The pitfall of section 5.1: train a model with far more parameters than characters on the first
    `chars` characters of the training text only; its training loss falls far below what it scores
    on the held-out play. Returns the parameter count, the final training loss (mean of the last 10
    steps), and the validation loss at the end and at its best point, in nats/char."""
    config = CharLMConfig(vocab_size, "lstm", embed_size, hidden, num_layers, backend="torch")
    torch.manual_seed(seed)
    model = build_model(config)
    cfg = TrainConfig(batch_size=batch_size, seq_len=seq_len, steps=steps, eval_every=max(1, steps // 6),
                      eval_tokens=eval_tokens, reset_prob=0.0, seed=seed)
    hist = train(model, train_ids[:chars], val_ids, cfg, progress=False)
    return {"chars": chars, "steps": steps, "hidden_size": hidden, "num_layers": num_layers,
            "parameters": count_parameters(model), "params_per_char": count_parameters(model) / chars,
            "train_nats_end": mean(hist["train_nats"][-10:]), "val_step": hist["val_step"],
            "val_nats": hist["val_nats"], "val_nats_end": hist["val_nats"][-1],
            "val_nats_best": hist["best_val_nats"], "val_best_step": hist["best_step"],
            "val_first_step": hist["val_step"][0],
            "val_rises_at_every_check": all(b > a for a, b in zip(hist["val_nats"], hist["val_nats"][1:])),
            "eval_tokens": eval_tokens}


def train_arm(arm: str, seed: int, target: int, V: int, train_ids, val_ids, *, steps: int, lstm_hidden: int,
              embed_size: int, num_layers: int, batch_size: int, seq_len: int, lr: float, eval_every: int,
              eval_tokens: int) -> dict:
    """Train one arm of ARMS at one seed (weights from torch.manual_seed(seed), batches from the seed:
    every arm of a seed sees the same batches). Returns its curves, sizes and final validation loss."""
    cell, forget_bias = ARMS[arm]
    hidden = lstm_hidden if cell == "lstm" else matched_hidden_size(cell, target, V, embed_size, num_layers)
    config = CharLMConfig(V, cell, embed_size, hidden, num_layers, backend="torch", forget_bias=forget_bias)
    torch.manual_seed(seed)
    model = build_model(config)
    cfg = TrainConfig(batch_size=batch_size, seq_len=seq_len, lr=lr, steps=steps, eval_every=eval_every,
                      eval_tokens=eval_tokens, seed=seed)
    hist = train(model, train_ids, val_ids, cfg, progress=False)  # leaves the best-validation weights
    block = min(10, steps)
    final = evaluate(model, val_ids, cfg.eval_batch_size, seq_len)
    return {
        "hidden_size": hidden, "parameters": count_parameters(model), "config": config.to_dict(),
        "train_config": cfg.to_dict(),
        "train_step": [min(i + block, steps) for i in range(0, steps, block)],
        "train_nats": block_means(hist["train_nats"], block),
        "val_step": hist["val_step"], "val_nats": hist["val_nats"],
        "best_step": hist["best_step"], "best_val_nats": hist["best_val_nats"],
        "final_val_nats": final, "final_val_bits": final / math.log(2),
        "chars_seen": hist["chars_seen"], "epochs": hist["epochs"],
    }


def measure(seed: int = 0, n_seeds: int = 3, steps: int = 1000, lstm_hidden: int = 256, embed_size: int = 32,
        num_layers: int = 1, batch_size: int = 32, seq_len: int = 64, lr: float = 3e-3, eval_every: int = 100,
        eval_tokens: int = 20_000, arms=tuple(ARMS), memorise_chars: int = 500, memorise_steps: int = 300,
        corpus_path=None) -> dict:
    """Train every arm at seeds seed .. seed + n_seeds - 1. Returns {"vocab_size", "log_vocab",
    "baselines": {"unigram", "bigram"}, "models": {arm: train_arm() at the first seed (the figure's
    curves)}, "per_seed": {arm: [final validation nats per seed]}, "final_ci": {arm: t interval over
    seeds}, "differences": {"a_minus_b": t interval over seeds of the paired per-seed differences},
    "quotes": {...}}. All losses in nats/char, measured on the whole held-out play with the weights of
    the best validation point; "memorisation": see memorisation() (memorise_steps=0 skips it).
    corpus_path: another text file instead of the Shakespeare corpus (tests use the shipped excerpt)."""
    text = load_corpus(corpus_path)
    train_text, val_text = train_val_split(text)
    vocab = Vocab.from_text(text)
    train_ids, val_ids = vocab.encode(train_text), vocab.encode(val_text)
    V = vocab.size
    seeds = [seed + k for k in range(n_seeds)]
    settings = dict(steps=steps, lstm_hidden=lstm_hidden, embed_size=embed_size, num_layers=num_layers,
                    batch_size=batch_size, seq_len=seq_len, lr=lr, eval_every=eval_every, eval_tokens=eval_tokens)

    with single_thread():
        baselines = {"unigram": unigram_nats(train_ids, val_ids, V), "bigram": bigram_nats(train_ids, val_ids, V)}
        target = count_parameters(build_model(CharLMConfig(V, "lstm", embed_size, lstm_hidden, num_layers,
                                                           backend="torch")))
        runs = {arm: [train_arm(arm, s, target, V, train_ids, val_ids, **settings) for s in seeds] for arm in arms}
        memo = memorisation(train_ids, val_ids, V, seed, memorise_chars, memorise_steps, eval_tokens=eval_tokens) \
            if memorise_steps else None

    models = {arm: r[0] for arm, r in runs.items()}
    per_seed = {arm: [x["final_val_nats"] for x in r] for arm, r in runs.items()}
    final_ci = {arm: t_interval(v) for arm, v in per_seed.items()} if n_seeds > 1 else {}
    differences = {}
    if n_seeds > 1:
        for a, b in COMPARISONS:
            if a in per_seed and b in per_seed:
                differences[f"{a}_minus_{b}"] = t_interval([x - y for x, y in zip(per_seed[a], per_seed[b])])
    quotes = {
        "vocab_size": V, "log_vocab": math.log(V), "steps": steps, "batch_size": batch_size, "seq_len": seq_len,
        "n_seeds": n_seeds, "unigram_nats": baselines["unigram"], "bigram_nats": baselines["bigram"],
        **{f"{c}_hidden_size": m["hidden_size"] for c, m in models.items()},
        **{f"{c}_parameters": m["parameters"] for c, m in models.items()},
        **{f"{c}_final_val_nats": m["final_val_nats"] for c, m in models.items()},  # the first seed's
        **{f"{c}_final_val_bits": m["final_val_bits"] for c, m in models.items()},
        **{f"{c}_last_train_nats": m["train_nats"][-1] for c, m in models.items()},
        **{f"{c}_final_ci": ci for c, ci in final_ci.items()},
        **{f"{c}_per_seed": v for c, v in per_seed.items()},
        **{f"diff_{k}": ci for k, ci in differences.items()},
        **({f"memorise_{k}": v for k, v in memo.items() if not isinstance(v, list)} if memo else {}),
    }
    return {
        "experiment": "char_lm", "seed": seed, "seeds": seeds,
        "budget": {**settings, "n_seeds": n_seeds, "arms": list(arms), "memorise_chars": memorise_chars,
                   "memorise_steps": memorise_steps,
                   "corpus_path": None if corpus_path is None else str(corpus_path)},
        "units": "nats/char (bits = nats / ln 2)", "vocab_size": V, "log_vocab": math.log(V),
        "train_chars": len(train_text), "val_chars": len(val_text),
        "baselines": baselines, "models": models, "per_seed": per_seed, "final_ci": final_ci,
        "differences": differences, "memorisation": memo, "quotes": quotes,
    }


def run(seed: int = 0, **budget) -> dict:
    """The measurement (see :func:`measure`) plus the corpus sizes the page quotes."""
    data = measure(seed=seed, **budget)
    data["quotes"].update({
        "n_train_plays": len(TRAIN_PLAYS),
        "train_chars": data["train_chars"], "val_chars": data["val_chars"],
        "eval_tokens": data["budget"]["eval_tokens"],
        "corpus_chars": data["train_chars"] + data["val_chars"],
    })
    return data
