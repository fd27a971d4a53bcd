"""is_complete, completion and inspection requests."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .interpreter import Interpreter

C_KEYWORDS = sorted(
    """auto break case char const continue default do double else enum extern float for goto if
    inline int long register restrict return short signed sizeof static struct switch typedef union
    unsigned void volatile while _Alignas _Alignof _Atomic _Bool _Complex _Generic _Noreturn
    _Static_assert _Thread_local __typeof__ __attribute__ typeof""".split()
)
_PAIRS = {")": "(", "]": "[", "}": "{"}


def scan_brackets(code: str) -> tuple[str, list[str]]:
    """('ok' | 'open' | 'invalid', open brackets) after reading C text,
    skipping strings, character constants and comments."""
    stack: list[str] = []
    i, n = 0, len(code)
    while i < n:
        c = code[i]
        if code.startswith("/*", i):
            end = code.find("*/", i + 2)
            if end < 0:
                return "open", stack
            i = end + 2
            continue
        if code.startswith("//", i):
            end = code.find("\n", i)
            while end > 0 and code[end - 1] == "\\":
                end = code.find("\n", end + 1)
            if end < 0:
                return "ok", stack
            i = end + 1
            continue
        if c in "\"'":
            j = i + 1
            while j < n and code[j] != c:
                if code[j] == "\\":
                    j += 1
                elif code[j] == "\n":
                    return "invalid", stack
                j += 1
            if j >= n:
                return "open", stack
            i = j + 1
            continue
        if c in "([{":
            stack.append(c)
        elif c in ")]}":
            if not stack or stack[-1] != _PAIRS[c]:
                return "invalid", stack
            stack.pop()
        i += 1
    return "ok", stack


def is_complete(code: str) -> dict:
    state, stack = scan_brackets(code)
    if state == "invalid":
        return {"status": "invalid"}
    if state == "open" or stack or code.rstrip(" \t").endswith("\\"):
        return {"status": "incomplete", "indent": "    " * max(len(stack), 1 if state == "open" else 0)}
    return {"status": "complete"}


_WORD = re.compile(r"[A-Za-z_]\w*$")


def _candidates(interp: Interpreter) -> list[str]:
    program = interp.program
    names = set(program.functions) | set(program.variables)
    for d in program.definitions:
        for kind, name in d.keys:
            if kind in ("typedef", "macro", "const"):
                names.add(name)
    return sorted(names)


def complete(interp: Interpreter, code: str, cursor_pos: int) -> dict:
    before = code[:cursor_pos]
    m = _WORD.search(before)
    prefix = m.group(0) if m else ""
    start = cursor_pos - len(prefix)
    matches = [n for n in _candidates(interp) if n.startswith(prefix)]
    matches += [k for k in C_KEYWORDS if k.startswith(prefix) and k not in matches]
    return {"status": "ok", "matches": matches, "cursor_start": start, "cursor_end": cursor_pos, "metadata": {}}


def _word_at(code: str, cursor_pos: int) -> str:
    left = re.search(r"[A-Za-z_]\w*$", code[:cursor_pos])
    right = re.match(r"\w*", code[cursor_pos:])
    return (left.group(0) if left else "") + (right.group(0) if right else "")


def inspect(interp: Interpreter, code: str, cursor_pos: int, detail_level: int = 0) -> dict:
    name = _word_at(code, cursor_pos)
    program = interp.program
    text = ""
    if name in program.functions:
        f = program.functions[name]
        text = f"{f.prototype.strip()};\n// {'defined' if f.defined else 'declared'} in {f.label}, line {f.line}"
        if f.doc:
            text += "\n" + f.doc
    elif name in program.variables:
        v = program.variables[name]
        text = f"{v.decl.strip()};\n// defined in {v.label}, line {v.line}"
    if not text:
        return {"status": "ok", "found": False, "data": {}, "metadata": {}}
    return {"status": "ok", "found": True, "data": {"text/plain": text}, "metadata": {}}
