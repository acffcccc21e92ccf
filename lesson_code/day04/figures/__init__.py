"""Figure and results builders for the Day 4 page, run by the docs build hook (scripts/artifact_hook.py).

No imports here: the hook and the tests read these constants without loading torch.
"""
SITE_DIR = "phase-1/week-1/figures/day-04"  # where the outputs appear on the site
BUILDERS = ("seq2seq", "task")  # longest first
REBUILD_IN_TESTS = ("task",)  # the others train models for minutes: too slow to rebuild in the tests
