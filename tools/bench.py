#!/usr/bin/python3
"""`make bench`: boot-time, in-kernel cycle and storage figures.

Boot time is the wall time from starting QEMU to the greeting on the
serial console (median of several runs).  The kernel's own benchmarks
run with the `bench` command-line word and print lines of the form
"bench: <name> <cycles> cycles/op"; they are run twice, once plain and
once under -icount shift=0 (deterministic instruction counting).

The storage figures (docs/storage.md, "Figures") come from one bench
image: fsbench (user/fsbench) reads it under ThemeliOS, verified and
with verity=off, and its Linux twin (tools/bench/fsbench_linux.c) under
Debian's Linux on the same QEMU, all in this run.  `bench.py ARCH
storage` runs that part alone, `bench.py ARCH net` the network part
(docs/network.md, "Figures"; `bench.py ARCH net-paired` the echo and
guest-to-host figures with both guests up, taken in turn), `bench.py
ARCH linux` the Linux personality's getpid, fork, execve and pipe
figures beside Linux's and busybox's (a sh loop, tar xzf), `bench.py
ARCH shell` busybox's alone
(docs/linux.md).
"""
import os
import random
import re
import shutil
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


def kernel_bench(arch, extra, root=(), words="test bench"):
    """The bench: and irqs-off: lines of a boot (256 MiB: ubench clones
    64 MiB)."""
    cmd = [RUNNER, "--test", "--arch", arch, "--mem", "256M"] + list(root) + [
        "--cmdline", words, "--"] + extra
    out = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                         timeout=900).stdout.decode("utf-8", "replace")
    return [line for line in out.splitlines()
            if line.startswith("bench:") or line.startswith("irqs-off:")]


# Address spaces (docs/memory.md, "Figures"): ubench's figures in ns of
# the kernel's clock beside tools/bench/vmbench_linux.c's in the peer
# guest; under -icount shift=0 a nanosecond is an instruction on both.
VM_PAIRS = (
    ("zero-fill page fault", "user_zero_fill_fault", "zero_fill_fault"),
    ("copy-on-write fault", "user_cow_fault", "cow_fault"),
    ("clone of a space with 64 MiB (linux: fork's return)", "user_as_clone_64mib",
     "fork_64mib"),
    ("clone+spawn in it+exit+wait (linux: fork+exit+wait)", "user_clone_spawn_exit_wait",
     "fork_exit_wait"),
    ("spawn from a file+exit+wait (linux: fork+exec+wait busybox true)",
     "user_spawn_file_exit_wait", "fork_exec_wait_busybox_true"),
    ("spawn from a file to main (linux: fork+exec to main)", "user_spawn_file_to_main",
     "fork_exec_to_main"),
    ("exec in place to main", "user_exec_to_main", "exec_to_main"),
)
LINUX_VM_SCRIPT = """
mount -t erofs -o ro /dev/vda /mnt || exit 1
cp /mnt/vmbench-linux /tmp/vmbench-linux
/tmp/vmbench-linux /bin/busybox
"""
NS_LINE = re.compile(r"(?:bench|vmbench): (\w+) (\d+) ns/op")


def linux_vmbench(arch, extra):
    """vmbench-linux's figures in the peer guest, {name: ns}."""
    if not os.path.exists(PEER):
        return {}
    with tempfile.TemporaryDirectory() as tmp:
        stage = os.path.join(tmp, "stage")
        os.mkdir(stage)
        cc = "gcc" if arch == "x86_64" else "aarch64-linux-gnu-gcc"
        subprocess.run([cc, "-std=gnu11", "-O2", "-static", "-o",
                        os.path.join(stage, "vmbench-linux"),
                        os.path.join(ROOT, "tools", "bench", "vmbench_linux.c")], check=True)
        img = os.path.join(tmp, "vm.img")
        subprocess.run(["mkfs.erofs", "--quiet", img, stage], check=True,
                       stdout=subprocess.DEVNULL)
        script = os.path.join(tmp, "vm.sh")
        with open(script, "w") as f:
            f.write(LINUX_VM_SCRIPT)
        p = subprocess.run(["bash", PEER, "--arch", arch, "--mem", "256M", "--disk", img,
                            "--run", script, "--"] + extra, stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=1800)
    out = p.stdout.decode("utf-8", "replace")
    figs = {m.group(1): int(m.group(2)) for m in NS_LINE.finditer(out)}
    if not figs:
        print("  linux: no figures; its output ends:")
        for line in (out + p.stderr.decode("utf-8", "replace")).splitlines()[-10:]:
            print("    " + line)
    return figs


def address_space_bench(arch, runs):
    """runs: [(label, extra QEMU args, our bench lines)]."""
    for label, extra, lines in runs:
        ours = {m.group(1): int(m.group(2)) for m in NS_LINE.finditer("\n".join(lines))}
        linux = linux_vmbench(arch, extra)
        unit = "ns (= instructions)" if extra else "ns"
        print("  %s, %s per operation; ratio themelios/linux (below 1: faster):" % (label, unit))
        for name, key, lkey in VM_PAIRS:
            a, b = ours.get(key), linux.get(lkey)
            print("    %-66s %10s %10s %6s" % (name, a if a is not None else "-",
                                              b if b is not None else "-",
                                              "%.2f" % (a / b) if a and b else "-"))
        for line in lines:
            if line.startswith("irqs-off:"):
                print("    longest interrupts-off stretch of that boot: " +
                      line[len("irqs-off:"):].strip())


def suite_irqs_off(arch):
    """The longest interrupts-off stretch over the whole in-OS suite,
    under -icount shift=0 (cycles there count instructions)."""
    for line in kernel_bench(arch, ["-icount", "shift=0"], words="test user"):
        if line.startswith("irqs-off:"):
            return line[len("irqs-off:"):].strip()
    return "no figure (the suite did not finish)"


def block_bench(arch):
    """ThemeliOS and Linux reading the same 64 MiB virtio-blk disk."""
    with tempfile.TemporaryDirectory() as tmp:
        img = os.path.join(tmp, "disk.img")
        with open(img, "wb") as f:
            f.write(os.urandom(64 << 20))
        drive = ["-drive", "file=%s,if=none,format=raw,readonly=on,id=d0" % img,
                 "-device", "virtio-blk-pci,drive=d0"]
        ours = {}
        # No root image: the kernel's block bench reads the first disk.
        for line in kernel_bench(arch, drive, ["--root", "none"]):
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


# The bench tree: FSBENCH_DIRS directories of FSBENCH_FILES small files.
FSBENCH_DIRS = 50
FSBENCH_FILES = 100
FSBENCH_MEM = "256M"  # both systems; the 64 MiB file must fit in either cache
LINUX_FSBENCH_SCRIPT = """
mount -t erofs -o ro /dev/vda /mnt || exit 1
cp /mnt/fsbench/fsbench-linux /tmp/fsbench-linux
/tmp/fsbench-linux /mnt
echo "linux-cache: $(grep '^Cached:' /proc/meminfo)"
"""
FSBENCH_LINE = re.compile(r"fsbench: (\w+) bytes=(\d+) ops=(\d+) ns=(\d+) sum=(\d+)")


def make_fsbench_image(arch, tmp):
    """The root image plus fsbench/: the 64 MiB file, the tree and the
    Linux program (static, for arch)."""
    extra = os.path.join(tmp, "extra", "fsbench")
    tree = os.path.join(extra, "tree")
    os.makedirs(tree)
    with open(os.path.join(extra, "data"), "wb") as f:
        for _ in range(64):
            f.write(os.urandom(1 << 20))
    rng = random.Random(10)
    for d in range(FSBENCH_DIRS):
        sub = os.path.join(tree, "d%02d" % d)
        os.mkdir(sub)
        for i in range(FSBENCH_FILES):
            with open(os.path.join(sub, "f%04d" % i), "wb") as f:
                f.write(b"x" * rng.randrange(0, 3000))
    cc = "gcc" if arch == "x86_64" else "aarch64-linux-gnu-gcc"
    subprocess.run([cc, "-std=gnu11", "-O2", "-static", "-I", os.path.join(ROOT, "user"),
                    "-o", os.path.join(extra, "fsbench-linux"),
                    os.path.join(ROOT, "tools", "bench", "fsbench_linux.c")], check=True)
    img = os.path.join(tmp, "bench.img")
    subprocess.run([os.path.join(ROOT, "tools", "mkimage.sh"), img,
                    os.path.join(ROOT, "build", arch, "user", "bin"),
                    os.path.join(tmp, "extra")], check=True)
    shutil.rmtree(os.path.join(tmp, "extra"))
    return img


def parse_fsbench(text):
    """Each figure's median line (by time) of its repetitions."""
    runs = {}
    for m in FSBENCH_LINE.finditer(text):
        runs.setdefault(m.group(1), []).append(tuple(int(x) for x in m.groups()[1:]))
    return {name: sorted(reps, key=lambda r: r[2])[len(reps) // 2]
            for name, reps in runs.items()}


def themelios_fsbench(arch, img, words):
    cmd = [RUNNER, "--test", "--arch", arch, "--mem", FSBENCH_MEM, "--root", img,
           "--cmdline", words]
    out = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                         timeout=600).stdout.decode("utf-8", "replace")
    figs = parse_fsbench(out)
    cache = re.search(r"page cache: (\d+) pages \((\d+) KiB\)", out)
    if "done" not in out or len(figs) < 4:
        print("  themelios (%s): no figures; its output ends:" % words)
        for line in out.splitlines()[-15:]:
            print("    " + line)
    return figs, ("%s KiB" % cache.group(2) if cache else "?")


def linux_fsbench(arch, img, tmp):
    if not os.path.exists(PEER):
        return {}, "no peer script"
    script = os.path.join(tmp, "linux-fsbench.sh")
    with open(script, "w") as f:
        f.write(LINUX_FSBENCH_SCRIPT)
    p = subprocess.run(["bash", PEER, "--arch", arch, "--mem", FSBENCH_MEM, "--disk", img,
                        "--run", script], stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=900)
    out = p.stdout.decode("utf-8", "replace")
    figs = parse_fsbench(out)
    cache = re.search(r"linux-cache: Cached:\s+(\d+) kB", out)
    if len(figs) < 4:
        print("  linux: no figures; its output ends:")
        for line in (out + p.stderr.decode("utf-8", "replace")).splitlines()[-15:]:
            print("    " + line)
    return figs, ("%s KiB" % cache.group(1) if cache else "?")


def figure(name, fig):
    """(value, unit, higher_is_better) of one fsbench line."""
    nbytes, ops, ns, _ = fig
    if name.startswith("seq"):
        return nbytes / (ns / 1e9) / 1e6, "MB/s", True
    if name.startswith("rand"):
        return ops / (ns / 1e9), "IOPS", True
    return ns / 1e6, "ms", False


def storage_bench(arch):
    """fsbench on ThemeliOS (verified, verity=off) and on Linux, one image."""
    labels = (("seq_cold", "sequential read, 64 MiB, cold"),
              ("seq_warm", "sequential read, 64 MiB, warm"),
              ("rand_cold", "random 4 KiB preads x2000, cold"),
              ("walk_cold", "readdir+stat of %d entries, cold"
               % (FSBENCH_DIRS * (FSBENCH_FILES + 1))))
    with tempfile.TemporaryDirectory() as tmp:
        img = make_fsbench_image(arch, tmp)
        runs = [("verified", themelios_fsbench(arch, img, "test fsbench")),
                ("verity=off", themelios_fsbench(arch, img,
                                                 "verity.roothash= verity=off test fsbench")),
                ("linux", linux_fsbench(arch, img, tmp))]
    linux = runs[2][1][0]
    print("  ratios: MB/s and IOPS ThemeliOS/Linux, ms Linux/ThemeliOS: above 1, ThemeliOS is "
          "faster; Linux reads the image without dm-verity")
    print("  %-36s %12s %12s %6s %12s %6s" % ("figure", "linux", "verified", "ratio",
                                              "verity=off", "ratio"))
    for key, label in labels:
        row = []
        ref = figure(key, linux[key]) if key in linux else None
        for name, (figs, _) in runs[:2]:
            if key not in figs:
                row += ["-", "-"]
                continue
            v, unit, up = figure(key, figs[key])
            row.append("%.1f" % v)
            row.append("%.2f" % ((v / ref[0] if up else ref[0] / v) if ref else 0))
            if ref and key in linux and figs[key][3] != linux[key][3]:
                print("  warning: %s %s read other data than Linux (sums differ)" % (name, key))
        unit = figure(key, (runs[0][1][0].get(key) or linux.get(key) or (1, 1, 1, 0)))[1]
        print("  %-36s %12s %12s %6s %12s %6s" % ("%s (%s)" % (label, unit),
                                                  "%.1f" % ref[0] if ref else "-",
                                                  row[0], row[1], row[2], row[3]))
    print("  cache after the run: linux Cached %s; themelios page cache %s (verified), %s "
          "(verity=off)" % (runs[2][1][1], runs[0][1][1], runs[1][1][1]))


BENCH_BULK = 16 << 20  # bytes per throughput run, each way
BENCH_REQS = 500  # HTTP requests on one kept-alive connection
BENCH_RTT = 1000  # 1-byte echo round trips on one connection
BENCH_CONNS = 200  # sequential connections, one HTTP GET each

# busybox on the Linux side: nc -e cat per echo connection (a process and
# two pipes), httpd forking per connection and closing after each response
# (no keep-alive), /bulk a 16 MiB file in the initramfs's tmpfs.
LINUX_NET_SCRIPT = """
mkdir -p /www && echo 'Hello from Linux busybox httpd.' > /www/index.html
head -c %d /dev/zero | tr '\\0' x > /www/bulk
busybox httpd -p 80 -h /www
(while true; do busybox nc -l -p 7 -e /bin/cat; done) &
""" % BENCH_BULK


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _echo_mbps(port):
    """host->guest->host through the echo service, both ways at once."""
    import socket
    import threading
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
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
    s.close()
    if got[0] == len(data):
        return len(data) / (time.monotonic() - start) / 1e6
    return None


def _bulk_mbps(port):
    """guest->host: GET /bulk, 16 MiB of body."""
    import socket
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    start = time.monotonic()
    s.sendall(b"GET /bulk HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    got, head = 0, b""
    while got < BENCH_BULK:
        b = s.recv(1 << 20)
        if not b:
            break
        if head is not None:  # still in the header
            head += b
            if b"\r\n\r\n" not in head:
                continue
            b = head.split(b"\r\n\r\n", 1)[1]
            head = None
        got += len(b)
    secs = time.monotonic() - start
    s.close()
    return BENCH_BULK / secs / 1e6 if got >= BENCH_BULK else None


def _rtt_per_s(port):
    """1-byte request, 1-byte answer, on one echo connection."""
    import socket
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.sendall(b"w")  # warm up (busybox nc starts cat)
    s.recv(1)
    start = time.monotonic()
    for _ in range(BENCH_RTT):
        s.sendall(b"x")
        if s.recv(1) != b"x":
            return None
    rate = BENCH_RTT / (time.monotonic() - start)
    s.close()
    return rate


def _conns_per_s(port):
    """connect, GET / with Connection: close, read to the end, close."""
    import socket
    start = time.monotonic()
    for _ in range(BENCH_CONNS):
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            got = b""
            while True:
                b = s.recv(4096)
                if not b:
                    break
                got += b
            if not got.startswith(b"HTTP/1."):
                return None
    return BENCH_CONNS / (time.monotonic() - start)


def _http_rps(port):
    import http.client
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    start = time.monotonic()
    for _ in range(BENCH_REQS):
        c.request("GET", "/")
        r = c.getresponse()
        r.read()
        if r.status != 200:
            raise OSError("status %d" % r.status)
    rps = BENCH_REQS / (time.monotonic() - start)
    c.close()
    return rps


WRK_SECONDS, WRK_CONNS = 5, 8
_wrk_runs = {}


def _wrk(port):
    """wrk's GET / for WRK_SECONDS with WRK_CONNS connections: (req/s, p99
    latency in ms), one run per port shared by the two figures."""
    if port not in _wrk_runs:
        import re
        import shutil
        if not shutil.which("wrk"):
            raise OSError("no wrk")
        r = subprocess.run(["wrk", "-t1", "-c%d" % WRK_CONNS, "-d%ds" % WRK_SECONDS,
                            "--latency", "http://127.0.0.1:%d/" % port],
                           capture_output=True, text=True, timeout=WRK_SECONDS + 60)
        rps = re.search(r"Requests/sec:\s+([\d.]+)", r.stdout)
        p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\b", r.stdout, re.M)
        bad = re.search(r"Non-2xx or 3xx responses: (\d+)", r.stdout)
        if r.returncode != 0 or not rps or not p99 or bad:
            raise OSError("wrk: %s" % (r.stdout + r.stderr)[-300:])
        scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
        _wrk_runs[port] = (float(rps.group(1)), float(p99.group(1)) * scale)
    return _wrk_runs[port]


# The fixed-rate latency figure (tools/loadgen.c): the same offered load
# against both systems, each request's latency counted from when it was
# due.  The load must be one both sustain: Linux's busybox httpd forks per
# connection, and how many it manages depends on the host's load (159
# connections/s on a quiet machine, 42 on a busy one), so Linux runs first
# and a quarter of its connections/s of the same run sets the rate for
# both (LOADGEN_RATE without the peer); at half, Linux's requests already
# queued behind its eight busy connections on a loaded host.
LOADGEN = os.path.join(ROOT, "build", "tools", "loadgen")
LOADGEN_RATE = {"x86_64": 50, "aarch64": 15}
LOADGEN_SECONDS, LOADGEN_CONNS = 20, 8
_loadgen_rate = [50]
_loadgen_runs = {}


def build_loadgen():
    src = os.path.join(ROOT, "tools", "loadgen.c")
    if (not os.path.exists(LOADGEN) or
            os.path.getmtime(LOADGEN) < os.path.getmtime(src)):
        os.makedirs(os.path.dirname(LOADGEN), exist_ok=True)
        subprocess.run(["cc", "-O2", "-Wall", "-Wextra", "-Werror", "-std=gnu11", "-o", LOADGEN,
                        src], check=True)


def _fixed_rate(port):
    """loadgen's GET / at _loadgen_rate for LOADGEN_SECONDS over
    LOADGEN_CONNS connections: (p50, p99, p99.9) in ms, one run per port."""
    if port not in _loadgen_runs:
        build_loadgen()
        r = subprocess.run([LOADGEN, "127.0.0.1", str(port), str(_loadgen_rate[0]),
                            str(LOADGEN_SECONDS), str(LOADGEN_CONNS)],
                           capture_output=True, text=True, timeout=LOADGEN_SECONDS + 60)
        m = re.search(r"p50 ([\d.]+) p99 ([\d.]+) p99\.9 ([\d.]+)", r.stdout)
        if r.returncode != 0 or not m:
            raise OSError("loadgen: %s" % (r.stdout + r.stderr)[-300:])
        print("    " + r.stdout.strip())
        _loadgen_runs[port] = tuple(float(x) for x in m.groups())
    return _loadgen_runs[port]


NET_FIGURES = (
    ("tcp echo host->guest->host (%d MiB)" % (BENCH_BULK >> 20), "MB/s", "echo", _echo_mbps),
    ("tcp guest->host (GET /bulk, %d MiB)" % (BENCH_BULK >> 20), "MB/s", "http", _bulk_mbps),
    ("round trips, 1 byte, one connection (%d)" % BENCH_RTT, "/s", "echo", _rtt_per_s),
    ("connections, GET / each (%d)" % BENCH_CONNS, "conn/s", "http", _conns_per_s),
    ("http GET / on one client (%d)" % BENCH_REQS, "req/s", "http", _http_rps),
    ("wrk GET / (%d connections, %d s)" % (WRK_CONNS, WRK_SECONDS), "req/s", "http",
     lambda port: _wrk(port)[0]),
    ("wrk GET / p99 latency (lower is better; loads differ)", "ms", "http",
     lambda port: _wrk(port)[1]),
    ("fixed rate GET / p50 latency (lower is better)", "ms", "http",
     lambda port: _fixed_rate(port)[0]),
    ("fixed rate GET / p99 latency (lower is better)", "ms", "http",
     lambda port: _fixed_rate(port)[1]),
    ("fixed rate GET / p99.9 latency (lower is better)", "ms", "http",
     lambda port: _fixed_rate(port)[2]),
)


def net_figures(echo_port, http_port, set_rate=False):
    """Each figure of NET_FIGURES, or None where it failed.  set_rate:
    the fixed rate becomes half the connections/s figure."""
    import http.client
    out = []
    for _, _, which, fn in NET_FIGURES:
        try:
            out.append(fn(echo_port if which == "echo" else http_port))
        except (OSError, http.client.HTTPException):
            out.append(None)
        if set_rate and fn is _conns_per_s and out[-1]:
            _loadgen_rate[0] = max(2, min(200, int(out[-1] / 4)))
    return out


def wait_port(port, limit):
    """True once the guest answers HTTP on port.  A bare connect proves
    nothing: QEMU's slirp accepts on the host side before the guest
    listens, then resets (the first figure once ran against a guest
    still booting)."""
    import socket
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                s.sendall(b"GET / HTTP/1.0\r\n\r\n")
                if s.recv(16).startswith(b"HTTP/1."):
                    return True
        except OSError:
            pass
        time.sleep(0.5)
    return False


def tcp_bench(arch):
    """ThemeliOS's netserve and Linux (busybox nc and httpd) on the same
    QEMU user networking (restrict=on, hostfwd on 127.0.0.1)."""
    none = [None] * len(NET_FIGURES)
    _loadgen_rate[0] = LOADGEN_RATE.get(arch, 25)
    linux = none
    if os.path.exists(PEER):
        with tempfile.TemporaryDirectory() as tmp:
            script = os.path.join(tmp, "net.sh")
            with open(script, "w") as f:
                f.write(LINUX_NET_SCRIPT)
            pe, ph = free_port(), free_port()
            proc = subprocess.Popen(["timeout", "-s", "KILL", "600", "bash", PEER, "--arch", arch,
                                     "--mem", "256M", "--hostfwd", "%d:7" % pe,
                                     "--hostfwd", "%d:80" % ph, "--run", script, "--serve"],
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, start_new_session=True)
            try:
                linux = net_figures(pe, ph, True) if wait_port(ph, 400) else none
            finally:
                os.killpg(proc.pid, 9)
                proc.wait()
    pe, ph = free_port(), free_port()
    fwd = "hostfwd=tcp:127.0.0.1:%d-:7,hostfwd=tcp:127.0.0.1:%d-:80" % (pe, ph)
    cmd = ["timeout", "-s", "KILL", "300", RUNNER, "--test", "--arch", arch, "--mem", "256M",
           "--cmdline", "test shell", "--", "-netdev", "user,id=n0,restrict=on," + fwd,
           "-device", "virtio-net-pci,netdev=n0"]
    console = tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=console,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        ours = net_figures(pe, ph) if wait_port(ph, 90) else none
        # The stack's counters after the figures: loss shows as
        # retransmits, a stalled transmit queue as re-notifies.
        proc.stdin.write(b"net\n")
        proc.stdin.flush()
        time.sleep(3)
    except OSError:
        pass
    finally:
        os.killpg(proc.pid, 9)
        proc.wait()
    console.seek(0)
    for line in console.read().decode("utf-8", "replace").splitlines():
        if re.match(r"\s*(tcp|tx re-notified|rx packets|tx packets)", line):
            print("  themelios net: " + line.strip())
    print("  fixed rate: %d req/s over %d connections for %d s (a quarter of Linux's "
          "connections/s)"
          % (_loadgen_rate[0], LOADGEN_CONNS, LOADGEN_SECONDS))
    for (name, unit, _, _), a, b in zip(NET_FIGURES, ours, linux):
        fa = "%.1f %s" % (a, unit) if a else "failed"
        fb = "%.1f %s" % (b, unit) if b else "no figure"
        ratio = "; themelios/linux = %.2f" % (a / b) if a and b else ""
        print("  %s: themelios %s, linux %s%s" % (name, fa, fb, ratio))
    print("  (linux: busybox nc -e cat per echo connection, httpd forking per connection and "
          "closing after each response, so its GET figures include a connect each)")


def paired_echo_bench(arch, rounds=3):
    """The echo and guest->host figures with both guests up at once, taken
    in turn (ThemeliOS, Linux, ThemeliOS, ...): on a shared, loaded host
    the load changes from minute to minute, and figures minutes apart
    compare the load as much as the systems; taken in turn, each pair saw
    about the same load (an idle guest costs little).  Medians and their
    ratio."""
    pe, ph = free_port(), free_port()
    fwd = "hostfwd=tcp:127.0.0.1:%d-:7,hostfwd=tcp:127.0.0.1:%d-:80" % (pe, ph)
    ours = subprocess.Popen(["timeout", "-s", "KILL", "900", RUNNER, "--test", "--arch", arch,
                             "--mem", "256M", "--cmdline", "test shell", "--", "-netdev",
                             "user,id=n0,restrict=on," + fwd, "-device",
                             "virtio-net-pci,netdev=n0"],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    procs = [ours]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            script = os.path.join(tmp, "net.sh")
            with open(script, "w") as f:
                f.write(LINUX_NET_SCRIPT)
            le, lh = free_port(), free_port()
            procs.append(subprocess.Popen(["timeout", "-s", "KILL", "900", "bash", PEER, "--arch",
                                           arch, "--mem", "256M", "--hostfwd", "%d:7" % le,
                                           "--hostfwd", "%d:80" % lh, "--run", script,
                                           "--serve"],
                                          stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL, start_new_session=True))
            if not (wait_port(ph, 120) and wait_port(lh, 400)):
                print("  a guest did not come up")
                return
            for name, fn, p_ours, p_linux in (("echo host->guest->host", _echo_mbps, pe, le),
                                              ("guest->host GET /bulk", _bulk_mbps, ph, lh)):
                a, b = [], []
                for _ in range(rounds):
                    a.append(fn(p_ours) or 0)
                    b.append(fn(p_linux) or 0)
                ma, mb = statistics.median(a), statistics.median(b)
                print("  %s (%d MiB), in turn: themelios %s, linux %s MB/s; medians %.1f vs "
                      "%.1f, themelios/linux = %.2f" % (name, BENCH_BULK >> 20,
                                                        " ".join("%.1f" % x for x in a),
                                                        " ".join("%.1f" % x for x in b), ma, mb,
                                                        ma / mb if mb else 0))
    finally:
        for p in procs:
            os.killpg(p.pid, 9)
            p.wait()


# The Linux personality's figures: each static binary of
# build/ARCH/linux-tests/bench prints "lxbench: NAME VALUE UNIT" lines.
LX_BENCHES = ("getpid", "procs")
LX_RX = re.compile(r"lxbench: (\S+) (\d+) (\S+)")


def linux_personality_bench(arch):
    """getpid, fork+exit+wait, fork+execve+wait and pipe throughput through
    the Linux personality beside Linux's own: the same static binaries
    (tools/bench/getpid_linux.c, procs_linux.c) on the same QEMU, under
    plain TCG and under -icount shift=0, where a microsecond is a
    thousand instructions whatever else the host runs."""
    for label, qemu_args in (("TCG", []), ("icount", ["-icount", "shift=0"])):
        print("  [%s]" % label)
        linux_personality_bench_once(arch, qemu_args)


def linux_personality_bench_once(arch, qemu_args):
    ours = {}
    for name in LX_BENCHES:
        out = subprocess.run([RUNNER, "--test", "--arch", arch, "--cmdline",
                              "test linux.run=/tests/linux/bench/" + name, "--"] + qemu_args,
                             stdin=subprocess.DEVNULL, capture_output=True,
                             timeout=300).stdout.decode("utf-8", "replace")
        for key, value, unit in LX_RX.findall(out):
            ours[key] = (int(value), unit)
    linux = {}
    binaries = [os.path.join(ROOT, "build", arch, "linux-tests", "bench", n) for n in LX_BENCHES]
    if os.path.exists(PEER) and all(os.path.exists(b) for b in binaries):
        with tempfile.TemporaryDirectory() as tmp:
            # The binaries one after another as a raw disk, each at a
            # 4 KiB boundary: the guest copies them out and runs them.
            disk = os.path.join(tmp, "lxbench.img")
            lines = []
            with open(disk, "wb") as f:
                for name, b in zip(LX_BENCHES, binaries):
                    data = open(b, "rb").read()
                    lines.append("head -c %d /dev/vda | tail -c %d > /%s; chmod +x /%s; /%s"
                                 % (f.tell() + len(data), len(data), name, name, name))
                    f.write(data + b"\0" * (-len(data) % 4096))
            script = os.path.join(tmp, "run.sh")
            with open(script, "w") as f:
                f.write("\n".join(lines) + "\n")
            p = subprocess.run(["bash", PEER, "--arch", arch, "--disk", disk, "--run", script, "--"]
                               + qemu_args, stdin=subprocess.DEVNULL, capture_output=True,
                               timeout=900)
            for key, value, unit in LX_RX.findall(p.stdout.decode("utf-8", "replace")):
                linux[key] = (int(value), unit)
    if not ours:
        print("  Linux personality: no figure")
        return
    for key, (value, unit) in ours.items():
        line = "  %s (Linux personality, static glibc): %d %s" % (key, value, unit)
        if key in linux:
            # ThemeliOS/Linux as a time: for a rate, the inverse.
            ref = linux[key][0]
            ratio = (ref / max(1, value)) if unit.endswith("/s") else (value / max(1, ref))
            line += "; Linux %d %s; ThemeliOS/Linux %.2f (time)" % (ref, unit, ratio)
        else:
            line += "; Linux: no figure (peer script missing or failed)"
        print(line)


# busybox's figures (tools/bench/shell_linux.c): a sh loop of 10,000
# iterations and tar xzf of an archive of about 20 MiB into the RAM layer
# (Linux: its initramfs, tmpfs), from one bench image that both read.
SHELL_MEM = "512M"  # both systems; the unpacked tree must fit in either's RAM
SHELL_ARCHIVE_MIB = 29  # unpacked; about 20 MiB once gzipped
LINUX_SHELL_SCRIPT = """
mount -t erofs -o ro /dev/vda /mnt || exit 1
cp /mnt/tests/linux/bench/shell /tmp/shell-bench
/tmp/shell-bench /mnt/bin/busybox /mnt/tests/linux/bench/data.tgz /bench-out
"""
SHELL_WORDS = ("test linux.run=/tests/linux/bench/shell,/bin/busybox,"
               "/tests/linux/bench/data.tgz,/bench-out")


def make_shell_archive(path):
    """A deterministic .tar.gz made with the host's tar and gzip: a few
    hundred files of sizes from 512 bytes to 512 KiB in 16 directories,
    about half of them random bytes (incompressible) and half lines of
    text (compressible).  Returns (files, unpacked bytes)."""
    rng = random.Random(13)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randrange(2, 10)))
             for _ in range(3000)]
    lines = [" ".join(rng.choice(words) for _ in range(rng.randrange(4, 14))) + "\n"
             for _ in range(6000)]
    stage = path + ".d"
    total = files = 0
    while total < SHELL_ARCHIVE_MIB << 20:
        size = int(2 ** rng.uniform(9, 19))
        d = os.path.join(stage, "data", "d%02d" % rng.randrange(16))
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "f%04d" % files), "wb") as f:
            if rng.random() < 0.5:
                f.write(rng.randbytes(size))
            else:
                text = []
                n = 0
                while n < size:
                    text.append(rng.choice(lines))
                    n += len(text[-1])
                f.write("".join(text)[:size].encode())
        total += size
        files += 1
    tar = subprocess.Popen(["tar", "--sort=name", "--mtime=@0", "--owner=0", "--group=0",
                            "--numeric-owner", "-C", stage, "-cf", "-", "data"],
                           stdout=subprocess.PIPE)
    with open(path, "wb") as f:
        subprocess.run(["gzip", "-n", "-6"], stdin=tar.stdout, stdout=f, check=True)
    if tar.wait():
        raise RuntimeError("tar failed")
    shutil.rmtree(stage)
    return files, total


def shell_run(arch, img, tmp, extra):
    """The figures of one ThemeliOS boot and one Linux boot: (ours, linux,
    our output, Linux's output)."""
    out = subprocess.run([RUNNER, "--test", "--arch", arch, "--mem", SHELL_MEM, "--root", img,
                          "--cmdline", SHELL_WORDS, "--"] + extra, stdin=subprocess.DEVNULL,
                         capture_output=True, timeout=1200).stdout.decode("utf-8", "replace")
    ours = {k: (int(v), u) for k, v, u in LX_RX.findall(out)}
    linux, lout = {}, ""
    if os.path.exists(PEER):
        script = os.path.join(tmp, "run.sh")
        with open(script, "w") as f:
            f.write(LINUX_SHELL_SCRIPT)
        p = subprocess.run(["bash", PEER, "--arch", arch, "--mem", SHELL_MEM, "--disk", img,
                            "--run", script, "--"] + extra, stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=1800)
        lout = p.stdout.decode("utf-8", "replace")
        linux = {k: (int(v), u) for k, v, u in LX_RX.findall(lout)}
    return ours, linux, out, lout


def shell_bench(arch):
    """busybox sh's loop and tar xzf under ThemeliOS and under Linux, under
    plain TCG and under -icount shift=0 (where a microsecond is a thousand
    instructions on both, whatever else the host runs)."""
    driver = os.path.join(ROOT, "build", arch, "linux-tests", "bench", "shell")
    busybox = os.path.join(ROOT, "build", arch, "busybox", "bin")
    if not os.path.exists(driver) or not os.path.isdir(busybox):
        print("  busybox figures: %s or busybox not built" % driver)
        return
    with tempfile.TemporaryDirectory() as tmp:
        extra = os.path.join(tmp, "extra", "bench")
        os.makedirs(extra)
        shutil.copy(driver, extra)
        files, unpacked = make_shell_archive(os.path.join(extra, "data.tgz"))
        packed = os.path.getsize(os.path.join(extra, "data.tgz"))
        img = os.path.join(tmp, "shell.img")
        subprocess.run([os.path.join(ROOT, "tools", "mkimage.sh"), img,
                        os.path.join(ROOT, "build", arch, "user", "bin"),
                        os.path.join(tmp, "extra"), "tests/linux", busybox], check=True)
        print("  archive: %d files, %.1f MiB unpacked, %.1f MiB gzipped" %
              (files, unpacked / 2**20, packed / 2**20))
        for label, qemu_extra in (("TCG", []), ("icount shift=0", ["-icount", "shift=0"])):
            ours, linux, out, lout = shell_run(arch, img, tmp, qemu_extra)
            counts = [re.search(r"lxbench-files: *(\d+)", t) for t in (out, lout)]
            print("  %s (files unpacked: ThemeliOS %s, Linux %s):" %
                  (label, *(m.group(1) if m else "?" for m in counts)))
            if not ours:
                print("    ThemeliOS: no figures; its output ends:")
                for line in out.splitlines()[-15:]:
                    print("      " + line)
                continue
            for key, (value, unit) in ours.items():
                line = "    busybox %s: ThemeliOS %d %s" % (key, value, unit)
                if key in linux:
                    line += "; Linux %d %s; ThemeliOS/Linux %.2f (time)" % (
                        linux[key][0], unit, value / max(1, linux[key][0]))
                else:
                    line += "; Linux: no figure"
                print(line)


def main():
    arch = sys.argv[1] if len(sys.argv) > 1 else "x86_64"
    if sys.argv[2:] == ["net"]:
        print("network (%s, TCG, QEMU user networking, restrict=on):" % arch)
        tcp_bench(arch)
        return
    if sys.argv[2:] == ["net-paired"]:
        print("network, both guests up, figures in turn (%s, TCG, QEMU user networking):" % arch)
        paired_echo_bench(arch)
        return
    if sys.argv[2:] == ["linux"]:
        print("Linux personality (%s, TCG, same QEMU):" % arch)
        linux_personality_bench(arch)
        print("busybox (%s, same QEMU, %s each, best of 3):" % (arch, SHELL_MEM))
        shell_bench(arch)
        return
    if sys.argv[2:] == ["shell"]:
        print("busybox (%s, same QEMU, %s each, best of 3):" % (arch, SHELL_MEM))
        shell_bench(arch)
        return
    if sys.argv[2:] == ["vm"]:
        runs = []
        for label, extra in (("TCG", []), ("icount shift=0", ["-icount", "shift=0"])):
            runs.append((label, extra, kernel_bench(arch, extra)))
        print("address spaces (%s, same QEMU, 256 MiB; linux: tools/bench/vmbench_linux.c):"
              % arch)
        address_space_bench(arch, runs)
        print("  the whole in-OS suite (icount shift=0), longest interrupts-off stretch: " +
              suite_irqs_off(arch))
        return
    if sys.argv[2:] == ["storage"]:
        print("storage (%s, TCG, same QEMU, %s each, one bench image):" % (arch, FSBENCH_MEM))
        storage_bench(arch)
        return
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
    vm_runs = []
    for label, extra in (("TCG", []), ("icount shift=0", ["-icount", "shift=0"])):
        lines = kernel_bench(arch, extra)
        vm_runs.append((label, extra, lines))
        if lines:
            print("in-kernel benchmarks (%s, %s):" % (arch, label))
            for line in lines:
                print("  " + line.split(":", 1)[1].strip())
    print("address spaces (%s, same QEMU, 256 MiB; linux: tools/bench/vmbench_linux.c):" % arch)
    address_space_bench(arch, vm_runs)
    print("  the whole in-OS suite (icount shift=0), longest interrupts-off stretch: " +
          suite_irqs_off(arch))
    print("block device (%s, TCG, same QEMU, same 64 MiB disk):" % arch)
    block_bench(arch)
    print("storage (%s, TCG, same QEMU, %s each, one bench image):" % (arch, FSBENCH_MEM))
    storage_bench(arch)
    print("network (%s, TCG, QEMU user networking, restrict=on):" % arch)
    tcp_bench(arch)
    print("Linux personality (%s, TCG, same QEMU):" % arch)
    linux_personality_bench(arch)
    print("busybox (%s, same QEMU, %s each, best of 3):" % (arch, SHELL_MEM))
    shell_bench(arch)


if __name__ == "__main__":
    main()
