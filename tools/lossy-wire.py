#!/usr/bin/python3
"""A lossy wire between QEMU's `-netdev dgram` backend and a TAP device
in a network namespace, so that the host's own Linux TCP is the peer of
a guest (issue 11, docs/network.md "The lossy wire").

    lossy-wire.py --netns NS --tap TAP --addr 10.0.9.1/24
                  --port P --qemu-port Q [--seed S] [--loss R] [--reorder R]
                  [--dup R] [--corrupt R] [--lifetime SECONDS]

QEMU runs with
    -netdev dgram,id=n0,local.type=inet,local.host=127.0.0.1,local.port=Q,
            remote.type=inet,remote.host=127.0.0.1,remote.port=P
so the guest's frames arrive here as UDP datagrams on 127.0.0.1:P and
this relay sends frames to the guest at 127.0.0.1:Q.  Nothing is sent
anywhere else.  The relay opens its UDP socket in the namespace it was
started in, then enters NS (which must exist: `ip netns add NS`) and
creates TAP there (IFF_TAP, no packet information), gives it ADDR and
brings it up; the TAP goes away with the relay.

Each frame, in either direction, is dropped with probability --loss,
held back and sent after the next frame in its direction (or after
--hold-ms) with --reorder, sent twice with --dup, and sent with one
random bit flipped with --corrupt; the decisions come from one RNG
seeded by --seed, so a run's impairments can be replayed (given the
same frames in the same order).

Commands on stdin, one a line, each answered on stdout:
    cut SECONDS [DIR]  drop every frame both ways (or in DIR alone:
                       guest->host or host->guest) for SECONDS
    rates loss=R reorder=R dup=R corrupt=R   (any subset)
    inject HEX         send this frame to the guest as it is
    stats              print the counters
    quit
The relay prints "relay: ready" once the TAP is up, and ends by itself
after --lifetime seconds (default 600), or at end of input on stdin.
"""
import argparse
import ctypes
import fcntl
import os
import random
import select
import socket
import struct
import subprocess
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
CLONE_NEWNET = 0x40000000


def enter_netns(name):
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open("/run/netns/" + name, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            e = ctypes.get_errno()
            raise OSError(e, "setns(%s): %s" % (name, os.strerror(e)))
    finally:
        os.close(fd)


def open_tap(name):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI))
    return fd


class Direction:
    """One way through the wire: impairments and counters."""

    def __init__(self, name, deliver, wire):
        self.name = name
        self.deliver = deliver
        self.wire = wire
        self.held = None  # (frame, deadline) reordered behind the next frame
        self.c = dict(frames=0, dropped=0, reordered=0, duplicated=0, corrupted=0, cut=0,
                      sent=0)

    def send(self, frame):
        try:
            self.deliver(frame)
            self.c["sent"] += 1
        except OSError:
            pass  # a full queue on the other side: the frame is lost, as on a wire

    def input(self, frame, now):
        w = self.wire
        self.c["frames"] += 1
        if now < w.cut_until.get(self.name, 0.0):
            self.c["cut"] += 1
            return
        rng = w.rng
        if rng.random() < w.loss:
            self.c["dropped"] += 1
            return
        if rng.random() < w.corrupt and frame:
            bit = rng.randrange(len(frame) * 8)
            b = bytearray(frame)
            b[bit // 8] ^= 1 << (bit % 8)
            frame = bytes(b)
            self.c["corrupted"] += 1
        copies = 2 if rng.random() < w.dup else 1
        if copies == 2:
            self.c["duplicated"] += 1
        if self.held is None and rng.random() < w.reorder:
            self.c["reordered"] += 1
            self.held = (frame, now + w.hold)
            return
        for _ in range(copies):
            self.send(frame)
        self.flush()

    def flush(self):
        if self.held is not None:
            frame, _ = self.held
            self.held = None
            self.send(frame)

    def tick(self, now):
        if self.held is not None and now >= self.held[1]:
            self.flush()


class Wire:
    def __init__(self, args):
        self.rng = random.Random(args.seed)
        self.loss, self.reorder, self.dup, self.corrupt = (args.loss, args.reorder, args.dup,
                                                           args.corrupt)
        self.hold = args.hold_ms / 1000.0
        self.cut_until = {}  # direction's name -> end of its cut

    def set_rates(self, words):
        for w in words:
            k, v = w.split("=", 1)
            if k not in ("loss", "reorder", "dup", "corrupt"):
                raise ValueError(k)
            setattr(self, k, float(v))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--netns", required=True)
    ap.add_argument("--tap", default="tap0")
    ap.add_argument("--addr", required=True, help="the TAP's address, e.g. 10.0.9.1/24")
    ap.add_argument("--port", type=int, required=True, help="this relay's UDP port")
    ap.add_argument("--qemu-port", type=int, required=True, help="QEMU's local.port")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--loss", type=float, default=0.0)
    ap.add_argument("--reorder", type=float, default=0.0)
    ap.add_argument("--dup", type=float, default=0.0)
    ap.add_argument("--corrupt", type=float, default=0.0)
    ap.add_argument("--hold-ms", type=float, default=5.0)
    ap.add_argument("--lifetime", type=float, default=600.0)
    args = ap.parse_args()

    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", args.port))
    udp.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    udp.setblocking(False)
    guest = ("127.0.0.1", args.qemu_port)

    enter_netns(args.netns)
    tap = open_tap(args.tap)
    for cmd in (["sysctl", "-qw", "net.ipv6.conf.%s.disable_ipv6=1" % args.tap],
                ["ip", "addr", "add", args.addr, "dev", args.tap],
                ["ip", "link", "set", args.tap, "up"],
                ["ip", "link", "set", "lo", "up"]):
        subprocess.run(cmd, check=cmd[0] != "sysctl", timeout=10)

    wire = Wire(args)
    to_tap = Direction("guest->host", lambda f: os.write(tap, f), wire)
    to_guest = Direction("host->guest", lambda f: udp.sendto(f, guest), wire)
    end = time.monotonic() + args.lifetime
    stdin = sys.stdin.fileno()
    print("relay: ready", flush=True)

    def stats():
        for d in (to_tap, to_guest):
            print("relay: %s %s" % (d.name, " ".join("%s=%d" % kv for kv in d.c.items())),
                  flush=True)

    while True:
        now = time.monotonic()
        if now >= end:
            print("relay: lifetime over", flush=True)
            break
        held = [d.held[1] for d in (to_tap, to_guest) if d.held]
        wait = min([end - now] + [max(0.0, h - now) for h in held])
        r, _, _ = select.select([udp, tap, stdin], [], [], min(wait, 1.0))
        now = time.monotonic()
        if udp in r:
            for _ in range(64):
                try:
                    frame, src = udp.recvfrom(65536)
                except BlockingIOError:
                    break
                if src == guest:
                    to_tap.input(frame, now)
        if tap in r:
            for _ in range(64):
                try:
                    frame = os.read(tap, 65536)
                except BlockingIOError:
                    break
                to_guest.input(frame, now)
        if stdin in r:
            line = sys.stdin.readline()
            if not line:
                break
            words = line.split()
            try:
                if not words:
                    pass
                elif words[0] == "cut":
                    dirs = words[2:] or ["guest->host", "host->guest"]
                    if any(d not in ("guest->host", "host->guest") for d in dirs):
                        raise ValueError(words[2])
                    for d in dirs:
                        wire.cut_until[d] = time.monotonic() + float(words[1])
                    print("relay: cut for %s s %s" % (words[1], " ".join(dirs)), flush=True)
                elif words[0] == "rates":
                    wire.set_rates(words[1:])
                    print("relay: rates loss=%g reorder=%g dup=%g corrupt=%g"
                          % (wire.loss, wire.reorder, wire.dup, wire.corrupt), flush=True)
                elif words[0] == "inject":
                    to_guest.send(bytes.fromhex(words[1]))
                    print("relay: injected", flush=True)
                elif words[0] == "stats":
                    stats()
                elif words[0] == "quit":
                    break
                else:
                    print("relay: unknown command %s" % words[0], flush=True)
            except (ValueError, IndexError) as e:
                print("relay: bad command: %s" % e, flush=True)
        for d in (to_tap, to_guest):
            d.tick(now)
    stats()
    os.close(tap)


if __name__ == "__main__":
    main()
