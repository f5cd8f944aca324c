"""Phase 1b: exceptions, interrupts and time on x86_64.

Each deliberate fault (crash=... on the kernel command line) must give a
named report and end QEMU with the failure status through isa-debug-exit.
QEMU runs with -no-reboot, so a triple fault would end it with status 0
instead: that is checked explicitly, as is a hang (timeout).
"""
import re

import pytest

from qemu import arches, boot

X86 = pytest.mark.skipif("x86_64" not in arches(), reason="x86_64 not selected")
# Each case boots once, 60 s at most; the benchmark's boot has its own.
pytestmark = pytest.mark.timeout(90)

# crash word -> what the report must say
CRASHES = {
    "divzero": r"\*\*\* divide error in crash_divzero\+0x",
    "ud": r"\*\*\* invalid opcode in crash_ud\+0x",
    "pagefault": r"\*\*\* page fault at ffffc00000000000 \(read, kernel, not present\) "
                 r"in crash_pagefault\+0x",
    "gpf": r"\*\*\* general protection fault in crash_gpf\+0x",
    "breakpoint": r"\*\*\* breakpoint in crash_breakpoint\+0x",
}


def assert_reported_failure(r):
    assert not r.timed_out, "hung instead of reporting\n%r" % r
    assert r.status != 0, "QEMU exited with 0: a triple fault (silent reset)\n%r" % r
    assert r.failed, r


@X86
@pytest.mark.parametrize("word", sorted(CRASHES))
def test_x86_fault_is_named_and_fails_the_run(word):
    r = boot(cmdline="test crash=%s" % word, timeout=60)
    assert_reported_failure(r)
    assert re.search(CRASHES[word], r.log), r
    assert "KERNEL PANIC" in r.log
    # The register dump and the backtrace come with the report.
    assert re.search(r"RIP 0008:ffffffff8[0-9a-f]{7}", r.log), r
    assert re.search(r"\] kernel_main\+0x", r.log.split("Backtrace:")[1]), r


@X86
def test_x86_stack_overflow_is_a_double_fault_report():
    r = boot(cmdline="test crash=stackoverflow", timeout=60)
    # The kernel's page tables are active before any crash= runs, so the
    # boot stack always has its guard page; the kernel's refusal to
    # overflow means it was lost.
    assert "the boot stack has no guard page yet" not in r.log, \
        "the boot stack's guard page is missing\n%r" % r
    assert_reported_failure(r)
    assert "*** double fault" in r.log or "*** page fault" in r.log, r
    assert "kernel stack overflow" in r.log, r


@X86
def test_x86_interrupts_and_time_come_up():
    r = boot(cmdline="test", timeout=60)
    assert r.passed, r
    m = re.search(r"time: TSC (\d+)\.(\d+) ([GM])Hz.*LAPIC timer (\d+)\.(\d+) MHz", r.log)
    assert m, r
    tsc_mhz = int(m.group(1)) * (1000 if m.group(3) == "G" else 1)
    assert 100 <= tsc_mhz <= 10000, r
    assert re.search(r"apic: local APIC id \d+ at 0xfee00000", r.log), r
    assert re.search(r"irq: COM1: line 4 -> GSI \d+ .*-> vector 0x34", r.log), r


@X86
@pytest.mark.parametrize("firmware", ["bios", "uefi"])
def test_x86_madt_describes_the_machine(firmware):
    r = boot(firmware=firmware, cmdline="test ktest=serial", timeout=60)
    assert r.passed, r
    # QEMU q35: one I/O APIC, five ISA overrides (IRQ 0 -> GSI 2, ...).
    assert re.search(r"acpi: MADT .*local APIC at 0xfee00000, 1 CPU\(s\), "
                     r"1 I/O APIC\(s\), 5 ISA override\(s\)", r.log), r
    assert "apic: I/O APIC id 0 at 0xfec00000, GSI 0-23" in r.log, r
    assert "using PC defaults" not in r.log, r


@X86
def test_x86_without_acpi_falls_back_to_pc_defaults():
    # SeaBIOS builds tables even for QEMU's acpi=off; the kernel's own
    # acpi=off takes the path that missing or damaged tables take.
    r = boot(cmdline="test acpi=off", timeout=60)
    assert r.passed, r
    assert "acpi: disabled on the command line" in r.log, r
    assert "apic: using PC defaults" in r.log, r
    assert re.search(r"irq: COM1: line 4 -> GSI 4 ", r.log), r
    assert "ktest: serial_input_by_interrupt" in r.log, r


@X86
@pytest.mark.timeout(150)
def test_x86_irq_roundtrip_benchmark():
    r = boot(cmdline="test bench", timeout=120)
    assert r.passed, r
    m = re.search(r"^bench: irq_roundtrip (\d+) cycles/op", r.log, re.M)
    assert m, r
    assert 0 < int(m.group(1)) < 10000000, r


@pytest.mark.parametrize("arch", arches())
def test_stack_smashing_is_caught_by_the_canary(arch):
    """crash=smash overflows a local buffer: the stack protector's check
    must stop the kernel with a named panic before the function returns
    through the overwritten return address."""
    r = boot(arch=arch, cmdline="test crash=smash", timeout=60)
    assert_reported_failure(r)
    assert "KERNEL PANIC: stack smashing detected" in r.log, r
    trace = r.log.split("Backtrace:")[1]
    assert re.search(r"\] __stack_chk_fail\+0x", trace), r
    assert re.search(r"\] stack_guard_crash\+0x", trace), r
