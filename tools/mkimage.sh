#!/bin/sh
# Builds the root image: an EROFS filesystem of rootfs/ plus the built
# user programs in /bin, with a dm-verity hash tree after it on the same
# file (docs/storage.md).  Reproducible: fixed times, owners, UUIDs and
# salt.  Writes, next to the image, the kernel arguments that name it.
#
#   mkimage.sh OUT.img BIN_DIR [EXTRA_DIR [AT [MORE_BIN]]]
#
# EXTRA_DIR is copied as it is (cp -a: modes, links, special files) into
# the image's root, or into its directory AT (the tests put a tree under
# data/).  MORE_BIN's files and links go into /bin as they are (Debian's
# busybox and its applet links).  Owners become root (--all-root) whatever they were.
# OUT.cmdline gets "root=themelios-root verity.roothash=H
# verity.hashoffset=N"; the disk is attached with serial themelios-root.
set -eu
out=$1 bins=$2 extra=${3:-} at=${4:-} morebin=${5:-}
top=$(cd "$(dirname "$0")/.." && pwd)
stage="$out.d"

rm -rf "$stage"
mkdir -p "$stage"
cp -R "$top/rootfs/." "$stage/"
# /dev/shm for the Linux personality's shm_open (its /dev is synthetic
# but for this directory, which writes put in the RAM layer).
mkdir -p "$stage/dev/shm"
chmod 1777 "$stage/dev/shm"
mkdir -p "$stage/bin"
for f in "$bins"/*; do
	cp "$f" "$stage/bin/"
done
if [ -n "$morebin" ]; then
	cp -a "$morebin/." "$stage/bin/"
fi
if [ -n "$extra" ]; then
	mkdir -p "$stage/$at"
	cp -a "$extra/." "$stage/$at/"
fi

mkfs.erofs --quiet -T0 --all-root -U 6c7a3f10-0000-4000-8000-7468656d656c "$out.tmp" "$stage" >/dev/null
size=$(stat -c %s "$out.tmp")
blocks=$(( (size + 4095) / 4096 ))
truncate -s $((blocks * 4096)) "$out.tmp"
hash=$(veritysetup format --data-block-size=4096 --hash-block-size=4096 \
	--data-blocks="$blocks" --hash-offset=$((blocks * 4096)) \
	--salt=5468656d656c696f53616c74 --uuid=6c7a3f10-0000-4000-8000-746865726f6f \
	"$out.tmp" "$out.tmp" | awk '/^Root hash:/ { print $3 }')
[ -n "$hash" ] || { echo "mkimage.sh: veritysetup gave no root hash" >&2; exit 1; }
rm -rf "$stage"
mv "$out.tmp" "$out"
echo "root=themelios-root verity.roothash=$hash verity.hashoffset=$((blocks * 4096))" > "$out.cmdline"
