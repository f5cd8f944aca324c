"""Boots ThemeliOS under QEMU for the system tests.

Every boot goes through tools/qemu-run.sh (the script `make run` uses),
with --test so the exit device is present and the serial console is on
stdio.  Runs are bounded in time; a hung guest is killed by its PID.
"""
import os
import re
import select
import subprocess
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RUNNER = os.path.join(ROOT, "tools", "qemu-run.sh")

# What each architecture's exit device turns a verdict into.
EXIT_PASS = {"x86_64": 33, "aarch64": 0}
EXIT_FAIL = {"x86_64": 35, "aarch64": 1}


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


def command(arch="x86_64", firmware="bios", mem="128M", cmdline="test", extra=()):
    cmd = [RUNNER, "--test", "--arch", arch, "--firmware", firmware,
           "--mem", mem, "--cmdline", cmdline]
    if extra:
        cmd += ["--"] + list(extra)
    return cmd


def boot(arch="x86_64", firmware="bios", mem="128M", cmdline="test",
         timeout=60, extra=()):
    """Boots once and returns when QEMU exits or timeout seconds pass."""
    proc = subprocess.Popen(command(arch, firmware, mem, cmdline, extra),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        out, _ = proc.communicate(timeout=timeout)
        return Result(arch, proc.returncode, out.decode("utf-8", "replace"), False)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        return Result(arch, None, out.decode("utf-8", "replace"), True)


class Console:
    """An interactive session on the serial console (the debug shell)."""

    def __init__(self, arch="x86_64", firmware="bios", mem="128M",
                 cmdline="", extra=()):
        self.arch = arch
        self.proc = subprocess.Popen(command(arch, firmware, mem, cmdline, extra),
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
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
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode
