# ThemeliOS build.  `make help` lists the targets.
ARCH ?= x86_64
FIRMWARE ?= bios
MEM ?= 128M
CMDLINE ?=
TEST_ARCHES ?= x86_64 aarch64

BUILD := build/$(ARCH)
OBJ := $(BUILD)/obj
KERNEL := $(BUILD)/kernel.elf
GEN := $(BUILD)/gen
ISO := $(BUILD)/themelios.iso
ROOT_IMG := $(BUILD)/root.img

ifeq ($(wildcard kernel/arch/$(ARCH)/arch.mk),)
$(error unknown ARCH=$(ARCH): expected x86_64 or aarch64)
endif
# The included files define rules; plain `make` must still mean `all`.
.DEFAULT_GOAL := all
include kernel/kernel.mk
include kernel/arch/$(ARCH)/arch.mk

CC := $(CROSS)gcc
LD := $(CROSS)ld
NM := $(CROSS)nm
OBJCOPY := $(CROSS)objcopy

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
KERNEL_CFLAGS := -std=gnu11 $(WARN) -O2 -g -ffreestanding -fno-builtin \
	-fno-tree-loop-distribute-patterns -fstack-protector-strong -mstack-protector-guard=global \
	-fno-pic -fno-pie \
	-fno-omit-frame-pointer -fno-asynchronous-unwind-tables -fno-common \
	-nostdinc -isystem $(shell $(CC) -print-file-name=include) \
	-Ikernel -I. -Iinclude -Ikernel/arch/$(ARCH)/include -I$(GEN) \
	-DHEAP_DEBUG -DCONFIG_SHELL=$(CONFIG_SHELL) $(ARCH_CFLAGS) -MMD -MP
KERNEL_LDFLAGS := -nostdlib -static -T $(LDSCRIPT) $(ARCH_LDFLAGS)

OBJS := $(patsubst %,$(OBJ)/%.o,$(basename $(KERNEL_SRCS) $(ARCH_SRCS) $(GEN)/syscall_table.c))
INITRD := $(BUILD)/initrd.cpio

.PHONY: all kernel iso image run debug test unit fuzz systest soak bench clean deps help format
# ARCH_IMAGE is what QEMU boots when it is not the ELF (arm64 Image).
all: deps kernel $(if $(filter x86_64,$(ARCH)),iso)

kernel: $(KERNEL) $(ARCH_IMAGE) $(INITRD) $(ROOT_IMG)
iso: $(ISO)

deps:
	@tools/install-deps.sh

# The system-call ABI comes from one list (tools/gen-syscalls.sh).
SYSCALLS := include/themelios/syscalls.list
$(GEN)/syscall_numbers.h: $(SYSCALLS) tools/gen-syscalls.sh
	@mkdir -p $(GEN)
	tools/gen-syscalls.sh numbers $< > $@
$(GEN)/syscall_handlers.h: $(SYSCALLS) tools/gen-syscalls.sh
	@mkdir -p $(GEN)
	tools/gen-syscalls.sh handlers $< > $@
$(GEN)/syscall_table.c: $(SYSCALLS) tools/gen-syscalls.sh
	@mkdir -p $(GEN)
	tools/gen-syscalls.sh table $< > $@
$(GEN)/usys.S: $(SYSCALLS) tools/gen-syscalls.sh
	@mkdir -p $(GEN)
	tools/gen-syscalls.sh stubs $(ARCH) $< > $@
$(OBJS): | $(GEN)/syscall_numbers.h $(GEN)/syscall_handlers.h

$(OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(OBJ)/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(KERNEL_CFLAGS) -D__ASSEMBLY__ -c $< -o $@

# Two links: the first gives the function addresses, the second embeds
# them.  The table sits after .text, so the addresses cannot move; the
# comparison proves it.
$(KERNEL): $(OBJS) $(LDSCRIPT) tools/gen-ksyms.sh
	@mkdir -p $(BUILD)
	tools/gen-ksyms.sh > $(BUILD)/ksyms0.S
	$(CC) $(KERNEL_CFLAGS) -c $(BUILD)/ksyms0.S -o $(BUILD)/ksyms0.o
	$(LD) $(KERNEL_LDFLAGS) -o $(BUILD)/kernel.pass1 $(OBJS) $(BUILD)/ksyms0.o
	$(NM) -n $(BUILD)/kernel.pass1 > $(BUILD)/kernel.pass1.nm
	tools/gen-ksyms.sh $(BUILD)/kernel.pass1.nm > $(BUILD)/ksyms.S
	$(CC) $(KERNEL_CFLAGS) -c $(BUILD)/ksyms.S -o $(BUILD)/ksyms.o
	$(LD) $(KERNEL_LDFLAGS) -o $@ $(OBJS) $(BUILD)/ksyms.o
	$(NM) -n $@ | grep -i ' [tw] ' > $(BUILD)/kernel.nm.text
	grep -i ' [tw] ' $(BUILD)/kernel.pass1.nm | cmp -s - $(BUILD)/kernel.nm.text || \
		{ echo "ksyms: text moved between link passes"; rm -f $@; exit 1; }

include user/user.mk

# The root image (tools/mkimage.sh): rootfs/ and the user programs as
# EROFS with a dm-verity tree; its root hash goes into the ISO's GRUB
# entry, and tools/qemu-run.sh attaches it as a read-only virtio disk.
ROOTFS_FILES := $(shell find rootfs -type f -o -type l)
include tests/linux/linux.mk
image: $(ROOT_IMG)
$(ROOT_IMG): $(addprefix $(USER_OBJ)/bin/,$(USER_PROGS)) $(ROOTFS_FILES) tools/mkimage.sh \
		$(LINUX_TEST_BINS) $(BUSYBOX_BIN)
	@mkdir -p $(LINUX_TEST_DIR)
	tools/mkimage.sh $@ $(USER_OBJ)/bin $(LINUX_TEST_DIR) tests/linux $(BUSYBOX_DIR)/bin

$(ISO): $(KERNEL) $(INITRD) tools/grub.cfg $(ROOT_IMG)
	@rm -rf $(BUILD)/iso
	@mkdir -p $(BUILD)/iso/boot/grub
	sed "s|@ROOT@|$$(cat $(ROOT_IMG).cmdline)|" tools/grub.cfg > $(BUILD)/iso/boot/grub/grub.cfg
	cp $(KERNEL) $(BUILD)/iso/boot/kernel.elf
	cp $(INITRD) $(BUILD)/iso/boot/initrd.cpio
	grub-mkrescue -o $@ $(BUILD)/iso 2> $(BUILD)/grub-mkrescue.log || \
		{ cat $(BUILD)/grub-mkrescue.log; exit 1; }

# The node's HTTP and echo services (user/netserve) on 127.0.0.1 of the host.
HTTP_PORT ?= 8080
ECHO_PORT ?= 8007
run: all
	@tools/qemu-run.sh --arch $(ARCH) --firmware $(FIRMWARE) --mem $(MEM) --cmdline "$(CMDLINE)" \
		--hostfwd $(HTTP_PORT):80 --hostfwd $(ECHO_PORT):7

debug: all
	@tools/qemu-run.sh --arch $(ARCH) --firmware $(FIRMWARE) --mem $(MEM) --cmdline "$(CMDLINE)" --gdb

# ---- host unit tests (ASan + UBSan) ----
HOSTCC ?= gcc
HOST_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -g -O1 \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -Ikernel -I. -Iinclude -Itests/unit -DHOST_TEST
UNIT_NAMES := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))
UNIT_BINS := $(addprefix build/unit/,$(UNIT_NAMES))
-include $(wildcard tests/unit/*.mk)

.SECONDEXPANSION:
build/unit/test_%: tests/unit/test_%.c tests/unit/unit.h $$(UNIT_SRCS_test_$$*) $$(UNIT_DEPS_test_$$*)
	@mkdir -p build/unit
	$(HOSTCC) $(HOST_CFLAGS) $(UNIT_CFLAGS_test_$*) -o $@ $< $(UNIT_SRCS_test_$*)
	@# One rule per source: -MMD in a compile-and-link would keep only the last.
	@$(HOSTCC) $(HOST_CFLAGS) $(UNIT_CFLAGS_test_$*) -MM -MP -MT $@ $< $(UNIT_SRCS_test_$*) > $@.d

unit: $(UNIT_BINS)

# ---- libFuzzer targets (clang; not part of make test) ----
# build/fuzz/fuzz_erofs build/fuzz/corpus runs it; `make fuzz` also
# seeds the corpus with a few mkfs.erofs images.
FUZZ_CC ?= clang
FUZZ_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -g -O1 \
	-fsanitize=fuzzer,address,undefined -Ikernel -I. -Iinclude
fuzz: build/fuzz/fuzz_erofs build/fuzz/corpus build/fuzz/fuzz_dhcp build/fuzz/fuzz_tcp build/fuzz/fuzz_elf
# build/fuzz/fuzz_elf: the ELF reader; test_elf_fuzz runs it in make test.
build/fuzz/fuzz_elf: tests/fuzz/fuzz_elf.c kernel/proc/elf.c kernel/proc/elf.h
	@mkdir -p build/fuzz
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_elf.c kernel/proc/elf.c lib/string.c
build/fuzz/fuzz_dhcp: tests/fuzz/fuzz_dhcp.c kernel/net/dhcp.c kernel/net/dhcp.h
	@mkdir -p build/fuzz
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_dhcp.c kernel/net/dhcp.c lib/string.c
# build/fuzz/fuzz_tcp runs with no corpus; test_net_tcp_fuzz runs it on
# random inputs in make test.
build/fuzz/fuzz_tcp: tests/fuzz/fuzz_tcp.c $(NET_TCP_SRCS) kernel/net/checksum.c lib/chacha20.c
	@mkdir -p build/fuzz
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(filter %.c,$^)
build/fuzz/fuzz_erofs: tests/fuzz/fuzz_erofs.c kernel/fs/erofs.c kernel/fs/erofs.h lib/crc32c.c
	@mkdir -p build/fuzz
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_erofs.c kernel/fs/erofs.c lib/crc32c.c
build/fuzz/corpus:
	@mkdir -p $@ build/fuzz/seed/d
	echo hello > build/fuzz/seed/f; ln -sf f build/fuzz/seed/l
	for i in 1 2 3 4 5 6 7 8 9; do echo $$i > build/fuzz/seed/d/name$$i; done
	mkfs.erofs --quiet -T0 $@/plain build/fuzz/seed >/dev/null
	mkfs.erofs --quiet -T0 --chunksize=4096 $@/chunks build/fuzz/seed >/dev/null
	mkfs.erofs --quiet -T0 -E force-inode-extended,noinline_data $@/extended build/fuzz/seed >/dev/null

# ---- the whole suite: host unit tests and QEMU system tests ----
# Every case has a time limit (pytest.ini, pytest-timeout); the slowest
# are listed at the end.
test: deps unit
	@for a in $(TEST_ARCHES); do $(MAKE) --no-print-directory ARCH=$$a kernel $$( [ $$a = x86_64 ] && echo iso ) || exit 1; done
	THEMELIOS_ARCHES="$(TEST_ARCHES)" /usr/bin/python3 -m pytest -n 2 -q -p no:cacheprovider --durations=15 tests

# The lossy wire at the issue's sizes (32 MiB each way, a 10 s cut):
# many minutes under TCG, so not part of make test.
soak: deps
	@for a in $(TEST_ARCHES); do $(MAKE) --no-print-directory ARCH=$$a kernel $$( [ $$a = x86_64 ] && echo iso ) || exit 1; done
	THEMELIOS_SOAK=1 THEMELIOS_ARCHES="$(TEST_ARCHES)" /usr/bin/python3 -m pytest -s -q -p no:cacheprovider tests/system/test_lossy_wire.py -k "echo_through or cuts_of"

bench: all
	@/usr/bin/python3 tools/bench.py $(ARCH)

clean:
	rm -rf build

# Formatting is .clang-format's to settle (tests/test_format.py checks it).
FORMAT_SRCS = $(shell find kernel lib user include tests/unit tests/fuzz -name '*.[ch]')
format:
	clang-format -i --style=file $(FORMAT_SRCS)

help:
	@echo "make [ARCH=x86_64|aarch64]  build the kernel (and the ISO on x86_64)"
	@echo "make run [FIRMWARE=bios|uefi] [MEM=128M] [CMDLINE='...']  boot in QEMU"
	@echo "make debug                   boot, QEMU waits for gdb on :1234"
	@echo "make image                   the verified root image (EROFS + dm-verity)"
	@echo "make test                    host unit tests + QEMU system tests"
	@echo "make soak                    the lossy wire at full size (32 MiB, 10 s cut; long)"
	@echo "make bench                   figures: kernel paths, storage and network vs Linux"
	@echo "make fuzz                    libFuzzer targets (clang), not run by make test"
	@echo "make format                  apply .clang-format to every C file"
	@echo "make clean                   remove build/"

-include $(OBJS:.o=.d) $(UNIT_BINS:=.d) $(wildcard $(USER_OBJ)/*/*/*.d)
