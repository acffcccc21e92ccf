"""python -m lesson_code.day02: see cli.py."""
import sys

from .cli import main

sys.exit(main())
