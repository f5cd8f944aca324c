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


BENCH_BULK = 16 << 20  # bytes echoed per throughput run
BENCH_REQS = 500  # HTTP requests on one kept-alive connection

LINUX_NET_SCRIPT = """
mkdir -p /www && echo 'Hello from Linux busybox httpd.' > /www/index.html
busybox httpd -p 80 -h /www
(while true; do busybox nc -l -p 7 -e /bin/cat; done) &
"""


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def net_figures(echo_port, http_port):
    """(MB/s host->guest through an echo, HTTP requests/s), or None each."""
    import http.client
    import socket
    import threading
    mbps = rps = None
    try:
        s = socket.create_connection(("127.0.0.1", echo_port), timeout=30)
        data = os.urandom(BENCH_BULK)
        got = [0]

        def reader():
            while got[0] < len(data):
                b = s.recv(1 << 20)
                if not b:
                    break
                got[0] += len(b)
        t = threading.Thread(target=reader)
        start = time.monotonic()
        t.start()
        s.sendall(data)
        t.join(120)
        if got[0] == len(data):
            mbps = len(data) / (time.monotonic() - start) / 1e6
        s.close()
    except OSError:
        pass
    try:
        c = http.client.HTTPConnection("127.0.0.1", http_port, timeout=30)
        start = time.monotonic()
        for _ in range(BENCH_REQS):
            c.request("GET", "/")
            r = c.getresponse()
            r.read()
            if r.status != 200:
                raise OSError("status %d" % r.status)
        rps = BENCH_REQS / (time.monotonic() - start)
        c.close()
    except (OSError, http.client.HTTPException):
        pass
    return mbps, rps


def wait_port(port, limit):
    import socket
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
            return True
        except OSError:
            time.sleep(0.5)
    return False


def tcp_bench(arch):
    """TCP host->guest (echo, MB/s) and HTTP requests/s: ThemeliOS's
    netserve and Linux (busybox nc and httpd) on the same QEMU user
    networking (restrict=on, hostfwd on 127.0.0.1)."""
    pe, ph = free_port(), free_port()
    fwd = "hostfwd=tcp:127.0.0.1:%d-:7,hostfwd=tcp:127.0.0.1:%d-:80" % (pe, ph)
    cmd = ["timeout", "-s", "KILL", "300", RUNNER, "--test", "--arch", arch, "--mem", "256M",
           "--cmdline", "test shell", "--", "-netdev", "user,id=n0,restrict=on," + fwd,
           "-device", "virtio-net-pci,netdev=n0"]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        ours = net_figures(pe, ph) if wait_port(ph, 90) else (None, None)
    finally:
        os.killpg(proc.pid, 9)
        proc.wait()
    linux = (None, None)
    if os.path.exists(PEER):
        with tempfile.TemporaryDirectory() as tmp:
            script = os.path.join(tmp, "net.sh")
            with open(script, "w") as f:
                f.write(LINUX_NET_SCRIPT)
            pe, ph = free_port(), free_port()
            proc = subprocess.Popen(["timeout", "-s", "KILL", "600", "bash", PEER, "--arch", arch,
                                     "--hostfwd", "%d:7" % pe, "--hostfwd", "%d:80" % ph,
                                     "--run", script, "--serve"],
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, start_new_session=True)
            try:
                linux = net_figures(pe, ph) if wait_port(ph, 400) else (None, None)
            finally:
                os.killpg(proc.pid, 9)
                proc.wait()
    for name, unit, a, b in (("tcp host->guest (echo, %d MiB)" % (BENCH_BULK >> 20), "MB/s",
                              ours[0], linux[0]),
                             ("http GET / keep-alive (%d)" % BENCH_REQS, "req/s", ours[1],
                              linux[1])):
        fa = "%.1f %s" % (a, unit) if a else "failed"
        fb = "%.1f %s" % (b, unit) if b else "no figure"
        ratio = "; themelios/linux = %.2f" % (a / b) if a and b else ""
        print("  %s: themelios %s, linux %s%s" % (name, fa, fb, ratio))


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
    print("network (%s, TCG, QEMU user networking, restrict=on):" % arch)
    tcp_bench(arch)


if __name__ == "__main__":
    main()
