#!/usr/bin/python3
"""`make bench`: boot-time and in-kernel cycle figures.

Boot time is the wall time from starting QEMU to the greeting on the
serial console (median of several runs).  The kernel's own benchmarks
run with the `bench` command-line word and print lines of the form
"bench: <name> <cycles> cycles/op"; they are run twice, once plain and
once under -icount shift=0 (deterministic instruction counting).
"""
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
RUNNER = os.path.join(ROOT, "tools", "qemu-run.sh")


def time_to_greeting(arch, firmware):
    cmd = [RUNNER, "--test", "--arch", arch, "--firmware", firmware, "--cmdline", "test"]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    seen = b""
    elapsed = None
    while True:
        chunk = proc.stdout.read1(4096)
        if not chunk:
            break
        seen += chunk
        if elapsed is None and b"Hello from ThemeliOS" in seen:
            elapsed = time.monotonic() - start
    proc.wait()
    return elapsed


def kernel_bench(arch, extra):
    cmd = [RUNNER, "--test", "--arch", arch, "--cmdline", "test bench", "--"] + extra
    out = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                         timeout=600).stdout.decode("utf-8", "replace")
    return [line for line in out.splitlines() if line.startswith("bench:")]


def main():
    arch = sys.argv[1] if len(sys.argv) > 1 else "x86_64"
    runs = int(os.environ.get("BENCH_RUNS", "5"))
    firmwares = ["bios", "uefi"] if arch == "x86_64" else ["direct"]
    for fw in firmwares:
        times = [time_to_greeting(arch, fw) for _ in range(runs)]
        ok = [t for t in times if t is not None]
        if not ok:
            print("boot %s %s: no greeting" % (arch, fw))
            continue
        print("boot %s %-6s QEMU start to greeting: median %.3f s (min %.3f, max %.3f, %d runs)"
              % (arch, fw, statistics.median(ok), min(ok), max(ok), len(ok)))
    for label, extra in (("TCG", []), ("icount shift=0", ["-icount", "shift=0"])):
        lines = kernel_bench(arch, extra)
        if lines:
            print("in-kernel benchmarks (%s, %s):" % (arch, label))
            for line in lines:
                print("  " + line[len("bench:"):].strip())


if __name__ == "__main__":
    main()
