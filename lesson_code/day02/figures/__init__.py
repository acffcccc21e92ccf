"""Figure and results builders for the Day 2 page, run by the docs build hook (scripts/artifact_hook.py).

No imports here: the hook and the tests read these constants without loading torch.
"""
SITE_DIR = "phase-1/week-1/figures/day-02"  # where the outputs appear on the site
# builder: about how many seconds it took in a cold build on the 2-core machine (two builders at a
# time); the hook starts the longest first, across lessons, until a build has timed them itself
BUILDERS = {"degradation": 670, "invariance": 35, "convolution": 10}
REBUILD_IN_TESTS = ("convolution",)  # seconds; the others train dozens of networks
