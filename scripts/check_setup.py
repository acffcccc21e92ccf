"""Set-up prerequisites, checked before anything is installed, each failure as one line with the fix.

    python scripts/check_setup.py python       the interpreter is Python 3.11 and can make a venv
    python scripts/check_setup.py chromium     Debian's Chromium is where the browser test drives it
    python scripts/check_setup.py pip ARGS...  run ``pip install ARGS`` quietly; on failure one line
                                               (network or not), pip's full output kept in a log file

Standard library only, and syntax old Pythons still parse, so that a wrong interpreter gets the
message rather than a traceback. Exit status 1 on any failure.
"""
from __future__ import print_function

import os
import subprocess
import sys

NEEDED = (3, 11)
CHROMIUM = "/usr/bin/chromium"
LOG = os.path.join(".venv", "pip-install.log")
NETWORK_SIGNS = ("NewConnectionError", "Temporary failure in name resolution", "Name or service not known",
                 "Max retries exceeded", "ConnectTimeout", "ReadTimeout", "Network is unreachable",
                 "Connection refused", "ProxyError", "SSLError")


def fail(message):
    print("error: " + message, file=sys.stderr)
    sys.exit(1)


def check_python():
    found = "%d.%d" % sys.version_info[:2]
    want = "%d.%d" % NEEDED
    if sys.version_info[:2] != NEEDED:
        fail("Python %s is needed, %s is Python %s; install it (Debian: apt-get install python%s python%s-venv) "
             "or run make PYTHON=/path/to/python%s" % (want, sys.executable, found, want, want, want))
    try:
        import ensurepip  # Debian splits it out (python3.X-venv): without it `python -m venv` cannot install pip
        import venv  # noqa: F401
        ensurepip.bootstrap  # noqa: B018  (a stub or empty package is as good as none)
    except (ImportError, AttributeError):
        fail("Python %s at %s cannot create a virtual environment (no venv/ensurepip module); "
             "install it (Debian: apt-get install python%s-venv) and re-run make" % (want, sys.executable, want))


def check_chromium():
    if not os.access(CHROMIUM, os.X_OK):
        fail("%s is missing (the browser test drives it); install Debian's Chromium: apt-get install chromium "
             "(never `playwright install`)" % CHROMIUM)


def index_reachable(args):
    """Whether the package index pip uses answers at all (pip may fail without logging why, e.g. with
    --retries 0). The index is the one named in ARGS or PIP_INDEX_URL, else pip's own default."""
    try:
        from urllib.request import urlopen
        if "--index-url" in args:
            url = args[args.index("--index-url") + 1]
        else:
            from pip._internal.models.index import PyPI  # pip's default index, not named here
            url = os.environ.get("PIP_INDEX_URL") or PyPI.simple_url
        if not url.startswith(("http://", "https://")):
            return True
        urlopen(url.rstrip("/") + "/pip/", timeout=10).close()
        return True
    except Exception:  # any failure to fetch one small index page means: no usable network
        return False


def pip_install(args):
    args = [a for a in args if a not in ("-q", "--quiet")]  # the log keeps pip's warnings: they say "network"
    cmd = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "--progress-bar", "off"] + args
    print("pip install %s into .venv (minutes on a fresh machine; pip's output: %s)" % (" ".join(args), LOG))
    sys.stdout.flush()
    with open(LOG, "w") as log:
        code = subprocess.call(cmd, stdout=log, stderr=subprocess.STDOUT)
    if code == 0:
        return
    with open(LOG, errors="replace") as log:
        text = log.read()
    if any(sign in text for sign in NETWORK_SIGNS) or not index_reachable(args):
        fail("cannot reach the Python package index to install %s (no network?); connect and re-run make "
             "(pip's output: %s)" % (" ".join(args), LOG))
    last = [ln.strip() for ln in text.splitlines() if ln.strip().startswith("ERROR")] or ["(no error line)"]
    fail("pip could not install %s: %s (pip's output: %s)" % (" ".join(args), last[-1], LOG))


def main(argv):
    if argv[:1] == ["python"]:
        check_python()
    elif argv[:1] == ["chromium"]:
        check_chromium()
    elif argv[:1] == ["pip"]:
        pip_install(argv[1:])
    else:
        fail("usage: python scripts/check_setup.py python | chromium | pip ARGS...")


if __name__ == "__main__":
    main(sys.argv[1:])
