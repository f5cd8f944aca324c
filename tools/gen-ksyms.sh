#!/bin/sh
# Turns `nm -n` output of the kernel into an assembly symbol table
# (text symbols only, sorted by address) for kernel/core/ksyms.c.
# Usage: gen-ksyms.sh [nm-output-file] > ksyms.S   (no file: an empty table)
set -eu
input=${1:-/dev/null}
awk 'BEGIN { n = 0 }
	# Linker markers start with __, but __stack_chk_fail is code.
	$2 ~ /^[TtWw]$/ && $3 !~ /^\.L/ && ($3 !~ /^__/ || $3 == "__stack_chk_fail") {
		addr[n] = $1; name[n] = $3; n++
	}
	END {
		print "\t.section .ksyms, \"a\""
		print "\t.balign 8"
		print "\t.global ksyms_table_count, ksyms_addrs, ksyms_name_offsets, ksyms_names"
		printf "ksyms_table_count:\n\t.quad %d\n", n + 0
		print "ksyms_addrs:"
		for (i = 0; i < n; i++) printf "\t.quad 0x%s\n", addr[i]
		print "ksyms_name_offsets:"
		off = 0
		for (i = 0; i < n; i++) { printf "\t.long %d\n", off; off += length(name[i]) + 1 }
		print "ksyms_names:"
		for (i = 0; i < n; i++) printf "\t.asciz \"%s\"\n", name[i]
	}
' "$input"
