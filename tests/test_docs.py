"""The documentation stays true to the tree: every docs/ page the code or
the docs cite exists, nothing points outside the repository, and
docs/porting.md names every hook of kernel/arch/arch.h."""
import glob
import os
import re

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
SOURCES = ["README.md", "docs/*.md", "kernel/**/*.[chS]", "lib/*.[ch]", "user/**/*.[chS]",
           "include/**/*.h", "tools/*", "tests/**/*.py", "tests/unit/*.[ch]", "Makefile"]


def files():
    seen = set()
    for pattern in SOURCES:
        for path in glob.glob(os.path.join(ROOT, pattern), recursive=True):
            if os.path.isfile(path) and path not in seen:
                seen.add(path)
                yield path


def read(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def test_cited_doc_pages_exist():
    missing = set()
    for path in files():
        for page in re.findall(r"\bdocs/([\w-]+\.md)", read(path)):
            if not os.path.exists(os.path.join(ROOT, "docs", page)):
                missing.add("docs/%s (cited in %s)" % (page, os.path.relpath(path, ROOT)))
    assert not missing, sorted(missing)


def test_docs_stay_inside_the_repository():
    for path in [os.path.join(ROOT, "README.md")] + glob.glob(os.path.join(ROOT, "docs/*.md")):
        assert "../shared" not in read(path), path


def test_porting_names_every_arch_hook():
    arch_h = read(os.path.join(ROOT, "kernel/arch/arch.h"))
    hooks = set(re.findall(r"\b(arch_\w+)\s*\(", arch_h))
    porting = read(os.path.join(ROOT, "docs/porting.md"))
    named = set(re.findall(r"\b(arch_\w+)", porting))
    assert hooks, "no hooks found in kernel/arch/arch.h"
    assert not hooks - named, sorted(hooks - named)
