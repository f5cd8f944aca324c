import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "system"))

import pytest  # noqa: E402

import qemu  # noqa: E402


@pytest.fixture(autouse=True)
def no_qemu_left_running():
    """A test that failed or timed out half-way leaves no QEMU behind."""
    yield
    for proc in list(qemu.live):
        qemu.stop(proc)
