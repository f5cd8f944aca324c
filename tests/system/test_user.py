"""User mode: init, the echo service over IPC, and the adversarial suite
that init runs as separate processes (user/init/tests.c, user/utest)."""
import re

import pytest

from qemu import Console, arches, boot

CASES = [
    "echo exchange",
    "read a kernel address",
    "write a kernel address",
    "read address 0",
    "write unmapped memory",
    "execute the stack",
    "write own code",
    "jump into the kernel",
    "overflow the stack",
    "an invalid instruction",
    "a privileged instruction",
    "bad slots, wrong types, unknown calls",
    "bad pointers and lengths",
    "missing rights",
    "revoke reaches every derived copy",
    "revoke wakes a blocked receiver",
    "no capability, no access",
    "call/reply, badges, capability transfer",
    "memory exhaustion is contained",
    "spawn storm is contained",
    "supervisor receives the fault",
    "another process's memory",
    "FPU/SIMD registers per thread",
    "bad ELF images",
    "notifications",
    "a supervisor kills a child",
    "threads share a process and end with it",
    "Memory objects: split, charge, return",
    "argument strings",
    "register IPC path",
    "a supervisor grants a running child",
    "shared memory through Frames",
    "Thread capabilities end one thread",
    "IPC under load: handoff without starving others",
    "Reply capabilities: answer out of order",
    "a supervisor works on a child's CSpace and AddressSpace",
    "device claims: lines, ports, registers, given back",
    "a user-space driver takes its device's interrupts",
    "unmap and protect: arguments, regions, charges",
    "unmapped or read-only memory faults that process alone",
    "suspend, registers, resume",
    "a suspended thread ends with its thread or process",
    "IPC fastpath: Reply capabilities, kills, revoke",
    "the clock, deadlines and sleeps",
    "TLS pointers per thread: preemption, processes, IPC",
    "page tables are charged to their address space's owner",
    "random system calls: the kernel answers, every page returns",
    "a smashed user stack stops that program",
    "random bytes from the kernel",
]


@pytest.mark.parametrize("arch", arches())
def test_adversarial_suite(arch):
    r = boot(arch=arch, cmdline="test user", timeout=240)
    assert r.passed, r
    for case in CASES:
        assert re.search(r"^utest: %s: ok" % re.escape(case), r.log, re.M), (case, r)
    assert "utest: %d passed, 0 failed" % len(CASES) in r.log, r
    # Every attack on memory was reported as a fault of that process alone.
    killed = re.findall(r"^process utest \(pid \d+\) killed: (page fault|data abort|instruction abort)", r.log, re.M)
    assert len(killed) >= 9, r
    assert "KERNEL PANIC" not in r.log


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
        # Exited and freed: no longer listed, and the kernel carries on.
        for _ in range(20):
            c.send("procs\r")
            start = c.pos
            c.expect("themelios> ", 30)
            if "init" not in c.log[start:c.pos]:
                break
        assert "init" not in c.log[start:c.pos], c.log
        c.send("uptime\r")
        c.expect(r"up \d+\.\d{3} s", 30)
    finally:
        c.close()
