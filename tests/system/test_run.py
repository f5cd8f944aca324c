"""`make run` unattended: tools/qemu-run.sh (without --test) with its
standard input a pipe, which QEMU's serial port reads like a terminal."""
import os
import re
import subprocess

import pytest

from qemu import RUNNER, arches, start, stop


def run_piped(arch, text, seconds):
    """Runs qemu-run.sh as `make run` does, its standard input a pipe."""
    env = dict(os.environ, RUN_SECONDS=str(seconds))
    proc = start([RUNNER, "--arch", arch], subprocess.PIPE, env)
    try:
        out, _ = proc.communicate(text.encode(), timeout=seconds + 30)
    finally:
        stop(proc)
    return proc.returncode, out.decode("utf-8", "replace")


@pytest.mark.timeout(150)
@pytest.mark.parametrize("arch", arches())
def test_piped_commands_reach_the_shell(arch):
    # Typed before the kernel is even up: the first bytes must survive
    # the UART's initialisation.  poweroff ends the run well before
    # RUN_SECONDS.
    status, log = run_piped(arch, "help\rps\rpoweroff\r", 120)
    assert "standard input is not a terminal" in log, log
    assert re.search(r"themelios> help\r?\nCommands:", log), log
    assert re.search(r"themelios> ps\r?\n\s+ID\s+NAME\s+STATE", log), log
    assert "powering off" in log, log
    assert status == 0, log


@pytest.mark.timeout(60)
def test_unattended_run_stops_after_run_seconds():
    status, log = run_piped(arches()[0], "", 5)
    assert "QEMU stops after 5 s" in log, log
    assert "ThemeliOS is up." in log, log
    assert status == 0, log
