"""The executor's protocol, spoken directly to a real executor process: nothing
is ever cut short, an over-long line is refused out loud on both sides, and
every answer is matched to its question."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile

from cellc_kernel import executor
from cellc_kernel.executor import COMMAND_LINE, PACKET, Executor, Handlers, ProtocolError, build_executor


@pytest.fixture()
def ex(tmp_path: Path) -> Iterator[Executor]:
    process = Executor(build_executor(), workdir=tmp_path)
    yield process
    process.close()


def libc() -> str:
    """The libc.so.6 this machine runs (the executor loads the same one)."""
    for line in Path("/proc/self/maps").read_text().splitlines():
        if line.endswith("/libc.so.6"):
            return line.split(None, 5)[5]
    raise AssertionError("no libc.so.6 in this process")


def dynamic_kinds(path: str) -> dict[str, str]:
    """F/D/? of every name an object's dynamic symbol table defines, as
    dlsym(RTLD_DEFAULT) sees it: an IFUNC is a function, a name with only an
    old (hidden) version is not found."""
    out: dict[str, str] = {}
    with open(path, "rb") as f:
        elf = ELFFile(f)
        versions = elf.get_section_by_name(".gnu.version")
        for i, sym in enumerate(elf.get_section_by_name(".dynsym").iter_symbols()):
            if sym["st_shndx"] in ("SHN_UNDEF", "SHN_ABS"):  # imports, version names
                continue
            version = versions.get_symbol(i)["ndx"]
            if isinstance(version, int) and version & 0x8000:
                out.setdefault(sym.name, "?")
            else:  # STT_LOOS: pyelftools' name of STT_GNU_IFUNC
                out[sym.name] = "F" if sym["st_info"]["type"] in ("STT_FUNC", "STT_LOOS") else "D"
    return out


def test_kinds_of_every_libc_symbol_are_all_answered_right(ex: Executor) -> None:
    expected = dynamic_kinds(libc())
    assert len(expected) > 2000
    asked = []
    for name in sorted(expected):  # an absent name after each: an answer out of place shows
        asked += [name, name + "_is_defined_nowhere"]
        expected[name + "_is_defined_nowhere"] = "?"
    assert len(" ".join(asked)) > COMMAND_LINE  # more than one request
    found = ex.kinds(asked)
    wrong = {name: (found.get(name), kind) for name, kind in expected.items() if found.get(name) != kind}
    assert not wrong, list(wrong.items())[:20]
    assert found["fread_unlocked"] == "F" and found["stdout"] == "D"


def test_requests_are_cut_into_lines_by_bytes() -> None:
    words = [f"name{i}" * (1 + i % 7) for i in range(3000)] + ["é" * 40]
    runs = executor._lines_of(words, 1000)
    assert [w for run in runs for w in run] == words
    assert all(len(" ".join(run).encode()) <= 1000 for run in runs)
    assert len(runs) > 1
    assert executor._lines_of(["x" * 2000, "y"], 1000) == [["x" * 2000], ["y"]]  # sent alone: refused loudly


def test_an_over_long_command_line_is_refused_by_the_kernel(ex: Executor) -> None:
    with pytest.raises(ProtocolError, match=f"a command line of {COMMAND_LINE + 7} bytes does not fit"):
        ex.query("kinds " + "x" * COMMAND_LINE, "kinds")
    with pytest.raises(ProtocolError, match="line break"):
        ex.query("addr printf\nundo", "addr")
    with pytest.raises(ProtocolError):
        ex.kinds(["y" * COMMAND_LINE])
    assert ex.kinds(["printf", "no_such_name"]) == {"printf": "F", "no_such_name": "?"}  # still in step


def test_an_over_long_command_line_is_refused_by_the_executor(ex: Executor) -> None:
    """Written past the kernel's own check: skipped whole and answered with an
    error, never cut short into a different question."""
    line = ("kinds " + " ".join(["printf"] * (2 * COMMAND_LINE // 7))).encode() + b"\n"
    view = memoryview(line)
    while view:
        view = view[os.write(ex._cmd_w, view) :]
    kind, args, _ = ex.pump.wait(lambda kind, a, p: kind in ("kinds", "error"))
    assert (kind, " ".join(args)) == (
        "error",
        f"a command line of {len(line)} bytes: the protocol's limit is {COMMAND_LINE}",
    )
    assert ex.kinds(["printf", "no_such_name"]) == {"printf": "F", "no_such_name": "?"}


def test_an_event_larger_than_a_packet_arrives_whole(ex: Executor, tmp_path: Path) -> None:
    """`symbol NAME` for a 6000-byte name: sent in parts, never cut."""
    name = "f_" + "long" * 1500
    source = tmp_path / "long.c"
    source.write_text(f"int {name}(void) {{ return 1; }}\n")
    lib = tmp_path / "liblong.so"
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(lib), str(source)], check=True)
    assert ex.run(lib, "", Handlers(), command="load").ok
    address = ex.address(name)
    assert address
    assert len(f"symbol {name}") > PACKET
    assert ex.symbol(address) == name
    assert ex.kinds([name, "printf"]) == {name: "F", "printf": "F"}


def test_an_error_answer_is_never_taken_for_the_answer(ex: Executor) -> None:
    with pytest.raises(ProtocolError, match="unknown command"):
        ex.query("no_such_command 1", "kinds")
    assert ex.address("no_such_name") == 0


def test_the_protocol_page_is_the_one_command_table() -> None:
    """executor.c serves exactly the commands docs/protocol.md documents, and
    sends only documented events."""
    doc = (Path(__file__).parents[1] / "docs" / "protocol.md").read_text()
    commands = doc[doc.index("## Commands") : doc.index("## Events\n")]
    events = doc[doc.index("## Events\n") :]
    documented = set(re.findall(r"^([a-z]+)\b", commands, re.M))
    source = executor.SOURCE.read_text()
    served = set(re.findall(r'!strcmp\(line, "([a-z]+)"\)', source))
    assert served == documented - {"start", "line", "shown"}  # the first line and the answers are read where asked
    sent = set(re.findall(r'(?:event|event_payload|signal_event)\("([a-z]+)', source))
    sent |= set(re.findall(r'"%s([a-z]+) %zu\\n"', source))  # part, long
    sent |= set(re.findall(r'str\(p, "([a-z]+) "', source))  # from the fault handler
    assert {"error", "kinds", "interrupted", "part", "long", "fault", "frozen"} <= sent  # the patterns see them
    assert sent <= executor.EVENTS
    assert all(re.search(rf"\b{kind}\b", events) for kind in executor.EVENTS)
    assert "ping" not in source and "pong" not in doc
