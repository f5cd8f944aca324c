"""Runs every host unit-test binary (built by `make unit`, ASan + UBSan)
and demands each case its source defines, by name."""
import glob
import os
import re
import subprocess

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
NAMES = sorted(os.path.basename(p)[:-2]
               for p in glob.glob(os.path.join(ROOT, "tests/unit/test_*.c")))


def cases_in_source(name):
    """The UNIT_TEST(...) names in tests/unit/NAME.c, in file order."""
    with open(os.path.join(ROOT, "tests/unit", name + ".c")) as f:
        return re.findall(r"^UNIT_TEST\((\w+)\)", f.read(), re.M)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("name", NAMES)
def test_unit(name):
    binary = os.path.join(ROOT, "build/unit", name)
    assert os.path.exists(binary), "not built: run `make unit`"
    p = subprocess.run([binary], cwd=ROOT, capture_output=True, timeout=100)
    out = p.stdout.decode() + p.stderr.decode()
    expected = cases_in_source(name)
    assert expected, "no UNIT_TEST in tests/unit/%s.c" % name
    ran = re.findall(r"^ok   (\w+)$", out, re.M)
    failed = re.findall(r"^FAIL (\w+)$", out, re.M)
    missing = [c for c in expected if c not in ran and c not in failed]
    assert not failed, "failed: %s\n%s" % (", ".join(failed), out)
    assert not missing, "never ran: %s\n%s" % (", ".join(missing), out)
    assert ran == expected, out
    assert re.search(r"^%d cases$" % len(expected), out, re.M), out
    assert re.search(r"^%d passed, 0 failed$" % len(expected), out, re.M), out
    assert p.returncode == 0, out
