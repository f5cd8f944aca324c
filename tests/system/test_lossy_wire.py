"""ThemeliOS's TCP against the host's own Linux TCP through a lossy wire
(issue 11; docs/network.md, "The lossy wire").

The test makes a network namespace, and tools/lossy-wire.py relays
frames between QEMU's `-netdev dgram` backend (UDP on 127.0.0.1) and a
TAP device it creates in that namespace (10.0.9.1/24); the guest has
10.0.9.2/24 from the command line.  A client in the namespace (python,
under `ip netns exec`) talks to netserve.  No frame leaves the host:
the UDP legs are on 127.0.0.1 and the TAP belongs to the namespace,
which the test deletes at the end (with the TAP, whose relay it ends by
PID).  Every loop is bounded.

- Echo through 5 % loss, 2 % reordering, 1 % duplication and 0.1 % bit
  flips, both ways, 1 MiB each way (512 KiB on aarch64; not the issue's
  32 MiB: TCG and a python relay make that minutes), sha256 compared;
  then, on a boot of its own, a quarter of that through a 3 s cut of
  the link in the middle.
- A cut of the guest's frames for 8 s against a client whose
  TCP_USER_TIMEOUT is 3 s: the
  client gets ETIMEDOUT (a clean error, not a hang); once the link is
  back the guest's side of that connection is reset by Linux and gone,
  and netserve serves a new connection.
- Malformed traffic injected by the relay (tests at the end of this
  file): dropped and counted, memory bounded, netserve still answers.
"""
import hashlib
import json
import os
import re
import select
import shutil
import socket
import subprocess
import sys
import time

import pytest

from qemu import Console, arches

# `make soak` sets THEMELIOS_SOAK=1: the sizes (32 MiB each way,
# a 10 s cut), which take many minutes through a python relay under TCG,
# so `make test` runs the small ones.
SOAK = os.environ.get("THEMELIOS_SOAK") == "1"
LIFETIME = 3500 if SOAK else 190  # QEMU's and the relay's, in seconds
pytestmark = pytest.mark.timeout(3600 if SOAK else 200)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RELAY = os.path.join(ROOT, "tools", "lossy-wire.py")
GUEST_IP = "10.0.9.2"
HOST_IP = "10.0.9.1"

# The client in the namespace: echo of SIZE bytes (a seeded stream) on one
# connection, both directions at once; prints a JSON verdict.
CLIENT = r"""
import hashlib, json, random, socket, sys, threading, time
host, port, size, user_timeout, limit = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
    int(sys.argv[4]), float(sys.argv[5])
rng = random.Random(size)
data = rng.randbytes(size)
res = {"sent_sha": hashlib.sha256(data).hexdigest()}
start = time.monotonic()
h, got, phase = hashlib.sha256(), 0, "connect"
try:
    s = socket.create_connection((host, port), timeout=limit)
    phase = "echo"
    if user_timeout:
        s.setsockopt(socket.IPPROTO_TCP, 18, user_timeout)  # TCP_USER_TIMEOUT, ms
    err = []
    def writer():
        try:
            s.sendall(data)
        except OSError as e:
            err.append(repr(e))
    t = threading.Thread(target=writer, daemon=True)
    t.start()
    while got < size and time.monotonic() - start < limit:
        b = s.recv(1 << 16)
        if not b:
            break
        if not got:
            print("flowing", flush=True)
        h.update(b)
        got += len(b)
    if got < size:
        try:
            s.shutdown(socket.SHUT_RDWR)  # a writer stuck in sendall returns
        except OSError:
            pass
    t.join(5)
    res.update(got=got, got_sha=h.hexdigest(), writer_errors=err)
    s.close()
except OSError as e:
    res["error"] = "%s %s" % (type(e).__name__, e.errno)
    res.update(got=got, phase=phase, stalled_at=round(time.monotonic() - start, 2))
res["seconds"] = round(time.monotonic() - start, 2)
print(json.dumps(res), flush=True)
"""


def free_udp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def shell(c, cmd, timeout=30):
    c.send(cmd + "\r")
    start = c.pos
    c.expect(r"themelios> ", timeout)
    return c.log[start:c.pos]


def netns_usable():
    if os.geteuid() != 0 or not shutil.which("ip") or not os.path.exists("/dev/net/tun"):
        return "needs root, ip(8) and /dev/net/tun"
    name = "tlw-probe-%d" % os.getpid()
    r = subprocess.run(["ip", "netns", "add", name], capture_output=True, timeout=10)
    if r.returncode != 0:
        return "cannot create a network namespace: %s" % r.stderr.decode().strip()
    try:
        r = subprocess.run(["ip", "netns", "exec", name, "ip", "tuntap", "add", "dev", "t0",
                            "mode", "tap"], capture_output=True, timeout=10)
        if r.returncode != 0:
            return "cannot create a TAP device: %s" % r.stderr.decode().strip()
    finally:
        subprocess.run(["ip", "netns", "del", name], timeout=10)
    return None


class Rig:
    """A namespace, the relay, and ThemeliOS on the wire."""

    def __init__(self, arch, tag, loss=0.0, reorder=0.0, dup=0.0, corrupt=0.0, seed=11):
        self.ns = "tlw-%s-%d-%s" % (arch[:3], os.getpid(), tag)
        subprocess.run(["ip", "netns", "add", self.ns], check=True, timeout=10)
        self.relay = self.c = None
        port, qport = free_udp_port(), free_udp_port()
        self.relay = subprocess.Popen(
            [sys.executable, RELAY, "--netns", self.ns, "--tap", "tap0",
             "--addr", HOST_IP + "/24", "--port", str(port), "--qemu-port", str(qport),
             "--seed", str(seed), "--loss", str(loss), "--reorder", str(reorder),
             "--dup", str(dup), "--corrupt", str(corrupt), "--lifetime", str(LIFETIME + 10)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, start_new_session=True)
        self.relay_out = []
        try:
            self.boot(arch, port, qport)
        except BaseException:
            self.close()
            raise

    def boot(self, arch, port, qport):
        assert self.relay_line(r"relay: ready", 15), self.relay_out
        self.c = Console(arch=arch, mem="256M", lifetime=LIFETIME,
                         cmdline="test shell net.ip=%s/24 net.gw=%s" % (GUEST_IP, HOST_IP),
                         extra=["-netdev", "dgram,id=n0,local.type=inet,local.host=127.0.0.1,"
                                "local.port=%d,remote.type=inet,remote.host=127.0.0.1,"
                                "remote.port=%d" % (qport, port),
                                "-device", "virtio-net-pci,netdev=n0"])
        self.c.expect(r"netserve: echo on port 7, http on port 80", 60)
        shell(self.c, "", 30)

    def relay_cmd(self, line, answer=r"relay: ", timeout=5):
        self.relay.stdin.write(line + "\n")
        self.relay.stdin.flush()
        return self.relay_line(answer, timeout)

    def relay_line(self, pattern, timeout):
        deadline = time.monotonic() + timeout
        fd = self.relay.stdout.fileno()
        while time.monotonic() < deadline:
            r, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            if not r:
                break
            line = self.relay.stdout.readline()
            if not line:
                break
            self.relay_out.append(line)
            if re.search(pattern, line):
                return line
        return None

    def client(self, size, user_timeout_ms=0, limit=60, port=7):
        """Starts the echo client in the namespace; returns its Popen."""
        return subprocess.Popen(["timeout", "-s", "KILL", str(int(limit) + 10),
                                 "ip", "netns", "exec", self.ns, sys.executable, "-c", CLIENT,
                                 GUEST_IP, str(port), str(size), str(user_timeout_ms),
                                 str(limit)],
                                stdout=subprocess.PIPE, text=True, start_new_session=True)

    @staticmethod
    def flowing(proc, timeout=30):
        """Waits until the client has its first echoed bytes."""
        r, _, _ = select.select([proc.stdout], [], [], timeout)
        return r and proc.stdout.readline().strip() == "flowing"

    @staticmethod
    def verdict(proc, timeout):
        out, _ = proc.communicate(timeout=timeout)
        return json.loads(out.strip().splitlines()[-1])

    def echo(self, size, limit=60):
        return self.verdict(self.client(size, limit=limit), limit + 15)

    def diag(self):
        """What both ends say, for a failure's message: the guest's counters
        and sockets, the relay's counters, and the console's last lines."""
        out = []
        try:
            out.append(shell(self.c, "net", 10))
            out.append(shell(self.c, "sockets", 10))
        except AssertionError as e:
            out.append("the shell does not answer: %s" % str(e)[-3000:])
        self.relay_cmd("stats", r"host->guest")
        return "\n".join(out + ["".join(self.relay_out)])

    def close(self):
        if self.c:
            self.c.close(timeout=0)
        if self.relay and self.relay.poll() is None:
            try:
                self.relay.stdin.close()
                self.relay.wait(5)
            except (OSError, subprocess.TimeoutExpired):
                os.killpg(self.relay.pid, 9)
                self.relay.wait()
        subprocess.run(["ip", "netns", "del", self.ns], timeout=10)


SKIP = netns_usable()


def intact(v, size):
    return v.get("got") == size and v.get("got_sha") == v.get("sent_sha")


def failure(verdict, rig):
    """A failed transfer's message, printed whole as well: pytest cuts a
    long assertion message short, and the guest's counters are the part
    that explains it."""
    msg = "%r\n%s" % (verdict, rig.diag())
    print(msg)
    return msg


@pytest.mark.skipif(SKIP is not None, reason=str(SKIP))
@pytest.mark.parametrize("arch", arches())
def test_echo_through_a_lossy_wire(arch):
    # About 70 KiB/s each way at these rates under TCG: 1 MiB is 15 s
    # (under a minute on a loaded machine; the limit leaves room).
    size = (1 << 20) if arch == "x86_64" else (512 << 10)
    if SOAK:
        size = 32 << 20
    rig = Rig(arch, "e", loss=0.05, reorder=0.02, dup=0.01, corrupt=0.001)
    try:
        v = rig.echo(size, limit=3000 if SOAK else 120)
        assert intact(v, size), failure(v, rig)
        print("%s: %d bytes each way through the lossy wire in %.1f s" % (arch, size,
                                                                         v["seconds"]))
        print(rig.diag())
    finally:
        rig.close()


@pytest.mark.skipif(SKIP is not None, reason=str(SKIP))
@pytest.mark.parametrize("arch", arches())
def test_cuts_of_a_lossy_wire(arch):
    size = (1 << 20) if arch == "x86_64" else (512 << 10)
    rig = Rig(arch, "c", loss=0.05, reorder=0.02, dup=0.01, corrupt=0.001)
    try:
        # A 3 s cut in the middle of a transfer: TCP on both sides rides it
        # out.  A quarter of the size: after the cut both sides back off,
        # and on a loaded machine half the size did not finish in time.
        # `make soak`: 4 MiB through a cut of 10 s.
        part, cut, limit = (4 << 20, 10, 1500) if SOAK else (size // 4, 3, 70)
        p = rig.client(part, limit=limit)
        assert rig.flowing(p)
        assert rig.relay_cmd("cut %d" % cut)
        v = rig.verdict(p, limit + 15)
        assert intact(v, part), failure(v, rig)
        print("%s: %d bytes each way through a %d s cut in %.1f s" % (arch, part, cut,
                                                                      v["seconds"]))
        if SOAK:  # every pass's counters, beside a failure's
            print(rig.diag())

        # A cut longer than the client's retry budget: a clean ETIMEDOUT.
        # Only the guest's frames are cut, so the guest keeps receiving and
        # echoing through it: it then holds unacknowledged data, and its
        # retransmission after the cut is what tells it the peer has gone.
        # (A guest holding nothing to send would rightly keep an idle
        # connection, as Linux does, until a keepalive; a cut both ways
        # left it so when it fell while Linux was backing off.)
        big = 64 << 20
        p = rig.client(big, user_timeout_ms=3000, limit=40)
        assert rig.flowing(p)
        assert rig.relay_cmd("cut 8 guest->host")
        v = rig.verdict(p, 55)
        print("%s: a cut of 8 s against a TCP_USER_TIMEOUT of 3 s: %s" % (arch, v))
        assert v.get("error", "").endswith(" 110") or \
            any("TimeoutError" in e or "110" in e for e in v.get("writer_errors", ())), v
        assert v["seconds"] < 15, v
        # The link is back: Linux resets the guest's side when it retransmits.
        rig.relay_line(r"$^", 0)
        time.sleep(1)
        rig.relay_cmd("rates loss=0 reorder=0 dup=0 corrupt=0")
        # The guest's retransmission timer has backed off during the cut
        # (RTO doubling towards 60 s): its next try may be tens of seconds away.
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            out = shell(rig.c, "sockets")
            if not re.search(r"tcp\s+%s:7\s+%s:\d+\s+(?!LISTEN)" % (GUEST_IP, HOST_IP), out):
                break
            time.sleep(1)
        else:
            raise AssertionError("the timed-out connection stays on the guest:\n" + out)
        v = rig.echo(100000, limit=20)
        assert intact(v, 100000), v
        out = shell(rig.c, "net")
        m = re.search(r"tcp: segments in (\d+) out (\d+) retransmits (\d+)", out)
        assert m and int(m.group(3)) > 0, out
        rig.relay_cmd("stats", r"host->guest")
        print("".join(rig.relay_out))
    finally:
        rig.close()


# ---- malformed traffic from a raw socket in the namespace ----

# Runs in the namespace: builds frames and writes them to tap0 with an
# AF_PACKET socket; the relay carries them to the guest unimpaired.
# argv: the guest's MAC, then a phase: "bad" (each frame must be dropped),
# "edge" (odd but valid TCP options on SYNs), "frags", "flood".
RAW = r"""
import random, socket, struct, sys, time
GUEST, HOST, GHOST = "10.0.9.2", "10.0.9.1", "10.0.9.66"
gmac = bytes.fromhex(sys.argv[1].replace(":", ""))
phase = sys.argv[2]
mymac = bytes.fromhex(open("/sys/class/net/tap0/address").read().strip().replace(":", ""))
raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
raw.bind(("tap0", 0))
rng = random.Random(7)
sent = 0

def csum(d):
    if len(d) % 2:
        d += b"\0"
    s = sum(struct.unpack("!%dH" % (len(d) // 2), d))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF

def a(x):
    return socket.inet_aton(x)

def eth(p, t=0x0800):
    return gmac + mymac + struct.pack("!H", t) + p

def ip(proto, pl, src=HOST, ident=1, off=0, mf=False, ihl=5, total=None, bad=False, ver=4,
       opts=b""):
    h = struct.pack("!BBHHHBBH4s4s", (ver << 4) | ihl, 0,
                    total if total is not None else 20 + len(opts) + len(pl), ident,
                    (0x2000 if mf else 0) | (off // 8), 64, proto, 0, a(src), a(GUEST)) + opts
    c = csum(h) ^ (0x5555 if bad else 0)
    return h[:10] + struct.pack("!H", c) + h[12:] + pl

def tcp(sport, dport, seq, ack, flags, opts=b"", data=b"", src=HOST, doff=None, bad=False,
        win=65535):
    d = doff if doff is not None else 5 + len(opts) // 4
    t = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, d << 4, flags, win, 0, 0) + opts + data
    c = csum(a(src) + a(GUEST) + struct.pack("!BBH", 0, 6, len(t)) + t) ^ (0x0101 if bad else 0)
    return t[:16] + struct.pack("!H", c) + t[18:]

def udp(sport, dport, data, length=None, src=HOST):
    u = struct.pack("!HHHH", sport, dport, length or 8 + len(data), 0) + data
    return u[:6] + struct.pack("!H", csum(a(src) + a(GUEST) + struct.pack("!BBH", 0, 17, len(u))
                                      + u) or 0xFFFF) + u[8:]

def send(f, pause=0.0):
    global sent
    raw.send(f)
    sent += 1
    if pause:
        time.sleep(pause)
    elif sent % 32 == 0:
        time.sleep(0.004)  # about 8,000 frames/s: what the relay and QEMU carry

SYN, ACK, RST = 0x02, 0x10, 0x04
good_tcp = tcp(40000, 7, 1, 0, SYN)
icmp = struct.pack("!BBHHH", 8, 0, 0, 1, 1) + b"x" * 8
icmp_bad = icmp[:2] + b"\x12\x34" + icmp[4:]
if phase == "bad":
    frames = [
        eth(ip(6, good_tcp)[:12]),                     # cut IP header
        eth(ip(6, good_tcp, ihl=4)),                   # IHL below 5
        eth(ip(6, b"", ihl=15, opts=b"\1" * 4)),       # IHL past the packet
        eth(ip(6, good_tcp, total=400)),               # total length past the frame
        eth(ip(6, good_tcp, total=12)),                # total length inside the header
        eth(ip(6, good_tcp, bad=True)),                # header checksum
        eth(ip(6, good_tcp, ver=6)),                   # version 6 as 0x0800
        eth(ip(6, good_tcp[:12])),                     # cut TCP header
        eth(ip(6, tcp(40001, 7, 1, 0, SYN, doff=4))),  # data offset below 5
        eth(ip(6, tcp(40002, 7, 1, 0, SYN, doff=15))), # data offset past the segment
        eth(ip(6, tcp(40003, 7, 1, 0, SYN, bad=True))),  # TCP checksum
        eth(ip(17, udp(5000, 7, b"abc", length=200))), # UDP length past the datagram
        eth(ip(1, icmp[:4])),                          # cut ICMP
        eth(ip(1, icmp_bad)),                          # ICMP checksum
        eth(ip(17, b"y" * 100, ident=77, off=65528)),  # fragment ending past 65535
        eth(ip(17, b"y" * 100, ident=78, mf=True)),    # middle fragment not 8-byte sized
        # TCP options at their edges, malformed: each SYN must be dropped.
        eth(ip(6, tcp(40010, 7, 1, 0, SYN, b"\x02\x03\x05\x00"))),          # MSS length 3
        eth(ip(6, tcp(40011, 7, 1, 0, SYN, b"\x02\x00\x00\x00"))),          # length 0
        eth(ip(6, tcp(40012, 7, 1, 0, SYN, b"\x01\x01\x03\x01"))),          # length 1
        eth(ip(6, tcp(40013, 7, 1, 0, SYN, b"\x01\x01\x08\x0a"))),          # past the end
        eth(ip(6, tcp(40014, 7, 1, 0, SYN, b"\x03\x02\x07\x01"))),          # wscale length 2
        eth(ip(6, tcp(40015, 7, 1, 0, SYN, b"\x08\x09" + b"\0" * 7 + b"\0" * 3))),  # TS len 9
        eth(ip(6, tcp(40016, 7, 1, 0, SYN, b"\x01\x05\x03\x00"))),          # SACK length 3
        eth(ip(6, tcp(40017, 7, 1, 0, SYN, b"\x02\xff" + b"\0" * 38))),     # length 255
    ]
    for f in frames:
        send(f, 0.01)
elif phase == "edge":
    for i, o in enumerate((b"\x01" * 40,                          # 40 bytes of NOPs
                           b"\x00" * 40,                          # an end option, then padding
                           b"\x02\x04\x00\x00",                   # MSS 0
                           b"\x03\x03\xff\x01",                   # window scale 255
                           b"\xc8\x28" + b"z" * 38,               # an unknown 40-byte option
                           b"\x04\x02" + b"\x05\x0a" + b"\0" * 8 + b"\x01\x01",  # SACK blocks
                           b"\x02\x04\xff\xff\x01\x03\x03\x0e\x04\x02\x08\x0a" + b"\0" * 8
                           + b"\x00" * 4)):
        send(eth(ip(6, tcp(41000 + i, 7, 1000 * i, 0, SYN, o, src=GHOST), src=GHOST)), 0.01)
elif phase == "frags":
    for i in range(64):                       # overlaps with different bytes
        for off, fill in ((0, b"a"), (8, b"b"), (0, b"c")):
            send(eth(ip(17, fill * 16, ident=1000 + i, off=off, mf=True)))
    for i in range(1500):                     # datagrams that never end, many idents
        send(eth(ip(17, bytes(1480), ident=2000 + i, off=0, mf=True)))
    for i in range(1, 1500):                  # one datagram of endless small fragments
        send(eth(ip(17, bytes(16), ident=9000, off=16 * i, mf=True)))
elif phase == "flood":
    for i in range(4000):                     # SYNs from a host that never answers, and us
        src = GHOST if i % 2 else HOST
        send(eth(ip(6, tcp(rng.randrange(1024, 65536), 7, rng.getrandbits(32), 0, SYN,
                                 b"\x02\x04\x05\xb4", src=src), src=src)))
    for i in range(4000):                     # an ACK storm: to the listener and to nobody
        dport = 7 if i % 2 else 9999
        send(eth(ip(6, tcp(rng.randrange(1024, 65536), dport, rng.getrandbits(32),
                                 rng.getrandbits(32), ACK))))
print("sent %d" % sent, flush=True)
"""


def mem_used(c):
    out = shell(c, "mem")
    m = re.search(r"frames: total \d+ = free \d+ \+ used (\d+)", out)
    assert m, out
    return int(m.group(1))


def net_counters(c):
    out = shell(c, "net").replace("\r", "")
    m = re.search(r"^eth0: .*\n.*\n\s+rx packets (\d+) bytes \d+ drops (\d+) csum-errors (\d+)",
                  out, re.M)
    t = re.search(r"tcp: segments in (\d+) out (\d+) retransmits (\d+) bad (\d+) "
                  r"resets-sent (\d+) connections (\d+) timed-out (\d+) cookies (\d+)/(\d+)", out)
    f = re.search(r"ip: datagrams reassembled (\d+) given up (\d+) .*, (\d+) of (\d+) bytes held",
                  out)
    r = re.search(r"tcp resets by cause: retries (\d+) persist (\d+) keepalive (\d+) "
                  r"unread (\d+) after-close (\d+) abort (\d+) listener (\d+) orphan (\d+) "
                  r"reply (\d+)", out)
    assert m and t and f and r, out
    causes = tuple(map(int, r.groups()))
    assert sum(causes) == int(t.group(5)), out  # every reset sent has its cause
    return dict(zip(("rx", "drops", "csum"), map(int, m.groups())),
                rst_reply=causes[-1], rst_conn=sum(causes[:-1]),
                **dict(zip(("reassembled", "given_up", "held", "budget"), map(int, f.groups()))),
                **dict(zip(("in", "out", "rexmit", "bad", "rst", "conns", "timedout",
                            "cookies", "cookies_ok"), map(int, t.groups()))))


@pytest.mark.skipif(SKIP is not None, reason=str(SKIP))
@pytest.mark.parametrize("arch", arches())
def test_malformed_traffic_and_floods(arch):
    rig = Rig(arch, "m")
    try:
        mac = re.search(r"eth0, mac ([0-9a-f:]+)", rig.c.log).group(1)
        v = rig.echo(50000, limit=20)  # ARP settled on both sides
        assert intact(v, 50000), v

        def raw(phase, limit=60):
            r = subprocess.run(["timeout", "-s", "KILL", str(limit), "ip", "netns", "exec",
                                rig.ns, sys.executable, "-c", RAW, mac, phase],
                               capture_output=True, text=True, timeout=limit + 5)
            assert r.returncode == 0 and "sent" in r.stdout, r
            return int(r.stdout.split()[-1])

        used0 = mem_used(rig.c)
        before = net_counters(rig.c)
        # A frame shorter than an Ethernet header (AF_PACKET refuses it).
        assert rig.relay_cmd("inject " + (bytes.fromhex(mac.replace(":", "")) + b"\x02\x00\x00\x00")
                             .hex(), "relay: injected")
        n = raw("bad") + 1
        time.sleep(1)
        after = net_counters(rig.c)
        print("%s: %d malformed frames: %s -> %s" % (arch, n, before, after))
        assert after["rx"] - before["rx"] >= n, (before, after)
        assert after["drops"] - before["drops"] >= n, (before, after)
        assert after["csum"] - before["csum"] >= 3, (before, after)
        assert after["bad"] - before["bad"] >= 8, (before, after)  # the options
        assert after["conns"] == before["conns"], (before, after)

        raw("edge")
        raw("frags")
        raw("flood")
        time.sleep(2)
        flood = net_counters(rig.c)
        print("%s: after edge options, fragments, SYN flood and ACK storm: %s" % (arch, flood))
        # What the relay and QEMU's queues let through reached the guest.
        assert flood["rx"] > after["rx"] + 3000, flood
        assert flood["cookies"] > 0, flood
        # The 64 overlaps with different bytes each drop their datagram;
        # the endless ones are pushed out or time out, within the budget.
        assert flood["given_up"] - after["given_up"] >= 64, flood
        assert flood["held"] <= flood["budget"], flood
        # Its resets all answer segments for no connection; no connection was reset.
        assert flood["rst"] - after["rst"] == flood["rst_reply"] - after["rst_reply"] > 0, flood
        assert flood["rst_conn"] == before["rst_conn"], flood
        used = mem_used(rig.c)
        print("%s: frames used %d before, %d after" % (arch, used0, used))
        # Reassembly's budget is 256 KiB, half-open connections keep no buffers.
        assert used - used0 < 512, (used0, used)

        v = rig.echo(200000, limit=30)
        assert intact(v, 200000), v
        assert "themelios> " in shell(rig.c, "sockets")
    finally:
        rig.close()
