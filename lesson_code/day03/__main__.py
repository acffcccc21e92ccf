"""``python -m lesson_code.day03``: see :mod:`lesson_code.day03.cli`."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
