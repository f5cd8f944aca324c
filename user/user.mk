# User programs (user/*/), libthemelios (user/lib/) and the boot archive
# that carries them: a cpio newc file, init first.  Included by the Makefile.
USER_PROGS := init echo utest ubench netserve mtree fsbench
# Built apart (below): position-independent, without libthemelios.
PIE_PROGS := pie
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
$(USER_OBJ)/pie/%.o: user/pie/%.c | $(GEN)/syscall_numbers.h
	@mkdir -p $(dir $@)
	$(CC) $(PIE_CFLAGS) -c $< -o $@
$(USER_OBJ)/bin/pie: $(USER_OBJ)/pie/pie.o $(USER_OBJ)/user/lib/note.o
	@mkdir -p $(dir $@)
	$(LD) -nostdlib -pie --no-dynamic-linker -z text -z max-page-size=0x1000 -z noexecstack \
		-z separate-code -e _start -o $@ $^
	@! $(CROSS)readelf -r $@ | grep -q 'R_'  || { echo "pie: relocations"; rm -f $@; exit 1; }

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

$(INITRD): $(addprefix $(USER_OBJ)/bin/,$(BOOT_PROGS) $(PIE_PROGS) $(USER_DATA))
	cd $(USER_OBJ)/bin && printf '%s\n' $(BOOT_PROGS) $(PIE_PROGS) $(USER_DATA) | \
		cpio --quiet -o -H newc > $(abspath $@)

