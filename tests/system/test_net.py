"""Networking (docs/network.md) on both architectures, through QEMU's
virtio-net.  Every netdev is named and every packet the host side sends
goes to 127.0.0.1.

- Under user networking (slirp, restrict=on, a UDP port forwarded from
  127.0.0.1): the kernel takes 10.0.2.15 by DHCP from 10.0.2.2, `ping
  10.0.2.2` from the shell is answered (slirp answers pings to its own
  address even restricted), `arp`, `route` and `net` show it all.  A
  datagram to the forwarded port reaches the kernel's echo service, but
  libslirp drops every UDP datagram a restricted guest sends (except
  DHCP and TFTP), so its echo never comes back: asserted as such.
- Over `-netdev dgram`, a wire whose other end is this test: frames in
  UDP datagrams on 127.0.0.1.  The test plays 10.0.2.2 (ARP included),
  the kernel has a static address from the command line, and its UDP echo
  service returns datagrams of several sizes, fragmented both ways
  beyond the MTU; then damaged frames (truncated, bad IP checksum, bad
  UDP length and checksum) are counted as drops and checksum errors, and
  the kernel still echoes.
- The in-kernel tests (kernel/ktest/test_net.c) with a second NIC that
  they break: stopped and logged, the first NIC unharmed.
"""
import re
import socket
import struct
import time

import pytest

from qemu import Console, arches, boot

pytestmark = pytest.mark.timeout(120)

GUEST_IP = "10.0.2.15"
PEER_IP = "10.0.2.2"
PEER_MAC = bytes.fromhex("52550a000202")
BREAK_MAC = "52:54:00:00:0b:ad"


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


def counters(out, nif="eth0"):
    m = re.search(r"^%s: .*\n.*\n\s+rx packets (\d+) bytes \d+ drops (\d+) csum-errors (\d+)\r?\n"
                  r"\s+tx packets (\d+)" % nif, out.replace("\r", ""), re.M)
    assert m, out
    return dict(zip(("rx", "drops", "csum", "tx"), map(int, m.groups())))


@pytest.mark.parametrize("arch", arches())
def test_dhcp_ping_and_the_shell_under_user_networking(arch):
    port = free_udp_port()
    c = Console(arch=arch, cmdline="test shell net.echo", lifetime=90,
                extra=["-netdev", "user,id=n0,restrict=on,hostfwd=udp:127.0.0.1:%d-:7" % port,
                       "-device", "virtio-net-pci,netdev=n0"])
    try:
        c.expect(r"dhcp: eth0 bound to 10\.0\.2\.15/24 gateway [\d.]+ from 10\.0\.2\.2, "
                 r"lease \d+ s", 60)
        c.expect(r"themelios> ", 30)
        assert re.search(r"virtio-net 00:..\.0: eth0, mac 52:54:00:12:34:56, link up, "
                         r"queues \d+\+\d+, (MSI-X|INTx)", c.log), c.log
        out = shell(c, "net")
        assert "inet 10.0.2.15/24" in out and "(dhcp)" in out, out
        assert re.search(r"dhcp: eth0 bound, lease \d+ s from 10\.0\.2\.2", out), out
        assert re.search(r"^lo: .*\n\s+inet 127\.0\.0\.1/8", out.replace("\r", ""), re.M), out
        before = counters(out)

        out = shell(c, "ping 10.0.2.2 3", 20)
        assert "ping: 3 sent, 3 received" in out, out
        assert len(re.findall(r"reply from 10\.0\.2\.2: seq \d time \d+ us", out)) == 3, out
        out = shell(c, "ping 127.0.0.1 1", 10)
        assert "ping: 1 sent, 1 received" in out, out
        out = shell(c, "arp")
        assert re.search(r"^10\.0\.2\.2\s+52:55:0a:00:02:02 eth0", out, re.M), out
        out = shell(c, "route")
        assert re.search(r"^10\.0\.2\.0/24 on link dev eth0", out, re.M), out
        assert re.search(r"^127\.0\.0\.0/8 on link dev lo", out, re.M), out

        # Restricted slirp forwards the datagram in, and drops the echo.
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(1)
        s.sendto(b"hello through slirp", ("127.0.0.1", port))
        try:
            got = s.recv(100)
        except socket.timeout:
            got = None
        s.close()
        assert got in (None, b"hello through slirp")
        after = counters(shell(c, "net"))
        assert after["rx"] >= before["rx"] + 4 and after["tx"] >= before["tx"] + 4, (before, after)
        assert after["drops"] == before["drops"] and after["csum"] == 0, (before, after)
    finally:
        c.close(timeout=0)


# ---- the test as the other end of the wire ----

def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip_addr(a):
    return socket.inet_aton(a)


def ipv4(src, dst, proto, payload, ident, offset=0, more=False):
    flags = (0x2000 if more else 0) | (offset // 8)
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, flags, 64, proto, 0,
                    ip_addr(src), ip_addr(dst))
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def udp(src, dst, sport, dport, data):
    u = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    pseudo = ip_addr(src) + ip_addr(dst) + struct.pack("!BBH", 0, 17, len(u))
    c = csum(pseudo + u) or 0xFFFF
    return u[:6] + struct.pack("!H", c) + u[8:]


class Wire:
    """The other end of a `-netdev dgram` wire: Ethernet frames in UDP
    datagrams between two ports on 127.0.0.1."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.qemu_port = free_udp_port()
        self.guest_mac = None
        self.ident = 1000

    def netdev(self):
        return ["-netdev", "dgram,id=n0,local.type=inet,local.host=127.0.0.1,local.port=%d,"
                "remote.type=inet,remote.host=127.0.0.1,remote.port=%d" % (self.qemu_port, self.port),
                "-device", "virtio-net-pci,netdev=n0"]

    def send(self, frame):
        self.sock.sendto(frame, ("127.0.0.1", self.qemu_port))

    def eth(self, payload, ethertype=0x0800):
        return self.guest_mac + PEER_MAC + struct.pack("!H", ethertype) + payload

    def send_udp(self, data, sport=5555):
        """One datagram, fragmented at 1480 bytes of payload like a 1500-byte MTU."""
        dgram = udp(PEER_IP, GUEST_IP, sport, 7, data)
        self.ident += 1
        for off in range(0, len(dgram), 1480):
            piece = dgram[off:off + 1480]
            self.send(self.eth(ipv4(PEER_IP, GUEST_IP, 17, piece, self.ident, off,
                                    off + 1480 < len(dgram))))

    def receive_udp(self, timeout=5):
        """The next UDP datagram from the guest, reassembled; answers ARP on the way."""
        frags = {}
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                f = self.sock.recv(65536)
            except socket.timeout:
                break
            etype = struct.unpack("!H", f[12:14])[0]
            if etype == 0x0806 and f[21] == 1 and f[38:42] == ip_addr(PEER_IP):
                # An ARP request for us: reply.
                self.guest_mac = f[6:12]
                arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 2) + PEER_MAC + ip_addr(PEER_IP) \
                    + f[22:28] + f[28:32]
                self.send(self.eth(arp, 0x0806))
                continue
            if etype != 0x0800 or f[23] != 17:
                continue
            ip = f[14:]
            total = struct.unpack("!H", ip[2:4])[0]
            ident, flags = struct.unpack("!HH", ip[4:8])
            assert csum(ip[:20]) == 0
            frags.setdefault(ident, {})[(flags & 0x1FFF) * 8] = (ip[20:total], flags & 0x2000)
            pieces = frags[ident]
            data, off = b"", 0
            while off in pieces:
                data += pieces[off][0]
                if not pieces[off][1]:
                    length = struct.unpack("!H", data[4:6])[0]
                    return data[8:length]
                off = len(data)
        return None

    def close(self):
        self.sock.close()


@pytest.mark.parametrize("arch", arches())
def test_udp_echo_fragments_and_bad_frames_over_a_test_driven_wire(arch):
    w = Wire()
    c = Console(arch=arch, cmdline="test shell net.echo net.ip=10.0.2.15/24 net.gw=10.0.2.2",
                lifetime=90, extra=w.netdev())
    try:
        c.expect(r"net: eth0 10\.0\.2\.15/24 gateway 10\.0\.2\.2 \(static", 60)
        c.expect(r"themelios> ", 30)
        assert "dhcp:" not in c.log, c.log
        w.guest_mac = bytes.fromhex(re.search(r"eth0, mac ([0-9a-f:]+)", c.log).group(1)
                                    .replace(":", ""))
        # The gratuitous ARP came first; then the echoes, small to fragmented.
        for n in (1, 100, 1472, 1473, 3000, 9000):
            data = bytes((i * 7 + n) & 0xFF for i in range(n))
            w.send_udp(data)
            assert w.receive_udp() == data, n
        before = counters(shell(c, "net"))

        good = w.eth(ipv4(PEER_IP, GUEST_IP, 17, udp(PEER_IP, GUEST_IP, 5555, 7, b"x" * 20), 7))
        bad_ip = bytearray(good)
        bad_ip[14 + 10] ^= 0x55                  # IP header checksum
        bad_len = bytearray(good)
        bad_len[34 + 4:34 + 6] = b"\x01\x00"     # UDP length past the datagram
        bad_sum = bytearray(good)
        bad_sum[34 + 8] ^= 1                     # data under the UDP checksum
        for frame in (good[:10], bytes(bad_ip), bytes(bad_len), bytes(bad_sum), good[:30]):
            w.send(frame)
        time.sleep(0.5)
        after = counters(shell(c, "net"))
        assert after["rx"] == before["rx"] + 5, (before, after)
        assert after["drops"] == before["drops"] + 5, (before, after)
        assert after["csum"] == before["csum"] + 2, (before, after)
        assert w.receive_udp(0.5) is None  # nothing answered the damage
        # ... and it still echoes.
        w.send_udp(b"still alive")
        assert w.receive_udp() == b"still alive"
        out = shell(c, "route")
        assert re.search(r"^0\.0\.0\.0/0 via 10\.0\.2\.2 dev eth0", out, re.M), out
    finally:
        c.close(timeout=0)
        w.close()


@pytest.mark.parametrize("arch", arches())
def test_ktests_with_a_nic_to_break(arch):
    r = boot(arch=arch, cmdline="test ktest=net", timeout=60,
             extra=["-netdev", "user,id=n0,restrict=on", "-device", "virtio-net-pci,netdev=n0",
                    "-netdev", "user,id=n1,restrict=on",
                    "-device", "virtio-net-pci,netdev=n1,mac=%s" % BREAK_MAC])
    assert r.passed, r
    assert re.search(r"^error: virtio-net 00:..\.0: bad used ring entry \(index, id or length\); "
                     r"device stopped \(FAILED\)\r?$", r.log, re.M), r.log
    assert "ktest: eth1: stopped after a bad used index; sends get -E_IO" in r.log, r.log
    assert "ktest: net: 5 bad frames dropped, 2 of them checksum errors" in r.log, r.log
    # A notification held back: the watchdog notifies again.
    assert re.search(r"^ktest: eth0: a frame queued without a notification went after \d+ ms",
                     r.log, re.M), r.log
    # Receive buffers given back without a notification: the device holds
    # its frames until the receive watchdog notifies it.
    assert re.search(r"^ktest: eth0: frames held back by a lost receive notification came \d+ ms "
                     r"after the watchdog's", r.log, re.M), r.log
    assert re.search(r"^ktest: 5 passed, 0 failed", r.log, re.M), r.log
