"""Fixtures shared by the site tests: the built site/ folder served on 127.0.0.1."""
from __future__ import annotations

import functools
import http.server
import os
import sys
import threading
from pathlib import Path

import pytest

SITE = Path(__file__).resolve().parent.parent / "site"


def pytest_configure(config):
    """In a pytest-xdist worker (`make pytest` runs two, one per core): one torch thread, here and in
    the processes the tests start. Two workers of two threads each on two cores oversubscribe them,
    and the small models of the lessons then run several times slower."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        os.environ.setdefault("OMP_NUM_THREADS", "1")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


@pytest.fixture(scope="session")
def site_dir() -> Path:
    """The built site; fails (does not skip) when it is missing."""
    if not (SITE / "index.html").is_file():
        pytest.fail(f"{SITE}/index.html is missing: run `make site` first (the browser test checks the built site)",
                    pytrace=False)
    return SITE


@pytest.fixture(scope="session")
def site_url(site_dir) -> str:
    """Base URL (ending in /) of site/ served by http.server on 127.0.0.1, a free port."""
    server = _Server(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site_dir)))
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def one_thread():
    """Tiny models run fastest on one torch thread, especially on a shared CPU; restored afterwards."""
    import torch

    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)
