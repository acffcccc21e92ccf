"""python -m lesson_code.day02.experiments NAME [--seed S] [--out FILE]: run one experiment and write
its result as JSON (atomically) or print it. The runner is lessonkit's."""
import sys

from lesson_code.lessonkit import experiments as runner

from . import EXPERIMENTS


def main(argv=None) -> int:
    """Run the experiment named in ``argv``; 0 on success, 1 (one "error:" line) on failure."""
    return runner.main("python -m lesson_code.day02.experiments", EXPERIMENTS, argv, doc=__doc__)


if __name__ == "__main__":
    sys.exit(main())
