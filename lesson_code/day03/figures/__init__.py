"""Figure and results builders for the Day 3 page, run by the docs build hook (scripts/artifact_hook.py).

No imports here: the hook and the tests read these constants without loading torch.
"""
SITE_DIR = "phase-1/week-1/figures/day-03"  # where the outputs appear on the site
BUILDERS = ("showcase", "char_lm", "long_range", "forget_bias", "gradient_norms", "regimes")  # longest first
REBUILD_IN_TESTS = ("regimes", "gradient_norms")  # cheap enough for the determinism test to rebuild
