"""python -m lesson_code.day03.experiments NAME [--seed S] [--out FILE]: run one experiment and write
its result as JSON (atomically: a temporary file in the same directory, then os.replace) or print it."""
import argparse
import json
import os
import sys
import tempfile
import time

from . import EXPERIMENTS
from ._common import check_json


def write_json_atomic(path: str, data) -> None:
    """Write data as sorted, indented JSON to path via a temporary file and os.replace."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, sort_keys=True, indent=1, allow_nan=False)
            f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def main(argv=None) -> int:
    from ..cli import Parser, one_line, seed_int  # one-line "error: ..." on bad arguments

    p = Parser(prog="python -m lesson_code.day03.experiments", description=__doc__)
    p.add_argument("name", choices=sorted(EXPERIMENTS), help="which experiment to run")
    p.add_argument("--seed", type=seed_int, default=0, help="base seed (default 0)")
    p.add_argument("--out", help="write the JSON result here (default: print it)")
    args = p.parse_args(argv)
    t0 = time.perf_counter()
    try:
        return _run(args, t0)
    except (OSError, ValueError, RuntimeError) as e:
        print(f"error: {one_line(e)}", file=sys.stderr)
        return 1


def _run(args, t0: float) -> int:
    result = EXPERIMENTS[args.name](seed=args.seed)
    check_json(result)
    if args.out:
        write_json_atomic(args.out, result)
        print(f"{args.name}: {time.perf_counter() - t0:.1f} s -> {args.out}", file=sys.stderr)
    else:
        json.dump(result, sys.stdout, sort_keys=True, indent=1, allow_nan=False)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
