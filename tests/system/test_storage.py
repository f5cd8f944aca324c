"""The verified root on a real tree and on bad disks (docs/storage.md,
"Proof on real trees"), on both architectures.

The proof: tools/mkimage.sh puts a real tree of thousands of files (the
host's time zone database, a few thousand files of /usr/share/doc, and
names and modes chosen to be awkward) under /data of a root image; the
mtree program, run by init from the image's bin/ ("test mtree"), prints
its manifest inside ThemeliOS, and it must equal, line for line, what
bsdtar prints on the host for the same tree.

The bad disks: a tampered block, a wrong root hash (with and without
verity.corruption=eio), a disk that fails requests (QEMU's blkdebug), a
truncated image, and with verity=off a damaged EROFS superblock or
inode.  Each gives a clear message, and where the boot goes on the
kernel keeps running: the debug shell's cat, ls and mounts still answer.
"""
import difflib
import os
import re
import shutil
import stat
import subprocess

import pytest

from qemu import ROOT, Console, arches, boot

MKIMAGE = os.path.join(ROOT, "tools", "mkimage.sh")
BSDTAR_KEYWORDS = "!all,type,mode,uid,gid,size,sha256,link"
PROMPT = r"themelios> "
BLOCK = 4096

pytestmark = pytest.mark.timeout(180)


def bins(arch):
    return os.path.join(ROOT, "build", arch, "user", "bin")


def make_image(arch, tree, out):
    """The root image with tree under /data; returns its kernel arguments."""
    subprocess.run([MKIMAGE, out, bins(arch), tree, "data"], check=True)
    with open(out + ".cmdline") as f:
        return f.read().split()


# ---- the proof on a real tree ----

ZONEINFO = "/usr/share/zoneinfo"  # tzdata: required priority in Debian
DOC = "/usr/share/doc"            # every package's copyright, at least
DOC_ENTRIES = 3000


def odd_tree(top):
    """Names with every byte but '/' and NUL, modes, links and sizes that
    a manifest can get wrong."""
    os.makedirs(top)
    for first in range(1, 256, 32):
        name = bytes(b for b in range(first, min(first + 32, 256)) if b != ord("/"))
        with open(os.path.join(os.fsencode(top), name), "wb") as f:
            f.write(name)
    with open(os.path.join(top, "x" * 254), "w") as f:
        f.write("a long name\n")
    for name, size in [("empty", 0), ("one-block", BLOCK), ("block-and-a-byte", BLOCK + 1),
                       ("a-megabyte", 1 << 20)]:
        with open(os.path.join(top, name), "wb") as f:
            f.write(os.urandom(size))
    os.link(os.path.join(top, "block-and-a-byte"), os.path.join(top, "hard link"))
    os.symlink("block-and-a-byte", os.path.join(top, "relative link"))
    os.symlink("/etc/motd", os.path.join(top, "absolute link"))
    os.symlink("no such # file = here\\", os.path.join(top, "dangling link"))
    os.mkfifo(os.path.join(top, "fifo"))
    for name, mode in [("setuid", 0o4755), ("setgid", 0o2711), ("private", 0o600)]:
        with open(os.path.join(top, name), "w") as f:
            f.write(name)
        os.chmod(os.path.join(top, name), mode)
    deep = os.path.join(top, "deep")
    for i in range(20):
        deep = os.path.join(deep, "level %d" % i)
    os.makedirs(deep)
    with open(os.path.join(deep, "bottom"), "w") as f:
        f.write("the bottom\n")
    os.makedirs(os.path.join(top, "empty dir"))
    os.makedirs(os.path.join(top, "sticky"))
    os.chmod(os.path.join(top, "sticky"), 0o1777)


def real_tree(top):
    """zoneinfo, the first DOC_ENTRIES entries of /usr/share/doc (whole
    packages, by name) and odd_tree."""
    for src in (ZONEINFO, DOC):
        assert os.path.isdir(src), "%s is missing: the proof needs a real tree" % src
    os.makedirs(top)
    subprocess.run(["cp", "-a", ZONEINFO, os.path.join(top, "zoneinfo")], check=True)
    doc = os.path.join(top, "doc")
    os.makedirs(doc)
    entries = 0
    for pkg in sorted(os.listdir(DOC)):
        if entries >= DOC_ENTRIES:
            break
        subprocess.run(["cp", "-a", os.path.join(DOC, pkg), doc], check=True)
        entries += 1 + sum(len(d) + len(f) for _, d, f in os.walk(os.path.join(doc, pkg)))
    odd_tree(os.path.join(top, "odd"))
    return top


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    top = real_tree(str(tmp_path_factory.mktemp("proof") / "tree"))
    # The image holds at most what the host let us read.
    subprocess.run(["chmod", "-R", "u+r", top], check=True)
    return top


def host_manifest(top):
    out = subprocess.run(["bsdtar", "--format=mtree", "--options=" + BSDTAR_KEYWORDS,
                          "-cf", "-", "-C", top, "."],
                         check=True, stdout=subprocess.PIPE).stdout.decode("ascii")
    lines = out.splitlines()
    if os.geteuid() != 0:
        # mkimage.sh makes every owner root (mkfs.erofs --all-root); cp -a
        # as another user made them the runner's, which is all we map.
        own = re.compile(r" gid=%d uid=%d " % (os.getegid(), os.geteuid()))
        lines = [own.sub(" gid=0 uid=0 ", line) for line in lines]
    return lines


def guest_manifest(log):
    """The lines from "#mtree" to init's end marker."""
    m = re.search(r"^init: mtree of /data begins\r?\n(?:.*\n)*?(#mtree\r?\n(?:.*\n)*?)"
                  r"init: mtree of /data ends, status (\d+)", log, re.M)
    assert m, log[-3000:]
    return m.group(1).replace("\r", "").splitlines(), int(m.group(2))


@pytest.mark.parametrize("arch", arches())
def test_manifest_of_a_real_tree_equals_bsdtar(arch, tree, tmp_path):
    img = str(tmp_path / "root.img")
    make_image(arch, tree, img)
    size = os.path.getsize(img)
    assert size < 60 << 20, "keep the image under 60 MiB: %d bytes" % size
    host = host_manifest(tree)
    r = boot(arch=arch, cmdline="test mtree", root=img, timeout=150)
    guest, status = guest_manifest(r.log)
    assert status == 0 and r.passed, r.log[-3000:]
    # Every kind of entry is there, in the thousands.
    assert len(host) > 3000, len(host)
    for kind in ("dir", "file", "link", "fifo"):
        assert any(" type=%s" % kind in line for line in host), kind
    if guest != host:
        diff = list(difflib.unified_diff(host, guest, "bsdtar (host)", "mtree (ThemeliOS)",
                                         lineterm="", n=1))
        pytest.fail("%d host lines, %d guest lines:\n%s"
                    % (len(host), len(guest), "\n".join(diff[:40])))


# ---- bad disks ----

VICTIM_BLOCKS = 3


def small_tree(top):
    """data/victim: three blocks, each naming itself; data/other: one line;
    and empty files that push the victim's inode out of block 0, which
    the superblock checksum covers (a damaged inode there is a damaged
    superblock, as Linux also finds)."""
    os.makedirs(top)
    for i in range(160):
        open(os.path.join(top, "fill-%03d" % i), "w").close()
    with open(os.path.join(top, "victim"), "wb") as f:
        for i in range(VICTIM_BLOCKS):
            line = b"victim block %d\n" % i
            f.write(line + b"." * (BLOCK - len(line) - 1) + b"\n")
    with open(os.path.join(top, "other"), "w") as f:
        f.write("the other file reads\n")
    return top


def dump(img, path):
    """dump.erofs's inode number and the byte where path's data starts."""
    out = subprocess.run(["dump.erofs", "-e", "--path=" + path, img], check=True,
                         stdout=subprocess.PIPE).stdout.decode()
    nid = int(re.search(r"NID: (\d+)", out).group(1))
    start = int(re.search(r"^\s+0:\s+0\.\.\s+\d+ \|\s+\d+ :\s+(\d+)\.\.", out, re.M).group(1))
    return nid, start


class Disk:
    """A small root image for one architecture, and damaged copies of it."""

    def __init__(self, arch, tmp):
        self.arch = arch
        self.tmp = tmp
        self.img = str(tmp / "good.img")
        self.cmdline = make_image(arch, small_tree(str(tmp / "tree")), self.img)
        self.nid, self.victim = dump(self.img, "/data/victim")
        assert self.victim % BLOCK == 0, self.victim
        # The first (and only) hard-coded fact: mkfs.erofs puts inodes
        # from block 0 (dump.erofs -s: "inode metadata start block").
        out = subprocess.run(["dump.erofs", "-s", self.img], check=True,
                             stdout=subprocess.PIPE).stdout.decode()
        self.meta = int(re.search(r"inode metadata start block:\s+(\d+)", out).group(1))
        assert self.meta * BLOCK + self.nid * 32 >= BLOCK, "the victim's inode is in block 0"

    def copy(self, name, patch=None, size=None):
        path = str(self.tmp / name)
        shutil.copyfile(self.img, path)
        with open(path, "r+b") as f:
            for off, data in (patch or {}).items():
                f.seek(off)
                f.write(data)
            if size is not None:
                f.truncate(size)
        with open(path + ".cmdline", "w") as f:
            f.write(" ".join(self.cmdline) + "\n")
        return path

    def flipped(self, name, off):
        with open(self.img, "rb") as f:
            f.seek(off)
            byte = f.read(1)[0]
        return self.copy(name, {off: bytes([byte ^ 0x40])})

    @property
    def erofs_bytes(self):
        return int(re.search(r"verity\.hashoffset=(\d+)", " ".join(self.cmdline)).group(1))


@pytest.fixture(params=arches())
def disk(request, tmp_path):
    return Disk(request.param, tmp_path)


def shell(arch, root, cmdline="", extra=()):
    c = Console(arch=arch, cmdline="test shell " + cmdline, root=root, extra=extra,
                lifetime=120)
    c.expect(PROMPT, 60)
    return c


def run(c, line, timeout=30):
    c.send(line + "\r")
    start = c.pos
    c.expect(PROMPT, timeout)
    return c.log[start:c.pos]


def still_running(c):
    """The kernel and the shell carry on, and nothing panicked."""
    assert re.search(r"up \d+\.\d{3} s", run(c, "uptime")), c.log
    assert "panic" not in c.log.lower(), c.log


def test_tampered_block_fails_only_its_file(disk):
    """A byte changed in the victim's second block after veritysetup:
    reading it is -E_IO (18) and the log names the block; the victim's
    first block, the other file and the image's own files still read."""
    bad_block = disk.victim // BLOCK + 1
    img = disk.flipped("tampered.img", disk.victim + BLOCK + 100)
    c = shell(disk.arch, img)
    try:
        out = run(c, "cat data/victim")
        assert "cat: data/victim: error -18" in out, out
        assert "victim block 0" in out and "victim block 1" not in out, out
        assert re.search(r"^verity: vblk0: block %d failed verification \(-18\)\r?$" % bad_block,
                         c.log, re.M), c.log
        assert "the other file reads" in run(c, "cat data/other"), c.log
        assert "error" not in run(c, "cat etc/motd"), c.log
        assert re.search(r"verified \(dm-verity, SHA-256\) on vblk0 .*, [1-9]\d* blocks failed "
                         r"verification", run(c, "mounts")), c.log
        still_running(c)
    finally:
        c.close(timeout=0)


def test_wrong_root_hash_stops_the_boot(disk):
    """The last verity.roothash on the command line wins: a wrong one
    stops the boot (test mode: a failing exit) with rootfs.c's message."""
    r = boot(arch=disk.arch, cmdline="test verity.roothash=" + "ab" * 32, root=disk.img,
             timeout=60)
    assert r.failed, r
    assert re.search(r"root: vblk0 does not match verity.roothash: the image was changed or "
                     r"the boot configuration is wrong; refusing to boot", r.log), r.log


def test_wrong_root_hash_with_eio_boots_and_reads_fail(disk):
    c = shell(disk.arch, disk.img, "verity.roothash=%s verity.corruption=eio" % ("ab" * 32))
    try:
        assert re.search(r"root: vblk0 does not match verity.roothash; every read will fail "
                         r"\(verity.corruption=eio\)", c.log), c.log
        out = run(c, "mounts")
        assert "ROOT HASH MISMATCH: reads fail" in out, out
        assert re.search(r"^verity: vblk0: block \d+ failed verification \(-18\)\r?$",
                         c.log, re.M), c.log
        # Nothing of the image is readable: the root is the RAM layer.
        assert re.search(r"cat: data/other: error -\d+", run(c, "cat data/other")), c.log
        still_running(c)
    finally:
        c.close(timeout=0)


def test_failing_disk_gives_eio_to_the_reader(disk, tmp_path):
    """blkdebug fails every read of the victim's second block (rules
    armed at open): cat gets -E_IO, the log names the sector, no panic."""
    sector = (disk.victim + BLOCK) // 512
    conf = tmp_path / "blkdebug.conf"
    conf.write_text('[inject-error]\nevent = "none"\nerrno = "5"\nsector = "%d"\n' % sector)
    extra = ["-drive", "driver=blkdebug,config=%s,image.driver=file,image.filename=%s,"
             "if=none,id=root,readonly=on" % (conf, disk.img),
             "-device", "virtio-blk-pci,drive=root,serial=themelios-root"]
    c = shell(disk.arch, "none", " ".join(disk.cmdline), extra)
    try:
        out = run(c, "cat data/victim")
        assert "cat: data/victim: error -18" in out, out
        assert "victim block 0" in out and "victim block 1" not in out, out
        assert re.search(r"I/O error at sector %d" % sector, c.log), c.log
        assert "the other file reads" in run(c, "cat data/other"), c.log
        assert "error" not in run(c, "cat etc/motd"), c.log
        still_running(c)
    finally:
        c.close(timeout=0)


def test_truncated_image_falls_back_to_the_ram_layer(disk):
    """The disk ends inside the EROFS image (its hash tree gone too)."""
    img = disk.copy("truncated.img", size=disk.erofs_bytes - 2 * BLOCK)
    c = shell(disk.arch, img)
    try:
        assert re.search(r"root: vblk0 \(\d+ KiB\) is smaller than its dm-verity tree says .*"
                         r"the root is the RAM layer alone", c.log), c.log
        out = run(c, "mounts")
        assert re.search(r"^/\s+tmpfs\s+ram\b", out, re.M), out
        assert "error" not in run(c, "ls /"), c.log
        still_running(c)
    finally:
        c.close(timeout=0)


def test_truncated_image_without_verity_is_refused(disk):
    img = disk.copy("truncated.img", size=disk.erofs_bytes - 2 * BLOCK)
    c = shell(disk.arch, img, "verity=off")
    try:
        assert re.search(r"root: vblk0 \(\d+ KiB\) is smaller than its EROFS superblock says "
                         r"\(\d+ KiB\): a truncated image\? the root is the RAM layer alone",
                         c.log), c.log
        assert re.search(r"^/\s+tmpfs\s+ram\b", run(c, "mounts"), re.M), c.log
        still_running(c)
    finally:
        c.close(timeout=0)


def test_verity_off_damaged_superblock(disk):
    img = disk.flipped("superblock.img", 1024 + 36)  # the block count; the checksum fails
    c = shell(disk.arch, img, "verity=off")
    try:
        assert "root: verity=off: vblk0 is NOT verified" in c.log, c.log
        assert re.search(r"root: vblk0 holds no EROFS image I can read \(error -16\)", c.log), \
            c.log
        assert re.search(r"^/\s+tmpfs\s+ram\b", run(c, "mounts"), re.M), c.log
        still_running(c)
    finally:
        c.close(timeout=0)


def test_verity_off_damaged_inode(disk):
    """The victim's inode claims 4 GiB of data past the image's end."""
    inode = disk.meta * BLOCK + disk.nid * 32
    img = disk.copy("inode.img", {inode + 8: b"\xff\xff\xff\xff"})
    c = shell(disk.arch, img, "verity=off")
    try:
        assert "error -16" in run(c, "cat data/victim"), c.log
        assert "error -16" in run(c, "stat data/victim"), c.log
        assert "the other file reads" in run(c, "cat data/other"), c.log
        still_running(c)
    finally:
        c.close(timeout=0)


def test_compressed_image_is_refused_with_a_reason(disk):
    """An lz4-compressed EROFS image is not read: the boot says why and
    goes on with the RAM layer."""
    img = str(disk.tmp / "lz4.img")
    subprocess.run(["mkfs.erofs", "--quiet", "-zlz4", "-T0", "--all-root", img,
                    small_tree(str(disk.tmp / "lz4tree"))], check=True, stdout=subprocess.DEVNULL)
    with open(img + ".cmdline", "w") as f:
        f.write("root=themelios-root\n")
    c = shell(disk.arch, img, "verity=off")
    try:
        assert re.search(r"root: vblk0 is an EROFS image with features this kernel does not "
                         r"read \(compression such as lz4", c.log), c.log
        assert re.search(r"^/\s+tmpfs\s+ram\b", run(c, "mounts"), re.M), c.log
        still_running(c)
    finally:
        c.close(timeout=0)
