"""The experiment runner every lesson shares: a lazy registry, JSON-safe results, single-threaded runs.

A lesson's ``experiments/__init__.py`` lists its experiment modules; each has
``run(seed=0, **budget) -> dict`` returning plain JSON data, the same for the same seed. Its
``experiments/__main__.py`` calls :func:`main`, which gives

    python -m lesson_code.dayNN.experiments NAME [--seed S] [--out FILE]

Experiments run with one intra-op thread: the matrices are small, so one thread is as fast, two
experiments can run side by side on two cores, and reductions happen in one fixed order, so a
seed gives the same numbers whatever the machine's core count.
"""

from __future__ import annotations

import contextlib
import importlib
import math
import sys
import time


@contextlib.contextmanager
def single_thread():
    """Run the block with one intra-op thread; restore the previous count afterwards."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def mean(values) -> float:
    """Arithmetic mean of a non-empty list of floats."""
    values = list(values)
    return float(sum(values) / len(values))


def std(values) -> float:
    """Population standard deviation (ddof=0) of a list of floats."""
    values = list(values)
    m = mean(values)
    return math.sqrt(sum((v - m) ** 2 for v in values) / len(values))


def check_json(obj, path="result"):
    """Raise TypeError/ValueError unless obj is plain JSON data with finite floats."""
    if isinstance(obj, bool) or obj is None or isinstance(obj, (int, str)):
        return
    if isinstance(obj, float):
        if not math.isfinite(obj):
            raise ValueError(f"{path} is {obj}: not representable in JSON")
        return
    if isinstance(obj, dict):
        for k, v in obj.items():
            if not isinstance(k, str):
                raise TypeError(f"{path} has a non-string key {k!r}")
            check_json(v, f"{path}[{k!r}]")
        return
    if isinstance(obj, list):
        for i, v in enumerate(obj):
            check_json(v, f"{path}[{i}]")
        return
    raise TypeError(f"{path} has type {type(obj).__name__}, not plain JSON data")


def lazy_registry(package: str, names) -> dict:
    """{name: run} where run imports ``package.name`` on first call, so that listing the experiments
    (or running one) does not import, and pay for, all the others."""
    def lazy(name: str):
        def run(seed: int = 0, **budget) -> dict:
            return importlib.import_module(f"{package}.{name}").run(seed=seed, **budget)
        run.__name__ = run.__qualname__ = f"{name}.run"
        run.__doc__ = f"Run the {name} experiment (see {package.replace('.', '/')}/{name}.py)."
        return run
    return {name: lazy(name) for name in names}


def main(prog: str, registry: dict, argv=None, doc: str | None = None) -> int:
    """``prog NAME [--seed S] [--out FILE]``: run one experiment, write its JSON atomically or print it."""
    from .cli import Parser, seed_int
    from .files import json_text, one_line, write_json

    p = Parser(prog=prog, description=doc)
    p.add_argument("name", choices=sorted(registry), help="which experiment to run")
    p.add_argument("--seed", type=seed_int, default=0, help="base seed (default 0)")
    p.add_argument("--out", help="write the JSON result here (default: print it)")
    args = p.parse_args(argv)
    t0 = time.perf_counter()
    try:
        result = registry[args.name](seed=args.seed)
        check_json(result)
        if args.out:
            write_json(args.out, result)
            print(f"{args.name}: {time.perf_counter() - t0:.1f} s -> {args.out}", file=sys.stderr)
        else:
            sys.stdout.write(json_text(result))
    except (OSError, ValueError, RuntimeError) as e:
        print(f"error: {one_line(e)}", file=sys.stderr)
        return 1
    return 0
