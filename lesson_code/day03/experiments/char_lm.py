"""Char-level language models on the Shakespeare corpus: RNN vs LSTM vs GRU at equal parameter counts,
the LSTM's gate activations over a text excerpt, samples at several temperatures, entropy vs temperature.

Corpus, split and vocabulary: corpus.load_corpus() (raises CorpusError if it cannot be fetched),
corpus.train_val_split (validation = the held-out play), data.Vocab over the whole text. Baselines:
baselines.unigram_nats / bigram_nats on the same split. Each model is a TorchCharLM (nn.LSTM/GRU/RNN,
one layer) trained with train.train for a fixed number of steps (not wall-clock, so the result is
deterministic); the LSTM fixes the budget and the GRU's and RNN's hidden sizes are chosen so their
parameter counts are as close as possible to the LSTM's. train.train keeps the weights of the best
validation point; the final validation loss is measured on the whole validation play.

Gates: the trained LSTM's weights are copied into our from-scratch CharLM (torch_compat), checked to
give the same logits, and its gates are read step by step (experiments._probe.lstm_gates) over an
excerpt of the validation play, after a warm-up on the text that precedes the excerpt.
"""
import math

import torch
import torch.nn.functional as F

from ..baselines import bigram_nats, unigram_nats
from ..corpus import load_corpus, train_val_split
from ..data import Vocab
from ..model import CharLM, CharLMConfig, build_model, count_parameters
from ..sample import greedy, next_char_entropy, sample
from ..torch_compat import copy_torch_to_charlm
from ..train import TrainConfig, evaluate, train
from ._common import mean, single_thread
from ._probe import lstm_gates

CELLS = ("rnn", "lstm", "gru")
EXCERPT_ANCHOR = "\nBRUTUS.\n"  # the gate excerpt starts at the first speech of Brutus after EXCERPT_AFTER
EXCERPT_AFTER = 20_000
SAMPLE_ANCHOR = "\nCASSIUS.\n"  # samples continue the validation text up to a speech of Cassius
SAMPLE_AFTER = 40_000


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


@torch.no_grad()
def generated_log_likelihood(model, vocab: Vocab, prompt: str, text: str) -> float:
    """Mean log p(c_t | c_<t) in nats over the characters of text after the prompt (text starts with it)."""
    ids = vocab.encode(text).view(1, -1)
    logits, _ = model(ids[:, :-1])
    logp = torch.log_softmax(logits[0].double(), dim=-1).gather(-1, ids[0, 1:, None])[:, 0]
    return float(logp[len(prompt) - 1:].mean())


@torch.no_grad()
def record_gates(model: CharLM, vocab: Vocab, warmup: str, excerpt: str, units) -> dict:
    """Run the from-scratch LSTM CharLM over warmup (state only) then excerpt, reading every layer's
    gates. Returns {"layers": [{"mean": {gate: [per char]}, "units": {gate: [[per char] per unit]}}]}
    for gates i, f, o (sigmoid), g (tanh) and the cell state c, hidden h; per char = after reading it."""
    model.eval()
    x = model.embed(vocab.encode(warmup + excerpt).view(1, -1))  # (1, N, E)
    states = [cell.init_state(x[:, 0]) for cell in model.cells]
    keys = ("i", "f", "g", "o", "c", "h")
    layers = [{"mean": {k: [] for k in keys}, "units": {k: [[] for _ in units] for k in keys}} for _ in model.cells]
    for t in range(x.size(1)):
        inp = x[:, t]
        for layer, cell in enumerate(model.cells):
            gates = lstm_gates(cell, inp, states[layer])
            inp, states[layer] = cell(inp, states[layer])
            if t >= len(warmup):
                values = {**gates, "c": states[layer][1], "h": states[layer][0]}
                rec = layers[layer]
                for k in keys:
                    v = values[k][0]
                    rec["mean"][k].append(float(v.mean()))
                    for j, u in enumerate(units):
                        rec["units"][k][j].append(float(v[u]))
    return {"layers": layers}


def anchor_position(text: str, anchor: str, after: int) -> int:
    """Index just past the newline that starts `anchor`'s first occurrence after `after` (else
    anywhere; else the middle of the text, for corpora without that speaker)."""
    k = text.find(anchor, after)
    if k < 0:
        k = text.find(anchor)
    return k + 1 if k >= 0 else len(text) // 2


def sample_prompt(val_text: str, context: int) -> str:
    """The `context` characters of validation text ending with a speaker line (SAMPLE_ANCHOR).
    A real context, not a bare name: training carries the state between chunks, so the model
    has almost never started from a zero state and its first few predictions from one are poor."""
    end = anchor_position(val_text, SAMPLE_ANCHOR, SAMPLE_AFTER)
    end = val_text.index("\n", end) + 1 if "\n" in val_text[end:] else end  # include the speaker line
    return val_text[max(0, end - context):end]


def run(seed: int = 0, steps: int = 1000, lstm_hidden: int = 256, embed_size: int = 32, num_layers: int = 1,
        batch_size: int = 32, seq_len: int = 64, lr: float = 3e-3, eval_every: int = 100,
        eval_tokens: int = 20_000, cells=CELLS, temperatures=(0.2, 0.5, 0.8, 1.0, 1.5, 3.0),
        sample_length: int = 200, prompt_context: int = 300, excerpt_length: int = 100, warmup_length: int = 200,
        n_units: int = 16, entropy_positions: int = 10_000, entropy_grid_size: int = 25,
        corpus_path=None) -> dict:
    """Train and probe; returns {"vocab_size", "log_vocab", "baselines": {"unigram", "bigram"},
    "models": {cell: {"hidden_size", "parameters", "val_step", "val_nats", "train_step", "train_nats",
    "best_val_nats", "best_step", "final_val_nats", "final_val_bits"}}, "gates": {"excerpt", "chars",
    "layers": [{"mean": {gate: [per char]}, "units": {gate: [[per char] per unit]}}], "unit_index", ...},
    "sample_prompt": str, "samples": [{"temperature" (None = greedy), "text" (after the prompt),
    "mean_log_likelihood"}], "entropy": {"temperature", "mean_entropy", "val_cross_entropy": [per T],
    "at_temperature_1", "best_temperature", "log_vocab"}, "quotes": {...}}. All losses in nats/char.
    corpus_path: another text file instead of the Shakespeare corpus (tests use the shipped excerpt)."""
    text = load_corpus(corpus_path)
    train_text, val_text = train_val_split(text)
    vocab = Vocab.from_text(text)
    train_ids, val_ids = vocab.encode(train_text), vocab.encode(val_text)
    V = vocab.size

    with single_thread():
        baselines = {"unigram": unigram_nats(train_ids, val_ids, V), "bigram": bigram_nats(train_ids, val_ids, V)}
        target = count_parameters(build_model(CharLMConfig(V, "lstm", embed_size, lstm_hidden, num_layers,
                                                           backend="torch")))
        models, trained = {}, {}
        for cell in cells:
            hidden = lstm_hidden if cell == "lstm" else matched_hidden_size(cell, target, V, embed_size, num_layers)
            config = CharLMConfig(V, cell, embed_size, hidden, num_layers, backend="torch")
            torch.manual_seed(seed)
            model = build_model(config)
            cfg = TrainConfig(batch_size=batch_size, seq_len=seq_len, lr=lr, steps=steps, eval_every=eval_every,
                              eval_tokens=eval_tokens, seed=seed)
            hist = train(model, train_ids, val_ids, cfg, progress=False)  # leaves the best-validation weights
            block = min(10, steps)
            final = evaluate(model, val_ids, cfg.eval_batch_size, seq_len)
            models[cell] = {
                "hidden_size": hidden, "parameters": count_parameters(model), "config": config.to_dict(),
                "train_config": cfg.to_dict(),
                "train_step": [min(i + block, steps) for i in range(0, steps, block)],
                "train_nats": block_means(hist["train_nats"], block),
                "val_step": hist["val_step"], "val_nats": hist["val_nats"],
                "best_step": hist["best_step"], "best_val_nats": hist["best_val_nats"],
                "final_val_nats": final, "final_val_bits": final / math.log(2),
                "chars_seen": hist["chars_seen"], "epochs": hist["epochs"],
            }
            trained[cell] = model

        probe = _probe_lstm(trained["lstm"], vocab, val_text, val_ids, seed, temperatures, sample_length, prompt_context,
                            excerpt_length, warmup_length, n_units, entropy_positions, entropy_grid_size) \
            if "lstm" in trained else {}

    quotes = {
        "vocab_size": V, "log_vocab": math.log(V), "steps": steps, "batch_size": batch_size, "seq_len": seq_len,
        "unigram_nats": baselines["unigram"], "bigram_nats": baselines["bigram"],
        **{f"{c}_hidden_size": m["hidden_size"] for c, m in models.items()},
        **{f"{c}_parameters": m["parameters"] for c, m in models.items()},
        **{f"{c}_final_val_nats": m["final_val_nats"] for c, m in models.items()},
        **{f"{c}_final_val_bits": m["final_val_bits"] for c, m in models.items()},
        **{f"{c}_last_train_nats": m["train_nats"][-1] for c, m in models.items()},
    }
    if probe:
        quotes.update({
            "entropy_at_T1": probe["entropy"]["at_temperature_1"],
            "entropy_min_T": probe["entropy"]["temperature"][0],
            "entropy_at_min_T": probe["entropy"]["mean_entropy"][0],
            "entropy_max_T": probe["entropy"]["temperature"][-1],
            "entropy_at_max_T": probe["entropy"]["mean_entropy"][-1],
            "best_val_temperature": probe["entropy"]["best_temperature"],
            **{f"sample_T{s['temperature']:g}_loglik": s["mean_log_likelihood"] for s in probe["samples"]
               if s["temperature"] is not None},
            "sample_greedy_loglik": next(s["mean_log_likelihood"] for s in probe["samples"] if s["temperature"] is None),
            "val_loglik": -models["lstm"]["final_val_nats"],
            **{f"gate_{k}_mean": v for k, v in probe["gates"]["overall_mean"].items()},
            "scratch_vs_torch_max_abs_logit_diff": probe["gates"]["max_abs_logit_diff"],
        })
    return {
        "experiment": "char_lm", "seed": seed,
        "budget": {"steps": steps, "lstm_hidden": lstm_hidden, "embed_size": embed_size, "num_layers": num_layers,
                   "batch_size": batch_size, "seq_len": seq_len, "lr": lr, "eval_every": eval_every,
                   "eval_tokens": eval_tokens, "cells": list(cells), "temperatures": list(temperatures),
                   "sample_length": sample_length, "prompt_context": prompt_context, "excerpt_length": excerpt_length,
                   "warmup_length": warmup_length, "n_units": n_units, "entropy_positions": entropy_positions,
                   "entropy_grid_size": entropy_grid_size, "corpus_path": None if corpus_path is None else str(corpus_path)},
        "units": "nats/char (bits = nats / ln 2)", "vocab_size": V, "log_vocab": math.log(V),
        "train_chars": len(train_text), "val_chars": len(val_text),
        "baselines": baselines, "models": models, **probe, "quotes": quotes,
    }


def _probe_lstm(model, vocab, val_text, val_ids, seed, temperatures, sample_length, prompt_context, excerpt_length,
                warmup_length, n_units, entropy_positions, entropy_grid_size) -> dict:
    """Gates, samples and entropy-vs-temperature of the trained torch LSTM CharLM."""
    model.eval()
    # gates, on our from-scratch cells holding the same weights
    scratch = CharLM(CharLMConfig(**{**model.config.to_dict(), "backend": "scratch"}))
    copy_torch_to_charlm(model, scratch)
    scratch.eval()
    start = anchor_position(val_text, EXCERPT_ANCHOR, EXCERPT_AFTER)
    excerpt = val_text[start:start + excerpt_length]
    warmup = val_text[max(0, start - warmup_length):start]
    with torch.no_grad():
        ids = vocab.encode(warmup + excerpt).view(1, -1)
        diff = float((scratch(ids)[0] - model(ids)[0]).abs().max())
    units = list(range(min(n_units, model.config.hidden_size)))
    gates = record_gates(scratch, vocab, warmup, excerpt, units)
    layer = gates["layers"][-1]
    gates.update(excerpt=excerpt, chars=list(excerpt), warmup_chars=len(warmup), unit_index=units,
                 max_abs_logit_diff=diff, layer_shown=len(gates["layers"]) - 1,
                 overall_mean={k: mean(layer["mean"][k]) for k in ("i", "f", "o")})

    # samples at each temperature (None = greedy argmax), with their mean log-likelihood under the
    # model; the same seed at every temperature (common random numbers: only the temperature differs)
    prompt = sample_prompt(val_text, prompt_context)
    samples = []
    for T in (None,) + tuple(temperatures):
        txt = greedy(model, vocab, prompt, sample_length) if T is None else \
            sample(model, vocab, prompt, sample_length, temperature=T, seed=seed)
        samples.append({"temperature": None if T is None else float(T), "text": txt[len(prompt):],
                        "mean_log_likelihood": generated_log_likelihood(model, vocab, prompt, txt)})

    # entropy of the next-character distribution vs temperature, over validation positions
    with torch.no_grad():
        ids = val_ids[:entropy_positions + 1].view(1, -1)
        logits = model(ids[:, :-1])[0][0]  # (N, V)
        targets = ids[0, 1:]
    grid = [float(0.05 * (100.0 ** (k / (entropy_grid_size - 1)))) for k in range(entropy_grid_size)]  # 0.05..5
    ent = [float(next_char_entropy(logits, T).mean()) for T in grid]
    xent = [float(F.cross_entropy(logits.double() / T, targets)) for T in grid]
    best = min(range(len(grid)), key=lambda k: xent[k])
    entropy = {"temperature": grid, "mean_entropy": ent, "val_cross_entropy": xent,
               "at_temperature_1": float(next_char_entropy(logits, 1.0).mean()),
               "best_temperature": grid[best], "positions": int(targets.numel()), "log_vocab": math.log(vocab.size)}
    return {"gates": gates, "samples": samples, "sample_prompt": prompt, "entropy": entropy}
