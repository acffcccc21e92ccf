"""Forward+backward time of the from-scratch CharLM (LSTM) against the same model on nn.LSTM.

Three equal models (weights copied, logits checked) are timed side by side, interleaved, after a
warm-up; the table shows the median of the repeats and the ratio to nn.LSTM.
    scratch   CharLM with cells.unroll: W_x x_t for all t in one matmul, only W_h h_{t-1} in the loop
    stepwise  the same CharLM with cells.unroll_stepwise: one full cell step (two matmuls) per t

Usage: python benchmarks/lstm_speed.py [--quick] [--threads N]
"""
import argparse
import itertools
import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere without installing

from lesson_code.day03.cells import unroll, unroll_stepwise  # noqa: E402
from lesson_code.day03.model import CharLM, CharLMConfig, TorchCharLM  # noqa: E402
from lesson_code.day03.torch_compat import copy_charlm_to_torch  # noqa: E402

VOCAB, EMBED, LAYERS = 65, 64, 2


def make_models(hidden, seed=0):
    """{name: model}: three CharLMs with identical weights."""
    torch.manual_seed(seed)
    cfg = CharLMConfig(vocab_size=VOCAB, cell="lstm", embed_size=EMBED, hidden_size=hidden, num_layers=LAYERS)
    scratch = CharLM(cfg)
    stepwise = CharLM(cfg)
    stepwise.load_state_dict(scratch.state_dict())
    stepwise.unroll = unroll_stepwise
    torch_model = TorchCharLM(CharLMConfig(**{**cfg.to_dict(), "backend": "torch"}))
    copy_charlm_to_torch(scratch, torch_model)
    assert scratch.unroll is unroll
    return {"nn.LSTM": torch_model, "scratch": scratch, "stepwise": stepwise}


def train_step(model, x, y):
    """One forward + backward pass (the optimizer step is the same for every model, so it is left out)."""
    model.zero_grad(set_to_none=True)
    logits, _ = model(x)
    F.cross_entropy(logits.flatten(0, 1), y.flatten()).backward()


def time_config(batch, seq_len, hidden, warmup, repeats, seed=0):
    """Median seconds per forward+backward for each model at one (B, T, H)."""
    models = make_models(hidden, seed)
    g = torch.Generator().manual_seed(seed)
    x = torch.randint(0, VOCAB, (batch, seq_len), generator=g)
    y = torch.randint(0, VOCAB, (batch, seq_len), generator=g)
    with torch.no_grad():  # the models really are equal
        ref = models["nn.LSTM"](x)[0]
        for name in ("scratch", "stepwise"):
            assert (models[name](x)[0] - ref).abs().max() < 1e-5, name
    times = {name: [] for name in models}
    for rep in range(warmup + repeats):
        for name, model in models.items():  # interleaved, so slow drifts of the machine hit all alike
            t0 = time.perf_counter()
            train_step(model, x, y)
            if rep >= warmup:
                times[name].append(time.perf_counter() - t0)
    return {name: statistics.median(ts) for name, ts in times.items()}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="1 warm-up and 3 repeats instead of 2 and 7")
    p.add_argument("--threads", type=int, default=1, help="torch intra-op threads (default 1: stable on shared CPUs)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    warmup, repeats = (1, 3) if args.quick else (2, 7)
    print(f"torch {torch.__version__}, {args.threads} thread(s), {LAYERS}-layer LSTM, vocab {VOCAB}, "
          f"embed {EMBED}; median of {repeats} forward+backward passes after {warmup} warm-up")
    print(f"{'B':>3} {'T':>4} {'H':>4} | {'nn.LSTM ms':>10} | {'scratch ms':>10} {'ratio':>6} | "
          f"{'stepwise ms':>11} {'ratio':>6}")
    for batch, seq_len, hidden in itertools.product((1, 32), (64, 256), (128, 256)):
        t = time_config(batch, seq_len, hidden, warmup, repeats, args.seed)
        base = t["nn.LSTM"]
        print(f"{batch:>3} {seq_len:>4} {hidden:>4} | {1e3 * base:>10.1f} | {1e3 * t['scratch']:>10.1f} "
              f"{t['scratch'] / base:>5.2f}x | {1e3 * t['stepwise']:>11.1f} {t['stepwise'] / base:>5.2f}x",
              flush=True)


if __name__ == "__main__":
    main()
