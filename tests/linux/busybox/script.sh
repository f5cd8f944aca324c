# Run by busybox sh inside ThemeliOS and on Linux (tests/system/test_busybox.py):
# the two outputs must be the same.  No pids, times or absolute paths.
echo "start"
trap 'echo "exit trap ran"' EXIT
# A fresh directory of its own (the host runs it in a temporary one).
mkdir -p work && cd work || exit 1
# Arithmetic and loops.
i=0
sum=0
while [ $i -lt 100 ]; do
	sum=$((sum + i * i))
	i=$((i + 1))
done
echo "sum of squares: $sum"
for w in alpha beta gamma; do printf '%s=%d\n' "$w" "${#w}"; done
# Functions, case, local.
f() {
	local x="$1"
	case "$x" in
	a*) echo "starts with a: $x" ;;
	*) echo "other: $x" ;;
	esac
}
f apple
f pear
# Subshells and their exit status.
(exit 3)
echo "subshell status $?"
x=outer
(x=inner; echo "in subshell: $x")
echo "after subshell: $x"
# Command substitution.
n=$(echo one two three | wc -w)
echo "words: $n"
# Pipelines.
printf 'b\na\nc\nb\n' | sort | uniq -c | sed 's/^ *//'
seq 1 1000 | tail -n 3
seq 1 5000 | wc -l
echo "hello world" | tr a-z A-Z | rev
# Here-documents.
cat <<END
here-doc line 1
value of sum: $sum
END
cat <<'END'
quoted: $sum stays
END
# Redirections.
echo "to a file" > bb.out
echo "appended" >> bb.out
cat bb.out
wc -l < bb.out
echo "to stderr" 1>&2
{ echo "grouped 1"; echo "grouped 2"; } | cat
ls /nonexistent 2>err.txt || echo "ls failed as expected"
cat err.txt
rm err.txt
rm bb.out
[ -e bb.out ] || echo "removed"
# A big pipeline transfer.
seq 1 20000 | awk '{ s += $1 } END { print "awk sum", s }'
seq 1 3000 | grep 7 | wc -l
# Files: mkdir, cp, mv, find, tar, gzip, sha256sum.
mkdir -p d/sub
for i in 1 2 3; do echo "file $i" > d/f$i.txt; done
cp d/f1.txt d/sub/copy.txt
mv d/f3.txt d/sub/moved.txt
find d -type f | sort
# (xargs is left out: under qemu-aarch64, the oracle, its execve of
# /proc/self/exe fails.)
find d -name '*.txt' | sort | while read -r f; do cat "$f"; done
tar cf d.tar d
tar tf d.tar | sort
seq 1 2000 > nums
gzip -c nums > nums.gz
gunzip -c nums.gz | sha256sum
sha256sum < nums
gunzip -c nums.gz | cmp - nums && echo "gzip round trip"
ls -1 d d/sub
head -n 2 nums
grep -c 1 nums
cut -d' ' -f2 d/f2.txt
expr 6 \* 7
sleep 0.05 && echo "slept"
rm -r d d.tar nums nums.gz
ls
# Background jobs: ash's wait sleeps in rt_sigsuspend until SIGCHLD;
# kill by pid and by job number; a trap on a signal sent to itself.
sleep 0.2 &
p=$!
wait $p
echo "waited for sleep: $?"
(exit 7) &
wait $!
echo "background status: $?"
sleep 10 &
p=$!
kill $p
wait $p 2>/dev/null
echo "killed job status: $?"
sleep 10 &
kill %1
wait %1 2>/dev/null
echo "killed %1 status: $?"
trap 'echo "USR1 trapped"' USR1
kill -USR1 $$
trap - USR1
sleep 0.1 & sleep 0.2 &
wait
echo "all jobs done"
kill -0 99999999 2>/dev/null || echo "no such pid"
# Stop and continue a background job: ps shows it stopped (T), and after
# SIGCONT it runs to its end.
sleep 0.5 &
p=$!
kill -STOP $p
n=0
until [ "$(ps -o pid,stat | awk -v p=$p '$1 == p { print $2 }')" = T ]; do n=$((n+1)); [ $n -gt 200 ] && break; done
echo "stopped job: $(ps -o pid,stat | awk -v p=$p '$1 == p { print $2 }')"
kill -CONT $p
wait $p
echo "continued job status: $?"
# ps reads /proc/PID/stat and cmdline of each process (here only the
# background sleep's line: the host has others).
sleep 3.25 &
p=$!
n=0
until ps -o pid,args | grep -q "^ *$p sleep 3.25"; do n=$((n+1)); [ $n -gt 200 ] && break; done
ps -o pid,ppid,args | awk -v p=$p -v s=$$ '$1 == p { print "ps:", ($2 == s) ? "child of the shell" : "other parent", $3, $4 }'
ps | awk -v p=$p '$1 == p { print "ps default:", $3, $4 }'
kill $p
wait $p 2>/dev/null
echo "sleep killed: $?"
ps -o pid | grep -c "^ *$p\$"
# CPU time: a busy job's utime + stime in /proc/PID/stat grow to 20
# ticks (0.2 s), and once it is waited for, the shell's times counts it
# among its children's (only then: the first times is before the wait).
busy() { while :; do :; done; }
busy &
p=$!
n=0
until [ "$(awk '{ print ($14 + $15 >= 20) }' /proc/$p/stat)" = 1 ]; do n=$((n+1)); [ $n -gt 300 ] && break; sleep 0.1; done
echo "busy job's CPU time in /proc reached 0.2 s: $([ $n -le 300 ] && echo yes || echo no)"
times > times.out
kill $p
wait $p 2>/dev/null
times >> times.out
awk 'NR == 2 { split($1, m, "m"); was = m[1] * 60 + m[2] } NR == 4 { split($1, m, "m"); print "times: the reaped job counts:", (m[1] * 60 + m[2] - was >= 0.15) }' times.out
env | grep -c '^PATH='
test -d . && echo "test works"
[ "$(basename /a/b/c.txt .txt)" = c ] && echo "basename works"
cd .. && rm -r work
echo "end"
