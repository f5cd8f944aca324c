"""Runs every host unit-test binary (built by `make unit`, ASan + UBSan)."""
import glob
import os
import subprocess

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
NAMES = sorted(os.path.basename(p)[:-2]
               for p in glob.glob(os.path.join(ROOT, "tests/unit/test_*.c")))


@pytest.mark.parametrize("name", NAMES)
def test_unit(name):
    binary = os.path.join(ROOT, "build/unit", name)
    assert os.path.exists(binary), "not built: run `make unit`"
    p = subprocess.run([binary], cwd=ROOT, capture_output=True, timeout=300)
    out = p.stdout.decode() + p.stderr.decode()
    assert p.returncode == 0, out
    assert " passed, 0 failed" in out, out
