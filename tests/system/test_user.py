"""User mode: init, the echo service over IPC, and the adversarial suite
that init runs as separate processes (user/init/tests.c, user/utest)."""
import os
import re

import pytest

from qemu import ROOT, Console, arches, boot

CASES_LIST = os.path.join(ROOT, "user", "utest", "cases.list")


def suite_cases():
    """(name, expectation) of every case in user/utest/cases.list, in order:
    the one list the suite's C code is generated from."""
    cases = []
    with open(CASES_LIST) as f:
        for line in f:
            fields = line.split(None, 3)
            if fields and fields[0] == "case":
                cases.append((fields[3].strip(), fields[2]))
    return cases


# What the kernel's "killed:" line calls each kind of fault.
KERNEL_NAMES = {
    "x86_64": {"read": "page fault", "write": "page fault", "exec": "page fault",
               "instruction": "invalid opcode", "privileged": "general protection fault"},
    "aarch64": {"read": "data abort", "write": "data abort", "exec": "instruction abort",
                "instruction": "undefined instruction",
                "privileged": "system register access"},
}


def expected_fault(arch, expectation):
    """For fault:KIND[:ACCESS][@ADDRESS]: init's words for it ("memory read
    protection") and the kernel's log line pattern for that process."""
    spec = expectation.split("@")[0].split(":")
    kind = spec[1]
    if kind != "memory":
        return kind, re.escape(KERNEL_NAMES[arch][kind]) + ", pc "
    access = spec[2].split(",")
    direction = [a for a in access if a in ("read", "write", "exec")][0]
    present = "protection" if "protection" in access else "unmapped"
    words = "memory %s %s at 0x" % (direction, present)
    kernel = r"%s at [0-9a-f]{16} \(%s, %s\)" % (
        re.escape(KERNEL_NAMES[arch][direction]), direction,
        "protection" if present == "protection" else "not present")
    return words, kernel


# 128 MiB is what `make run` gives; 32 MiB is where a leak of a page of
# kernel heap per round (7,000 rounds of dead_cspace) once ran the
# machine out of memory.
@pytest.mark.parametrize("mem", ["128M", "32M"])
@pytest.mark.parametrize("arch", arches())
def test_adversarial_suite(arch, mem):
    cases = suite_cases()
    names = [name for name, _ in cases]
    assert len(set(names)) == len(names), "a case name twice in cases.list"
    r = boot(arch=arch, mem=mem, cmdline="test user", timeout=240)
    assert "KERNEL PANIC" not in r.log, r
    assert re.search(r"^utest: echo exchange: ok", r.log, re.M), r
    # The suite knows exactly the cases the list has.
    assert re.search(r"^utest: %d cases\r?$" % len(cases), r.log, re.M), r
    # Every case ran once and passed, by name; nothing ran that is not listed.
    verdicts = {}
    for m in re.finditer(r"^utest: (.+?): (ok|FAILED)(.*?)\r?$", r.log, re.M):
        verdicts.setdefault(m.group(1), []).append((m.group(2), m.group(3)))
    never_ran = [n for n in names if n not in verdicts]
    failed = [n for n in names if n in verdicts and [v for v, _ in verdicts[n]] != ["ok"]]
    unknown = [n for n in verdicts if n not in names and n != "echo exchange"]
    assert not never_ran, ("cases that never ran", never_ran, r)
    assert not failed, ("cases that failed", failed, r)
    assert not unknown, ("cases not in cases.list", unknown, r)
    assert re.search(r"^utest: %d passed, 0 failed" % len(cases), r.log, re.M), r
    # The memory audit ran after every case (each would have failed by
    # name had anything stayed behind), and found nothing wrong on its own.
    assert re.search(r"^utest: memory audit after each of %d cases\r?$" % len(cases),
                     r.log, re.M), r
    assert "audit:" not in r.log, r
    # Interrupts taken from user mode (x86_64: with AC set by the
    # entry_guards case) kept SMAP/PAN: plain kernel reads of user memory
    # in them faulted, and there were some.
    m = re.search(r"^utest: (\d+) kernel reads of user memory in interrupts faulted, as they "
                  r"must\r?$", r.log, re.M)
    assert m and int(m.group(1)) > 0, r
    # Each fault case ended with the fault cases.list states, reported by
    # init and logged by the kernel for that process alone, once.
    for name, expectation in cases:
        if not expectation.startswith("fault:"):
            continue
        words, kernel = expected_fault(arch, expectation)
        detail = verdicts[name][0][1]
        m = re.match(r" \(pid (\d+): (.*)\)$", detail)
        assert m and m.group(2).startswith(words), (name, detail, words)
        killed = re.findall(r"^process utest \(pid %s\) killed: (.*)$" % m.group(1), r.log, re.M)
        assert len(killed) == 1 and re.match(kernel, killed[0]), (name, killed, kernel)
    assert r.passed, r


@pytest.mark.parametrize("arch", arches())
def test_boot_starts_init_and_echo(arch):
    c = Console(arch=arch, cmdline="test shell")
    try:
        c.expect(r"init: started\r?\n", 60)
        c.expect(r"init: started echo as pid (\d+)", 30)
        c.expect(r"init: echo replied 'HELLO' \(it saw badge 7 and a capability of type 10\)", 30)
        c.expect(r"init: child pid \d+ \(badge 42\) exited with status 0", 30)
        # The shell sees the processes; killing init's thread ends init alone.
        c.send("procs\r")
        c.expect(r"\n\s+1\s+init\s+live\s+\d+\s+\d+", 30)
        c.expect("themelios> ", 30)
        c.send("ps\r")
        m = c.expect(r"\n\s*(\d+)\s+init\s+blocked", 30)
        c.expect("themelios> ", 30)
        c.send("kill %s\r" % m.group(1))
        c.expect("asked thread %s to stop" % m.group(1), 30)
        c.expect("themelios> ", 30)
        # Exited: no longer live, and the kernel carries on.  netserve,
        # init's service, lives on with capabilities derived from init's
        # (its Memory), so init stays listed as dead until it ends.
        for _ in range(20):
            c.send("procs\r")
            start = c.pos
            c.expect("themelios> ", 30)
            if not re.search(r"\binit\s+live", c.log[start:c.pos]):
                break
        assert not re.search(r"\binit\s+live", c.log[start:c.pos]), c.log
        c.send("uptime\r")
        c.expect(r"up \d+\.\d{3} s", 30)
    finally:
        c.close(timeout=0)      # the shell never exits by itself: stop it now
