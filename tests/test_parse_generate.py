"""Unit tests of the splitter, the generator and is_complete: no kernel, real gcc where compiled.

These pin the pieces the kernel is built from, so a failure here names the
stage at fault before the end-to-end tests do.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from cellc_kernel import names, objfile
from cellc_kernel.compile import Compiler, read_symbols
from cellc_kernel.generate import generate
from cellc_kernel.is_complete import is_complete
from cellc_kernel.model import Program
from cellc_kernel.parse import ParsedCell, Splitter

ALL_KINDS = """\
#include <stdio.h>
#define N 3
#define SQ(x) ((x)*(x))
#undef N
#pragma GCC diagnostic ignored "-Wunused"
struct P { int x, y; };
union U { int i; float f; };
enum E { A, B = 2 };
typedef struct Q { int q; } Q;
typedef unsigned long ul;
struct R;
static int counter = 0, other;
extern int ext;
int f(int a, int b) { return a + b; }
static inline double g(double x) { return x; }
int proto(int);
struct S { int s; } svar = { 1 };
printf("hi");
for (int i = 0; i < 3; i++) counter++;
/* doc of h */
int h(void) { return 1; }
counter * 2"""


def split(code: str, known: set[str] = frozenset()) -> ParsedCell:
    return Splitter(lambda name: name in known).split(code)


@pytest.fixture(scope="module")
def all_kinds() -> ParsedCell:
    return split(ALL_KINDS)


# -- the splitter -------------------------------------------------------------------------------


def test_item_kinds_in_order(all_kinds: ParsedCell) -> None:
    kinds = [it.kind for it in all_kinds.items]
    assert kinds == [
        "include",
        "define",
        "define",
        "undef",
        "directive",
        "type",
        "type",
        "type",
        "typedef",
        "typedef",
        "directive",  # `struct R;` is a forward declaration
        "declaration",
        "declaration",
        "function",
        "function",
        "declaration",
        "declaration",
        "statement",
        "statement",
        "function",
        "value",
    ]
    assert all_kinds.has_value


def test_item_lines_and_byte_ranges(all_kinds: ParsedCell) -> None:
    """Each item knows where it stands, so gcc's diagnostics map back onto the cell."""
    source = ALL_KINDS.encode()
    lines = ALL_KINDS.split("\n")
    for it in all_kinds.items:
        raw = source[it.start : it.end].decode()
        assert it.text in (raw, raw + ";", raw.rstrip()), it
        assert lines[it.line - 1][it.col :].startswith(raw.split("\n")[0]), it
    by_text = {it.text.split("\n")[0]: it for it in all_kinds.items}
    assert by_text["int h(void) { return 1; }"].line == 21
    assert by_text["counter * 2"].line == 22
    starts = [it.start for it in all_kinds.items]
    assert starts == sorted(starts), "items come in source order"


def test_item_names_and_keys(all_kinds: ParsedCell) -> None:
    items = all_kinds.items
    assert items[0].keys == [("include", "#include <stdio.h>")]
    assert (items[1].name, items[2].name, items[3].name) == ("N", "SQ", "N")
    assert items[1].keys == [("macro", "N")]
    assert items[5].keys == [("struct", "P")]
    assert items[6].keys == [("union", "U")]
    assert items[7].keys == [("enum", "E"), ("const", "A"), ("const", "B")]
    assert set(items[8].keys) == {("struct", "Q"), ("typedef", "Q")}
    assert items[9].keys == [("typedef", "ul")]


def test_declarations(all_kinds: ParsedCell) -> None:
    static_decl, extern_decl = all_kinds.items[11], all_kinds.items[12]
    assert static_decl.storage == {"static"}
    assert [(d.name, d.init) for d in static_decl.declarators] == [("counter", "0"), ("other", None)]
    assert all(d.decl_text == f"int {d.name}" for d in static_decl.declarators), "no storage class in the type"
    assert extern_decl.storage == {"extern"}
    assert [d.name for d in extern_decl.declarators] == ["ext"]
    proto = all_kinds.items[15]
    assert [(d.name, d.is_function) for d in proto.declarators] == [("proto", True)]


def test_functions(all_kinds: ParsedCell) -> None:
    f, g, h = (it for it in all_kinds.items if it.kind == "function")
    assert (f.name, f.prototype, f.signature) == ("f", "int f(int a, int b)", "int @(int,int)")
    assert ALL_KINDS.encode()[f.name_range[0] : f.name_range[1]] == b"f"
    assert g.name == "g" and g.storage == {"static", "inline"}
    assert "static" not in g.prototype
    assert h.doc == "/* doc of h */", "a leading comment documents the function"


def test_struct_inside_declaration_is_split_out(all_kinds: ParsedCell) -> None:
    decl = all_kinds.items[16]
    assert decl.split_type is not None
    assert decl.split_type.kind == "type"
    assert decl.split_type.keys == [("struct", "S")]
    assert decl.split_type.text.startswith("struct S { int s; }")
    assert [(d.name, d.decl_text, d.init) for d in decl.declarators] == [("svar", "struct S svar", "{ 1 }")]


def test_tags_inside_an_untagged_type_are_split_out() -> None:
    """`struct { struct in { ... } i; } a, b;`: `struct in` has file scope (its
    own type item); the untagged type, shared by a and b, says `struct in i;`
    and keeps its enumerators; a tag of a parameter's scope stays."""
    decl = split(
        "static struct { struct in { int a; } i; enum { OFF, ON } m; int (*cb)(struct arg { int z; } *); } a, *b;"
    ).items[0]
    assert [(t.keys, t.text) for t in decl.nested_types] == [([("struct", "in")], "struct in { int a; };")]
    spec = "struct { struct in i; enum { OFF, ON } m; int (*cb)(struct arg { int z; } *); }"
    assert [(d.name, d.decl_text, d.shared_spec) for d in decl.declarators] == [
        ("a", f"{spec} a", spec),
        ("b", f"{spec} *b", spec),
    ]
    assert decl.declarators[0].spec_defines == {"OFF", "ON"}
    kept = split("struct { enum { K = 2 } k; struct need { int v[K]; } n; } w;").items[0]
    assert kept.nested_types == [] and kept.declarators[0].spec_defines == {"K", "struct need"}  # K comes first


def test_a_declaration_that_reads_like_a_call() -> None:
    """`T (*fp)(int) = 0;` is a declaration when T is a type (`_Bool`, a typedef
    of the notebook or of the cell): its texts and offsets are the user's."""
    code = "typedef long T;\nT (*fp)(int) = 0, (g);\n__extension__ _Bool (b) = 1;\nU (*u)(int);"
    cell = Splitter().split(code)
    assert [it.kind for it in cell.items] == ["typedef", "declaration", "declaration", "statement"]
    fp, g = cell.items[1].declarators
    assert (fp.decl_text, fp.init, g.decl_text) == ("T (*fp)(int)", "0", "T (g)")
    for d in (fp, g, cell.items[2].declarators[0]):
        assert code.encode()[d.name_start : d.name_start + len(d.name)] == d.name.encode()
        assert d.decl_text[d.name_at : d.name_at + len(d.name)] == d.name
    assert code[fp.init_start] == "0" and {"fp", "g", "b"} <= cell.declared
    assert Splitter(is_type=lambda name: name == "U").split("U (*u)(int);").items[0].kind == "declaration"
    typed = Splitter().split("typeof(fp) (*fps)[2];").items[0].declarators[0]
    assert (typed.decl_text, typed.name_at) == ("typeof(fp) (*fps)[2]", 13)


@pytest.mark.parametrize(
    "first",
    [
        "__attribute__((unused)) static short g3[4];",  # parentheses of an attribute,
        "_Alignas(16) char *p;",  # of `_Alignas`,
        "long g28 = (long)sizeof(int), (g29) = 18;",  # a cast: none is a K&R parameter list
        "enum t5 { E6, E6_b } (g7) __attribute__((aligned(32))) = (int)sizeof(long);",
        "signed char (g9) __attribute__((unused, aligned(16)));",  # an attribute after `(name)`
    ],
)
def test_the_item_after_an_attribute_or_a_cast(first: str) -> None:
    cell = split(f"{first}\nconst implicit = 3;\nf(x) {{ return x; }}")
    assert [(it.kind, it.text) for it in cell.items] == [
        ("declaration", first),
        ("declaration", "const implicit = 3;"),
        ("function", "f(x) { return x; }"),
    ]


def test_signature_ignores_parameter_names() -> None:
    a = split("int add(int a, int b) { return a + b; }").items[0]
    b = split("int add(int x,int y){ return x + y; }").items[0]
    c = split("long add(int a, int b) { return a + b; }").items[0]
    assert a.signature == b.signature
    assert a.signature != c.signature


@pytest.mark.parametrize(
    ("code", "known", "value"),
    [
        ("6 * 7", set(), "6 * 7"),
        ("1.5 + 1", set(), "1.5 + 1"),
        ('"hello"', set(), '"hello"'),
        ("x", {"x"}, "x"),
        ("a * b", {"a", "b"}, "a * b"),  # would be a declaration of a pointer `b` if `a` were a type
        ("f(3)", {"f"}, "f(3)"),
        ("int a = 2;\na * a", set(), "a * a"),  # `a` declared earlier in the same cell
        ('puts("x");\n(1 + 2) * 3', set(), "(1 + 2) * 3"),
        ("f(x)", {"f", "x"}, "f(x)"),
        # tree-sitter ends this one with a zero-width MISSING ";" node:
        ("sem_inc(sem_n)", {"sem_inc", "sem_n"}, "sem_inc(sem_n)"),
        ("int x = 2;\nsqrt(x)", set(), "sqrt(x)"),
    ],
)
def test_trailing_value_detected(code: str, known: set[str], value: str) -> None:
    cell = split(code, known)
    assert cell.has_value, [(it.kind, it.text) for it in cell.items]
    assert cell.items[-1].kind == "value"
    assert cell.items[-1].text == value


@pytest.mark.parametrize(
    ("code", "known"),
    [
        ("6 * 7;", set()),
        ("int x = 1;", set()),
        ("a * b;", {"a", "b"}),
        ("size_t * p;", set()),  # a pointer declaration: size_t is not a value
        ("void f(void) { }", set()),
        ("#define X 1", set()),
        ("struct P { int x; };", set()),
        ("// just a comment", set()),
        ("", set()),
    ],
)
def test_no_trailing_value(code: str, known: set[str]) -> None:
    cell = split(code, known)
    assert not cell.has_value
    assert all(it.kind != "value" for it in cell.items)


@pytest.mark.parametrize("code", ["6 * 7;", "x * 2;", "1 + 2 ;"])
def test_expression_statement_keeps_its_semicolon(code: str) -> None:
    """tree-sitter recovers `6 * 7;` at file scope as an ERROR node and a lone `;`: still one statement."""
    cell = split(code, {"x"})
    assert [(it.kind, it.text) for it in cell.items] == [("statement", code)]


def test_known_variable_product_is_a_statement_not_a_declaration() -> None:
    cell = split("a * b;", {"a", "b"})
    assert [it.kind for it in cell.items] == ["statement"]
    cell = split("a * b;")
    assert [it.kind for it in cell.items] == ["declaration"]
    assert cell.items[0].declarators[0].name == "b"


def test_initializer_recorded_exactly() -> None:
    d = split("int b = f(a) * 2;").items[0].declarators[0]
    assert d.init == "f(a) * 2"
    assert b"int b = f(a) * 2;"[d.init_start :].startswith(b"f(a) * 2")


def test_invalid_initializer_is_not_shortened() -> None:
    """A syntax error inside an initializer must reach gcc, not be dropped by the parser's recovery."""
    cell = split("int q = 1;\nint e = q +;")
    decl = cell.items[-1]
    inits = [d.init for d in decl.declarators]
    assert inits != ["q"], "the broken initializer `q +` was silently cut to `q`"


def test_unicode_byte_offsets() -> None:
    code = '// ✓ ünïcode\nconst char *s = "✓";\nint n = 1;'
    cell = split(code)
    raw = code.encode()
    for it in cell.items:
        assert raw[it.start : it.end].decode() == it.text
    assert [it.line for it in cell.items] == [2, 3]


# -- the generator --------------------------------------------------------------------------------


def gen(program: Program, code: str, number: int):
    cell = Splitter(program.is_value_name).split(code)
    return generate(program, cell, number, f"In[{number}]")


CELL1 = (
    "#include <stdio.h>\n"
    "struct P { int x; };\n"
    "int g = 3;\n"
    "int f(int a) { return a + g; }\n"
    "int b = f(g) * 2;\n"
    'printf("x");'
)


def test_generated_unit_has_line_directives_for_the_cell() -> None:
    unit = gen(Program(), CELL1, 1)
    text = unit.header + unit.body
    for line in range(1, 7):
        assert f'#line {line} "In[1]"' in text, line
    assert unit.entry == names.entry(1)
    assert f"void *__const__ {unit.entry}[]" in unit.body


def test_function_body_renamed_to_impl() -> None:
    unit = gen(Program(), CELL1, 1)
    # the body keeps its text; the name is private (a #line after it keeps columns)
    impl = names.body(1, "f")
    assert re.search(rf"int {impl}\s*\n#line \d+ \"In\[1\]\"\n\s*\(int a\) \{{ return a \+ g; \}}", unit.body)
    assert f'int f(int a) __asm__("{names.trampoline("f")}");' in unit.body, (
        "every reference goes through the trampoline"
    )
    assert f"(void *)&{names.slot('f')}, __extension__ (void *)&{impl}," in unit.body, "the entry table's pair"
    assert unit.defines == ["f"]


def test_statements_and_runtime_initializers_run_in_order() -> None:
    unit = gen(Program(), CELL1, 1)
    entry = unit.body[unit.body.index(unit.entry) :]
    assert entry.count(names.run(1)) == 1 and f"0, __extension__ (void *){names.run(1)}\n}};" in entry, (
        "one function body, called last"
    )
    run = unit.body[unit.body.index(f"static void {names.run(1)}(void)") :]
    first = run.index("f(g) * 2")
    second = run.index('printf("x");')
    assert first < second
    assert re.search(rf'int g __asm__\("{names.variable("g", 1)}"\) =\n#line \d+ "In\[1\]"\n *3;', unit.body), (
        "a constant initializer stays static"
    )


def test_prelude_carries_earlier_definitions() -> None:
    unit1 = gen(Program(), CELL1, 1)
    unit2 = gen(unit1.program, "#define TEN 10\nf(1) * g", 2)
    text = unit2.header + unit2.body
    # each declared where cell 1 has it, so gcc's notes on it point there
    assert f'int \n#line 4 "In[1]"\n    f(int a) __asm__("{names.trampoline("f")}");' in text
    assert f'extern int \n#line 3 "In[1]"\n    g __asm__("{names.variable("g", 1)}");' in text
    # only what the cell refers to is declared, so units do not grow with the notebook
    assert "struct P { int x; };" not in text
    assert names.variable("b", 1) not in text
    unit_p = gen(unit1.program, "struct P p = { 1 };\nsizeof p", 4)
    assert "struct P { int x; };" in unit_p.header + unit_p.body
    assert unit_p.header == "", "nothing from a header is needed"
    unit_io = gen(unit1.program, 'puts("hi");', 5)
    assert "#include <stdio.h>" in unit_io.header, "an unknown name may come from a header"
    assert unit2.value_symbol == names.value(2)
    assert names.body(1, "f") not in text, "earlier bodies are not compiled again"
    unit3 = gen(unit2.program, "TEN", 3)
    assert "#define TEN 10" in unit3.header + unit3.body


def test_prelude_orders_types_by_what_they_hold() -> None:
    """A member of struct type needs it complete before; a pointer only a
    declaration, so types that point to each other keep their order."""
    program = Program()
    cells = [
        "enum code { SOME = 148, LAST };",
        "typedef union node *tree;",
        "struct common { union node *chain; enum code code : 8; };",
        "union node { struct common common; };",
        "typedef struct pt pt_t;",
        "struct box { pt_t corner; };",
        "struct pt { int x; };",
    ]
    for n, cell in enumerate(cells, 1):
        program = gen(program, cell, n).program
    order = [d.text for d in program.sorted_definitions()]
    assert order.index(cells[2]) < order.index(cells[3])
    assert order.index(cells[6]) < order.index(cells[5]), "a box holds a struct pt: its definition comes first"
    unit = gen(program, "int kind(tree t) { return t->common.code; }", 8)
    assert "union node;\n" in unit.body, "declared ahead of struct common, which points to it"


def test_generate_does_not_touch_the_old_model() -> None:
    """The model after a cell is a copy, committed only on success: a failed cell changes nothing."""
    program = gen(Program(), CELL1, 1).program
    before = (dict(program.functions), dict(program.variables), list(program.definitions))
    unit = gen(program, "int extra = 1;\nint f(long a) { return 0; }\nstruct Z { int z; };", 2)
    assert (dict(program.functions), dict(program.variables), list(program.definitions)) == before
    assert "extra" in unit.program.variables
    assert unit.program.functions["f"].signature != program.functions["f"].signature


def test_static_global_has_no_storage_class_in_unit() -> None:
    """`static` names must stay visible to later cells, which are other objects."""
    unit = gen(Program(), "static int hidden = 9;", 1)
    assert re.search(
        rf'\bint hidden __asm__\("{names.variable("hidden", 1)}"\) =\n#line \d+ "In\[1\]"\n *9;', unit.body
    )
    assert "static int hidden" not in unit.body


@pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc not available")
def test_generated_units_compile(tmp_path: Path) -> None:
    """The generator's output is C that gcc accepts, defining what the model says."""
    compiler = Compiler(tmp_path)
    compiler.cflags = ("-Wmissing-prototypes", "-Wmissing-declarations", "-Werror")  # no function of ours is public
    unit1 = gen(Program(), CELL1, 1)
    obj1, _, _ = compiler.compile("cell1", unit1.header, unit1.body, "In[1]", CELL1)
    syms1 = read_symbols(obj1)
    ours = {names.entry(1), names.trampoline("f"), names.slot("f"), names.variable("g", 1), names.variable("b", 1)}
    assert ours <= syms1.defined
    assert {"printf", "putchar"} & syms1.undefined, "libc calls are left to the dynamic linker"
    code = {s.name: s for s in objfile.open_object(obj1).symbols() if s.code and names.is_ours(s.name)}
    assert code.keys() == {names.body(1, "f"), names.run(1), names.trampoline("f")}, (
        "gcc compiles no entry function: the entry is a table, its stores the executor's"
    )
    assert code[names.run(1)].bind == "local"
    unit2 = gen(unit1.program, "f(1) * g", 2)
    obj2, _, _ = compiler.compile("cell2", unit2.header, unit2.body, "In[2]", "f(1) * g")
    syms2 = read_symbols(obj2)
    assert names.value(2) in syms2.defined
    assert {names.trampoline("f"), names.variable("g", 1)} <= syms2.undefined
    so = compiler.link(obj2)
    out = subprocess.run(["nm", "-D", "--defined-only", str(so)], capture_output=True, text=True).stdout
    assert names.entry(2) in out


# -- is_complete --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "int x = 1;",
        "6 * 7",
        "int f(void) {\n  return 1;\n}",
        'puts("{ not a brace");',
        "char c = '}';",
        "/* { */ int y;",
        "// { in a line comment",
        "",
    ],
)
def test_is_complete_complete(code: str) -> None:
    assert is_complete(code)["status"] == "complete"


@pytest.mark.parametrize(
    "code",
    [
        "int f(void) {",
        "for (;;) {\n  x++;",
        "int a[] = {1, 2",
        "f(1,",
        "/* open comment",
        '"open string',
        "#define M(x) \\",
    ],
)
def test_is_complete_incomplete(code: str) -> None:
    reply = is_complete(code)
    assert reply["status"] == "incomplete"
    assert isinstance(reply["indent"], str)


def test_is_complete_indent_follows_depth() -> None:
    assert is_complete("int f(void) {")["indent"] == "    "
    # one level deeper than the line that opened the block
    assert is_complete("int f(void) {\n  if (1) {")["indent"] == "      "


@pytest.mark.parametrize("code", ["}", "x)", "int a[2] = {1, 2)};", "f(]"])
def test_is_complete_invalid(code: str) -> None:
    assert is_complete(code)["status"] == "invalid"


def test_typeof_of_an_expression_declares_a_global() -> None:
    # tree-sitter-c reads `__typeof__(a + 1) b` as a call; the splitter masks it.
    cell = Splitter().split("__typeof__(a + 1) b = 2;\ntypeof(b) c;")
    decls = [(it.kind, [d.name for d in it.declarators]) for it in cell.items]
    assert decls == [("declaration", ["b"]), ("declaration", ["c"])]
    assert cell.items[0].declarators[0].decl_text == "__typeof__(a + 1) b"
    assert "a" in cell.uses, "names inside typeof still reach the prelude"


@pytest.mark.parametrize(
    ("code", "kinds"),
    [
        ('main() { puts("hi"); return 7; }', [("function", "main", "int main()")]),
        ("f(k) { return k + 1; }", [("function", "f", "int f()")]),
        ("static h(void) { return 1; }", [("function", "h", "int h(void)")]),
        ("sum(a, b) int a; int b; { return a + b; }", [("function", "sum", "int sum()")]),
        ("int g(size_t n) { return 0; }", [("function", "g", "int g(size_t n)")]),
        ("static count;\nconst limit = 5;", [("declaration", "", ""), ("declaration", "", "")]),
        (
            "struct P { int x; } mkP(int v) { struct P p = { v }; return p; }",
            [("function", "mkP", "struct P mkP(int v)")],
        ),
        ("if (x) { y(); }\nCHECK(x) { y(); }", [("statement", "", ""), ("statement", "", "")]),
    ],
)
def test_definitions_without_a_type(code: str, kinds: list[tuple[str, str, str]]) -> None:
    """C90's implicit int and K&R parameters: function items keep the user's
    text, with the prototype C reads (`f()` for K&R)."""
    cell = Splitter(is_macro=lambda name: name == "CHECK").split(code)
    assert [(it.kind, it.name, it.prototype) for it in cell.items] == kinds
    assert [it.text for it in cell.items] == [code[it.start : it.end] for it in cell.items]


def test_item_boundaries_follow_the_braces() -> None:
    from cellc_kernel.parse import top_level_starts

    code = b'int a[] = {1}; f(x) { return x; } struct S { int v; } s; g(a) int a; { }\n#define X 1\n"s;";'
    starts = list(top_level_starts(code))
    assert [code[at : at + 3] for at in starts] == [b"int", b"f(x", b"str", b"g(a", b'"s;']


def test_directive_text_ends_with_its_logical_line() -> None:
    cell = Splitter().split("#define ADD(a, b) ((a) + (b)) \\\n\nint y;\n#undef Q \\\n  \n")
    assert [(it.kind, it.text, it.name) for it in cell.items] == [
        ("define", "#define ADD(a, b) ((a) + (b)) \n", "ADD"),
        ("declaration", "int y;", ""),
        ("undef", "#undef Q \n", "Q"),
    ]
