"""papermill support: turn `papermill -p NAME VALUE` parameters into C globals.

papermill injects a cell after the cell tagged `parameters`; this translator
writes it in C.  A parameter declared in the parameters cell is redeclared
with *the same type* (a same-type redeclaration re-initializes
the existing global, so every function that uses it sees the new value), e.g.

    double alpha = 0.5;            // parameters cell
    double alpha = 1;              // injected by `-p alpha 1`

A parameter the cell does not declare gets a type from its value: int ->
`long` (`unsigned long` past LONG_MAX), float -> `double`, str -> `const char *`,
bool -> `int` (1/0), None -> `void *` (0), a list of those -> an array.
Strings become C literals with octal escapes for every byte outside printable
ASCII (`\\ooo` takes at most three digits, unlike the greedy `\\x`).

Registration.  papermill has no entry point for translators, but it loads
every `papermill.engine` entry point when it starts (CLI and Python API).
The package declares one, `cellc = cellc_kernel.papermill_translator:CellcEngine`,
so importing this module -- which registers the translator -- happens in every
papermill process; CellcEngine itself is papermill's ordinary nbclient engine.
Where entry points are not installed, `python -m cellc_kernel.papermill_translator
ARGS` registers and then runs papermill's own CLI with ARGS.

papermill's `codify(parameters)` is not given the notebook; the declared types
are read from the notebook that papermill's `parameterize_notebook` is working
on (found on the call stack).  If a future papermill hides it, the value-based
types above apply.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from types import FrameType
from typing import TYPE_CHECKING, Any

from papermill.engines import NBClientEngine
from papermill.exceptions import PapermillException
from papermill.models import Parameter
from papermill.translators import Translator, papermill_translators

from .ctext import C23_KEYWORDS, GNU_KEYWORDS, KEYWORDS, c_string

if TYPE_CHECKING:
    from tree_sitter import Node

LONG_MIN, LONG_MAX, ULONG_MAX = -(2**63), 2**63 - 1, 2**64 - 1
C_KEYWORDS = KEYWORDS | C23_KEYWORDS | GNU_KEYWORDS  # not a parameter's name


@dataclass
class Declared:
    """A global declared in the parameters cell: enough to redeclare it with the same type."""

    name: str
    prefix: str  # specifiers and qualifiers: "static const char "
    declarator: str  # with the name: "*name", "xs[3]"
    pointer: bool
    array: bool
    default: str  # initializer text, "" when none
    help: str  # comment on the same line


def c_identifier(name: str) -> str:
    """`name` if it can name a C global, else a papermill error saying why."""
    if not name.isidentifier() or not name.isascii() or name in C_KEYWORDS:
        raise PapermillException(f"parameter {name!r} is not a valid C identifier")
    if name.startswith("__cellc"):
        raise PapermillException(f"parameter {name!r}: names starting with __cellc are the kernel's")
    return name


def _declarator_shape(node: Node | None) -> tuple[str | None, bool, bool]:
    """(name, is pointer, is array) of a declarator; name None for functions."""
    from .parse import node_text  # here, not at import: see declared_parameters

    pointer = array = False
    while node is not None:
        if node.type == "identifier":
            return node_text(node).decode(), pointer, array
        if node.type == "function_declarator":
            return None, False, False
        if node.type == "pointer_declarator":
            pointer = pointer or not array
        elif node.type == "array_declarator":
            array = array or not pointer
        inner = node.child_by_field_name("declarator")
        if inner is None:  # parenthesized_declarator has no field name
            kinds = [c for c in node.named_children if c.type.endswith("declarator") or c.type == "identifier"]
            inner = kinds[0] if kinds else None
        node = inner
    return None, False, False


def declared_parameters(source: str) -> dict[str, Declared]:
    """The globals a parameters cell declares, in order, parsed with tree-sitter."""
    # here, not at import: papermill imports this module at start-up
    from .parse import node_text, parse_tree, required_field

    data = source.encode("utf-8")
    root = parse_tree(data).root_node
    found: dict[str, Declared] = {}
    children = root.children
    for i, node in enumerate(children):
        if node.type != "declaration":
            continue
        declarators = node.children_by_field_name("declarator")
        if not declarators:
            continue
        prefix = data[node.start_byte : declarators[0].start_byte].decode("utf-8", "replace")
        if "typedef" in prefix.split() or "extern" in prefix.split():
            continue
        following = children[i + 1] if i + 1 < len(children) else None
        comment = ""
        if following is not None and following.type == "comment" and following.start_point[0] == node.end_point[0]:
            comment = node_text(following).decode("utf-8", "replace").strip().removeprefix("//").strip(" /*")
        for decl in declarators:
            value = ""
            if decl.type == "init_declarator":
                value_node = decl.child_by_field_name("value")
                value = node_text(value_node).decode("utf-8", "replace") if value_node is not None else ""
                decl = required_field(decl, "declarator")
            name, pointer, array = _declarator_shape(decl)
            if name is None:
                continue
            text = node_text(decl).decode("utf-8", "replace")
            found[name] = Declared(name, prefix, text, pointer, array, value, comment)
    return found


def _notebook_being_parameterized() -> Any | None:
    """The notebook papermill's parameterize_notebook is filling in, if we are called from it."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name == "parameterize_notebook" and "nb" in frame.f_locals:
            return frame.f_locals["nb"]
        frame = frame.f_back
    return None


def _parameters_cell_source(nb: Any) -> str | None:
    for cell in getattr(nb, "cells", None) or []:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            source = cell.get("source", "")
            return "".join(source) if isinstance(source, list) else source
    return None


class CTranslator(Translator):
    """papermill parameters as C declarations (see the module docstring)."""

    @classmethod
    def translate_str(cls, val: str) -> str:
        return c_string(val)

    @classmethod
    def translate_escaped_str(cls, str_val: Any) -> str:
        return c_string(str(str_val))

    @classmethod
    def translate_none(cls, val: None) -> str:
        return "0"

    @classmethod
    def translate_bool(cls, val: bool) -> str:
        return "1" if val else "0"

    @classmethod
    def translate_int(cls, val: int) -> str:
        if val == LONG_MIN:
            return "(-9223372036854775807L - 1)"
        if LONG_MIN < val <= LONG_MAX:
            return str(val)
        if LONG_MAX < val <= ULONG_MAX:
            return f"{val}UL"
        raise PapermillException(f"integer parameter {val} does not fit in 64 bits")

    @classmethod
    def translate_float(cls, val: float) -> str:
        if math.isnan(val):
            return '__builtin_nan("")'
        if math.isinf(val):
            return "__builtin_inf()" if val > 0 else "(-__builtin_inf())"
        return repr(val)

    @classmethod
    def translate_list(cls, val: list) -> str:
        if any(isinstance(v, (list, dict)) for v in val):
            raise PapermillException("C parameters can be lists of numbers or strings, not nested lists or maps")
        return "{" + ", ".join(cls.translate(v) for v in val) + "}"

    @classmethod
    def translate_dict(cls, val: dict) -> str:
        raise PapermillException("C has no literal for a map: pass its entries as separate parameters")

    @classmethod
    def comment(cls, cmt_str: str) -> str:
        return "// " + " ".join(str(cmt_str).split())

    @classmethod
    def c_type(cls, val: Any) -> tuple[str, str]:
        """(specifiers, declarator suffix) of a global for a value with no declared type."""
        if isinstance(val, bool):
            return "int ", ""
        if isinstance(val, int):
            return ("unsigned long ", "") if val > LONG_MAX else ("long ", "")
        if isinstance(val, float):
            return "double ", ""
        if isinstance(val, str):
            return "const char *", ""
        if val is None:
            return "void *", ""
        if isinstance(val, list):
            if not val:
                raise PapermillException("an empty list has no C array type: declare it in the parameters cell")
            kinds = {cls.c_type(v)[0] for v in val}
            if kinds <= {"long ", "double "} and kinds:
                element = "double " if "double " in kinds else "long "
            elif len(kinds) == 1:
                element = kinds.pop()
            else:
                raise PapermillException(f"list parameter mixes types C cannot put in one array: {val!r}")
            return element, "[]"
        raise PapermillException(f"no C type for parameter value {val!r}")

    @classmethod
    def fits(cls, declared: Declared, val: Any) -> bool:
        """Whether `val` can initialize the declared global as written."""
        if isinstance(val, list):
            return declared.array
        if isinstance(val, str):
            return declared.pointer or declared.array
        if val is None:
            return not declared.array
        return not declared.pointer and not declared.array

    @classmethod
    def declaration(cls, name: str, val: Any, declared: Declared | None = None) -> str:
        """One C declaration that gives global `name` the value `val`."""
        c_identifier(name)
        value = cls.translate(val)
        if declared is not None and cls.fits(declared, val):
            return f"{declared.prefix}{declared.declarator} = {value};"
        specifiers, suffix = cls.c_type(val)
        return f"{specifiers}{name}{suffix} = {value};"

    @classmethod
    def codify(cls, parameters: dict, comment: str = "Parameters", declared: dict[str, Declared] | None = None) -> str:
        if declared is None:
            source = _parameters_cell_source(_notebook_being_parameterized())
            declared = declared_parameters(source) if source else {}
        lines = [cls.comment(comment)]
        lines += [cls.declaration(name, val, declared.get(name)) for name, val in parameters.items()]
        return "\n".join(lines) + "\n"

    @classmethod
    def inspect(cls, parameters_cell: Any) -> list[Parameter]:
        """The parameters cell's globals, for `papermill --help-notebook`."""
        source = parameters_cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        return [
            Parameter(
                name=d.name,
                inferred_type_name=(d.prefix + d.declarator.replace(d.name, "", 1)).strip(),
                default=d.default or "None",
                help=d.help,
            )
            for d in declared_parameters(source).values()
        ]


class CellcEngine(NBClientEngine):
    """papermill's nbclient engine under another name.

    It exists for its entry point: papermill imports every `papermill.engine`
    entry point at start-up, and importing this module registers CTranslator.
    """


def register() -> None:
    """Make papermill translate parameters for the cellc kernel (and the `c` language if unclaimed)."""
    papermill_translators.register("cellc", CTranslator)
    try:
        papermill_translators.find_translator("c", "c")
    except PapermillException:
        papermill_translators.register("c", CTranslator)


register()


def main(argv: list[str] | None = None) -> None:
    """`python -m cellc_kernel.papermill_translator ARGS`: papermill's CLI with the C translator."""
    from papermill.cli import papermill

    papermill.main(args=argv, prog_name="papermill")


if __name__ == "__main__":
    main()
