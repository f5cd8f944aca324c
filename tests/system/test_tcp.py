"""TCP from the host to a ThemeliOS program (docs/network.md, "Sockets").

init starts netserve in normal mode with exactly two Port capabilities
(echo on 7, HTTP on 80); QEMU's user networking (restrict=on) forwards
two ports of 127.0.0.1 to them.  Every byte the test sends goes to
127.0.0.1, every loop is bounded, and QEMU dies with its Console.

- echo of 1 byte to 1 MiB, compared whole;
- HTTP/1.1 GET / with python's http.client: 200 with Content-Length, on
  one kept-alive connection, then a 404;
- 50 concurrent connections, each echoed; 1,000 sequential ones (echo
  and HTTP with Connection: close), then 100 concurrent;
- the shell's `sockets` lists the listeners, `net` counts TCP, and the
  guest reset no connection;
- 64 MiB echoed, both ways at once, sha256 compared (a boot of its own).
"""
import http.client
import os
import re
import socket
import threading
import time

import pytest

from qemu import Console, arches

pytestmark = pytest.mark.timeout(600)

BODY = b"Hello from ThemeliOS netserve.\n"


def free_tcp_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class ResetBeforeData(ConnectionResetError):
    """Reset with not one byte echoed: see concurrent_echo."""


def echo(port, data, timeout=30):
    """Sends data and reads it back, the two directions at once."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    got = bytearray()
    writer = threading.Thread(target=s.sendall, args=(data,))
    writer.start()
    try:
        while len(got) < len(data):
            try:
                b = s.recv(65536)
            except ConnectionResetError:
                if got:
                    raise
                raise ResetBeforeData()
            if not b:
                break
            got += b
    finally:
        writer.join(timeout)
        s.close()
    return bytes(got)


def concurrent_echo(port, data, host_resets):
    """echo, for many clients at once.  slirp's hostfwd socket listens with
    a backlog of 1 (`ss -ltn` shows it): when QEMU's main loop is starved
    on a loaded host, the host's own kernel overflows that queue, drops the
    handshake's ACK and later resets the client, before slirp ever
    accepted, so before the guest saw anything.  Such a reset, with not one
    byte back, is tried again (twice at most) and counted; the test then
    checks that the guest itself reset nothing."""
    for _ in range(3):
        try:
            return echo(port, data, timeout=150) == data
        except ResetBeforeData:
            host_resets.append(len(data))
    return "reset before any data, 3 times"


def guest_resets(c):
    """The resets the guest sent on connections, by cause (all but the
    replies to segments for no connection)."""
    out = shell(c, "net").replace("\r", "")
    r = re.search(r"tcp resets by cause: (.*)", out)
    assert r, out
    causes = dict(re.findall(r"([a-z-]+) (\d+)", r.group(1)))
    return {k: int(v) for k, v in causes.items() if k != "reply" and int(v)}, out


def shell(c, cmd, timeout=30):
    c.send(cmd + "\r")
    start = c.pos
    c.expect(r"themelios> ", timeout)
    return c.log[start:c.pos]


@pytest.mark.parametrize("arch", arches())
def test_tcp_echo_http_and_many_connections(arch):
    pe, ph = free_tcp_port(), free_tcp_port()
    fwd = "hostfwd=tcp:127.0.0.1:%d-:7,hostfwd=tcp:127.0.0.1:%d-:80" % (pe, ph)
    c = Console(arch=arch, mem="256M", cmdline="test shell", lifetime=590,
                extra=["-netdev", "user,id=n0,restrict=on," + fwd,
                       "-device", "virtio-net-pci,netdev=n0"])
    try:
        c.expect(r"netserve: echo on port 7, http on port 80", 60)

        for size in (1, 1000, 65536, 300000, 1 << 20):
            data = os.urandom(size)
            assert echo(pe, data) == data, size

        conn = http.client.HTTPConnection("127.0.0.1", ph, timeout=20)
        for _ in range(20):
            conn.request("GET", "/")
            r = conn.getresponse()
            assert r.status == 200 and r.getheader("Content-Length") == str(len(BODY))
            assert r.read() == BODY
        conn.request("GET", "/missing")
        r = conn.getresponse()
        r.read()
        assert r.status == 404
        conn.close()

        results, host_resets = [], []

        def client(i):
            data = os.urandom(2000 + i * 37)
            try:
                # 100 at once through slirp on a loaded aarch64 guest took
                # over a minute for a few (retransmissions backed off).
                results.append(concurrent_echo(pe, data, host_resets))
            except OSError as e:
                results.append(repr(e))

        threads = [threading.Thread(target=client, args=(i,)) for i in range(50)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(180)
        assert results.count(True) == 50, [r for r in results if r is not True]

        # 1,000 sequential connections, each echoing and closed, half of
        # them on the HTTP port, then 100 at once (netserve serves 48 at a
        # time; the rest wait in its backlog).
        start = time.monotonic()
        for i in range(1000):
            if i % 2:
                with socket.create_connection(("127.0.0.1", ph), timeout=20) as s:
                    s.sendall(b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n")
                    got = b""
                    while not got.endswith(BODY) and len(got) < 1000:
                        b = s.recv(4096)
                        if not b:
                            break
                        got += b
                    assert got.startswith(b"HTTP/1.1 200") and got.endswith(BODY), (i, got)
            else:
                data = b"%d" % i * 10
                assert echo(pe, data, timeout=20) == data, i
        seq_s = time.monotonic() - start
        results = []
        threads = [threading.Thread(target=client, args=(i,)) for i in range(100)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(180)
        assert results.count(True) == 100, ([r for r in results if r is not True], shell(c, "net"))
        print("%s: 1000 sequential connections in %.1f s" % (arch, seq_s))
        resets, out = guest_resets(c)
        print("%s: %d concurrent clients reset by the host before any data, tried again"
              % (arch, len(host_resets)))
        assert not resets, out

        out = shell(c, "sockets")
        assert re.search(r"tcp\s+0\.0\.0\.0:7\s+0\.0\.0\.0:0\s+LISTEN", out), out
        assert re.search(r"tcp\s+0\.0\.0\.0:80\s+0\.0\.0\.0:0\s+LISTEN", out), out
        out = shell(c, "net")
        m = re.search(r"tcp: segments in (\d+) out (\d+) retransmits (\d+)", out)
        assert m and int(m.group(1)) > 1000 and int(m.group(2)) > 1000, out
    finally:
        c.close(timeout=0)


# This echo stalled dead in about one run in ten under load until the
# driver's transmit watchdog (docs/network.md, "A lost notification").
@pytest.mark.timeout(400)
@pytest.mark.parametrize("arch", arches())
def test_64_mib_echoed_intact(arch):
    """The issue's 64 MiB echo through slirp, both directions at once,
    sha256 compared; a stream the test makes as it goes, not one held."""
    import hashlib
    pe = free_tcp_port()
    c = Console(arch=arch, mem="256M", cmdline="test shell", lifetime=390,
                extra=["-netdev", "user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:%d-:7" % pe,
                       "-device", "virtio-net-pci,netdev=n0"])
    try:
        c.expect(r"netserve: echo on port 7, http on port 80", 60)
        size, chunk = 64 << 20, 1 << 20
        sent_h, got_h, got = hashlib.sha256(), hashlib.sha256(), 0
        blocks = [os.urandom(chunk) for _ in range(4)]
        s = socket.create_connection(("127.0.0.1", pe), timeout=60)

        def writer():
            for i in range(size // chunk):
                b = blocks[i % 4][:chunk - 1] + bytes([i & 0xFF])
                sent_h.update(b)
                s.sendall(b)

        start = time.monotonic()
        t = threading.Thread(target=writer)
        t.start()
        try:
            while got < size and time.monotonic() - start < 330:
                b = s.recv(1 << 16)
                if not b:
                    break
                got_h.update(b)
                got += len(b)
        finally:
            t.join(30)
            s.close()
        secs = time.monotonic() - start
        assert got == size, (got, shell(c, "net"), shell(c, "sockets"))
        assert got_h.hexdigest() == sent_h.hexdigest()
        print("%s: 64 MiB echoed in %.1f s (%.2f MB/s each way)" % (arch, secs, size / secs / 1e6))
    finally:
        c.close(timeout=0)
