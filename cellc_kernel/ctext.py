"""C as text: its keywords, and the string literals the kernel writes."""

from __future__ import annotations

#: C17's keywords.
KEYWORDS = frozenset(
    """auto break case char const continue default do double else enum extern float for goto if inline int
    long register restrict return short signed sizeof static struct switch typedef union unsigned void volatile
    while _Alignas _Alignof _Atomic _Bool _Complex _Generic _Imaginary _Noreturn _Static_assert
    _Thread_local""".split()
)
#: Keywords of C23, which in gnu17 are macros of headers (`bool` from <stdbool.h>) or not there.
C23_KEYWORDS = frozenset("alignas alignof bool constexpr false nullptr static_assert thread_local true".split())
#: gcc's own keywords in gnu17.
GNU_KEYWORDS = frozenset(
    """typeof asm __typeof__ __typeof __attribute__ __attribute __asm__ __asm __extension__ __inline __inline__
    __restrict __restrict__ __volatile__ __const __signed__ __alignof__ __auto_type __int128 __label__ __real__
    __imag__ __thread""".split()
)
#: Names every C file has without a declaration: predefined identifiers and macros.
PREDEFINED = frozenset(
    """__func__ __FUNCTION__ __PRETTY_FUNCTION__ __FILE__ __LINE__ __DATE__ __TIME__ __COUNTER__ __STDC__
    __STDC_VERSION__ __GNUC__ __x86_64__ __aarch64__ defined""".split()
)

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
