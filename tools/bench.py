#!/usr/bin/python3
"""`make bench`: boot-time and in-kernel cycle figures.

Boot time is the wall time from starting QEMU to the greeting on the
serial console (median of several runs).  The kernel's own benchmarks
run with the `bench` command-line word and print lines of the form
"bench: <name> <cycles> cycles/op"; they are run twice, once plain and
once under -icount shift=0 (deterministic instruction counting).
"""
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
RUNNER = os.path.join(ROOT, "tools", "qemu-run.sh")
PEER = os.path.join(ROOT, "..", "shared", "peer", "linux-guest.sh")

# Linux reads the same disk with O_DIRECT (no page cache: as cold as ours)
# and then through its page cache after dropping it; /proc/uptime brackets
# each read (10 ms resolution, so the read is 64 MiB).
LINUX_BLOCK_SCRIPT = """
for mode in direct cache; do
  echo 3 > /proc/sys/vm/drop_caches
  a=$(cut -d' ' -f1 /proc/uptime)
  if [ $mode = direct ]; then dd if=/dev/vda of=/dev/null bs=128k iflag=direct 2>/dev/null
  else dd if=/dev/vda of=/dev/null bs=128k 2>/dev/null; fi
  b=$(cut -d' ' -f1 /proc/uptime)
  echo "linux-seq $mode $a $b"
done
"""


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


def block_bench(arch):
    """ThemeliOS and Linux reading the same 64 MiB virtio-blk disk."""
    with tempfile.TemporaryDirectory() as tmp:
        img = os.path.join(tmp, "disk.img")
        with open(img, "wb") as f:
            f.write(os.urandom(64 << 20))
        drive = ["-drive", "file=%s,if=none,format=raw,readonly=on,id=d0" % img,
                 "-device", "virtio-blk-pci,drive=d0"]
        ours = {}
        for line in kernel_bench(arch, drive):
            m = re.match(r"bench: (blk_\w+) .*: (\d+) (MB/s|IOPS)", line)
            if m:
                ours[m.group(1)] = (int(m.group(2)), m.group(3))
                print("  themelios %s" % line[len("bench:"):].strip())
        if not os.path.exists(PEER):
            print("  linux: %s not found, no comparison" % PEER)
            return
        script = os.path.join(tmp, "linux.sh")
        with open(script, "w") as f:
            f.write(LINUX_BLOCK_SCRIPT)
        p = subprocess.run(["bash", PEER, "--arch", arch, "--disk", img, "--run", script],
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=900)
        for mode, a, b in re.findall(r"linux-seq (\w+) ([\d.]+) ([\d.]+)",
                                     p.stdout.decode("utf-8", "replace")):
            secs = float(b) - float(a)
            if secs <= 0:
                print("  linux blk_seq_read (%s): too fast to time" % mode)
                continue
            mbps = (64 << 20) / secs / 1e6
            line = "  linux blk_seq_read (%s): 64 MiB in %.2f s: %.0f MB/s" % (mode, secs, mbps)
            if "blk_seq_read" in ours:
                line += "; themelios/linux = %.2f" % (ours["blk_seq_read"][0] / mbps)
            print(line)
        print("  (no Linux figure for 4 KiB random reads: busybox has no tool for them)")


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
    print("block device (%s, TCG, same QEMU, same 64 MiB disk):" % arch)
    block_bench(arch)


if __name__ == "__main__":
    main()
