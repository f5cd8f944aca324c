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
LINUX_BENCH_BINS := $(LINUX_TEST_DIR)/bench/getpid
$(LINUX_TEST_DIR)/bench/%: tools/bench/%_linux.c
	@mkdir -p $(dir $@)
	$(LINUX_CC_$(ARCH)) $(LINUX_TEST_CFLAGS) -static -o $@ $<
LINUX_TEST_BINS += $(LINUX_BENCH_BINS)
# Programs only ThemeliOS runs (tests/linux/guest/, in the image's
# /tests/linux/guest/): the system-call fuzz.
LINUX_GUEST_BINS := $(LINUX_TEST_DIR)/guest/fuzz
$(LINUX_TEST_DIR)/guest/%: tests/linux/guest/%.c
	@mkdir -p $(dir $@)
	$(LINUX_CC_$(ARCH)) $(LINUX_TEST_CFLAGS) -static -o $@ $<
LINUX_TEST_BINS += $(LINUX_GUEST_BINS)
linux-tests: $(LINUX_TEST_BINS)
.PHONY: linux-tests
