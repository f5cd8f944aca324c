# User programs (user/*/), libthemelios (user/lib/) and the boot archive
# that carries them: a cpio newc file, init first.  Included by the Makefile.
USER_PROGS := init echo utest ubench netserve mtree fsbench
# Built apart (below): position-independent, without libthemelios.
PIE_PROGS := pie interp
# Programs only the root image carries (its /bin), not the boot archive.
IMAGE_ONLY_PROGS := mtree fsbench
BOOT_PROGS := $(filter-out $(IMAGE_ONLY_PROGS),$(USER_PROGS))
# Sources a program takes from lib/ besides libthemelios.
USER_SRCS_mtree := lib/sha256.c
USER_OBJ := $(BUILD)/user
USER_CFLAGS := -std=gnu11 $(WARN) -O2 -g -ffreestanding -fno-builtin \
	-fno-tree-loop-distribute-patterns -fstack-protector-strong -mstack-protector-guard=global \
	-fno-pic -fno-pie \
	-fno-asynchronous-unwind-tables -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
	-Iuser/lib -Iuser -I. -Iinclude -I$(GEN) -mgeneral-regs-only $(USER_ARCH_CFLAGS) -MMD -MP \
	$(EXTRA_USER_CFLAGS)
USER_LIB := user/lib/audit.c user/lib/printf.c user/lib/runtime.c user/lib/stack_guard.c lib/format.c lib/string.c \
	lib/strlcpy.c \
	user/lib/crt0_$(ARCH).S user/lib/note.S user/lib/syscall6_$(ARCH).S \
	user/lib/ipc_words_$(ARCH).S $(GEN)/usys.S
USER_LIB_OBJS := $(patsubst %,$(USER_OBJ)/%.o,$(basename $(USER_LIB)))

# The adversarial suite's cases and helpers come from one list.
$(GEN)/utest_cases.h: user/utest/cases.list tools/gen-utest.sh
	@mkdir -p $(GEN)
	tools/gen-utest.sh $< > $@.tmp
	mv $@.tmp $@

$(USER_OBJ)/%.o: %.c | $(GEN)/syscall_numbers.h $(GEN)/utest_cases.h
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -c $< -o $@
$(USER_OBJ)/%.o: %.S | $(GEN)/syscall_numbers.h
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -c $< -o $@
define user_program
$(USER_OBJ)/bin/$(1): $(patsubst %.c,$(USER_OBJ)/%.o,$(wildcard user/$(1)/*.c) $(USER_SRCS_$(1))) \
		$(USER_LIB_OBJS) user/lib/user.ld
	@mkdir -p $$(dir $$@)
	$$(LD) -nostdlib -static -z max-page-size=0x1000 -z noexecstack -T user/lib/user.ld \
		-o $$@ $$(filter %.o,$$^)
endef
$(foreach p,$(USER_PROGS),$(eval $(call user_program,$(p))))

# A static PIE: ET_DYN with no interpreter, no dynamic relocations (-z
# text and the check below), loaded at a random base.
PIE_CFLAGS := $(filter-out -fno-pic -fno-pie -fstack-protector-strong -mstack-protector-guard=global,\
	$(USER_CFLAGS)) -fpie -fvisibility=hidden -fno-stack-protector
define pie_object
$(USER_OBJ)/pie/$(1).o: user/$(1)/$(1).c | $(GEN)/syscall_numbers.h
	@mkdir -p $$(dir $$@)
	$$(CC) $$(PIE_CFLAGS) -c $$< -o $$@
endef
$(foreach p,$(PIE_PROGS),$(eval $(call pie_object,$(p))))
$(addprefix $(USER_OBJ)/bin/,$(PIE_PROGS)): $(USER_OBJ)/bin/%: $(USER_OBJ)/pie/%.o \
		$(USER_OBJ)/user/lib/note.o
	@mkdir -p $(dir $@)
	$(LD) -nostdlib -pie --no-dynamic-linker -z text -z max-page-size=0x1000 -z noexecstack \
		-z separate-code -e _start -o $@ $^
	@! $(CROSS)readelf -r $@ | grep -q 'R_'  || { echo "$*: relocations"; rm -f $@; exit 1; }

# Two files that are not programs, for the tests of the ELF loader.
$(USER_OBJ)/bin/notelf:
	@mkdir -p $(dir $@)
	printf 'This is not an ELF executable.\n' > $@
$(USER_OBJ)/bin/truncated: $(USER_OBJ)/bin/echo
	head -c 100 $< > $@
# Damaged copies of echo (tools/mkbadelf.py says how each is bad).
BAD_ELFS := wx execstack kernelseg huge overlap interp nointerp
$(addprefix $(USER_OBJ)/bin/bad-,$(BAD_ELFS)): $(USER_OBJ)/bin/bad-%: $(USER_OBJ)/bin/echo tools/mkbadelf.py
	tools/mkbadelf.py $* $< $@
USER_DATA := notelf truncated $(addprefix bad-,$(BAD_ELFS))

# PT_INTERP, for the root image only (interpreters are looked up in a
# Directory): utest through our interpreter, and programs whose
# interpreter is a loop, not ELF, of the other machine, or a directory.
$(USER_OBJ)/bin/utest-interp: $(USER_OBJ)/bin/utest tools/mkbadelf.py
	tools/mkbadelf.py interp=/bin/interp $< $@
$(USER_OBJ)/bin/interp-loop: $(USER_OBJ)/bin/interp tools/mkbadelf.py
	tools/mkbadelf.py interp=/bin/interp $< $@
$(USER_OBJ)/bin/interp-foreign: $(USER_OBJ)/bin/interp tools/mkbadelf.py
	tools/mkbadelf.py machine $< $@
$(USER_OBJ)/bin/bad-interp-loop: $(USER_OBJ)/bin/echo tools/mkbadelf.py
	tools/mkbadelf.py interp=/bin/interp-loop $< $@
$(USER_OBJ)/bin/bad-interp-notelf: $(USER_OBJ)/bin/echo tools/mkbadelf.py
	tools/mkbadelf.py interp=/bin/notelf $< $@
$(USER_OBJ)/bin/bad-interp-machine: $(USER_OBJ)/bin/echo tools/mkbadelf.py
	tools/mkbadelf.py interp=/bin/interp-foreign $< $@
$(USER_OBJ)/bin/bad-interp-dir: $(USER_OBJ)/bin/echo tools/mkbadelf.py
	tools/mkbadelf.py interp=/bin $< $@
IMAGE_DATA := utest-interp interp-loop interp-foreign bad-interp-loop bad-interp-notelf \
	bad-interp-machine bad-interp-dir
# The root image takes every file of bin/: these must be made first.
$(ROOT_IMG): $(addprefix $(USER_OBJ)/bin/,$(PIE_PROGS) $(USER_DATA) $(IMAGE_DATA))

$(INITRD): $(addprefix $(USER_OBJ)/bin/,$(BOOT_PROGS) $(PIE_PROGS) $(USER_DATA))
	cd $(USER_OBJ)/bin && printf '%s\n' $(BOOT_PROGS) $(PIE_PROGS) $(USER_DATA) | \
		cpio --quiet -o -H newc > $(abspath $@)

