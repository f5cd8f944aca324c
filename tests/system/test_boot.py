"""Phase 0: the kernel boots, greets, reports the machine, and fails loudly."""
import re
import subprocess

import pytest

from qemu import ROOT, arches, boot

X86 = pytest.mark.skipif("x86_64" not in arches(), reason="x86_64 not selected")
# Each case boots once or twice, 60 s at most each (boot()'s default).
pytestmark = pytest.mark.timeout(150)


def usable_kib(log):
    m = re.search(r"Usable memory: (\d+) KiB", log)
    assert m, log
    return int(m.group(1))


def memory_map(log):
    return re.findall(r"^  ([0-9a-f]{16})-([0-9a-f]{16}) (\w[\w ]*?)\s+(\d+) KiB",
                      log, re.M)


@X86
@pytest.mark.parametrize("firmware", ["bios", "uefi"])
def test_x86_greeting_and_memory_map(firmware):
    r = boot(firmware=firmware, mem="128M", cmdline="test")
    assert r.passed, r
    assert "Hello from ThemeliOS" in r.log
    assert re.search(r"Boot loader: GRUB", r.log), r
    # The root image's words (root=, verity.*) come first; the test's after.
    assert re.search(r"^Command line: (root=\S+ verity\S+ verity\S+ )*test\r?$", r.log, re.M), r
    regions = memory_map(r.log)
    assert len(regions) >= 3, r
    # The map is sorted as the loader gave it, and each line is consistent.
    for base, last, kind, kib in regions:
        assert int(last, 16) >= int(base, 16)
        assert (int(last, 16) - int(base, 16) + 1) >> 10 == int(kib)
    usable = sum(int(k) for _, _, kind, k in regions if kind == "usable")
    assert usable == usable_kib(r.log)
    # 128 MiB of guest RAM: the firmware keeps a few MiB for itself.
    assert 100 * 1024 < usable <= 128 * 1024, r


@X86
def test_x86_memory_size_follows_qemu():
    small = usable_kib(boot(mem="64M").log)
    large = usable_kib(boot(mem="256M").log)
    assert 60 * 1024 < small <= 64 * 1024
    assert 250 * 1024 < large <= 256 * 1024


@X86
@pytest.mark.parametrize("firmware", ["bios", "uefi"])
def test_x86_deliberate_panic_prints_backtrace(firmware):
    r = boot(firmware=firmware, cmdline="test crash=panic")
    assert r.failed, r
    assert "KERNEL PANIC: deliberate panic" in r.log
    assert re.search(r"RIP 0008:ffffffff8[0-9a-f]{7}", r.log), r
    trace = r.log.split("Backtrace:")[1]
    # Function names come from the symbol table embedded in the image.
    assert re.search(r"\] panic\+0x", trace), r
    assert re.search(r"\] kernel_main\+0x", trace), r
    assert re.search(r"\] x86_64_start\+0x", trace), r


@X86
def test_x86_unknown_crash_request_is_ignored():
    r = boot(cmdline="test crash=nonsense")
    assert r.passed, r
    assert "unknown crash=nonsense" in r.log


@X86
def test_x86_wrong_loader_is_refused():
    """QEMU's -kernel speaks Multiboot1: the entry must notice and say so."""
    kernel = ROOT + "/build/x86_64/kernel.elf"
    p = subprocess.run(["qemu-system-x86_64", "-kernel", kernel, "-display", "none",
                        "-serial", "stdio", "-monitor", "none", "-no-reboot", "-nic", "none",
                        "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"],
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    out = p.stdout.decode()
    assert "not started by a Multiboot2 loader" in out, out
    assert p.returncode == 35
    assert "Hello from ThemeliOS" not in out
