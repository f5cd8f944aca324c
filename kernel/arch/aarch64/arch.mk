# aarch64: Debian's cross compiler (gcc-aarch64-linux-gnu).
CROSS := aarch64-linux-gnu-
ARCH_CFLAGS := -march=armv8-a -mgeneral-regs-only -mno-outline-atomics \
	-mcmodel=small -mstrict-align
ARCH_LDFLAGS := -z max-page-size=0x1000 -z noexecstack
# User programs: atomics inline (LSE-or-not helpers would need libgcc).
USER_ARCH_CFLAGS := -mno-outline-atomics
LDSCRIPT := kernel/arch/aarch64/linker.ld
# QEMU -kernel boots the flat Image, whose header is the first 64 bytes.
ARCH_IMAGE := $(BUILD)/kernel.bin

ARCH_SRCS := \
	kernel/arch/aarch64/boot.S \
	kernel/arch/aarch64/context.c \
	kernel/arch/aarch64/cpu.c \
	kernel/arch/aarch64/cpu_features.c \
	kernel/arch/aarch64/crash.c \
	kernel/arch/aarch64/fpu.S \
	kernel/arch/aarch64/idregs.c \
	kernel/arch/aarch64/interrupts.c \
	kernel/arch/aarch64/linux_signal.c \
	kernel/arch/aarch64/mmu.c \
	kernel/arch/aarch64/pci_host.c \
	kernel/arch/aarch64/percpu.c \
	kernel/arch/aarch64/port_io.c \
	kernel/arch/aarch64/rtc.c \
	kernel/arch/aarch64/start.c \
	kernel/arch/aarch64/switch.S \
	kernel/arch/aarch64/timer.c \
	kernel/arch/aarch64/trap.c \
	kernel/arch/aarch64/user.c \
	kernel/arch/aarch64/vectors.S \
	kernel/boot/fdt.c \
	kernel/dev/gicv3.c \
	kernel/dev/pl011.c \
	kernel/dev/pl031.c

$(ARCH_IMAGE): $(KERNEL)
	$(OBJCOPY) -O binary $< $@
