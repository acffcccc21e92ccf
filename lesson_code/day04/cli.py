"""Command line: ``python -m lesson_code.day04 {train,translate,experiment}``.

The conventions are Day 3's, from lessonkit: every bad argument or input ends the program with one
"error:" line on stderr and a non-zero exit status (2 for malformed arguments, 1 for problems found
while running), never a traceback; a failed run writes no checkpoint.
"""

from __future__ import annotations

import sys
from pathlib import Path

from lesson_code.lessonkit.cli import (THREADS_HELP, CLIError, Parser, add_experiment_command, check_writable_target,
                                       lesson_parser, log, positive_float, positive_int, resolve_device, run_main,
                                       seed_int)

DEFAULT_CHECKPOINT = "checkpoints/day04_seq2seq.pt"
# What the lesson's "Run it yourself" box trains (the page shows what it reaches).
DEFAULTS = dict(cell="lstm", embed=32, hidden=128, max_digits=9, batch_size=128, lr=3e-3, steps=3000, eval_every=250)


def normalise_words(text: str) -> list[str]:
    """"Three hundred and twenty-one" -> ["three", "hundred", "twenty", "one"]: lower case, hyphens and
    commas as spaces, "and" dropped (the task's numbers are written without it)."""
    words = text.lower().replace("-", " ").replace(",", " ").split()
    return [w for w in words if w != "and"]


def cmd_train(args) -> int:
    """Train a number reader and write its checkpoint."""
    import torch

    from lesson_code.lessonkit.training import set_seed

    from .checkpoint import save_checkpoint
    from .model import Seq2Seq, Seq2SeqConfig, context_size, count_parameters
    from .numbers import sample_numbers, source_vocab, target_vocab
    from .train import TrainConfig, evaluate, train

    device = resolve_device("cpu", args.threads)
    ckpt = Path(args.checkpoint)
    check_writable_target(ckpt, "seq2seq.pt")
    steps = args.steps if (args.steps is not None or args.minutes is not None) else DEFAULTS["steps"]
    config = Seq2SeqConfig(src_vocab_size=source_vocab().size, tgt_vocab_size=target_vocab().size,
                           embed_size=args.embed, hidden_size=args.hidden, cell=args.cell)
    tcfg = TrainConfig(batch_size=args.batch_size, max_digits=args.max_digits, reverse_source=args.reverse_source,
                       lr=args.lr, steps=steps, minutes=args.minutes, eval_every=args.eval_every, seed=args.seed)
    set_seed(args.seed)
    model = Seq2Seq(config).to(device)
    budget = f"{steps} steps" if steps else f"{args.minutes:g} min"
    log(f"task: number words -> digits, 1-{args.max_digits} digits, source {'reversed' if args.reverse_source else 'in order'}")
    log(f"model: {args.cell} encoder-decoder, hidden {args.hidden} (context of {context_size(config)} numbers), "
        f"embed {args.embed}, {count_parameters(model):,} parameters")
    log(f"training: batch {args.batch_size}, Adam lr {args.lr:g} (cosine decay), clip {tcfg.clip}, budget {budget}, seed {args.seed}")

    def on_eval(r: dict) -> None:
        log(f"step {r['step']:6d} | {r['seconds'] / 60:5.2f} min | train {r['train_loss']:.4f} | "
            f"val {r['val_loss']:.4f} nats/token | lr {r['lr']:.2e}")

    hist = train(model, tcfg, progress=not args.no_progress, on_eval=on_eval)
    ckpt.parent.mkdir(parents=True, exist_ok=True)
    save_checkpoint(ckpt, model, {"train_config": tcfg.to_dict(), "history": hist})
    gen = torch.Generator().manual_seed(args.seed)
    test = [n for d in range(1, args.max_digits + 1)
            for n in sample_numbers(min(50, 10 if d == 1 else 50), d, split="test", generator=gen)]
    res = evaluate(model, test, args.reverse_source)
    by = "  ".join(f"{r['digits']}:{r['exact_greedy']:.0%}" for r in res["by_digits"])
    log(f"done ({hist['stopped']}): {len(hist['step'])} steps, {hist['seconds_total'] / 60:.2f} min; "
        f"best val {hist['best_val_loss']:.4f} nats/token at step {hist['best_step']}; wrote {ckpt}")
    log(f"held-out exact match by digit count (greedy): {by}")
    return 0


def cmd_translate(args) -> int:
    """Read number words, print the digits the model writes."""
    from .checkpoint import load_checkpoint
    from .numbers import MAX_DIGITS, SOURCE_WORDS, make_batch, source_vocab, target_vocab, to_words
    from .search import beam_search

    words = normalise_words(" ".join(args.words))
    if not words:
        raise CLIError("give the number in words, e.g.: translate three hundred twelve thousand forty five")
    unknown = [w for w in dict.fromkeys(words) if w not in SOURCE_WORDS]
    if unknown:
        raise CLIError(f"not a number word: {', '.join(repr(w) for w in unknown)} "
                       f"(the model reads: {' '.join(SOURCE_WORDS)})")
    device = resolve_device("cpu", args.threads)
    model, extra = load_checkpoint(args.checkpoint, device=device)
    reverse = bool(extra.get("train_config", {}).get("reverse_source", False))
    batch = make_batch([(words, [])], source_vocab(), target_vocab(), reverse_source=reverse)
    out = beam_search(model, batch.src, batch.src_len, beam_size=args.beam, max_len=MAX_DIGITS + 1)
    digits = target_vocab().decode(out.tokens[0])
    verdict = ""
    if digits.isdigit() and len(digits) <= MAX_DIGITS and (len(digits) == 1 or digits[0] != "0"):
        back = to_words(int(digits))
        verdict = "  (reads back as the input)" if back == words else f"  (wrong: {digits} is '{' '.join(back)}')"
    elif not out.finished[0]:
        verdict = "  (no <eos> within the length limit)"
    print(f"{digits}{verdict}" if digits else "(no digits: the model ended the number at once)")
    return 0


def build_parser() -> Parser:
    """The argparse parser for all subcommands."""
    from .numbers import MAX_DIGITS

    d = DEFAULTS
    p, sub = lesson_parser("lesson_code.day04", "Day 4: an encoder-decoder that reads English number words and writes "
                           "the digits.", ("train", "translate", "experiment"))

    t = sub.add_parser("train", help="train an encoder-decoder and write a checkpoint",
                       description="Train on freshly generated numbers (no download) with teacher forcing; the "
                                   "checkpoint holds the weights with the best validation loss. Ctrl-C stops early "
                                   "and still saves the best weights so far.")
    budget = t.add_mutually_exclusive_group()
    budget.add_argument("--steps", type=positive_int, help=f"stop after N optimiser steps (default {d['steps']})")
    budget.add_argument("--minutes", type=positive_float, help="stop after M minutes of wall-clock time instead")
    t.add_argument("--checkpoint", default=DEFAULT_CHECKPOINT, metavar="PATH",
                   help=f"where to write the checkpoint (default: {DEFAULT_CHECKPOINT})")
    t.add_argument("--cell", choices=("rnn", "lstm", "gru"), default=d["cell"], help="Day 3 cell (default: %(default)s)")
    t.add_argument("--embed", type=positive_int, default=d["embed"], metavar="N", help="embedding size (default: %(default)s)")
    t.add_argument("--hidden", type=positive_int, default=d["hidden"], metavar="N",
                   help="hidden size H, the size of the context (default: %(default)s)")
    t.add_argument("--max-digits", type=positive_int, default=d["max_digits"], metavar="D",
                   help=f"train on numbers of 1..D digits, D <= {MAX_DIGITS} (default: %(default)s)")
    t.add_argument("--reverse-source", action="store_true", help="feed the words backwards (Sutskever et al., 2014)")
    t.add_argument("--batch-size", type=positive_int, default=d["batch_size"], metavar="N", help="(default: %(default)s)")
    t.add_argument("--lr", type=positive_float, default=d["lr"], metavar="X", help="peak Adam learning rate (default: %(default)s)")
    t.add_argument("--eval-every", type=positive_int, default=d["eval_every"], metavar="N",
                   help="validate every N steps (default: %(default)s)")
    t.add_argument("--seed", type=seed_int, default=0, help="random seed (default: %(default)s)")
    t.add_argument("--threads", type=positive_int, default=None, metavar="N", help=THREADS_HELP)
    t.add_argument("--no-progress", action="store_true", help="no progress bar")
    t.set_defaults(func=cmd_train)

    r = sub.add_parser("translate", help="read number words with a checkpoint and print the digits",
                       description="Encode the words, decode the digits (greedy with --beam 1, the default).")
    r.add_argument("words", nargs="+", help='the number in words, e.g. "three hundred twelve thousand forty five"')
    r.add_argument("--checkpoint", default=DEFAULT_CHECKPOINT, metavar="PATH", help="(default: %(default)s)")
    r.add_argument("--beam", type=positive_int, default=1, metavar="K", help="beam width; 1 is greedy (default: %(default)s)")
    r.add_argument("--threads", type=positive_int, default=None, metavar="N", help=THREADS_HELP)
    r.set_defaults(func=cmd_translate)

    add_experiment_command(sub, "lesson_code.day04", "bottleneck")
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    return run_main(build_parser(), argv)


if __name__ == "__main__":
    sys.exit(main())
