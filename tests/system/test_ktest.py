"""The in-kernel test suite (kernel/ktest/), on every architecture, with
little memory and with memory above 4 GiB."""
import re

import pytest

from qemu import arches, boot

SMALL = {"x86_64": "32M", "aarch64": "64M"}


def ktest_summary(log):
    m = re.search(r"^ktest: (\d+) passed, (\d+) failed", log, re.M)
    assert m, log
    return int(m.group(1)), int(m.group(2))


@pytest.mark.parametrize("arch", arches())
@pytest.mark.parametrize("size", ["small", "4G"])
def test_ktests_pass(arch, size):
    mem = SMALL[arch] if size == "small" else size
    r = boot(arch=arch, mem=mem, cmdline="test", timeout=400)
    passed, failed = ktest_summary(r.log)
    assert failed == 0, r
    assert passed >= 25, r
    assert r.passed, r
    # The frame accounting adds up, and with 4 GiB memory above 4 GiB is used.
    m = re.search(r"frames: total (\d+) = free (\d+) \+ used (\d+) \+ reserved (\d+)", r.log)
    total, free, used, reserved = map(int, m.groups())
    assert total == free + used + reserved
    highest = [int(h, 16) for h in re.findall(r"highest (0x[0-9a-f]+)", r.log)]
    assert highest, r
    if size == "4G":
        assert max(highest) >= 4 << 30, r
