# x86_64: the host's gcc and binutils build the kernel.
CROSS :=
ARCH_CFLAGS := -m64 -march=x86-64 -mcmodel=kernel -mno-red-zone \
	-mgeneral-regs-only -mno-mmx -mno-sse -mno-sse2 -mno-80387
ARCH_LDFLAGS := -z max-page-size=0x1000 -z noexecstack
LDSCRIPT := kernel/arch/x86_64/linker.ld

ARCH_SRCS := \
	kernel/arch/x86_64/boot.S \
	kernel/arch/x86_64/cpu.c \
	kernel/arch/x86_64/cpu_features.c \
	kernel/arch/x86_64/fw_cfg_port.c \
	kernel/arch/x86_64/start.c \
	kernel/boot/multiboot2.c \
	kernel/dev/fw_cfg.c \
	kernel/dev/uart16550.c
# Traps, interrupt controllers, time and serial input (docs/interrupts.md).
ARCH_SRCS += \
	kernel/arch/x86_64/crash.c \
	kernel/arch/x86_64/gdt.c \
	kernel/arch/x86_64/interrupts.c \
	kernel/arch/x86_64/ioapic.c \
	kernel/arch/x86_64/ktest_fpu.c \
	kernel/arch/x86_64/ktest_serial.c \
	kernel/arch/x86_64/lapic.c \
	kernel/arch/x86_64/pic.c \
	kernel/arch/x86_64/platform.c \
	kernel/arch/x86_64/port_io.c \
	kernel/arch/x86_64/rtc.c \
	kernel/arch/x86_64/serial.c \
	kernel/arch/x86_64/setjmp.S \
	kernel/arch/x86_64/timer.c \
	kernel/arch/x86_64/trap.c \
	kernel/arch/x86_64/trap_entry.S \
	kernel/dev/acpi.c \
	kernel/dev/rtc_cmos.c
# User mode: SYSCALL/SYSRET, SMEP/SMAP, FPU state.
ARCH_SRCS += \
	kernel/arch/x86_64/fpu.c \
	kernel/arch/x86_64/linux_signal.c \
	kernel/arch/x86_64/syscall_entry.S \
	kernel/arch/x86_64/user.c
# Memory management, threads and power.
ARCH_SRCS += \
	kernel/arch/x86_64/context.c \
	kernel/arch/x86_64/mmu.c \
	kernel/arch/x86_64/pci_host.c \
	kernel/arch/x86_64/percpu.c \
	kernel/arch/x86_64/power.c \
	kernel/arch/x86_64/switch.S
