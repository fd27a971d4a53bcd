"""Architecture-specific bytes: the trampoline of a notebook function.

Every reference to a notebook function `f` (calls, `&f`, recursion, in any
cell) is bound by an asm label to its trampoline (`names.trampoline(f)`),
which jumps through its data slot (`names.slot(f)`).  Loading a cell that
defines `f` stores the new body's address in the slot, so every caller sees
the newest definition and `&f` never changes.  Until a body is stored, the
slot points to a stub that hands the slot (followed by the name) to the
executor's binder (`names.LAZY`), which binds a library function of that
name or reports it as undefined.  (The executor's other machine-specific
part, the binder's register handling, is in executor.c.)

Calls a cell makes to functions outside the notebook (libc's `rand`) are
routed through the same trampolines: the cell is linked with `ld --wrap=rand`,
which turns its undefined `rand` into `__wrap_rand`, an alias of the
trampoline of `rand`.  So a later notebook definition of `rand` reaches
functions compiled before it, as in one program.

The slot is reached through a local label so the jump is PC-relative (a
PC-relative reference to a global symbol cannot be linked into a shared
object); the slot's global name is an alias that later cells store into.
"""

from __future__ import annotations

import platform

from . import names

_X86_64 = """\
.pushsection .text
.globl {tramp}
.type {tramp}, @function
.globl __wrap_{n}
.type __wrap_{n}, @function
.p2align 4
{tramp}:
__wrap_{n}:
  endbr64
  jmp *.Lslot_{n}(%rip)
.size {tramp}, .-{tramp}
.Lunset_{n}:
  lea .Lslot_{n}(%rip), %r11
  jmp *{lazy}@GOTPCREL(%rip)
.popsection
.pushsection .data
.p2align 3
.globl {slot}
.type {slot}, @object
.size {slot}, 8
{slot}:
.Lslot_{n}:
  .quad .Lunset_{n}
  .asciz "{n}"
.popsection
"""

_AARCH64 = """\
.pushsection .text
.globl {tramp}
.type {tramp}, %function
.globl __wrap_{n}
.type __wrap_{n}, %function
.p2align 2
{tramp}:
__wrap_{n}:
  adrp x16, .Lslot_{n}
  ldr x16, [x16, :lo12:.Lslot_{n}]
  br x16
.size {tramp}, .-{tramp}
.Lunset_{n}:
  adrp x16, .Lslot_{n}
  add x16, x16, :lo12:.Lslot_{n}
  adrp x17, :got:{lazy}
  ldr x17, [x17, :got_lo12:{lazy}]
  br x17
.popsection
.pushsection .data
.p2align 3
.globl {slot}
.type {slot}, %object
.size {slot}, 8
{slot}:
.Lslot_{n}:
  .xword .Lunset_{n}
  .asciz "{n}"
.popsection
"""

# Functions that compiled code calls by ABI rather than by name: the linker
# rewrites their call sequences (TLS general dynamic on x86-64, and on aarch64
# with -mtls-dialect=trad), so they are left to the dynamic linker and never
# routed through a trampoline.  Wrapped, the call became local and x86-64 ld
# relaxed `data16 rex.W call *GOT` into `data16 rex.W addr32 call`, whose prefix
# order makes AMD CPUs run it as a 16-bit call (every _Thread_local access
# crashed).  No notebook may define these names.
ABI_CALLS = frozenset({"__tls_get_addr"})

_TEMPLATES = {"x86_64": _X86_64, "amd64": _X86_64, "aarch64": _AARCH64, "arm64": _AARCH64}


def trampoline_asm(name: str, machine: str | None = None) -> str:
    """Assembly defining the trampoline and slot of function `name`."""
    machine = (machine or platform.machine()).lower()
    try:
        template = _TEMPLATES[machine]
    except KeyError:
        raise RuntimeError(f"cellc has no trampoline for the {machine} architecture") from None
    return template.format(n=name, tramp=names.trampoline(name), slot=names.slot(name), lazy=names.LAZY)


def c_string_asm(text: str) -> str:
    """`text` as a C string literal holding assembly source."""
    return "".join('"' + line.replace("\\", "\\\\").replace('"', '\\"') + '\\n"\n' for line in text.splitlines())


# x86-64 relocations whose addend is their target minus 4 (the displacement is
# the instruction's last 4 bytes): PC32, PLT32, GOTPCREL, GOTPCRELX, REX_GOTPCRELX.
_X86_64_PC_RELATIVE = {2, 4, 9, 41, 42}


def relocation_target(machine: str, kind: int, addend: int) -> int:
    """Where in its section a relocation against a section's symbol points
    (`machine` as ELF headers name it: EM_X86_64, EM_AARCH64)."""
    return addend + 4 if machine == "EM_X86_64" and kind in _X86_64_PC_RELATIVE else addend
