"""The serial debug shell, driven over QEMU's serial stdin."""
import re
import time

import pytest

from qemu import EXIT_FAIL, Console, arches

PROMPT = r"themelios> "
# A case waits at most 60 s for the first prompt and 30 s for each
# answer; the longest (16 KiB of input, the fairness wait) add 120 s.
pytestmark = pytest.mark.timeout(240)


@pytest.fixture(params=arches())
def shell(request):
    c = Console(arch=request.param, cmdline="test shell")
    c.expect(PROMPT, 60)
    yield c
    c.close(timeout=0)  # QEMU does not end at the end of its input: kill it now


def run(c, line, timeout=30):
    """Sends a line and returns what the shell printed before the next prompt."""
    c.send(line + "\r")
    start = c.pos
    c.expect(PROMPT, timeout)
    return c.log[start:c.pos]


def ps_rows(out):
    """id -> (name, state, CPU ms, times dispatched)"""
    return {int(m[0]): (m[1], m[2], int(m[3]), int(m[4]))
            for m in re.findall(r"^\s*(\d+)\s+(\S+)\s+(\w+)\s+(\d+)\s+(\d+)\s*$", out, re.M)}


def test_help_lists_every_command(shell):
    out = run(shell, "help")
    for cmd in ["help", "mem", "ps", "uptime", "date", "irq", "devices", "spawn", "kill", "panic",
                "reboot", "poweroff"]:
        assert re.search(r"^\s+%s\s" % cmd, out, re.M), out


def test_ps_mem_uptime_irq(shell):
    rows = ps_rows(run(shell, "ps"))
    names = {row[0] for row in rows.values()}
    assert {"main", "idle", "shell"} <= names, rows
    assert any(row[1] == "running" and row[0] == "shell" for row in rows.values())

    out = run(shell, "mem")
    m = re.search(r"frames: total (\d+) = free (\d+) \+ used (\d+) \+ reserved (\d+)", out)
    assert m, out
    total, free, used, reserved = map(int, m.groups())
    assert total == free + used + reserved
    assert re.search(r"heap: \d+ live allocations", out)

    assert re.search(r"up \d+\.\d{3} s", run(shell, "uptime"))
    out = run(shell, "irq")
    assert re.search(r"COM1|PL011", out), out
    assert re.search(r"timer", out), out


def test_date_is_the_hosts_time(shell):
    """QEMU starts its real-time clock (CMOS RTC, PL031) at the host's
    time in UTC; the wall clock read it at boot and counts on."""
    import calendar
    before = time.time()
    out = run(shell, "date")
    after = time.time()
    m = re.search(r"^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d) UTC\r?$", out, re.M)
    assert m, out
    guest = calendar.timegm(tuple(int(x) for x in m.groups()) + (0, 0, 0))
    # Whole seconds, read at boot: a loaded machine may lag a little.
    assert before - 120 <= guest <= after + 2, (out, before, after)
    assert re.search(r"^time: wall clock \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, from the "
                     r"(CMOS|PL031) RTC\r?$", shell.log, re.M), shell.log


def test_devices_lists_the_kernel_claims(shell):
    out = run(shell, "devices")
    # The memory map is claimed as memory; the console UART is the kernel's.
    assert re.search(r"^physical\s+0x0*(40000000|0)-\S+\s+memory map \(RAM, firmware\)\r?$",
                     out, re.M), out
    if shell.arch == "x86_64":
        assert re.search(r"^ports\s+0x0*3f8-0x0*3ff\s+16550 UART\r?$", out, re.M), out
        assert re.search(r"local APIC", out) and re.search(r"I/O APIC", out), out
        # The CMOS RTC was read at boot and left for user-space drivers.
        assert not re.search(r"CMOS RTC", out), out
    else:
        assert re.search(r"^physical\s+0x0*9000000-0x0*9000fff\s+PL011 UART\r?$", out, re.M), out
        assert re.search(r"GICv3 distributor", out), out
        assert not re.search(r"PL031", out), out


def test_bad_input_keeps_the_shell_alive(shell):
    assert "unknown command 'frobnicate'" in run(shell, "frobnicate now")
    assert "usage: spawn N" in run(shell, "spawn")
    assert "usage: spawn N" in run(shell, "spawn 99999999999999999999999")
    assert "usage: kill ID" in run(shell, "kill abc")
    assert "no thread 4242" in run(shell, "kill 4242")
    assert "too many arguments" in run(shell, "ps " + "a " * 20)
    # 16 KiB at once overflows the 1 KiB console ring: the UART must hold
    # the rest (flow control), so nothing is lost and Enter still arrives.
    out = run(shell, "x" * 16384, timeout=120)
    assert "line too long" in out
    assert re.search(r"console input: .* 0 dropped", run(shell, "irq")), shell.log
    # Binary bytes, escape sequences and Ctrl-C: dropped, never fatal.
    shell.send(bytes(b for b in range(1, 32) if b not in (3, 10, 13)) + b"\xff\xfe\x80")
    shell.send(b"garbage\x03")
    shell.expect(r"garbage\^C", 30)
    shell.expect(PROMPT, 30)
    assert "Commands:" in run(shell, "\x1b[Ahelp")


def test_spawn_threads_share_the_cpu_and_kill(shell):
    out = run(shell, "spawn 4")
    ids = [int(i) for i in re.findall(r"spawned thread (\d+)", out)]
    assert len(ids) == 4, out
    # Judged on events, not on time, so a slow or loaded host cannot
    # fail it: wait (long, only to bound a hang) until every busy thread
    # has been dispatched RUNS more times.  Round-robin then means their
    # counts grew alike: a thread is given the CPU again only after every
    # other ready one, so each count is within one of the others, and a
    # growth between two snapshots within two.
    RUNS = 10
    first = ps_rows(run(shell, "ps"))
    deadline = time.monotonic() + 120
    while True:
        second = ps_rows(run(shell, "ps"))
        grown = [second[i][3] - first[i][3] for i in ids]
        if min(grown) >= RUNS or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    for i in ids:
        assert second[i][0].startswith("busy-")
    assert min(grown) >= RUNS, (first, second)
    assert max(grown) - min(grown) <= 2, grown
    for i in ids:
        assert "asked thread %d to stop" % i in run(shell, "kill %d" % i)
    # Stopped threads exit and are reaped soon (the reaper thread wakes
    # on their exit); poll until they are gone, the deadline only
    # bounds a hang.
    deadline = time.monotonic() + 60
    while True:
        rows = ps_rows(run(shell, "ps"))
        if not set(ids) & set(rows) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert not set(ids) & set(rows), rows
    assert "part of the kernel" in run(shell, "kill 1")


@pytest.mark.parametrize("arch", arches())
def test_poweroff_ends_qemu(arch):
    c = Console(arch=arch, cmdline="test shell")
    c.expect(PROMPT, 60)
    c.send("poweroff\r")
    c.expect("powering off", 30)
    assert c.close(60) == 0


@pytest.mark.parametrize("arch", arches())
def test_reboot_resets_the_machine(arch):
    # QEMU runs with -no-reboot, so a reset ends it.
    c = Console(arch=arch, cmdline="test shell")
    c.expect(PROMPT, 60)
    c.send("reboot\r")
    c.expect("rebooting", 30)
    assert c.close(60) == 0


@pytest.mark.parametrize("arch", arches())
def test_panic_command_reports_and_fails(arch):
    c = Console(arch=arch, cmdline="test shell")
    c.expect(PROMPT, 60)
    c.send("panic\r")
    c.expect(r"KERNEL PANIC: requested from the shell", 30)
    c.expect(r"Backtrace:", 30)
    c.expect(r"cmd_panic\+0x", 30)
    assert c.close(60) == EXIT_FAIL[arch]
