"""Figure and results builders for the Day 3 page, run by the docs build hook (scripts/artifact_hook.py).

No imports here: the hook and the tests read these constants without loading torch.
"""
SITE_DIR = "phase-1/week-1/figures/day-03"  # where the outputs appear on the site
# builder: about how many seconds it took in a cold build on the 2-core machine (two builders at a
# time); the hook starts the longest first, across lessons, until a build has timed them itself
BUILDERS = {"showcase": 1090, "char_lm": 760, "long_range": 225, "forget_bias": 60, "gradient_norms": 20,
            "regimes": 10}
REBUILD_IN_TESTS = ("regimes", "gradient_norms")  # cheap enough for the determinism test to rebuild
