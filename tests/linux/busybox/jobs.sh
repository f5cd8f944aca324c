# Job control in busybox sh -m on the console (test_linux.py runs it in
# ThemeliOS and, for the output it must give, in Linux on the same QEMU):
# a background job that reads the console stops (tty input), one that
# writes it with TOSTOP set stops (tty output) until bg continues it with
# TOSTOP off; the shell's wait returns at a stop.
cat &
wait
echo "wait: $?"
jobs
kill -9 %1
sleep 1
wait
echo "after kill: $?"
jobs
stty tostop
echo "a background write" &
wait
echo "wait: $?"
jobs
stty -tostop
bg %1
wait
echo "after bg: $?"
jobs
