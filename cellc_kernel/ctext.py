"""C source text the kernel writes: string literals."""

from __future__ import annotations

_SIMPLE_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r", '"': '\\"', "\\": "\\\\"}


def c_string(text: str, split_lines: bool = False) -> str:
    """A C string literal with the same bytes (UTF-8) as `text`: octal
    escapes (`\\x` would be greedy), no trigraphs (`??` is `?\\?`).  With
    `split_lines`, one literal per line of `text`, concatenated by C."""
    out = ['"']
    prev = ""
    data = text.encode("utf-8", "surrogateescape")
    for i, byte in enumerate(data):
        ch = chr(byte)
        if ch in _SIMPLE_ESCAPES:
            piece = _SIMPLE_ESCAPES[ch]
        elif ch == "?" and prev == "?":
            piece = "\\?"
        elif 0x20 <= byte < 0x7F:
            piece = ch
        else:
            piece = f"\\{byte:03o}"
        out.append(piece)
        if split_lines and ch == "\n" and i + 1 < len(data):
            out.append('"\n"')
        prev = ch
    out.append('"')
    return "".join(out)
