"""Per-kernel limits and settings an operator sets in the kernelspec's `env` (shown by `%limits`).

    CELLC_MEMORY_LIMIT   address space of each process of the program (`512M`, `2G`)
    CELLC_MAX_PROCESSES  processes the program may have at once (fork() fails past it)
    CELLC_CELL_TIMEOUT   seconds a cell may run before it is interrupted and rolled back
    CELLC_WARNINGS       where the warnings of a cell that succeeds go: stderr, stdout or off

The kernel's command line may set them too, as `CELLC_NAME=VALUE` arguments after the
kernelspec's argv (what nbclient's and nbgrader's `extra_arguments` add): a grading run
can differ from the students' kernels that share the kernelspec.

Snapshots have a memory budget: the program's process tree stays under twice
the program's size plus SNAPSHOT_MARGIN; past it the oldest snapshots go.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

DEFAULT_MAX_PROCESSES = 256
SNAPSHOT_MARGIN = 256 << 20
UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
WARNING_STREAMS = ("stderr", "stdout", "off")  # "off": not shown (a failed cell's error still lists them)


class LimitError(ValueError):
    """A limit in the environment that does not parse."""


def parse_size(text: str) -> int:
    """Bytes from `1048576`, `512K`, `512M`, `2G`, `1.5G` (suffixes are powers of 1024; `B`, `iB` allowed)."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*", text, re.IGNORECASE)
    if not m:
        raise LimitError(f"{text!r} is not a size (e.g. 512M or 2G)")
    value = int(float(m.group(1)) * UNITS[m.group(2).upper()])
    if value <= 0:
        raise LimitError(f"{text!r}: a size must be more than 0")
    return value


def parse_count(text: str) -> int:
    if not re.fullmatch(r"\s*\d+\s*", text) or int(text) < 1:
        raise LimitError(f"{text!r} is not a whole number of at least 1")
    return int(text)


def parse_seconds(text: str) -> float:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*s?\s*", text)
    if not m or float(m.group(1)) <= 0:
        raise LimitError(f"{text!r} is not a number of seconds more than 0 (e.g. 30)")
    return float(m.group(1))


def parse_warnings(text: str) -> str:
    if text.strip().lower() not in WARNING_STREAMS:
        raise LimitError(f"{text!r} is not one of {', '.join(WARNING_STREAMS)}")
    return text.strip().lower()


# (variable, Limits field, parser); a limit given as `none` or `unlimited` keeps its default
LIMITS = (
    ("CELLC_MEMORY_LIMIT", "memory", parse_size),
    ("CELLC_MAX_PROCESSES", "processes", parse_count),
    ("CELLC_CELL_TIMEOUT", "timeout", parse_seconds),
)
SETTINGS = (*LIMITS, ("CELLC_WARNINGS", "warnings", parse_warnings))
SETTING_NAMES = tuple(var for var, _, _ in SETTINGS)


def split_settings(argv: list[str]) -> tuple[dict[str, str], list[str]]:
    """The kernel's command line as its `CELLC_NAME=VALUE` settings and the other arguments;
    LimitError for a `CELLC_` name that is no setting (a typo must not pass unnoticed)."""
    settings: dict[str, str] = {}
    rest: list[str] = []
    for arg in argv:
        name, equals, value = arg.partition("=")
        if not (equals and name.startswith("CELLC_")):
            rest.append(arg)
        elif name in SETTING_NAMES:
            settings[name] = value
        else:
            raise LimitError(f"{arg!r}: {name} is no setting (they are {', '.join(SETTING_NAMES)})")
    return settings, rest


def format_size(n: int) -> str:
    for suffix in ("T", "G", "M", "K"):
        if n >= UNITS[suffix] and n % (UNITS[suffix] // 16) == 0:
            return f"{n / UNITS[suffix]:g}{suffix}"
    return f"{n} bytes"


@dataclass(frozen=True)
class Limits:
    memory: int | None = None  # bytes of address space per process
    processes: int = DEFAULT_MAX_PROCESSES
    timeout: float | None = None  # seconds per cell
    warnings: str = "stderr"  # where a good cell's compiler and cellc warnings go (WARNING_STREAMS)

    @classmethod
    def from_env(cls, env: os._Environ | dict[str, str] = os.environ) -> Limits:
        """The limits and settings the environment sets; LimitError names the variable that is wrong."""
        values: dict = {}
        for setting in SETTINGS:
            var, field, parse = setting
            text = env.get(var, "").strip()
            if not text or (setting in LIMITS and text.lower() in ("none", "unlimited")):
                continue
            try:
                values[field] = parse(text)
            except LimitError as e:
                raise LimitError(f"{var}: {e}") from None
        return cls(**values)

    def describe(self) -> list[tuple[str, str, str]]:
        """(what, value, the variable that sets it), for %limits."""
        return [
            (
                "memory per process",
                format_size(self.memory) if self.memory else "unlimited",
                "CELLC_MEMORY_LIMIT",
            ),
            ("processes at once", str(self.processes), "CELLC_MAX_PROCESSES"),
            ("time per cell", f"{self.timeout:g} s" if self.timeout else "unlimited", "CELLC_CELL_TIMEOUT"),
            ("warnings", "not shown" if self.warnings == "off" else f"on {self.warnings}", "CELLC_WARNINGS"),
        ]
