"""Debian's busybox-static in ThemeliOS (docs/linux.md): busybox sh runs
tests/linux/busybox/script.sh (pipelines, subshells, redirections,
here-documents, loops, arithmetic, an EXIT trap, and
applets that it runs by fork and execve of /proc/self/exe), and its
output and status must be those of the same busybox running the same
script on the host (under qemu-aarch64 for aarch64)."""
import os
import re
import subprocess

import pytest

from qemu import ROOT, arches, boot
from test_linux import ENV, runs_in_themelios

SCRIPT = "tests/linux/busybox/script.sh"
GUEST_SCRIPT = "/tests/linux/busybox/script.sh"


def on_host(arch, cwd):
    bb = os.path.join(ROOT, "build", arch, "busybox", "bin", "busybox")
    cmd = ([] if arch == "x86_64" else ["qemu-aarch64"]) + [bb, "sh", os.path.join(ROOT, SCRIPT)]
    r = subprocess.run(cmd, cwd=cwd, env=ENV, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=120)
    return r.stdout.decode(), r.returncode


@pytest.mark.timeout(240)
@pytest.mark.parametrize("arch", arches())
def test_busybox_script_matches_linux(arch, tmp_path):
    r = boot(arch=arch, cmdline="test linux.run=/bin/busybox,sh," + GUEST_SCRIPT, timeout=200)
    assert "KERNEL PANIC" not in r.log, r.log
    assert not r.timed_out, r.log
    runs = runs_in_themelios(r.log)
    assert [p for p, _, _ in runs] == ["/bin/busybox"], r.log
    _, out, status = runs[0]
    host_out, host_status = on_host(arch, str(tmp_path))
    assert out == host_out, ("ThemeliOS:\n" + out, "Linux:\n" + host_out)
    assert status == host_status == 0
    # The script ran its applets through execve, and pipelines through fork.
    assert not re.search(r"^warning: linux: (execve|clone|fork|wait4|pipe2?) ", r.log, re.M), r.log


@pytest.mark.timeout(120)
@pytest.mark.parametrize("arch", arches())
def test_busybox_date_is_the_hosts(arch):
    """busybox date reads CLOCK_REALTIME: the kernel's wall clock, which
    QEMU's real-time clock started at the host's time (UTC)."""
    import time
    before = time.time()
    r = boot(arch=arch, cmdline="test linux.run=/bin/busybox,date,-u,+%s", timeout=100)
    after = time.time()
    runs = runs_in_themelios(r.log)
    assert len(runs) == 1 and runs[0][2] == 0, r.log
    guest = int(runs[0][1].strip())
    assert before - 60 <= guest <= after + 2, (guest, before, after)
