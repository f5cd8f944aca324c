# The arch-neutral kernel sources; each arch adds its own in arch.mk.
KERNEL_SRCS := \
	kernel/boot/boot_info.c \
	kernel/boot/boot_summary.c \
	kernel/core/backtrace.c \
	kernel/core/cmdline.c \
	kernel/core/console.c \
	kernel/core/irqs_off.c \
	kernel/core/ksyms.c \
	kernel/core/main.c \
	kernel/core/panic.c \
	kernel/core/printk.c \
	kernel/core/random.c \
	kernel/core/stack_guard.c \
	lib/chacha20.c \
	lib/format.c \
	lib/string.c \
	lib/strlcpy.c
# Faults, interrupts and time (docs/interrupts.md).
KERNEL_SRCS += \
	kernel/core/console_rx.c \
	kernel/core/fault.c \
	kernel/core/irq.c \
	kernel/core/time.c \
	kernel/core/wall_clock.c \
	lib/civil_time.c \
	kernel/core/timer_queue.c \
	kernel/ktest/test_interrupts.c \
	lib/ring.c
# Memory, scheduler, shell and in-kernel tests.
KERNEL_SRCS += \
	kernel/core/bench.c \
	kernel/core/console_input.c \
	kernel/ktest/ktest.c \
	kernel/ktest/test_heap.c \
	kernel/ktest/test_memory.c \
	kernel/ktest/test_sched.c \
	kernel/mm/frame_bitmap.c \
	kernel/mm/heap.c \
	kernel/mm/kmalloc.c \
	kernel/mm/pagetable.c \
	kernel/mm/page_ref.c \
	kernel/mm/pmm.c \
	kernel/mm/vm_space.c \
	kernel/mm/vmm.c \
	kernel/sched/cputime.c \
	kernel/sched/mutex.c \
	kernel/sched/run_queue.c \
	kernel/sched/sched.c \
	lib/cputime.c \
	kernel/shell/line_editor.c
# The debug shell; `make CONFIG_SHELL=0` leaves it out.
CONFIG_SHELL ?= 1
ifeq ($(CONFIG_SHELL),1)
KERNEL_SRCS += kernel/shell/shell.c
endif
# Kernel objects, one file per type (docs/capabilities.md).
KERNEL_SRCS += \
	kernel/object/address_space.c \
	kernel/object/console.c \
	kernel/object/cspace.c \
	kernel/object/device_control.c \
	kernel/object/endpoint.c \
	kernel/object/frames.c \
	kernel/object/io_ports.c \
	kernel/object/irq.c \
	kernel/object/memory.c \
	kernel/object/notification.c \
	kernel/object/pipe.c \
	kernel/object/object.c \
	kernel/object/ops.c \
	kernel/object/process.c \
	kernel/object/readiness.c \
	kernel/object/release.c \
	kernel/object/reply.c \
	kernel/object/thread.c
# User mode: processes, capabilities, IPC and system calls (Phase 2).
KERNEL_SRCS += \
	kernel/cap/cap.c \
	kernel/cap/cdt.c \
	kernel/cap/cspace.c \
	kernel/cap/lock.c \
	kernel/core/device_control.c \
	kernel/core/resource.c \
	kernel/boot/cpio.c \
	kernel/ipc/fastpath.c \
	kernel/ipc/ipc.c \
	kernel/proc/audit.c \
	kernel/proc/boot_archive.c \
	kernel/proc/elf.c \
	kernel/proc/exec.c \
	kernel/proc/initstack.c \
	kernel/proc/program_file.c \
	kernel/proc/init.c \
	kernel/proc/region.c \
	kernel/proc/uaccess.c \
	kernel/proc/user_memory.c \
	kernel/syscall/syscall.c \
	kernel/syscall/sys_address_space.c \
	kernel/syscall/sys_cap.c \
	kernel/syscall/sys_device.c \
	kernel/syscall/sys_ipc.c \
	kernel/syscall/sys_memory.c \
	kernel/syscall/sys_fs.c \
	kernel/syscall/sys_socket.c \
	kernel/syscall/sys_misc.c \
	kernel/syscall/sys_object.c \
	kernel/syscall/sys_process.c \
	kernel/syscall/sys_thread.c
# Devices (docs/devices.md): PCI, DMA memory, the virtio core, virtio-blk.
KERNEL_SRCS += \
	kernel/dev/block.c \
	kernel/dev/block_bench.c \
	kernel/dev/dma.c \
	kernel/dev/pci/pci.c \
	kernel/dev/pci/pci_cap.c \
	kernel/dev/pci/pci_drivers.c \
	kernel/dev/pci/pci_irq.c \
	kernel/dev/pci/pci_msix.c \
	kernel/dev/virtio/virtio_blk.c \
	kernel/dev/virtio/virtio_net.c \
	kernel/dev/virtio/virtio_pci.c \
	kernel/dev/virtio/virtqueue.c \
	kernel/ktest/test_page_cache.c \
	kernel/ktest/test_pci.c \
	kernel/ktest/test_virtio_blk.c
# Storage (docs/storage.md): pure libraries, nothing calls them yet; built
# so that they stay freestanding and warning-free under the kernel's flags.
KERNEL_SRCS += \
	kernel/fs/erofs.c \
	kernel/fs/erofs_vnode.c \
	kernel/fs/fs_env.c \
	kernel/fs/overlay.c \
	kernel/fs/tmpfs.c \
	kernel/fs/vnode.c \
	kernel/fs/vfs.c \
	kernel/fs/rootfs.c \
	kernel/shell/fs_commands.c \
	kernel/fs/ncache.c \
	kernel/fs/verity_dev.c \
	kernel/object/file.c \
	kernel/object/directory.c \
	kernel/mm/page_cache.c \
	kernel/mm/vm_file.c \
	kernel/dev/block_cache.c \
	kernel/fs/verity.c \
	lib/crc32c.c \
	lib/sha256.c
# Networking (docs/network.md): the protocol layer, interfaces, the
# receive and send paths, UDP endpoints and DHCP.
KERNEL_SRCS += \
	kernel/ktest/test_net.c \
	kernel/net/arp.c \
	kernel/net/arp_cache.c \
	kernel/net/checksum.c \
	kernel/net/dhcp.c \
	kernel/net/dhcp_client.c \
	kernel/net/ethernet.c \
	kernel/net/icmp.c \
	kernel/net/ip_input.c \
	kernel/net/ip_output.c \
	kernel/net/ip_reassembly.c \
	kernel/net/ipv4.c \
	kernel/net/loopback.c \
	kernel/net/net.c \
	kernel/net/netif.c \
	kernel/net/route.c \
	kernel/net/udp.c \
	kernel/net/udp_echo.c \
	kernel/net/tcp_net.c \
	kernel/object/network.c \
	kernel/object/port.c \
	kernel/object/socket.c \
	kernel/net/udp_table.c
# TCP (docs/network.md): a pure engine, listed once for the kernel and
# the host tests.
NET_TCP_SRCS := \
	kernel/net/tcp_autotune.c \
	kernel/net/tcp_buf.c \
	kernel/net/tcp_cc.c \
	kernel/net/tcp_conn.c \
	kernel/net/tcp_header.c \
	kernel/net/tcp_input.c \
	kernel/net/tcp_isn.c \
	kernel/net/tcp_listen.c \
	kernel/net/tcp_output.c \
	kernel/net/tcp_reass.c \
	kernel/net/tcp_table.c \
	kernel/net/tcp_timer.c
KERNEL_SRCS += $(NET_TCP_SRCS)
# The Linux personality (docs/linux.md): one file per family of calls.
KERNEL_SRCS += \
	kernel/linux/cputime.c \
	kernel/linux/devfs.c \
	kernel/linux/dispatch.c \
	kernel/linux/errno.c \
	kernel/linux/exec.c \
	kernel/linux/family.c \
	kernel/linux/fdtable.c \
	kernel/linux/file.c \
	kernel/linux/fork.c \
	kernel/linux/fs.c \
	kernel/linux/futex.c \
	kernel/linux/io.c \
	kernel/linux/misc.c \
	kernel/linux/mm.c \
	kernel/linux/path.c \
	kernel/linux/personality.c \
	kernel/linux/pipe.c \
	kernel/linux/poll.c \
	kernel/linux/proc.c \
	kernel/linux/procfs.c \
	kernel/linux/shared.c \
	kernel/linux/shebang.c \
	kernel/linux/signal.c \
	kernel/linux/sigpending.c \
	kernel/linux/synth.c \
	kernel/linux/timer.c \
	kernel/linux/thread.c \
	kernel/linux/tty.c \
	kernel/linux/wait.c
