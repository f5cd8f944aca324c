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


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.timeout(150)
@pytest.mark.parametrize("arch", arches())
def test_run_has_a_lease_and_serves_http_to_the_host(arch):
    """What `make run` gives: a NIC on QEMU's user networking (restrict=on),
    an address by DHCP, and netserve's HTTP reachable from the host
    through the forwarded port, as `curl http://127.0.0.1:8080/` would."""
    import http.client
    import time
    port = free_port()
    env = dict(os.environ, RUN_SECONDS="90")
    proc = start([RUNNER, "--arch", arch, "--hostfwd", "%d:80" % port], subprocess.PIPE, env)
    body = None
    try:
        deadline = time.monotonic() + 80
        while body is None and time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/")
                r = conn.getresponse()
                body = (r.status, r.read())
                conn.close()
            except (OSError, http.client.HTTPException):
                time.sleep(1)
        proc.stdin.write(b"net\rpoweroff\r")
        proc.stdin.close()
        out = proc.stdout.read().decode("utf-8", "replace")
    finally:
        stop(proc)
    assert body is not None and body[0] == 200 and body[1], (body, out)
    assert re.search(r"^dhcp: eth0 bound to 10\.0\.2\.15/24 .* from 10\.0\.2\.2, lease \d+ s",
                     out, re.M), out
