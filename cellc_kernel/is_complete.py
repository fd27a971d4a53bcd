"""is_complete_request: whether a cell is finished or needs another line.

A small C tokenizer over the typed text (strings, comments, brackets,
preprocessor continuations and `#if` blocks), no compiler: the terminal
frontends ask on every Enter.
"""

from __future__ import annotations

import re

_PAIRS = {")": "(", "]": "[", "}": "{"}


_OPERATOR_END = re.compile(r"(?:[-+*/%&|^<>=!~?:,.]|->|&&|\|\||<<|>>)$")
_CONDITIONAL_OPEN = re.compile(r"^\s*#\s*(if|ifdef|ifndef)\b")
_CONDITIONAL_MID = re.compile(r"^\s*#\s*(elif|else|elifdef|elifndef)\b")
_CONDITIONAL_CLOSE = re.compile(r"^\s*#\s*endif\b")
_TOKEN = re.compile(r"[A-Za-z_]\w*|\d[\w.]*|->|\+\+|--|&&|\|\||<<=?|>>=?|[-+*/%&|^!=<>]=|.", re.S)
_TEXT_DIRECTIVE = re.compile(r"^\s*#\s*(error|warning|pragma|ident|line)\b")


def _indent_of(code: str, pos: int) -> str:
    """The leading whitespace of the line holding `pos`."""
    start = code.rfind("\n", 0, pos) + 1
    m = re.match(r"[ \t]*", code[start:])
    return m.group(0) if m else ""


def _scan(code: str) -> tuple[str, list[tuple[str, int]], dict]:
    """Read C text the way the preprocessor's tokenizer would, enough to tell
    whether it is finished: returns (state, open brackets with positions,
    facts) where state is 'ok', 'open' (inside a comment or literal at the
    end) or 'invalid' (a bracket closes what it did not open, a literal runs
    into a newline, a stray #endif)."""
    stack: list[tuple[str, int]] = []
    facts: dict = {"open_at": -1, "conditionals": 0, "last": "", "last_pos": -1}
    i, n = 0, len(code)
    line_start = True  # only whitespace since the last newline
    in_directive = False
    while i < n:
        c = code[i]
        if c == "\n":
            # a backslash-newline continues a directive
            if not (i > 0 and code[i - 1] == "\\"):
                in_directive = False
            line_start = True
            i += 1
            continue
        if c in " \t\r\f\v":
            i += 1
            continue
        if code.startswith("/*", i):
            end = code.find("*/", i + 2)
            if end < 0:
                facts["open_at"] = i
                return "open", stack, facts
            i = end + 2
            continue
        if code.startswith("//", i):
            end = code.find("\n", i)
            while end > 0 and code[end - 1] == "\\":
                end = code.find("\n", end + 1)
            if end < 0:
                return "ok", stack, facts
            i = end
            continue
        if line_start and c == "#":
            line_end = code.find("\n", i)
            line = code[i : line_end if line_end >= 0 else n]
            in_directive = True
            if _CONDITIONAL_OPEN.match(line):
                facts["conditionals"] += 1
            elif _CONDITIONAL_MID.match(line):
                if facts["conditionals"] <= 0:
                    return "invalid", stack, facts
            elif _CONDITIONAL_CLOSE.match(line):
                facts["conditionals"] -= 1
                if facts["conditionals"] < 0:
                    return "invalid", stack, facts
            if _TEXT_DIRECTIVE.match(line) or re.match(r"^\s*#\s*include\s*<", line):
                # free text (`#error don't`) or a <header name>: no tokens to track
                end = i
                while True:
                    end = code.find("\n", end)
                    if end < 0 or code[end - 1] != "\\":
                        break
                    end += 1
                if end < 0:
                    facts["last"], facts["last_pos"] = "#", i
                    return "ok", stack, facts
                i = end
                continue
            facts["last"], facts["last_pos"] = "#", i
            line_start = False
            i += 1
            continue
        line_start = False
        if c in "\"'":
            j = i + 1
            while j < n and code[j] != c:
                if code[j] == "\\":
                    j += 1
                elif code[j] == "\n":
                    return "invalid", stack, facts
                j += 1
            if j >= n:
                facts["open_at"] = i
                return "open", stack, facts
            facts["last"], facts["last_pos"] = "literal", i
            i = j + 1
            continue
        if in_directive:  # `#define BEGIN {` need not balance
            i += 1
            continue
        if c in "([{":
            stack.append((c, i))
        elif c in ")]}":
            if not stack or stack[-1][0] != _PAIRS[c]:
                return "invalid", stack, facts
            stack.pop()
        m = _TOKEN.match(code, i)
        assert m is not None  # its last branch, `.` with re.S, matches any character
        facts["last"], facts["last_pos"] = m.group(0), i
        i = m.end()
    return "ok", stack, facts


def is_complete(code: str) -> dict:
    """Whether a console should run `code` now ('complete'), wait for more
    lines ('incomplete', with the indent for the next line) or run it to show
    the error ('invalid')."""
    if "\0" in code:
        return {"status": "invalid"}
    stripped = code.strip()
    if not stripped:
        return {"status": "complete"}
    if re.fullmatch(r"\?{1,2}\s*[%\w]+|[%\w]+\s*\?{1,2}", stripped):
        return {"status": "complete"}
    if stripped.startswith("%%"):
        first, _, body = code.lstrip().partition("\n")
        if not body.strip():
            return {"status": "incomplete", "indent": ""}
        code = body
    elif stripped.startswith("%"):
        lines = code.split("\n")
        rest = [ln for ln in lines if not ln.lstrip().startswith("%")]
        code = "\n".join(rest)
        if not code.strip():
            return {"status": "complete"}
    state, stack, facts = _scan(code)
    if state == "invalid":
        return {"status": "invalid"}
    if state == "open":
        return {"status": "incomplete", "indent": _indent_of(code, facts["open_at"])}
    if stack:
        _, pos = stack[-1]
        return {"status": "incomplete", "indent": _indent_of(code, pos) + "    "}
    last_line = code.rstrip(" \t").rsplit("\n", 1)[-1]
    if last_line.endswith("\\"):
        return {"status": "incomplete", "indent": _indent_of(code, len(code) - 1) or "    "}
    if facts["conditionals"] > 0:
        return {"status": "incomplete", "indent": ""}
    last, pos = facts["last"], facts["last_pos"]
    if last and last not in ("#", "literal", "++", "--") and _OPERATOR_END.search(last):
        return {"status": "incomplete", "indent": _indent_of(code, pos) + "    "}
    if last in ("else", "do"):
        return {"status": "incomplete", "indent": _indent_of(code, pos) + "    "}
    if last == ")":
        # `if (x)` / `for (...)` / `while (...)` still waits for its body
        opener = _matching_open(code, pos)
        if opener is not None and re.search(r"\b(if|for|while|switch)\s*$", code[:opener]):
            return {"status": "incomplete", "indent": _indent_of(code, pos) + "    "}
    return {"status": "complete"}


def _matching_open(code: str, close: int) -> int | None:
    """Position of the `(` matching the `)` at `close` (brackets only)."""
    depth = 0
    for i in range(close, -1, -1):
        if code[i] == ")":
            depth += 1
        elif code[i] == "(":
            depth -= 1
            if depth == 0:
                return i
    return None
