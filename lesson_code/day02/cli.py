"""Command line: ``python -m lesson_code.day02 {train,evaluate,experiment}``.

The conventions are lessonkit's: every bad argument or input ends the program with one "error:" line
on stderr and a non-zero exit status (2 for malformed arguments, 1 for problems found while running),
never a traceback; a failed run writes no checkpoint.
"""
from __future__ import annotations

import sys
from pathlib import Path

from lesson_code.lessonkit.cli import (THREADS_HELP, CLIError, add_experiment_command, check_writable_target,
                                       lesson_parser, log, positive_float, positive_int, resolve_device, run_main,
                                       seed_int)

DEFAULT_CHECKPOINT = "checkpoints/day02_classifier.pt"
KINDS = ("cnn_pool", "cnn_flat", "mlp", "plain", "residual")


def _report(model, size: int, seed: int, n: int = 600) -> str:
    """Accuracy on fresh glyphs in each half of the canvas (or, on a canvas too narrow for two halves,
    anywhere on it), as one line."""
    import torch

    from lesson_code.lessonkit.statistics import proportion

    from .shapes import offsets, sample
    from .train import evaluate

    parts = []
    g = torch.Generator().manual_seed(90_000 + seed)
    try:
        offsets(size, "left")
        regions = ("left", "right")
    except ValueError:
        regions = ("all",)
    for region in regions:
        x, y = sample(n, size, region, g)
        c = evaluate(model, x, y)["correct"]
        r = proportion(sum(c), len(c))
        name = "whole canvas" if region == "all" else f"{region} half"
        parts.append(f"{name} {r['p']:.1%} [{r['lo']:.1%}, {r['hi']:.1%}]")
    where = "per half" if len(regions) == 2 else "anywhere (too narrow for two halves)"
    return f"accuracy on {n} new glyphs {where}: " + ", ".join(parts)


def cmd_train(args) -> int:
    """Train a classifier on fresh glyph images and write its checkpoint."""
    from lesson_code.lessonkit.training import set_seed

    from .checkpoint import save_checkpoint
    from .model import ModelConfig, build, count_parameters
    from .train import TrainConfig, train

    resolve_device("cpu", args.threads)
    ckpt = Path(args.checkpoint)
    check_writable_target(ckpt, "classifier.pt")
    if args.kind in ("plain", "residual") and args.depth % 2:
        raise CLIError(f"--depth counts convolutions in blocks of two: give an even number, not {args.depth}")
    steps = args.steps if (args.steps is not None or args.minutes is not None) else 400
    mcfg = ModelConfig(kind=args.kind, size=args.size, width=args.width, depth=args.depth,
                       batchnorm=not args.no_batchnorm, init=args.init)
    tcfg = TrainConfig(size=args.size, region=args.region, batch_size=args.batch_size, lr=args.lr,
                       steps=steps, minutes=args.minutes, eval_every=args.eval_every, seed=args.seed)
    set_seed(args.seed)
    model = build(mcfg)
    log(f"model: {args.kind}, width {args.width}" + (f", depth {args.depth}, BatchNorm {'off' if args.no_batchnorm else 'on'}, {args.init} init"
                                                      if args.kind in ('plain', 'residual') else "")
        + f", {count_parameters(model):,} parameters; glyphs in the {args.region} of a {args.size}x{args.size} canvas")

    def on_eval(r: dict) -> None:
        log(f"step {r['step']:5d} | train {r['train_loss']:.4f} | val {r['val_loss']:.4f} nats | lr {r['lr']:.2e}")

    hist = train(model, tcfg, progress=not args.no_progress, on_eval=on_eval)
    ckpt.parent.mkdir(parents=True, exist_ok=True)
    save_checkpoint(ckpt, model, mcfg, {"train_config": tcfg.to_dict(), "best_val_loss": hist["best_val_loss"]})
    log(f"done ({hist['stopped']}): best val {hist['best_val_loss']:.4f} nats at step {hist['best_step']}; wrote {ckpt}")
    log(_report(model, args.size, args.seed))
    return 0


def cmd_evaluate(args) -> int:
    """Score a checkpoint on fresh glyphs in each half of the canvas."""
    from .checkpoint import load_checkpoint

    resolve_device("cpu", args.threads)
    model, config, _ = load_checkpoint(args.checkpoint)
    print(_report(model, config.size, args.seed, args.n))
    return 0


def build_parser():
    """The argparse parser for all subcommands."""
    p, sub = lesson_parser("lesson_code.day02", "Day 2: CNNs, pooling and residual networks on generated glyph images.",
                           ("train", "evaluate", "experiment"))
    t = sub.add_parser("train", help="train a classifier on generated glyphs and write a checkpoint",
                       description="Train on freshly generated glyph images (no download); the checkpoint holds the "
                                   "weights with the best validation loss. Ctrl-C stops early and still saves them.")
    budget = t.add_mutually_exclusive_group()
    budget.add_argument("--steps", type=positive_int, help="stop after N optimiser steps (default 400)")
    budget.add_argument("--minutes", type=positive_float, help="stop after M minutes of wall-clock time instead")
    t.add_argument("--checkpoint", default=DEFAULT_CHECKPOINT, metavar="PATH", help="(default: %(default)s)")
    t.add_argument("--kind", choices=KINDS, default="cnn_pool", help="network (default: %(default)s)")
    t.add_argument("--width", type=positive_int, default=16, metavar="N", help="channels or hidden units (default: %(default)s)")
    t.add_argument("--depth", type=positive_int, default=8, metavar="L",
                   help="3x3 convolutions in a plain/residual stack, even (default: %(default)s)")
    t.add_argument("--no-batchnorm", action="store_true", help="plain/residual stacks without BatchNorm")
    t.add_argument("--init", choices=("default", "he"), default="default",
                   help="plain/residual stacks: PyTorch's default or He (Kaiming-normal) initialisation (default: %(default)s)")
    t.add_argument("--size", type=positive_int, default=16, metavar="S", help="image side, at least 6 (default: %(default)s)")
    t.add_argument("--region", choices=("all", "left", "right"), default="left",
                   help="where training glyphs may sit (default: %(default)s)")
    t.add_argument("--batch-size", type=positive_int, default=64, metavar="N", help="(default: %(default)s)")
    t.add_argument("--lr", type=positive_float, default=3e-3, metavar="X", help="peak Adam learning rate (default: %(default)s)")
    t.add_argument("--eval-every", type=positive_int, default=100, metavar="N", help="(default: %(default)s)")
    t.add_argument("--seed", type=seed_int, default=0, help="random seed (default: %(default)s)")
    t.add_argument("--threads", type=positive_int, default=None, metavar="N", help=THREADS_HELP)
    t.add_argument("--no-progress", action="store_true", help="no progress bar")
    t.set_defaults(func=cmd_train)

    add_experiment_command(sub, "lesson_code.day02", "convolution")
    e = sub.add_parser("evaluate", help="score a checkpoint on new glyphs in each half of the canvas")
    e.add_argument("--checkpoint", default=DEFAULT_CHECKPOINT, metavar="PATH", help="(default: %(default)s)")
    e.add_argument("--n", type=positive_int, default=600, metavar="N", help="images per half (default: %(default)s)")
    e.add_argument("--seed", type=seed_int, default=0, help="which fresh images (default: %(default)s)")
    e.add_argument("--threads", type=positive_int, default=None, metavar="N", help=THREADS_HELP)
    e.set_defaults(func=cmd_evaluate)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point: parse ``argv`` (default: the command line), run the subcommand, return the exit status."""
    parser = build_parser()
    return run_main(parser, argv)


if __name__ == "__main__":
    sys.exit(main())
