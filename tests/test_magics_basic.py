"""The foundation's magics: %cflags, %lib, %help, and unknown magics.

%cflags changes how every later cell compiles, so the tests that set flags
use a kernel of their own; the rest share one.
"""

from __future__ import annotations

import ctypes.util
import os

import pytest


def shown_flags(kernel) -> str:
    """What `%cflags` with no arguments prints."""
    r = kernel.ok("%cflags")
    assert r.results == [] and r.errors == []
    return r.stdout.strip()


def test_cflags_shows_set_and_applies(fresh_kernel) -> None:
    k = fresh_kernel
    default = shown_flags(k)
    assert default, "%cflags shows the current flags"
    assert "-O2" not in default.split()
    k.ok("%cflags -O2 -DFOO=3")
    assert shown_flags(k).split() == ["-O2", "-DFOO=3"]
    assert k.ok("FOO").value == "3"
    assert k.ok("FOO + 1").value == "4", "flags persist for every later cell"
    assert k.ok("int mg_opt = __OPTIMIZE__;\nmg_opt").value == "1", "-O2 reaches gcc"


def test_cflags_rejected_leave_flags_unchanged(fresh_kernel) -> None:
    k = fresh_kernel
    k.ok("%cflags -DMG_KEEP=5")
    r = k.fails("%cflags --no-such-gcc-option")
    assert "--no-such-gcc-option" in r.error_text
    assert shown_flags(k).split() == ["-DMG_KEEP=5"]
    assert k.ok("MG_KEEP").value == "5"
    r = k.fails("%cflags -o /tmp/elsewhere.o")
    assert "-o" in r.error_text
    assert shown_flags(k).split() == ["-DMG_KEEP=5"]
    r = k.fails('%cflags -DX="unbalanced')
    assert shown_flags(k).split() == ["-DMG_KEEP=5"]


def test_cflags_split_like_a_shell_without_one(fresh_kernel) -> None:
    """Quotes group words (shlex); `$(...)` and `;` are not run by a shell."""
    k = fresh_kernel
    k.ok("%cflags '-DMG_GREETING=\"hi there\"'")
    assert k.ok("MG_GREETING").value == '"hi there"'
    r = k.execute("%cflags -DMG_X=1 ; touch /tmp/cellc_magic_shell_ran")
    assert not os.path.exists("/tmp/cellc_magic_shell_ran")
    assert r.status == "error", "`;` and `touch` are not gcc flags"


def test_cflags_werror_turns_warnings_into_errors(fresh_kernel) -> None:
    k = fresh_kernel
    k.ok("%cflags -Wall -Werror")
    r = k.fails("int mg_w(void) { int unused_local; return 0; }")
    assert "unused_local" in r.error_text
    assert k.execute("mg_w();").status == "error", "the failed cell defined nothing"
    k.ok("%cflags -Wall")
    r = k.ok("int mg_w(void) { int unused_local; return 0; }")
    assert "unused_local" in r.stderr


def test_lib_zlib(kernel) -> None:
    assert ctypes.util.find_library("z"), "zlib (zlib1g) is part of every Debian system"
    kernel.ok("%lib z")
    r = kernel.ok("const char *zlibVersion(void);\nzlibVersion()")
    version = r.value.strip('"')
    assert version[0].isdigit() and "." in version, r.value
    r = kernel.ok("%lib")
    assert "libz" in r.stdout, "%lib with no arguments lists what is loaded"


def test_lib_by_path(kernel) -> None:
    path = next(
        (
            p
            for p in ("/lib/x86_64-linux-gnu/libz.so.1", "/lib/aarch64-linux-gnu/libz.so.1", "/usr/lib/libz.so.1")
            if os.path.exists(p)
        ),
        None,
    )
    if path is None:
        pytest.skip("no libz.so.1 at a known path")
    kernel.ok(f"%lib {path}")
    r = kernel.ok(
        "unsigned long crc32(unsigned long crc, const unsigned char *buf, unsigned len);\n"
        'crc32(0, (const unsigned char *)"hello", 5)'
    )
    assert r.value == str(0x3610A686)


def test_lib_missing_is_clear(kernel) -> None:
    r = kernel.fails("%lib cellc_no_such_library_xyz")
    assert "cellc_no_such_library_xyz" in r.error_text
    assert "not found" in r.error_text
    r = kernel.fails("%lib /nonexistent/libnothing.so")
    assert "/nonexistent/libnothing.so" in r.error_text
    assert kernel.ok("2 * 21").value == "42"


def test_lib_not_a_library(kernel, tmp_path) -> None:
    bogus = tmp_path / "libbogus.so"
    bogus.write_text("this is not an ELF file\n")
    r = kernel.fails(f"%lib {bogus}")
    assert "libbogus.so" in r.error_text
    assert kernel.ok("2 * 21").value == "42"


def test_help_lists_magics(kernel) -> None:
    r = kernel.ok("%help")
    for name in ("%cflags", "%lib", "%help"):
        assert name in r.stdout


def test_unknown_magic_is_an_error(kernel) -> None:
    r = kernel.fails("%nosuchmagic 1 2 3")
    assert "%nosuchmagic" in r.error_text
    assert "%help" in r.error_text
    r = kernel.fails("%%nosuchcellmagic\nint x;")
    assert "nosuchcellmagic" in r.error_text


def test_magic_then_c_in_one_cell(kernel) -> None:
    """Magic lines come first; the C after them runs, with its own line numbers."""
    r = kernel.ok('%help\n#include <stdio.h>\nputs("after the magic");')
    assert "%cflags" in r.stdout and "after the magic" in r.stdout
    r = kernel.fails("%help\nint mg_bad = ;")
    assert "In[" in r.error_text and ":2:" in r.error_text


def test_unbalanced_quotes_in_magic_arguments_are_a_usage_error(kernel) -> None:
    for magic in ('%lib "m', '%cflags -D"X', '%disas "f', '%%file "x.h\nint a;'):
        r = kernel.execute(magic)
        assert r.status == "error" and r.errors[0]["ename"] == "UsageError", magic
        assert "No closing quotation" in r.error_text, r.error_text
