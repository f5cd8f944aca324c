#!/bin/sh
# Installs the Debian packages ThemeliOS needs to build, run and test,
# when any is missing.  As root it runs apt-get; otherwise it prints the
# exact command to run and fails.
set -eu

PACKAGES="make gcc binutils gawk
	grub-common grub-pc-bin grub-efi-amd64-bin xorriso mtools
	qemu-system-x86 ovmf
	gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm
	cpio python3 python3-pytest python3-pytest-xdist python3-pytest-timeout
	erofs-utils cryptsetup-bin libarchive-tools clang-format iproute2 wrk
	musl-tools qemu-user busybox-static"

# The aarch64 busybox-static of the Linux tests comes as an arm64 package
# (tests/linux/linux.mk downloads it, never installs it): apt must know
# the architecture.
if [ "$(id -u)" -eq 0 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
	dpkg --add-architecture arm64
	apt-get update -q
fi

missing=""
for p in $PACKAGES; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

echo "ThemeliOS needs these Debian packages:$missing" >&2
if [ "$(id -u)" -ne 0 ]; then
	echo "Run as root:  apt-get update && apt-get install -y$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
