"""The tree is formatted as .clang-format says (`make format` applies it),
so formatting is settled by a tool, not argued about in review."""
import glob
import os
import shutil
import subprocess

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
PATTERNS = ["kernel/**/*.[ch]", "lib/*.[ch]", "user/**/*.[ch]", "include/**/*.h",
            "tests/unit/*.[ch]", "tests/fuzz/*.c"]


def sources():
    found = set()
    for pattern in PATTERNS:
        found.update(glob.glob(os.path.join(ROOT, pattern), recursive=True))
    return sorted(found)


@pytest.mark.timeout(120)
def test_sources_are_formatted():
    tool = shutil.which("clang-format")
    assert tool, "clang-format is missing: tools/install-deps.sh installs it"
    files = sources()
    assert len(files) > 100
    p = subprocess.run([tool, "--dry-run", "--Werror", "--style=file"] + files, cwd=ROOT,
                       capture_output=True, text=True, timeout=100)
    unformatted = sorted({line.split(":")[0] for line in p.stderr.splitlines()
                          if ": error:" in line})
    assert p.returncode == 0 and not unformatted, (
        "not formatted (run `make format`): %s" % ", ".join(
            os.path.relpath(f, ROOT) for f in unformatted[:20]))
