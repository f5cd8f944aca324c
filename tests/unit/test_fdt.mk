UNIT_SRCS_test_fdt := kernel/boot/fdt.c lib/strlcpy.c
UNIT_DEPS_test_fdt := build/unit/virt-64M.dtb build/unit/virt-4G.dtb

# Real trees from QEMU's virt machine, as the aarch64 kernel receives them
# (-append needs a -kernel: a page of zeros, never run).
build/unit/zero.bin:
	@mkdir -p build/unit
	head -c 4096 /dev/zero > $@
build/unit/virt-64M.dtb: build/unit/zero.bin
	qemu-system-aarch64 -machine virt,gic-version=3,dumpdtb=$@ -cpu cortex-a72 \
		-m 64M -kernel $< -append "test loglevel=2" -display none 2>/dev/null
build/unit/virt-4G.dtb: build/unit/zero.bin
	qemu-system-aarch64 -machine virt,gic-version=3,dumpdtb=$@ -cpu cortex-a72 \
		-m 4G -kernel $< -display none 2>/dev/null
