"""Day 2 tests run their tiny models on one thread (the shared ``one_thread`` fixture of tests/conftest.py)."""
import pytest


@pytest.fixture(autouse=True, scope="module")
def _day02_one_thread(one_thread):
    yield
