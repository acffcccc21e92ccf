"""Command-line plumbing every lesson's CLI shares: argument types, one-line errors, device choice.

Every bad argument ends the program with exactly one line on stderr starting with "error:" and a
non-zero exit status (2 for malformed arguments, 1 for problems found while running), never a
traceback. :func:`run_main` is the wrapper a lesson's ``main`` uses.
"""

from __future__ import annotations

import argparse
import importlib
import math
import os
import sys
from pathlib import Path

from .files import json_text, one_line

THREADS_HELP = ("CPU threads for torch (default: torch's own choice, fastest on an idle machine; on a busy "
                "machine --threads 1 can be much faster)")


class CLIError(Exception):
    """A user-facing problem; main() prints it as one "error:" line."""


class Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one "error: ..." line on stderr (exit status 2)."""

    def error(self, message):  # noqa: D102 (argparse API)
        self.exit(2, f"error: {one_line(message)} (see: {self.prog} --help)\n")


# ------------------------------------------------------------------ argument types


def _number(kind, text: str, ok, want: str, hint: str = ""):
    try:
        value = kind(text)
    except (TypeError, ValueError):
        value = None
    if value is None or (isinstance(value, float) and not math.isfinite(value)) or not ok(value):
        raise argparse.ArgumentTypeError(f"expected {want}, got {text!r}{hint}")
    return value


def positive_int(text: str) -> int:
    """An integer >= 1."""
    return _number(int, text, lambda v: v >= 1, "an integer >= 1")


def nonneg_int(text: str) -> int:
    """An integer >= 0."""
    return _number(int, text, lambda v: v >= 0, "an integer >= 0")


def seed_int(text: str) -> int:
    """A seed: an integer in [0, 2**63) (torch's generators take 64-bit seeds)."""
    return _number(int, text, lambda v: 0 <= v < 2**63, "an integer in [0, 2**63)")


def positive_float(text: str) -> float:
    """A finite number > 0."""
    return _number(float, text, lambda v: v > 0, "a number > 0")


def dropout_prob(text: str) -> float:
    """A probability in [0, 1)."""
    return _number(float, text, lambda v: 0 <= v < 1, "a probability in [0, 1)")


def probability(text: str) -> float:
    """A probability in [0, 1]."""
    return _number(float, text, lambda v: 0 <= v <= 1, "a probability in [0, 1]")


def temperature(text: str) -> float:
    """A finite temperature > 0."""
    return _number(float, text, lambda v: v > 0, "a number > 0",
                   " (as the temperature approaches 0 sampling becomes greedy; --top-k 1 gives exact argmax)")


def nonempty_text(text: str) -> str:
    """A non-empty string."""
    if text == "":
        raise argparse.ArgumentTypeError("must not be empty")
    return text


# ------------------------------------------------------------------ helpers


def resolve_device(name: str, threads: int | None = None):
    """'cpu' or 'cuda' -> torch.device (and set the CPU thread count); CLIError if CUDA is absent."""
    import torch

    if threads is not None:
        torch.set_num_threads(threads)
    if name == "cuda" and not torch.cuda.is_available():
        raise CLIError(f"--device cuda requested but CUDA is not available (torch {torch.__version__}); use --device cpu")
    return torch.device(name)


def check_writable_target(path: Path, example: str = "model.pt") -> None:
    """Fail early (before training) if a checkpoint could not be written at ``path``."""
    if path.is_dir():
        raise CLIError(f"--checkpoint {path} is a directory; give a file path such as {path / example}")
    ancestor = path.parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise CLIError(f"cannot create the checkpoint directory: {ancestor} is a file")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise CLIError(f"cannot write the checkpoint: no write permission in {ancestor}")
    if path.exists() and not os.access(path, os.W_OK):
        raise CLIError(f"cannot overwrite the checkpoint {path}: permission denied")


def log(msg: str) -> None:
    """Print a progress line to stdout without breaking a running progress bar."""
    from tqdm.auto import tqdm

    tqdm.write(msg, file=sys.stdout)
    sys.stdout.flush()


def lesson_parser(package: str, description: str, commands: tuple[str, ...]):
    """The top-level parser of ``python -m <package>`` and its subcommand set -> (parser, subparsers)."""
    parser = Parser(prog=f"python -m {package}", description=description)
    sub = parser.add_subparsers(dest="command", required=True, metavar="{" + ",".join(commands) + "}")
    return parser, sub


def add_experiment_command(sub, package: str, example: str) -> None:
    """The ``experiment NAME [--seed S]`` subcommand every lesson's CLI has: run one of
    ``<package>.experiments.EXPERIMENTS`` and print its result as JSON."""
    e = sub.add_parser("experiment", help="run one of the lesson's experiments and print JSON",
                       description=f"Run an experiment from {package}.experiments and print its result as JSON.")
    e.add_argument("name", help=f"experiment name, e.g. {example}")
    e.add_argument("--seed", type=seed_int, default=0, help="random seed (default: %(default)s)")
    e.set_defaults(func=lambda args: run_experiment(package, args.name, args.seed))


def run_experiment(package: str, name: str, seed: int) -> int:
    """Run ``name`` from ``<package>.experiments`` and write its JSON to stdout; CLIError if unknown."""
    registry = getattr(importlib.import_module(f"{package}.experiments"), "EXPERIMENTS", None)
    if not isinstance(registry, dict):
        raise CLIError(f"{package}.experiments has no EXPERIMENTS registry")
    if name not in registry:
        raise CLIError(f"unknown experiment {name!r} (available: {', '.join(sorted(registry)) or 'none'})")
    sys.stdout.write(json_text(registry[name](seed=seed)))
    return 0


def run_main(parser: Parser, argv, errors: tuple = ()) -> int:
    """Parse ``argv`` and run ``args.func(args)``; every expected failure becomes one "error:" line.

    ``errors`` adds a lesson's own exception classes (e.g. CorpusError) to CLIError, CheckpointError,
    ValueError and OSError. Exit status: 0 ok, 1 error, 2 bad arguments, 130 interrupted.
    """
    from .checkpoints import CheckpointError

    args = parser.parse_args(argv)  # exits 2 with one "error:" line on bad arguments
    try:
        return args.func(args)
    except (CLIError, CheckpointError, ValueError, OSError, *errors) as e:
        print(f"error: {one_line(e)}", file=sys.stderr)
        return 1
    except RuntimeError as e:  # e.g. torch out of memory for a huge --hidden
        print(f"error: {one_line(e).split(' (')[0][:300]}; try smaller --hidden/--layers/--batch-size",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
