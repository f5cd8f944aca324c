"""Boots ThemeliOS under QEMU for the system tests.

Every boot goes through tools/qemu-run.sh (the script `make run` uses),
with --test so the exit device is present and the serial console is on
stdio.  Runs are bounded in time: boot() waits at most its timeout, a
Console's QEMU dies after its lifetime even if nobody closes it (a test
that failed half-way, or a pytest that was killed), and tests/conftest.py
kills any QEMU a test left running, each by its PID.
"""
import os
import re
import select
import signal
import subprocess
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RUNNER = os.path.join(ROOT, "tools", "qemu-run.sh")

# What each architecture's exit device turns a verdict into.
EXIT_PASS = {"x86_64": 33, "aarch64": 0}
EXIT_FAIL = {"x86_64": 35, "aarch64": 1}


# QEMU processes started and not yet waited for (tests/conftest.py).
live = set()


def start(cmd, stdin, env=None):
    """Starts cmd in a process group of its own, so that stop() ends
    QEMU with whatever wraps it (timeout(1), the runner script)."""
    proc = subprocess.Popen(cmd, stdin=stdin, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True, env=env)
    live.add(proc)
    return proc


def stop(proc):
    """Kills proc's process group, by its ID, and reaps proc."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait()
    live.discard(proc)


def arches():
    return os.environ.get("THEMELIOS_ARCHES", "x86_64").split()


class Result:
    def __init__(self, arch, status, log, timed_out):
        self.arch = arch
        self.status = status
        self.log = log
        self.timed_out = timed_out

    @property
    def passed(self):
        return not self.timed_out and self.status == EXIT_PASS[self.arch]

    @property
    def failed(self):
        return not self.timed_out and self.status == EXIT_FAIL[self.arch]

    def __repr__(self):
        return "status=%s timed_out=%s\n--- serial log ---\n%s" % (
            self.status, self.timed_out, self.log)


def command(arch="x86_64", firmware="bios", mem="128M", cmdline="test", extra=(), root=None):
    """root: qemu-run.sh's --root (None: the built root image)."""
    cmd = [RUNNER, "--test", "--arch", arch, "--firmware", firmware,
           "--mem", mem, "--cmdline", cmdline]
    if root:
        cmd += ["--root", root]
    if extra:
        cmd += ["--"] + list(extra)
    return cmd


def boot(arch="x86_64", firmware="bios", mem="128M", cmdline="test",
         timeout=60, extra=(), root=None):
    """Boots once and returns when QEMU exits or timeout seconds pass."""
    proc = start(command(arch, firmware, mem, cmdline, extra, root), subprocess.DEVNULL)
    try:
        out, _ = proc.communicate(timeout=timeout)
        return Result(arch, proc.returncode, out.decode("utf-8", "replace"), False)
    except subprocess.TimeoutExpired:
        stop(proc)
        out, _ = proc.communicate()
        return Result(arch, None, out.decode("utf-8", "replace"), True)
    finally:
        stop(proc)


class Console:
    """An interactive session on the serial console (the debug shell)."""

    def __init__(self, arch="x86_64", firmware="bios", mem="128M",
                 cmdline="", extra=(), lifetime=300, root=None):
        self.arch = arch
        # timeout(1) ends QEMU after lifetime seconds whatever happens here.
        cmd = ["timeout", "-s", "KILL", str(lifetime)] + command(arch, firmware, mem,
                                                                 cmdline, extra, root)
        self.proc = start(cmd, subprocess.PIPE)
        self.log = ""
        self.pos = 0

    def send(self, text):
        self.proc.stdin.write(text.encode() if isinstance(text, str) else text)
        self.proc.stdin.flush()

    def expect(self, pattern, timeout=30):
        """Waits for pattern (a regex) after the last match; returns the match."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.log, self.pos)
            if m:
                self.pos = m.end()
                return m
            left = deadline - time.monotonic()
            if left <= 0 or self.proc.poll() is not None and not self._read(0):
                raise AssertionError("timed out waiting for %r\n--- log ---\n%s"
                                     % (pattern, self.log))
            self._read(min(left, 0.5))

    def _read(self, wait):
        fd = self.proc.stdout.fileno()
        ready, _, _ = select.select([fd], [], [], wait)
        if not ready:
            return False
        data = os.read(fd, 65536)
        if not data:
            return False
        self.log += data.decode("utf-8", "replace")
        return True

    def close(self, timeout=10):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
            except BrokenPipeError:
                pass
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        stop(self.proc)
        return self.proc.returncode
