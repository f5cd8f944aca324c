"""aarch64 on QEMU virt: boot from the device tree, greeting, faults."""
import re

import pytest

from qemu import arches, boot

A64 = pytest.mark.skipif("aarch64" not in arches(), reason="aarch64 not selected")
# Each case boots once, 60 s at most (boot()'s default).
pytestmark = pytest.mark.timeout(90)


@A64
@pytest.mark.parametrize("mem,kib", [("64M", 65536), ("4G", 4194304)])
def test_greeting_and_memory_map(mem, kib):
    r = boot(arch="aarch64", mem=mem, cmdline="test ktest=none")
    assert r.passed, r
    assert "Hello from ThemeliOS" in r.log
    assert re.search(r"^Command line: (root=\S+ verity\S+ verity\S+ )?test ktest=none\r?$", r.log,
                     re.M), r
    m = re.search(r"^  0000000040000000-([0-9a-f]{16}) usable\s+(\d+) KiB", r.log, re.M)
    assert m, r
    assert int(m.group(2)) == kib
    assert re.search(r"gic: GICv3 distributor 0x8000000, redistributor 0x80a0000", r.log)
    assert re.search(r"time: generic timer at \d+\.\d+ MHz", r.log)


@A64
def test_deliberate_panic_prints_backtrace():
    r = boot(arch="aarch64", cmdline="test crash=panic")
    assert r.failed, r
    assert "KERNEL PANIC: deliberate panic" in r.log
    assert re.search(r"PC  ffffffff8[0-9a-f]{7}", r.log), r
    trace = r.log.split("Backtrace:")[1]
    assert re.search(r"\] panic\+0x", trace), r
    assert re.search(r"\] kernel_main\+0x", trace), r
    assert re.search(r"\] aarch64_start\+0x", trace), r


@A64
@pytest.mark.parametrize("word,report", [
    ("ud", r"undefined instruction"),
    ("pagefault", r"data abort at ffffff0040001000 \(read, kernel, not present\) in arch_crash\+0x"),
    ("breakpoint", r"breakpoint"),
    ("stackoverflow", r"kernel stack overflow"),
])
def test_faults_are_named_and_fail_the_run(word, report):
    r = boot(arch="aarch64", cmdline="test crash=" + word)
    assert r.failed, r
    assert re.search(report, r.log), r
    assert "KERNEL PANIC" in r.log


@A64
def test_unknown_crash_word_is_refused():
    r = boot(arch="aarch64", cmdline="test ktest=none crash=divzero")
    assert r.passed, r
    assert "unknown crash=divzero" in r.log
