"""The in-kernel test suite (kernel/ktest/), on every architecture, with
little memory and with memory above 4 GiB.

The expected tests come from the built kernel (each KTEST leaves a symbol
ktest_desc_NAME) and from the source (every KTEST(NAME) must be built for
some architecture), so a test that never ran fails by name."""
import glob
import os
import re
import subprocess

import pytest

from qemu import ROOT, arches, boot

SMALL = {"x86_64": "32M", "aarch64": "64M"}
ALL_ARCHES = ("x86_64", "aarch64")


def built_ktests(arch):
    """The KTEST names linked into build/ARCH/kernel.elf."""
    elf = os.path.join(ROOT, "build", arch, "kernel.elf")
    assert os.path.exists(elf), "not built: make ARCH=%s" % arch
    out = subprocess.run(["nm", elf], capture_output=True, text=True, check=True).stdout
    return set(re.findall(r"^\S+ [rRdD] ktest_desc_(\w+)$", out, re.M))


def source_ktests():
    names = set()
    for path in glob.glob(os.path.join(ROOT, "kernel", "**", "*.c"), recursive=True):
        with open(path) as f:
            names |= set(re.findall(r"^KTEST\((\w+)\)", f.read(), re.M))
    return names


def verdicts(log):
    """name -> "ok" or "FAILED", from the runner's lines."""
    return dict((m[0], m[1]) for m in re.findall(r"^ktest: (\w+) (ok|FAILED)\r?$", log, re.M))


def check_every_test(log, expected):
    m = re.search(r"^ktest: running (\d+) of (\d+) tests", log, re.M)
    assert m, "the runner never started\n" + log
    seen = verdicts(log)
    failed = sorted(n for n, v in seen.items() if v != "ok")
    missing = sorted(expected - set(seen))
    unknown = sorted(set(seen) - expected)
    assert not failed, "failed: %s\n%s" % (", ".join(failed), log)
    assert not missing, "never ran: %s\n%s" % (", ".join(missing), log)
    assert not unknown, "not registered: %s\n%s" % (", ".join(unknown), log)
    assert int(m.group(1)) == int(m.group(2)) == len(expected), (m.group(0), len(expected))
    m = re.search(r"^ktest: (\d+) passed, (\d+) failed", log, re.M)
    assert m and (int(m.group(1)), int(m.group(2))) == (len(expected), 0), log


def test_every_ktest_in_the_source_is_built():
    have = [a for a in ALL_ARCHES
            if os.path.exists(os.path.join(ROOT, "build", a, "kernel.elf"))]
    if set(have) != set(ALL_ARCHES):
        pytest.skip("needs both kernels built")
    built = set().union(*(built_ktests(a) for a in ALL_ARCHES))
    source = source_ktests()
    assert built == source, ("in the source only: %s; built only: %s"
                             % (sorted(source - built), sorted(built - source)))


@pytest.mark.timeout(240)
@pytest.mark.parametrize("arch", arches())
@pytest.mark.parametrize("size", ["small", "4G"])
def test_ktests_pass(arch, size):
    mem = SMALL[arch] if size == "small" else size
    expected = built_ktests(arch)
    r = boot(arch=arch, mem=mem, cmdline="test", timeout=180)
    check_every_test(r.log, expected)
    assert r.passed, r
    # The frame accounting adds up, and with 4 GiB memory above 4 GiB is used.
    m = re.search(r"frames: total (\d+) = free (\d+) \+ used (\d+) \+ reserved (\d+)", r.log)
    total, free, used, reserved = map(int, m.groups())
    assert total == free + used + reserved
    highest = [int(h, 16) for h in re.findall(r"highest (0x[0-9a-f]+)", r.log)]
    assert highest, r
    if size == "4G":
        assert max(highest) >= 4 << 30, r
