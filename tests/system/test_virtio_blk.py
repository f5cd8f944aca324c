"""PCI and virtio-blk (docs/devices.md), on both architectures: QEMU gets
disk images whose every 512-byte sector n holds n (8 bytes, little-endian)
and then bytes (n + i) & 0xff; the in-kernel tests (kernel/ktest/
test_virtio_blk.c) read them, write a writable one, are refused on a
read-only one, stop a third whose used ring they corrupt, and meet an I/O
error that QEMU's blkdebug injects."""
import os
import re
import struct

import pytest

from qemu import Console, arches, boot

SECTORS = 2048
WRITE_AT = 100      # where the in-kernel test writes
ERROR_AT = 200      # where blkdebug fails reads

pytestmark = pytest.mark.timeout(120)


def sector(n):
    return struct.pack("<Q", n) + bytes((n + i) & 0xFF for i in range(8, 512))


def written(n):
    """What the in-kernel test writes at sector n."""
    return b"WRITTEN!" + bytes(0xA5 ^ ((n + i) & 0xFF) for i in range(8, 512))


@pytest.fixture
def images(tmp_path):
    data = b"".join(sector(n) for n in range(SECTORS))
    paths = {}
    for name in ("rw", "ro", "broken"):
        paths[name] = str(tmp_path / (name + ".img"))
        with open(paths[name], "wb") as f:
            f.write(data)
    return paths


def disks(images):
    return ["-drive", "file=%s,if=none,format=raw,id=d0" % images["rw"],
            "-device", "virtio-blk-pci,drive=d0",
            "-drive", "file=%s,if=none,format=raw,id=d1,readonly=on" % images["ro"],
            "-device", "virtio-blk-pci,drive=d1",
            # The disk the in-kernel test breaks (its serial says so).
            "-drive", "file=%s,if=none,format=raw,id=d2" % images["broken"],
            "-device", "virtio-blk-pci,drive=d2,serial=break-me"]


def read_sectors(path, first, count):
    with open(path, "rb") as f:
        f.seek(first * 512)
        return f.read(count * 512)


# OVMF puts the 64-bit BARs above 4 GiB, SeaBIOS below; on aarch64 the
# kernel assigns them.
MACHINES = [(a, "bios") for a in arches()] + [("x86_64", "uefi")] * ("x86_64" in arches())


@pytest.mark.parametrize("arch,firmware", MACHINES)
def test_read_write_and_read_only(arch, firmware, images):
    r = boot(arch=arch, firmware=firmware, cmdline="test ktest=virtio_blk", timeout=90,
             extra=disks(images), root="none")
    assert r.passed, r
    log = r.log
    # Found on the bus, bound, capacity and flags from the device.
    found = re.findall(r"^pci 00:([0-9a-f]{2})\.0 1af4:(1001|1042) class 01\.00\.00 "
                       r"(INTA|MSI-X) driver virtio-blk\r?$", log, re.M)
    assert len(found) == 3, log
    # x86_64 gives each disk MSI-X vectors; aarch64 has no ITS driver: INTx.
    assert {f[2] for f in found} == {"MSI-X" if arch == "x86_64" else "INTA"}, log
    irq = "MSI-X" if arch == "x86_64" else "INTx"
    assert re.search(r"^virtio-blk 00:..\.0: vblk0, %d sectors \(1024 KiB\), flush, "
                     r"queue of \d+, %s\r?$" % (SECTORS, irq), log, re.M), log
    assert re.search(r"^virtio-blk 00:..\.0: vblk1, %d sectors \(1024 KiB\), read-only, "
                     r"flush, queue of \d+, %s\r?$" % (SECTORS, irq), log, re.M), log
    # Every memory BAR has an address (on aarch64 the kernel gave them).
    assert not re.search(r"BAR\d m.. unassigned", log), log
    for disk in ("vblk0", "vblk1"):
        assert "ktest: %s: sectors 0-19 and %d read right" % (disk, SECTORS - 1) in log, log
        assert "ktest: %s: sector %d: read; sector 0 still reads" % (disk, ERROR_AT) in log
    assert "ktest: vblk0: sectors %d-%d written, flushed and read back" % (
        WRITE_AT, WRITE_AT + 1) in log, log
    assert "ktest: vblk1: write refused: -E_ROFS" in log, log
    # The broken device is stopped and logged; the others go on.
    assert re.search(r"^virtio-blk 00:..\.0: vblk2, %d sectors .*, serial \"break-me\"\r?$"
                     % SECTORS, log, re.M), log
    assert re.search(r"^error: virtio-blk 00:..\.0: bad used ring entry \(index, id or "
                     r"length\); device stopped \(FAILED\)\r?$", log, re.M), log
    assert "ktest: vblk2: stopped after a bad used index; requests get -E_IO" in log, log
    assert "ktest: vblk0: still reads" in log and "ktest: vblk1: still reads" in log, log
    # The writes reached the image; the read-only one is untouched.
    assert read_sectors(images["rw"], WRITE_AT, 2) == written(WRITE_AT) + written(WRITE_AT + 1)
    assert read_sectors(images["rw"], WRITE_AT + 2, 1) == sector(WRITE_AT + 2)
    assert read_sectors(images["ro"], WRITE_AT, 2) == sector(WRITE_AT) + sector(WRITE_AT + 1)


def test_io_error_reaches_the_caller(images, tmp_path):
    """blkdebug fails every read of sector ERROR_AT (its rules armed at
    open, event "none"): that request is -E_IO with a log line, the disk
    goes on, the kernel too.  With pci=nomsi, so that x86_64's INTx path
    (the PIRQ-routed ISA line, level, active low) is exercised too."""
    conf = tmp_path / "blkdebug.conf"
    conf.write_text('[inject-error]\nevent = "none"\nerrno = "5"\nsector = "%d"\n' % ERROR_AT)
    extra = ["-drive", "driver=blkdebug,config=%s,image.driver=file,image.filename=%s,"
             "if=none,id=d0" % (conf, images["rw"]),
             "-device", "virtio-blk-pci,drive=d0"]
    r = boot(arch="x86_64", cmdline="test ktest=virtio_blk pci=nomsi", timeout=90, extra=extra,
             root="none")
    assert r.passed, r
    assert re.search(r"^virtio-blk 00:..\.0: vblk0, .*, INTx\r?$", r.log, re.M), r.log
    assert re.search(r"^error: virtio-blk 00:..\.0: I/O error at sector %d \(status 1\)\r?$"
                     % ERROR_AT, r.log, re.M), r.log
    assert "ktest: vblk0: sector %d: -E_IO; sector 0 still reads" % ERROR_AT in r.log, r.log
    assert "ktest: vblk0: sectors 0-19 and %d read right" % (SECTORS - 1) in r.log, r.log
    assert re.search(r"^ktest: (\d+) passed, 0 failed", r.log, re.M), r.log
    assert "panic" not in r.log.lower(), r.log


@pytest.mark.parametrize("arch", arches())
def test_devices_lists_functions_bars_and_drivers(arch, images):
    c = Console(arch=arch, cmdline="test shell", extra=disks(images), root="none")
    try:
        c.expect(r"themelios> ", 60)
        c.send("devices\r")
        start = c.pos
        c.expect(r"themelios> ", 30)
        out = c.log[start:c.pos]
    finally:
        c.close(timeout=0)
    # The host bridge, then both disks with their BARs and driver.
    assert re.search(r"^pci 00:00\.0 [0-9a-f]{4}:[0-9a-f]{4} class 06\.00\.00 driver -\r?$",
                     out, re.M), out
    disks_found = re.findall(r"^pci (00:..\.0) 1af4:(?:1001|1042) class 01\.00\.00 "
                             r"(?:INTA|MSI-X) driver virtio-blk\r?\n((?:    BAR.*\r?\n)+)", out, re.M)
    assert len(disks_found) == 3, out
    for bdf, bars in disks_found:
        bar = re.search(r"BAR(\d) m64 (0x[0-9a-f]+)\+0x4000 prefetchable", bars)
        assert bar, bars
        # Each BAR is reserved for PCI in the registry: no user driver gets it.
        owner = re.search(r"^physical\s+0x0*%s-\S+\s+PCI %s BAR%s\r?$"
                          % (bar.group(2)[2:], bdf, bar.group(1)), out, re.M)
        assert owner, out
    assert re.search(r"^physical\s+\S+\s+PCI ECAM\r?$", out, re.M) or arch == "x86_64", out
