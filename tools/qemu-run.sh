#!/bin/sh
# Boots ThemeliOS in QEMU.  Used by `make run`, `make debug` and the
# system tests, so all of them see the same machine.
#
#   qemu-run.sh [--arch x86_64|aarch64] [--firmware bios|uefi] [--mem SIZE]
#               [--cmdline "words"] [--root IMAGE|none] [--hostfwd H:G]...
#               [--gdb] [--test] [-- extra QEMU args]
#
# --hostfwd H:G gives the machine a virtio-net NIC on QEMU's user
# networking (restrict=on: it reaches nothing outside; DHCP from QEMU)
# and forwards TCP port H of 127.0.0.1 to its port G.  Without it the
# machine has no NIC (-nic none), unless extra QEMU args give one.
#
# The root image (build/ARCH/root.img, `make image`) is attached as a
# read-only virtio disk with serial themelios-root unless --root none;
# its kernel arguments (root hash, hash offset) come from IMAGE.cmdline
# (on x86_64 GRUB's entry carries them too).
#
# The serial console is on this terminal; Ctrl-A X quits QEMU.  When
# standard input is not a terminal, it is still the serial input
# (`printf 'help\r' | make run` types into the shell), and QEMU is
# stopped after RUN_SECONDS (default 20) so an unattended run ends by
# itself.
set -eu

arch=x86_64 firmware=bios mem=128M cmdline="" gdb=0 test=0 root=default fwds=
while [ $# -gt 0 ]; do
	case "$1" in
	--arch) arch=$2; shift 2 ;;
	--firmware) firmware=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--cmdline) cmdline=$2; shift 2 ;;
	--root) root=$2; shift 2 ;;
	--hostfwd) fwds="$fwds,hostfwd=tcp:127.0.0.1:${2%%:*}-:${2#*:}"; shift 2 ;;
	--gdb) gdb=1; shift ;;
	--test) test=1; shift ;;
	--) shift; break ;;
	*) echo "qemu-run.sh: unknown option $1" >&2; exit 2 ;;
	esac
done

top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/build/$arch"

[ "$root" = default ] && root="$build/root.img"
if [ "$root" != none ]; then
	if [ ! -f "$root" ]; then
		echo "qemu-run.sh: no root image $root (make image)" >&2
		exit 2
	fi
	# The image's arguments first: the caller's may override them.
	cmdline="$(cat "$root.cmdline") $cmdline"
	set -- -drive "file=$root,if=none,id=root,format=raw,readonly=on" \
		-device virtio-blk-pci,drive=root,serial=themelios-root "$@"
fi

if [ -n "$fwds" ]; then
	set -- -netdev "user,id=net0,restrict=on$fwds" -device virtio-net-pci,netdev=net0 "$@"
fi

if [ -t 0 ] && [ "$test" = 0 ]; then
	serial="mon:stdio"
else
	serial="stdio"
fi

case "$arch" in
x86_64)
	set -- -machine q35 -cpu max -m "$mem" -smp 1 \
		-display none -vga none -serial "$serial" -monitor none -no-reboot -nic none \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-cdrom "$build/themelios.iso" -boot d "$@"
	if [ -n "$cmdline" ]; then
		# QEMU's option syntax: a comma in a value is written twice.
		set -- "$@" -fw_cfg "name=opt/themelios/cmdline,string=$(printf '%s' "$cmdline" | sed 's/,/,,/g')"
	fi
	if [ "$firmware" = uefi ]; then
		vars=$(mktemp /tmp/themelios-ovmf-vars.XXXXXX)
		trap 'rm -f "$vars"' EXIT
		cp /usr/share/OVMF/OVMF_VARS_4M.fd "$vars"
		set -- -drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd \
			-drive if=pflash,format=raw,file="$vars" "$@"
	fi
	qemu=qemu-system-x86_64
	;;
aarch64)
	set -- -machine virt,gic-version=3 -cpu max -m "$mem" -smp 1 \
		-display none -serial "$serial" -monitor none -no-reboot -nic none \
		-semihosting-config enable=on,target=native \
		-kernel "$build/kernel.bin" -initrd "$build/initrd.cpio" -append "$cmdline" "$@"
	qemu=qemu-system-aarch64
	;;
*)
	echo "qemu-run.sh: unknown arch $arch" >&2
	exit 2
	;;
esac

if [ "$gdb" = 1 ]; then
	echo "QEMU waits for gdb on localhost:1234.  In another terminal:" >&2
	echo "  gdb $build/kernel.elf -ex 'target remote localhost:1234'" >&2
	set -- -s -S "$@"
fi

if [ -t 0 ] || [ "$test" = 1 ]; then
	exec "$qemu" "$@"
fi
secs=${RUN_SECONDS:-20}
echo "(standard input is not a terminal: it is the serial input; QEMU stops after $secs s)" >&2
status=0
timeout --foreground "$secs" "$qemu" "$@" || status=$?
[ "$status" = 124 ] && status=0
exit "$status"
