# The Linux test programs (tests/linux/*.c, docs/linux.md): static
# binaries that run on the host and inside ThemeliOS, whose outputs must
# match.  x86_64 builds each with musl-gcc and with gcc (glibc); aarch64
# with aarch64-linux-gnu-gcc (glibc).  They go into the root image under
# /tests/linux as NAME.musl, NAME.glibc and NAME.pie.  Included by the
# Makefile.
LINUX_TEST_NAMES := $(basename $(notdir $(wildcard tests/linux/*.c)))
LINUX_TEST_DIR := $(BUILD)/linux-tests
LINUX_TEST_CFLAGS := -O2 -Wall -Wextra -Werror -std=gnu11
# NAME.pie: glibc again, as a static PIE (ET_DYN, no interpreter: it
# relocates itself), loaded at a random base with its break above the
# mappings.
ifeq ($(ARCH),x86_64)
LINUX_TEST_BINS := $(foreach n,$(LINUX_TEST_NAMES),$(LINUX_TEST_DIR)/$(n).musl $(LINUX_TEST_DIR)/$(n).glibc \
	$(LINUX_TEST_DIR)/$(n).pie)
$(LINUX_TEST_DIR)/%.musl: tests/linux/%.c tests/linux/common.h
	@mkdir -p $(dir $@)
	musl-gcc $(LINUX_TEST_CFLAGS) -static -o $@ $<
$(LINUX_TEST_DIR)/%.glibc: tests/linux/%.c tests/linux/common.h
	@mkdir -p $(dir $@)
	gcc $(LINUX_TEST_CFLAGS) -static -o $@ $<
$(LINUX_TEST_DIR)/%.pie: tests/linux/%.c tests/linux/common.h
	@mkdir -p $(dir $@)
	gcc $(LINUX_TEST_CFLAGS) -static-pie -o $@ $<
else
LINUX_TEST_BINS := $(foreach n,$(LINUX_TEST_NAMES),$(LINUX_TEST_DIR)/$(n).glibc $(LINUX_TEST_DIR)/$(n).pie)
$(LINUX_TEST_DIR)/%.glibc: tests/linux/%.c tests/linux/common.h
	@mkdir -p $(dir $@)
	aarch64-linux-gnu-gcc $(LINUX_TEST_CFLAGS) -static -o $@ $<
$(LINUX_TEST_DIR)/%.pie: tests/linux/%.c tests/linux/common.h
	@mkdir -p $(dir $@)
	aarch64-linux-gnu-gcc $(LINUX_TEST_CFLAGS) -static-pie -o $@ $<
endif
# make bench's Linux figures (tools/bench.py): in the image's
# /tests/linux/bench/, a directory that the test run passes over.
LINUX_CC_x86_64 := gcc
LINUX_CC_aarch64 := aarch64-linux-gnu-gcc
LINUX_BENCH_BINS := $(LINUX_TEST_DIR)/bench/getpid $(LINUX_TEST_DIR)/bench/procs \
	$(LINUX_TEST_DIR)/bench/shell
$(LINUX_TEST_DIR)/bench/%: tools/bench/%_linux.c
	@mkdir -p $(dir $@)
	$(LINUX_CC_$(ARCH)) $(LINUX_TEST_CFLAGS) -static -o $@ $<
LINUX_TEST_BINS += $(LINUX_BENCH_BINS)
# Programs only ThemeliOS runs (tests/linux/guest/, in the image's
# /tests/linux/guest/): the system-call fuzz, ctrlc, which test_linux.py
# drives through the console, an unbounded fork bomb, mremap's charges
# read from the pool, jobctl, hangup and cpu, compared with Linux in the
# peer guest, and the charges of queued signals.
LINUX_GUEST_BINS := $(LINUX_TEST_DIR)/guest/fuzz $(LINUX_TEST_DIR)/guest/ctrlc \
	$(LINUX_TEST_DIR)/guest/forkbomb $(LINUX_TEST_DIR)/guest/remap_charge \
	$(LINUX_TEST_DIR)/guest/jobctl $(LINUX_TEST_DIR)/guest/hangup \
	$(LINUX_TEST_DIR)/guest/sigq_charge $(LINUX_TEST_DIR)/guest/cpu
$(LINUX_TEST_DIR)/guest/%: tests/linux/guest/%.c tests/linux/common.h
	@mkdir -p $(dir $@)
	$(LINUX_CC_$(ARCH)) $(LINUX_TEST_CFLAGS) -static -o $@ $<
LINUX_TEST_BINS += $(LINUX_GUEST_BINS)
linux-tests: $(LINUX_TEST_BINS)
.PHONY: linux-tests

# Debian's busybox-static for the architecture (never committed): the
# package fetched by apt-get download (install-deps.sh installs the
# amd64 one on the host, the runner of the x86_64 comparison) and
# unpacked, with the applet links the shell tests need, into the root
# image's /bin (tests/system/test_busybox.py).
BUSYBOX_DEB_ARCH_x86_64 := amd64
BUSYBOX_DEB_ARCH_aarch64 := arm64
BUSYBOX_DIR := $(BUILD)/busybox
BUSYBOX_BIN := $(BUSYBOX_DIR)/bin/busybox
BUSYBOX_LINKS := sh cat printf test [ cmp seq wc head tail sort uniq tr cut grep sed awk \
	expr basename dirname true false env yes tee rev od md5sum sha256sum ls mkdir rm cp mv \
	touch xargs find tar gzip gunzip date sleep kill ps
$(BUSYBOX_BIN):
	@rm -rf $(BUSYBOX_DIR) && mkdir -p $(BUSYBOX_DIR)/bin
	cd $(BUSYBOX_DIR) && apt-get download -q busybox-static:$(BUSYBOX_DEB_ARCH_$(ARCH)) >/dev/null 2>&1 \
		|| { echo "apt-get download busybox-static:$(BUSYBOX_DEB_ARCH_$(ARCH)) failed" >&2; exit 1; }
	dpkg-deb -x $(BUSYBOX_DIR)/busybox-static_*.deb $(BUSYBOX_DIR)/deb
	cp $(BUSYBOX_DIR)/deb/bin/busybox $(BUSYBOX_DIR)/bin/busybox.tmp
	for l in $(BUSYBOX_LINKS); do ln -sf busybox $(BUSYBOX_DIR)/bin/$$l; done
	mv $(BUSYBOX_DIR)/bin/busybox.tmp $@
# The shell scripts it runs, in the image's /tests/linux/busybox/.
BUSYBOX_SCRIPTS := $(patsubst tests/linux/busybox/%,$(LINUX_TEST_DIR)/busybox/%,$(wildcard tests/linux/busybox/*.sh))
$(LINUX_TEST_DIR)/busybox/%.sh: tests/linux/busybox/%.sh
	@mkdir -p $(dir $@)
	cp $< $@
LINUX_TEST_BINS += $(BUSYBOX_SCRIPTS)
