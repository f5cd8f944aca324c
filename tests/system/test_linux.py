"""The Linux personality with Linux as the oracle (docs/linux.md): every
program of tests/linux, built static for the architecture (musl and glibc
on x86_64, glibc on aarch64), runs on the host (aarch64 ones under
qemu-aarch64) and inside ThemeliOS in one boot (init's linux.run=
words), and the two outputs and exit statuses must be the same."""
import glob
import os
import re
import subprocess
import time

import pytest

from qemu import ROOT, Console, arches, boot

# The environment init gives every Linux program.
ENV = {"PATH": "/bin:/usr/bin:/sbin:/usr/sbin", "HOME": "/", "TERM": "linux"}
GUEST_DIR = "/tests/linux"
# After the whole directory, one program again with arguments (commas
# separate the words of a linux.run= value).
WITH_ARGS = ("misc.glibc", ["x", "second"])
# Then procs printing its pids: numbered per instance from 1, as in a
# container (Linux's are whatever the host gives, so this run is checked
# alone).
PIDS = ("procs.glibc", ["pids"])
PIDS_OUT = "grandchild 3 parent 2\nchild 2 parent 1\nfirst 1 parent 0 gettid 1 child 2\n"
# The kernel's line for a process ended by a fault (procs.c writes
# through a null pointer in a child): the kernel's, not the program's.
FAULT_LINE = re.compile(r"^process \S+ \(pid \d+\) killed: ")
# An unbounded fork bomb (tests/linux/guest/forkbomb.c, run only here):
# it stops at the instance's process limit, and when its pid 1 exits the
# rest of its instance is killed.
BOMB = GUEST_DIR + "/guest/forkbomb"
# mremap's charges, read from the pool (tests/linux/guest/remap_charge.c,
# run only here: Linux's free memory is the machine's).
CHARGE = GUEST_DIR + "/guest/remap_charge"


def programs(arch):
    bins = sorted(glob.glob(os.path.join(ROOT, "build", arch, "linux-tests", "*.*")))
    assert bins, "no Linux test programs built for " + arch
    return bins


# Programs whose output does not depend on the architecture but which
# qemu-aarch64 cannot run: it does not follow an execve into another
# aarch64 program, its version 7.2 has no clone3, and its /proc/self/task
# lists its own threads too.  For aarch64 their oracle is the same source built
# for the host and run natively.
HOST_NATIVE = ("exec", "mtexec", "clone3", "tasks")
# vshare: qemu-aarch64 runs vfork and clone(CLONE_VM|CLONE_VFORK) as a
# fork, so the child's writes would not reach the parent there.
HOST_NATIVE += ("vshare",)
# sigqueue: qemu-aarch64 7.2 refuses sigaltstack's SS_AUTODISARM (EINVAL);
# the program prints real-time signals relative to SIGRTMIN, the same
# number (34) for glibc on both architectures.
HOST_NATIVE += ("sigqueue",)
# cputime: qemu-aarch64 makes up /proc/self/stat (0 for every CPU time),
# and its CPU clocks and timers count its own translation work too.
HOST_NATIVE += ("cputime",)
# clones: qemu-aarch64 refuses CLONE_VM without CLONE_THREAD (or with
# CLONE_VFORK), CLONE_FILES and CLONE_FS for a process, and a thread that
# does not share all of it.
HOST_NATIVE += ("clones",)
# procenv: qemu-aarch64 gives its program the environment in reverse
# order, and its /proc/self/environ is qemu's own.
HOST_NATIVE += ("procenv",)


def on_host(arch, path, args, cwd):
    name = os.path.basename(path).split(".")[0]
    if arch != "x86_64" and name in HOST_NATIVE:
        native = os.path.join(cwd, name + ".native")
        if not os.path.exists(native):
            subprocess.run(["gcc", "-O2", "-static", "-o", native,
                            os.path.join(ROOT, "tests", "linux", name + ".c")], check=True)
        path, arch = native, "x86_64"
    cmd = ([] if arch == "x86_64" else ["qemu-aarch64"]) + [path] + args
    r = subprocess.run(cmd, cwd=cwd, env=ENV, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=60)
    # qemu-user's own word on a program a signal ended is not the program's.
    out = "".join(l for l in r.stdout.decode().splitlines(keepends=True)
                  if not l.startswith("qemu: uncaught target signal"))
    return out, r.returncode


def runs_in_themelios(log):
    """Each program's path, output and status, in the order init ran them
    (the output is what lies between init's lines around it)."""
    runs = []
    for m in re.finditer(r"^linux: running (\S+)\r?\n(.*?)^linux: \1 exited with status (-?\d+)\r?$",
                         log, re.M | re.S):
        lines = m.group(2).replace("\r", "").splitlines(keepends=True)
        # The kernel's own lines (an unimplemented call's warning) are not the program's.
        out = "".join(l for l in lines
                      if not l.startswith("warning: linux: ") and not FAULT_LINE.match(l))
        runs.append((m.group(1), out, int(m.group(3))))
    return runs


@pytest.mark.timeout(240)
@pytest.mark.parametrize("arch", arches())
def test_linux_programs_match_linux(arch, tmp_path):
    bins = programs(arch)
    expected = [(b, []) for b in bins]
    expected.append((os.path.join(os.path.dirname(bins[0]), WITH_ARGS[0]), WITH_ARGS[1]))
    words = ["linux.run=" + GUEST_DIR,
             "linux.run=" + ",".join([GUEST_DIR + "/" + WITH_ARGS[0]] + WITH_ARGS[1]),
             "linux.run=" + CHARGE,
             "linux.run=" + BOMB,
             "linux.run=" + ",".join([GUEST_DIR + "/" + PIDS[0]] + PIDS[1])]
    r = boot(arch=arch, cmdline="test " + " ".join(words), timeout=200)
    assert "KERNEL PANIC" not in r.log, r.log
    assert not r.timed_out, r.log
    runs = runs_in_themelios(r.log)
    # The pids run comes after the fork bomb: the kernel and a new
    # instance (numbered from 1 again) go on.
    assert runs and runs[-1] == (GUEST_DIR + "/" + PIDS[0], PIDS_OUT, 0), (runs[-1:], r.log)
    assert len(runs) >= 2 and runs[-2][0] == BOMB and runs[-2][2] == 0, (runs[-2:], r.log)
    m = re.search(r"^forkbomb: fork failed with (\S+) after (\d+) children\n"
                  r"forkbomb: pid 1 still runs beside the bomb\n$", runs[-2][1])
    assert m and m.group(1) in ("EAGAIN", "ENOMEM") and 0 < int(m.group(2)) < 64, runs[-2]
    assert len(runs) >= 3 and runs[-3][0] == CHARGE, (runs[-3:], r.log)
    assert runs[-3][2] == 0 and runs[-3][1].endswith("remap_charge: charges exact\n"), runs[-3]
    runs = runs[:-3]
    assert [p for p, _, _ in runs] == [GUEST_DIR + "/" + os.path.basename(b)
                                       for b, _ in expected], r.log
    for (b, args), (_, out, status) in zip(expected, runs):
        host_out, host_status = on_host(arch, b, args, str(tmp_path))
        assert out == host_out, (b, args, "ThemeliOS:\n" + out, "Linux:\n" + host_out)
        assert status == host_status, (b, args, status, host_status)
    # errors.c makes an unknown call twice in every build: one warning per boot.
    assert len(re.findall(r"^warning: linux: unknown system call 500: ENOSYS", r.log, re.M)) == 1, r.log


@pytest.mark.timeout(120)
@pytest.mark.parametrize("arch", arches())
def test_linux_trace(arch):
    """linux.trace prints every call with its arguments and result."""
    r = boot(arch=arch, cmdline="test linux.trace linux.run=%s/misc.glibc" % GUEST_DIR,
             timeout=100)
    assert "KERNEL PANIC" not in r.log, r.log
    assert re.search(r"^\[linux 1\] uname\(0x[0-9a-f]+\) = 0\r?$", r.log, re.M), r.log
    assert re.search(r"^\[linux 1\] umask\(0x3f\) = 18\r?$", r.log, re.M), r.log
    assert re.search(r"^\[linux 1\] rt_sigaction\(0x9, 0x[0-9a-f]+, 0, 0x8\) = -22\r?$",
                     r.log, re.M), r.log
    assert re.search(r"^linux: %s/misc.glibc exited with status 7" % GUEST_DIR, r.log, re.M), r.log


@pytest.mark.timeout(120)
@pytest.mark.parametrize("arch", arches())
def test_linux_syscall_fuzz(arch):
    """Every system-call number with bad pointers, descriptors and lengths
    (tests/linux/guest/fuzz.c, run only here): each is answered, the
    program ends normally, and the kernel goes on."""
    r = boot(arch=arch, cmdline="test linux.run=%s/guest/fuzz" % GUEST_DIR, timeout=100)
    assert "KERNEL PANIC" not in r.log, r.log
    m = re.search(r"^fuzz: (\d+) calls, errors answered\r?$", r.log, re.M)
    assert m and int(m.group(1)) > 20000, r.log
    assert re.search(r"^linux: %s/guest/fuzz exited with status 0" % GUEST_DIR, r.log, re.M), r.log
    assert re.search(r"test mode: init exited with status 0", r.log), r.log


@pytest.mark.timeout(120)
@pytest.mark.parametrize("arch", arches())
def test_linux_ctrl_c(arch):
    """^C on the console is SIGINT to the foreground group: a read of the
    tty ends with EINTR, or starts again under SA_RESTART, and the default
    action kills (status -2, as a subprocess reports a SIGINT death); ^Z is
    SIGTSTP; two children of the group get the ^C too."""
    c = Console(arch=arch, cmdline="test linux.run=%s/guest/ctrlc" % GUEST_DIR, lifetime=100)
    try:
        c.expect(r"foreground is us: 1")
        c.expect(r"TIOCSPGRP us = 0")
        # The program says "ready" just before it reads: give it time to be
        # in the read (a ^C before it would only run the handler).
        c.expect(r"ready\r?\n")
        time.sleep(1)
        c.send("\x03")
        c.expect(r"SIGINT 1 \(signal 2\)")
        c.expect(r"read = -1 EINTR")
        c.expect(r"ready again")
        time.sleep(1)
        c.send("\x03")
        c.expect(r"SIGINT 2 \(signal 2\)")
        c.send("abc\r")
        c.expect(r"read 4: abc")
        # ^Z: SIGTSTP, to the handler the program has for it.
        c.expect(r"ready for \^Z")
        time.sleep(1)
        c.send("\x1a")
        c.expect(r"SIGTSTP \(signal 20\)")
        c.expect(r"read = -1 EINTR")
        # ^C to the whole foreground group: the two children catch it too.
        c.expect(r"ready for the group")
        time.sleep(1)
        c.send("\x03")
        c.expect(r"SIGINT 3 \(signal 2\)")
        c.expect(r"child 1 status 11")
        c.expect(r"child 2 status 12")
        assert c.log.count("child 1: SIGINT") == 1 and c.log.count("child 2: SIGINT") == 1
        c.expect(r"ready to die")
        time.sleep(1)
        c.send("\x03")
        c.expect(r"linux: %s/guest/ctrlc exited with status -2" % GUEST_DIR)
        assert "not reached" not in c.log
        assert "KERNEL PANIC" not in c.log
    finally:
        c.close()


# ---- Console job control, with Linux on the same QEMU as the oracle ----
# The peer guest (docs/linux.md, "Figures"): Debian's Linux and busybox.
PEER = os.path.join(ROOT, "..", "shared", "peer", "linux-guest.sh")
JOBCTL = GUEST_DIR + "/guest/jobctl"
# The end of a session and orphaned groups (tests/linux/guest/hangup.c).
HANGUP = GUEST_DIR + "/guest/hangup"
# busybox sh with job control (-m) on a script of jobs.
JOBS_SCRIPT = "tests/linux/busybox/jobs.sh"
JOBS_WORDS = "/bin/busybox,sh,-m,/" + JOBS_SCRIPT
# Linux does no job control on /dev/console, the peer's standard
# descriptors: the programs get the serial port's own device there.
PEER_TTY = {"x86_64": "/dev/ttyS0", "aarch64": "/dev/ttyAMA0"}


def start_peer(arch, tmp):
    """jobctl and the busybox script (our busybox, in a session of its own
    with the tty as its terminal, as ThemeliOS gives pid 1), then hangup,
    run by Linux in the peer guest, started now: a raw disk holding the
    files, each at a 4 KiB boundary, and a script that copies them out and
    runs them on the tty, each followed by its status.  hangup gets the
    tty read-write on 0, 1 and 2 as one description, as ThemeliOS gives
    the console."""
    files = [("jobctl", os.path.join(ROOT, "build", arch, "linux-tests", "guest", "jobctl")),
             ("busybox", os.path.join(ROOT, "build", arch, "busybox", "bin", "busybox")),
             ("jobs.sh", os.path.join(ROOT, JOBS_SCRIPT)),
             ("hangup", os.path.join(ROOT, "build", arch, "linux-tests", "guest", "hangup"))]
    disk = os.path.join(str(tmp), "jobctl.img")
    lines = []
    with open(disk, "wb") as f:
        for name, path in files:
            data = open(path, "rb").read()
            lines.append("head -c %d /dev/vda | tail -c %d > /tmp/%s; chmod +x /tmp/%s"
                         % (f.tell() + len(data), len(data), name, name))
            f.write(data + b"\0" * (-len(data) % 4096))
    tty = PEER_TTY[arch]
    lines.append('timeout 120 /tmp/jobctl <%s >%s 2>&1; echo "status $?"' % (tty, tty))
    lines.append('timeout 120 /tmp/busybox setsid -c /tmp/busybox sh -m /tmp/jobs.sh <%s >%s 2>&1;'
                 ' echo "status $?"' % (tty, tty))
    lines.append('timeout 120 /tmp/hangup <>%s >&0 2>&0; echo "status $?"' % tty)
    script = os.path.join(str(tmp), "jobctl.sh")
    with open(script, "w") as f:
        f.write("\n".join(lines) + "\n")
    return subprocess.Popen(["bash", PEER, "--arch", arch, "--disk", disk, "--run", script],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


@pytest.mark.timeout(420)
@pytest.mark.parametrize("arch", arches())
def test_linux_job_control_matches_linux(arch, tmp_path):
    """A background group reading the console is stopped by SIGTTIN (EIO
    when it ignores or blocks it, or is orphaned); writing it with TOSTOP
    set, or changing its settings, by SIGTTOU, and the call goes on once
    the group continues (tests/linux/guest/jobctl.c); busybox sh -m's jobs
    stop and continue so (tests/linux/busybox/jobs.sh).  The session's end
    hangs the console up: SIGHUP to its foreground group, EOF and EIO on
    the descriptions opened before, a new session may take it; a group
    orphaned with a stopped member gets SIGHUP and SIGCONT; /proc/PID/stat's
    tty fields follow (tests/linux/guest/hangup.c).  Linux, in the peer
    guest, says what the outputs must be."""
    if not os.path.exists(PEER):
        pytest.skip("no peer guest script to run Linux")
    peer = start_peer(arch, tmp_path)
    try:
        r = boot(arch=arch, cmdline="test linux.run=%s linux.run=%s linux.run=%s"
                 % (JOBCTL, JOBS_WORDS, HANGUP), timeout=150)
        linux_out, err = peer.communicate(timeout=360)
    finally:
        peer.kill()
    assert "KERNEL PANIC" not in r.log, r.log
    runs = runs_in_themelios(r.log)
    assert [p for p, _, _ in runs] == [JOBCTL, "/bin/busybox", HANGUP], r.log
    linux_out = linux_out.decode("utf-8", "replace")
    m = re.match(r"(.*?)^status (\d+)\n(.*?)^status (\d+)\n(.*?)^status (\d+)\n\Z", linux_out,
                 re.M | re.S)
    assert m, (linux_out, err.decode("utf-8", "replace"))
    linux_runs = [(m.group(i), int(m.group(i + 1))) for i in (1, 3, 5)]
    # Linux really ran them: the first case stopped, the last one
    # answered; the shell's first job stopped, its last one ended.
    assert "read:\n  stopped by signal 21\n" in linux_runs[0][0], linux_out
    assert linux_runs[0][0].endswith("tcsetpgrp to -1: -1 EINVAL\n"), linux_out
    assert linux_runs[1][0].startswith("[1]+  Stopped (tty input)"), linux_out
    assert linux_runs[1][0].endswith("after bg: 0\n"), linux_out
    assert "  stopped foreground process: killed by signal 1\n" in linux_runs[2][0], linux_out
    assert linux_runs[2][0].endswith("  running member: SIGHUP 0, SIGCONT 0\n  leader: exited 0\n"), \
        linux_out
    for (path, out, status), (want, want_status) in zip(runs, linux_runs):
        assert out == want, (path, "ThemeliOS:\n" + out, "Linux:\n" + want)
        assert status == want_status == 0, (path, status, want_status, r.log)


# ---- Signal queues (issue 13): the charges, read from the pool ----
# tests/linux/sigqueue.c, compared with Linux above, has the behaviour;
# this one (run only here: Linux's free memory is the machine's) checks
# that queued siginfos are bounded by RLIMIT_SIGPENDING, charged to the
# process's pool, and given back when taken, at a child's end and at a
# thread's.
SIGQ_CHARGE = GUEST_DIR + "/guest/sigq_charge"


@pytest.mark.timeout(120)
@pytest.mark.parametrize("arch", arches())
def test_linux_signal_queue_charges(arch):
    r = boot(arch=arch, cmdline="test linux.run=" + SIGQ_CHARGE, timeout=100)
    assert "KERNEL PANIC" not in r.log, r.log
    runs = runs_in_themelios(r.log)
    assert [p for p, _, _ in runs] == [SIGQ_CHARGE], r.log
    out = runs[0][1]
    assert "FAILED" not in out and out.endswith("sigq_charge: charges exact\n"), out
    assert runs[0][2] == 0, r.log


# ---- The CPU as Linux programs see it, with Linux on the same QEMU as the oracle ----
CPU_PROGRAM = GUEST_DIR + "/guest/cpu"


def run_in_peer(arch, tmp, name, path, args=""):
    """One static program run by Linux in the peer guest (a raw disk
    holding it, copied out and run): its output, then "status N"."""
    disk = os.path.join(str(tmp), name + ".img")
    data = open(path, "rb").read()
    with open(disk, "wb") as f:
        f.write(data + b"\0" * (-len(data) % 4096))
    script = os.path.join(str(tmp), name + ".sh")
    with open(script, "w") as f:
        f.write('head -c %d /dev/vda > /tmp/%s; chmod +x /tmp/%s; /tmp/%s %s; echo "status $?"\n'
                % (len(data), name, name, name, args))
    return subprocess.Popen(["bash", PEER, "--arch", arch, "--disk", disk, "--run", script],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("arch", arches())
def test_linux_cpu_features_match_linux(arch, tmp_path):
    """AT_HWCAP and AT_HWCAP2, and on aarch64 the ID registers read with
    an emulated MRS (a bad one is SIGILL), the LSE atomics libgcc then
    takes, SVE's vector length and its registers across a signal, DC
    ZVA, CTR_EL0 and DC CVAU at EL0, and /proc/cpuinfo's fields
    (tests/linux/guest/cpu.c):
    the same as Linux's on the same QEMU -cpu, in the peer guest; and
    ThemeliOS claims none of the features Linux has that it does not
    offer."""
    if not os.path.exists(PEER):
        pytest.skip("no peer guest script to run Linux")
    path = os.path.join(ROOT, "build", arch, "linux-tests", "guest", "cpu")
    peer = run_in_peer(arch, tmp_path, "cpu", path)
    try:
        r = boot(arch=arch, cmdline="test linux.run=%s,themelios" % CPU_PROGRAM, timeout=100)
        linux_out, err = peer.communicate(timeout=240)
    finally:
        peer.kill()
    assert "KERNEL PANIC" not in r.log, r.log
    runs = runs_in_themelios(r.log)
    assert [p for p, _, _ in runs] == [CPU_PROGRAM], r.log
    linux_out = linux_out.decode("utf-8", "replace")
    assert linux_out.endswith("status 0\n"), (linux_out, err.decode("utf-8", "replace"))
    want = linux_out[:-len("status 0\n")]
    out = runs[0][1]
    # /proc/cpuinfo's flags: ThemeliOS's are Linux's names of features
    # the CPU has (Linux lists them on the same -cpu), fewer of them.
    flags = [re.findall(r"^cpuinfo-flags: (.*)$", o, re.M) for o in (out, want)]
    assert len(flags[0]) == len(flags[1]) == 1, (out, want)
    ours, linux = flags[0][0].split(), flags[1][0].split()
    assert len(ours) > 10 and set(ours) <= set(linux), (sorted(set(ours) - set(linux)), ours, linux)
    out, want = (re.sub(r"^cpuinfo-flags: .*\n", "", o, flags=re.M) for o in (out, want))
    assert out == want, ("ThemeliOS:\n" + out, "Linux:\n" + want)
    assert "cpuinfo blocks: 1\n" in out and "cpuinfo processor\t: 0\n" in out, out
    assert runs[0][2] == 0, r.log
    if arch == "aarch64":
        # Linux really said these: the program's checks ran there.
        for line in ("AT_HWCAP: fp asimd", " atomics ", " cpuid ", "MIDR_EL1 0x",
                     "mrs SCTLR_EL1: SIGILL 1", "libgcc outline atomics use LSE: 1",
                     "dc zva in a child: zeroed its copy 1; the parent's still 0xff 1",
                     "AT_HWCAP2: dcpodp sve2 ", "after SIGALRM: z0 1 z31 1 p1 1 p15 1 (whole)",
                     "nothing more claimed: 1"):
            assert line in out, (line, out)
    else:
        assert "AT_HWCAP is CPUID.1:EDX: 1\n" in out, out
