"""Figure and results builders for the Day 2 page, run by the docs build hook (scripts/artifact_hook.py).

No imports here: the hook and the tests read these constants without loading torch.
"""
SITE_DIR = "phase-1/week-1/figures/day-02"  # where the outputs appear on the site
BUILDERS = ("degradation", "invariance", "convolution")  # longest first
REBUILD_IN_TESTS = ("convolution",)  # seconds; the others train dozens of networks
