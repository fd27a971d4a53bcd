"""Fuzz the splitter against gcc's own view of a file: no declaration is dropped.

A seeded generator writes random top-level C declarations the way people
write them (storage classes, qualifiers, typedefs, tags defined in every
place C lets a tag be defined, bit-fields, arrays sized by constant
expressions, function pointers, several declarators, designated and
compound initializers, attributes, `_Alignas`, `_Atomic`, `typeof`, K&R
functions, implicit int, macros that declare, `__extension__`, statement
expressions, `_Static_assert`), each followed by uses.

gcc is the oracle.  Every identifier of the preprocessed file is probed
after the file with gcc (`-fsyntax-only`, one probe per line, each one's
errors its own): is it an ordinary name, a typedef, an object or function,
an integer constant; its size and alignment, the value of a scalar or of
an array of scalars; and every tag's size and alignment.  The probes gcc
takes are built with the file and run: their output is gcc's view.  The
same text then goes through a real cellc kernel, all items in one cell and
one cell per item, and a last cell runs the same probes: its output must
be gcc's (contract item 17: a top-level item is never dropped silently),
or a cell must have failed with a message that names no generated name.

    python tests/conformance/fuzz_declarations.py --seed 1 --count 50
    python tests/conformance/fuzz_declarations.py --seed 7 --count 1 --show

A failure is printed with the cells reduced to those it still needs.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import DEFAULT_CFLAGS, Session  # noqa: E402

GENERATED = re.compile(r"__cellc|<cellc>|/cellc-\w+/")  # cellc's own names, and its temporary files


# -- the generator -----------------------------------------------------------------------
@dataclass
class Type:
    """A type a declaration can name: its specifier text and what it is."""

    spec: str
    kind: str  # int, float, bool, complex, struct, ptr, array, func, fptr
    members: list[str] = field(default_factory=list)  # struct: its scalar members
    params: str = ""  # func: the parameter list, `(int, long)`


BASE = [
    Type("int", "int"),
    Type("unsigned", "int"),
    Type("long", "int"),
    Type("unsigned long long", "int"),
    Type("short", "int"),
    Type("signed char", "int"),
    Type("char", "int"),
    Type("double", "float"),
    Type("float", "float"),
    Type("_Bool", "bool"),
    Type("long double", "float"),
    Type("__int128", "int"),
    Type("_Complex double", "complex"),
]

ATTRIBUTES = [
    "__attribute__((unused))",
    "__attribute__((aligned(32)))",
    "__attribute__((used))",
    "__attribute__((unused, aligned(16)))",
    "__attribute__ ((__unused__))",
    "[[gnu::unused]]",
    "[[maybe_unused]]",
]
FUNCTION_ATTRIBUTES = [
    "__attribute__((noinline))",
    "__attribute__((cold))",
    "__attribute__((unused))",
    "[[gnu::noinline]]",
]
ALIGNAS = ["_Alignas(64)", "_Alignas(128)", "_Alignas(int __attribute__((aligned(64))))"]


class Generator:
    """Random top-level items for one seed: `items()` is the list of cells."""

    def __init__(self, seed: int):
        self.r = random.Random(seed)
        self.n = 0
        self.types: list[Type] = list(BASE)
        self.objects: list[tuple[str, Type]] = []  # defined objects (for `&x` and `sizeof x`)
        self.functions: list[str] = []  # `int f(int)` functions, callable
        self.constants: list[str] = []  # enumerators and macros of integer constants
        self.tags: list[str] = []  # complete struct/union tags (`struct t3`)
        self.pending: list[str] = []  # definitions owed by earlier `extern`s and prototypes
        self.out: list[str] = []

    def complete(self) -> list[tuple[str, Type]]:
        """The objects of a complete type."""
        return [(n, t) for n, t in self.objects if t.kind != "incarray"]

    def name(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}{self.n}"

    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def pick(self, seq):
        return self.r.choice(seq)

    # -- pieces
    def const_expr(self) -> str:
        choices = [lambda: str(self.r.randint(1, 5)), lambda: f"{self.r.randint(1, 3)} + 1"]
        choices.append(lambda: "sizeof(int)")
        if self.constants:
            choices.append(lambda: f"({self.pick(self.constants)} & 3) + 1")
        if self.tags:
            choices.append(lambda: f"sizeof(struct {self.pick(self.tags)}) / sizeof(char) % 4 + 1")
        sized = [n for n, t in self.objects if t.kind in ("int", "float", "struct", "array")]
        if sized:
            choices.append(lambda: f"sizeof {self.pick(sized)} % 3 + 1")
        return self.pick(choices)()

    def scalar_init(self, t: Type) -> str:
        if t.kind == "bool":
            return self.pick(["1", "0", "2 > 1"])
        if t.kind == "complex":
            return self.pick(["1.5", "2.0 + 0.5"])
        if t.kind == "float":
            return self.pick(["1.25", "-3.5", "2.0 / 4"])
        choices = [lambda: str(self.r.randint(-9, 99)), lambda: f"{self.r.randint(1, 9)} << 2"]
        if self.constants:
            choices.append(lambda: f"{self.pick(self.constants)} * 2")
        if self.complete():
            choices.append(lambda: f"(int)sizeof({self.pick(self.complete())[0]})")
        if self.tags:
            choices.append(lambda: f"(int)sizeof(struct {self.pick(self.tags)})")
        return self.pick(choices)()

    def init_for(self, t: Type, decl: str) -> str | None:
        """An initializer for a declarator `decl` (the shape) of base type t, or None."""
        if decl == "array":
            if t.kind == "struct":
                inner = f"{{ .{t.members[0]} = 3 }}" if t.members else "{ 0 }"
                return self.pick([f"{{ {inner} }}", f"{{ [0] = {inner} }}", "{ 0 }"])
            if t.kind in ("int", "float", "bool"):
                return self.pick(["{ 1 }", "{ [0] = 7 }", "{ 0 }"])
            return None
        if decl == "ptr":
            if t.kind in ("struct", "int", "float") and "{" not in t.spec:
                return self.pick(["0", f"&({t.spec}){{ 0 }}", f"({t.spec} *)0"])
            return "0"
        if decl == "fptr":
            return self.pick(["0", "(void *)0"])
        if t.kind == "struct":
            if t.members and self.chance(0.5):
                return f"{{ .{self.pick(t.members)} = {self.r.randint(1, 9)} }}"
            return self.pick(["{ 0 }", "{ }"])
        if t.kind == "array":
            return "{ 0 }"
        if t.kind in ("ptr", "fptr"):
            return "0"
        if t.kind == "func":
            return None
        return self.scalar_init(t)

    def attr(self, p: float = 0.2, first: bool = False) -> str:
        """An attribute (`first`: at the start of a declaration, where `[[...]]` may go)."""
        return self.pick(ATTRIBUTES if first else ATTRIBUTES[:-2]) + " " if self.chance(p) else ""

    def declarator(self, name: str, t: Type) -> tuple[str, str]:
        """(declarator text, shape) for a name of base type t."""
        if t.kind == "func":
            return name, "func"
        shapes = ["plain"] * 5 + ["ptr", "ptr", "array", "parray", "paren"]
        if t.kind not in ("array", "struct"):
            shapes += ["fptr", "fparray"]
        shape = self.pick(shapes)
        if shape == "plain":
            return name, "plain"
        if shape == "paren":
            return f"({name})", "plain"
        if shape == "ptr":
            return self.pick([f"*{name}", f"* const {name}", f"*{self.attr(0.3)}{name}"]), "ptr"
        if shape == "array":
            if t.kind == "array":
                return name, "plain"
            return f"{name}[{self.const_expr()}]", "array"
        if shape == "parray":
            return f"(*{name})[{self.const_expr()}]", "ptr"
        if shape == "fptr":
            return f"(*{name})({self.pick(['void', 'int', 'int, char *', 'const char *, ...'])})", "fptr"
        return f"(*{name}[{self.r.randint(1, 3)}])(void)", "fparray"

    # -- items
    def struct_body(self, depth: int = 0) -> tuple[str, list[str]]:
        """`{ members }` and the names of its scalar members."""
        parts, scalars = [], []
        for _ in range(self.r.randint(1, 4)):
            m = self.name("m")
            roll = self.r.random()
            if roll < 0.15:
                parts.append(f"unsigned {m} : {self.r.randint(1, 7)};")
                if self.chance(0.3):
                    parts.append("int : 0;")
                scalars.append(m)
            elif roll < 0.25 and depth == 0:
                tag = self.name("in")
                body, _ = self.struct_body(depth + 1)
                parts.append(f"struct {tag} {body} {m};")  # a tag of file scope, defined in a member
                self.tags.append(tag)
            elif roll < 0.35 and depth == 0:
                enum = self.name("ie")
                names = [f"{enum}_{c}" for c in "ab"]
                parts.append(f"enum {enum} {{ {', '.join(names)} }} {m} : 4;")
                self.constants.extend(names)
                scalars.append(m)
            elif roll < 0.45 and depth == 0:
                body, _ = self.struct_body(depth + 1)
                parts.append(f"{self.pick(['union', 'struct'])} {body};")  # anonymous member
            elif roll < 0.55:
                parts.append(f"char {m}[{self.const_expr()}];")
            elif roll < 0.6:
                parts.append(f"int (*{m})(int);")
            else:
                base = self.pick([t for t in BASE if t.kind in ("int", "float")])
                parts.append(f"{base.spec} {m};")
                scalars.append(m)
        return "{ " + " ".join(parts) + " }", scalars

    def tag_type(self, keyword: str | None = None, anonymous: bool = False) -> tuple[str, Type, str]:
        """(definition text, the type, its tag or '') of a new struct/union/enum."""
        keyword = keyword or self.pick(["struct", "struct", "union", "enum"])
        tag = "" if anonymous else self.name("t")
        if keyword == "enum":
            first = self.name("E")
            names = [first] + [f"{first}_{c}" for c in "bc"[: self.r.randint(0, 2)]]
            values = [f"{n} = {self.scalar_init(Type('int', 'int'))}" if self.chance(0.3) else n for n in names]
            text = f"enum {tag} {{ {', '.join(values)}{',' if self.chance(0.3) else ''} }}"
            self.constants.extend(names)
            return text, Type(f"enum {tag}" if tag else "int", "int"), tag
        body, scalars = self.struct_body()
        attr = " __attribute__((packed))" if self.chance(0.1) else ""
        text = f"{keyword}{attr} {tag} {body}"
        if tag:
            self.tags.append(tag) if keyword == "struct" else None
        spec = f"{keyword} {tag}" if tag else text  # anonymous: spelt whole, once
        return text, Type(spec, "struct", scalars if keyword == "struct" else scalars[:1]), tag

    def objects_item(self) -> str:
        """A declaration of one to three objects, the way people write them."""
        t = self.pick([t for t in self.types if t.kind != "func"])
        spec = t.spec
        roll = self.r.random()
        if roll < 0.15:  # a type defined right in the declaration
            spec, t, _ = self.tag_type(anonymous=self.chance(0.3))
            spec = spec if self.chance(0.8) else spec  # the definition itself is the specifier
        elif roll < 0.2 and self.complete():
            other, ot = self.pick(self.complete())
            spec, t = self.pick([f"__typeof__({other})", f"typeof({other})"]), ot
        storage = self.pick(["", "", "", "static ", "_Thread_local ", "static __thread "])
        quals = ""
        if self.chance(0.15):
            quals += "const "
        if self.chance(0.1):
            quals += "volatile "
        if self.chance(0.1) and t.kind in ("int", "float", "struct"):
            quals += "_Atomic "
        align = self.pick(ALIGNAS) + " " if self.chance(0.12) else ""
        decls = []
        count = self.pick([1, 1, 1, 2, 3])
        for _ in range(count):
            name = self.name("g")
            text, shape = self.declarator(name, t)
            if shape in ("fparray", "array") and "_Atomic" in quals:
                text, shape = name, "plain"
            attr = self.attr(0.15)
            init = self.init_for(t if shape == "plain" else t, "ptr" if shape == "fptr" else shape)
            if shape == "fparray":
                init = "{ 0 }"
            if shape == "array" and init is not None and self.chance(0.3):
                text = re.sub(r"\[[^\]]*\]$", "[]", text)  # `a[] = {...}`: the size from the initializer
                init = "{ 1, 2, 3 }" if t.kind in ("int", "float", "bool") else init
            elif init is not None and self.chance(0.35) and "const" not in quals:
                init = None
            if shape == "array" and init is None and text.endswith("[]"):
                init = "{ 0 }"
            decls.append(
                f"{text} {attr}= {init}".replace(" = None", "") if init else f"{text}{' ' + attr if attr else ''}"
            )
            kind = {"plain": t.kind, "ptr": "ptr", "array": "array", "fptr": "fptr", "fparray": "array"}[shape]
            if "_Atomic" not in quals:
                self.objects.append((name, Type(t.spec, kind, t.members)))
        head = f"{self.attr(0.1, first=True)}{storage}{quals}{align}{spec} {self.attr(0.1)}"
        if self.chance(0.08):
            head = "__extension__ " + head
        return head + ", ".join(decls) + ";"

    def tag_item(self) -> list[str]:
        roll = self.r.random()
        if roll < 0.5:
            text, t, tag = self.tag_type()
            if tag:
                self.types.append(t)
            return [text + ";"]
        if roll < 0.65:  # forward declared, used through a pointer, defined later
            tag = self.name("t")
            ptr = self.name("g")
            body, scalars = self.struct_body()
            self.tags.append(tag)
            self.types.append(Type(f"struct {tag}", "struct", scalars))
            return [f"struct {tag};", f"struct {tag} *{ptr};", f"struct {tag} {body};"]
        if roll < 0.7:  # a tag defined inside an expression: cellc says it cannot keep it (README)
            keyword = self.pick(["struct", "enum"])
            text, t, tag = self.tag_type(keyword)
            where = self.pick(["sizeof", "cast", "typeof"]) if keyword == "enum" else self.pick(["sizeof", "typeof"])
            name = self.name("g")
            if where == "sizeof":
                item = f"int {name} = sizeof({text});"
            elif where == "cast":
                item = f"int {name} = ({text})0 + 1;"
            else:
                item = f"__typeof__({text}) {name};"
            if tag:
                self.types.append(t)
            self.objects.append((name, t if where == "typeof" else Type("int", "int")))
            return [item]
        # a tag defined in a function's return type or its typedef
        text, t, tag = self.tag_type("struct")
        fn = self.name("mk")
        return [
            f"{text} {fn}(void) {{ {text.split('{')[0].strip()} v = {{ 0 }}; return v; }}"
            if tag
            else f"int {fn}(void) {{ return sizeof({text}); }}"
        ]

    def typedef_item(self) -> str:
        name = self.name("T")
        roll = self.r.random()
        if roll < 0.3:
            text, t, tag = self.tag_type(anonymous=self.chance(0.5))
            extra = ""
            if tag and self.chance(0.4):
                pname = self.name("P")
                extra = f", *{pname}"
                self.types.append(Type(pname, "ptr"))
            self.types.append(Type(name, t.kind, t.members))
            return f"typedef {text} {name}{extra};"
        base = self.pick([t for t in self.types if t.kind not in ("func",)])
        if roll < 0.45:
            self.types.append(Type(name, "ptr"))
            return f"typedef {base.spec} *{name};"
        if roll < 0.55 and base.kind != "array":
            self.types.append(Type(name, "array"))
            return f"typedef {base.spec} {name}[{self.const_expr()}];"
        if roll < 0.65:
            params = self.pick(["(int)", "(void)", "(int, long)"])
            self.types.append(Type(name, "func", params=params))
            return f"typedef int {name}{params};"
        if roll < 0.72:
            self.types.append(Type(name, "fptr"))
            return f"typedef int (*{name})(int);"
        if roll < 0.8 and self.complete():
            other, ot = self.pick(self.complete())
            self.types.append(Type(name, ot.kind, ot.members))
            return f"typedef __typeof__({other}) {name};"
        if roll < 0.85:
            self.types.append(Type(name, base.kind, base.members))
            return f"__extension__ typedef {base.spec} {name};"
        self.types.append(Type(name, base.kind, base.members))
        attribute = self.pick(["__attribute__((unused)) ", "__attribute__((__may_alias__)) ", ""])
        return f"typedef {base.spec} {attribute}{name};"

    def body_uses(self) -> str:
        """Statements that use earlier names."""
        uses = []
        for other, t in self.r.sample(self.complete(), min(len(self.complete()), 2)):
            uses.append(f"n += (int)sizeof {other};")
            if t.kind == "int":
                uses.append(f"n += ({{ __typeof__({other}) t_ = {other}; (int)t_; }});")
        if self.constants:
            uses.append(f"n += {self.pick(self.constants)};")
        if self.functions:
            uses.append(f"n += {self.pick(self.functions)}(1);")
        if self.tags:
            uses.append(f"{{ struct {self.pick(self.tags)} s_ = {{ 0 }}; n += (int)sizeof s_; }}")
        return " ".join(uses)

    def function_item(self) -> list[str]:
        name = self.name("f")
        body = f"{{ int n = x; {self.body_uses()} return n; }}"
        roll = self.r.random()
        self.functions.append(name)
        if roll < 0.3:
            storage = self.pick(["", "static ", "static inline ", "extern "])
            return [
                f"{self.pick(FUNCTION_ATTRIBUTES) + ' ' if self.chance(0.2) else ''}{storage}int {name}(int x) {body}"
            ]
        if roll < 0.45:  # a prototype first, the definition later
            proto = self.pick(
                [
                    f"int {name}(int);",
                    f"int {name}();",
                    f"extern int {name}(int x);",
                    f"int {name}(int) __attribute__((noinline));",
                ]
            )
            self.pending.append(f"int {name}(int x) {body}")
            return [proto]
        if roll < 0.55:
            return [f"int {name}(x) int x; {body}"]  # K&R
        if roll < 0.65:
            return [f"{name}(x) {body}"]  # implicit int
        if roll < 0.75:
            ftypes = [t for t in self.types if t.kind == "func" and t.params == "(int)"]
            if ftypes:
                t = self.pick(ftypes)
                self.pending.append(f"int {name}(int x) {body}")
                return [self.pick([f"{t.spec} {name};", f"extern {t.spec} {name};", f"static {t.spec} {name};"])]
            return [f"int {name}(int x) {body}"]
        if roll < 0.85 and len(self.functions) > 1:
            other = self.pick(self.functions[:-1])
            self.pending.append(f"int {name}(int x) {body}")
            return [f"__typeof__({other}) {name};"]
        ret = self.pick(["int (*{})(int x)", "int *{}(int x)"])
        self.functions.pop()
        helper = self.name("h")
        if ret.startswith("int (*"):  # returns a function pointer
            inner = f"int (*{name}(int x))(int)"
            return [f"static int {helper}(int v) {{ return v; }}", f"{inner} {{ (void)x; return {helper}; }}"]
        return [f"static int {helper}[4];", f"int *{name}(int x) {{ return &{helper}[x & 3]; }}"]

    def extern_item(self) -> list[str]:
        t = self.pick([t for t in self.types if t.kind in ("int", "float", "struct")])
        name = self.name("g")
        if self.chance(0.4):
            self.pending.append(f"{t.spec} {name}[{self.r.randint(2, 4)}];")
            self.objects.append((name, Type(t.spec, "incarray", t.members)))
            return [f"extern {t.spec} {name}[];"]
        init = self.init_for(t, "plain")
        self.pending.append(f"{t.spec} {name}{' = ' + init if init else ''};")
        self.objects.append((name, t))
        return [f"extern {t.spec} {name};"]

    def macro_item(self) -> list[str]:
        macro = self.name("DECL")
        name = self.name("g")
        roll = self.r.random()
        self.objects.append((name, Type("int", "int")))
        if roll < 0.3:
            return [f"#define {macro}(n, v) int n = v;", f"{macro}({name}, {self.r.randint(1, 9)})"]
        if roll < 0.5:
            self.objects[-1] = (name, Type("int", "array"))
            return [f"#define {macro}(t, n, k) static t n[k]", f"{macro}(int, {name}, {self.r.randint(2, 5)});"]
        if roll < 0.7:
            return [f"#define {macro} long", f"{macro} {name} = {self.r.randint(1, 9)};"]
        if roll < 0.85:
            tag = self.name("t")
            self.tags.append(tag)
            self.objects[-1] = (name, Type(f"struct {tag}", "struct", ["a", "b"]))
            return [f"#define {macro}(tag) struct tag {{ int a; long b; }}", f"{macro}({tag}) {name};"]
        self.objects.pop()
        const = self.name("K")
        self.constants.append(const)
        return [f"#define {const} {self.r.randint(1, 9)}"]

    def misc_item(self) -> list[str]:
        roll = self.r.random()
        if roll < 0.25 and self.complete():
            other, _ = self.pick(self.complete())
            return [
                self.pick([f'_Static_assert(sizeof {other} > 0, "size");', f"_Static_assert(sizeof({other}) >= 1);"])
            ]
        if roll < 0.45:
            name = self.name("g")
            self.objects.append((name, Type("int", "int")))
            return [f"__auto_type {name} = {self.r.randint(1, 9)};"]
        if roll < 0.6:
            name = self.name("g")
            self.objects.append((name, Type("int", "int")))
            return [f"_Atomic(int) {name} = {self.r.randint(1, 9)};"]
        if roll < 0.75:
            name = self.name("g")
            return [f"{self.pick(['static ', 'const '])}{name} = {self.r.randint(1, 9)};"]  # implicit int
        if roll < 0.85:
            name = self.name("g")
            self.objects.append((name, Type("int", "int")))
            return [f"int {name}, {name}_b = {self.r.randint(1, 9)}, *{name}_p = &{name}_b;"]
        name = self.name("g")
        self.objects.append((name, Type("int", "array")))
        return [f"int {name}[] = {{ [{self.r.randint(1, 4)}] = 1, 2 }}, {name}_n = sizeof {name} / sizeof *{name};"]

    def items(self) -> list[str]:
        makers = [
            (self.objects_item, 6),
            (self.tag_item, 3),
            (self.typedef_item, 3),
            (self.function_item, 3),
            (self.extern_item, 1),
            (self.macro_item, 1),
            (self.misc_item, 2),
        ]
        weights = [w for _, w in makers]
        for _ in range(self.r.randint(6, 14)):
            make = self.r.choices([m for m, _ in makers], weights)[0]
            made = make()
            self.out.extend([made] if isinstance(made, str) else made)
            if self.pending and self.chance(0.3):
                self.out.append(self.pending.pop(0))
        self.out.extend(self.pending)
        return self.out


# -- gcc's view --------------------------------------------------------------------------
KEYWORDS = set(
    """auto break case char const continue default do double else enum extern float for goto if inline int long
    register restrict return short signed sizeof static struct switch typedef union unsigned void volatile while
    _Alignas _Alignof _Atomic _Bool _Complex _Generic _Imaginary _Noreturn _Static_assert _Thread_local typeof
    __typeof__ __typeof __attribute__ __attribute __extension__ __auto_type __thread __int128 asm __asm__
    __inline __inline__ __restrict __restrict__ __const __volatile__ __alignof__ __signed__ _Float128 _Float64
    unused aligned used packed noinline cold gnu maybe_unused __unused__""".split()
)
ARITH = "double"


def probes(name: str, tag: str | None) -> list[tuple[str, str]]:
    """(what, statement) pairs: the questions asked of one name, each a
    statement that gcc takes only when the answer is yes, and prints it."""
    if tag:
        t = f"{tag} {name}"
        return [("size", f'__builtin_printf("{t} size %zu align %zu\\n", sizeof({t}), __alignof__({t}));')]
    p = f'__builtin_printf("{name} '
    return [
        ("ordinary", f'{{ __typeof__({name}) *p_ = 0; (void)p_; {p}is declared\\n"); }}'),
        ("typedef", f'{{ {name} *p_ = 0; (void)p_; {p}is a type\\n"); }}'),
        ("object", f'{{ __typeof__(&({name})) p_ = 0; (void)p_; {p}has an address\\n"); }}'),
        ("size", f'{p}size %zu align %zu\\n", sizeof({name}), __alignof__({name}));'),
        ("constant", f'{{ switch (0) {{ case ({name}): ; }} {p}= %lld\\n", (long long)({name})); }}'),
        ("value", f'{p}value %.21Lg\\n", (long double)({name}));'),
        (
            "array",
            f'{{ _Static_assert(!__builtin_types_compatible_p(__typeof__({name}), __typeof__(&({name})[0])), ""); '
            f"for (unsigned long i_ = 0; i_ < sizeof({name}) / sizeof(({name})[0]); i_++) "
            f'{p}[%lu] %.21Lg\\n", i_, (long double)({name})[i_]); }}',
        ),
    ]


def gcc(args: list[str], source: str, workdir: Path, cflags: list[str]) -> subprocess.CompletedProcess:
    path = workdir / "fuzz.c"
    path.write_text(source)
    return subprocess.run(["gcc", *cflags, *args, str(path)], capture_output=True, text=True, cwd=workdir)


def names_of(text: str, workdir: Path, cflags: list[str]) -> tuple[set[str], set[tuple[str, str]]] | None:
    """The identifiers and the tags of the file as gcc's preprocessor leaves it."""
    proc = gcc(["-E", "-P"], text, workdir, cflags)
    if proc.returncode != 0:
        return None
    code = re.sub(r'"(?:\\.|[^"\\])*"', " ", proc.stdout)
    idents = {w for w in re.findall(r"\b[A-Za-z_]\w*\b", code) if w not in KEYWORDS and not w.startswith("__builtin")}
    tags = set(re.findall(r"\b(struct|union|enum)\s+([A-Za-z_]\w*)", code))
    return idents - {"n", "x", "v", "t_", "s_", "p_", "i_"}, tags


def undefined_names(text: str, statements: list[str], workdir: Path, cflags: list[str]) -> set[str]:
    """The names the file and `statements` (in a main) refer to and nothing
    in the file defines: the undefined symbols of the object gcc makes."""
    main = "\nint main(void) {\n" + "\n".join(statements) + "\nreturn 0; }\n"
    obj = workdir / "fuzz.o"
    if gcc(["-c", "-o", str(obj)], text + main, workdir, cflags).returncode != 0:
        return set()
    proc = subprocess.run(["nm", "-u", str(obj)], capture_output=True, text=True)
    return {line.split()[-1] for line in proc.stdout.splitlines() if line.strip()}


def gcc_view(text: str, workdir: Path, cflags: list[str]) -> tuple[list[str], str] | None:
    """(the probes gcc takes after `text`, their output): gcc's view of what
    the file declares.  None: gcc rejects the file itself."""
    if gcc(["-fsyntax-only"], text, workdir, cflags).returncode != 0:
        return None
    found = names_of(text, workdir, cflags)
    if found is None:
        return None
    idents, tags = found
    asked = [(name, what, s) for name in sorted(idents) for what, s in probes(name, None)]
    asked += [(name, what, s) for kw, name in sorted(tags) for what, s in probes(name, kw)]
    base = text.count("\n") + 2
    lines = [f"static void probe_{i}(void) {{ {s} }}" for i, (_, _, s) in enumerate(asked)]
    proc = gcc(["-fsyntax-only"], text + "\n" + "\n".join(lines) + "\n", workdir, cflags)
    bad = {int(m) - base for m in re.findall(r"fuzz\.c:(\d+):\d+: error", proc.stderr)}
    kept = [probe for i, probe in enumerate(asked) if i not in bad]
    # An object the file declares and nothing defines has no value in gcc's
    # program (it would not link; ignoring that, the read is of address 0 or
    # wherever a text relocation lands), and in a notebook its `extern` has
    # storage of its own: nothing to compare.
    undefined = undefined_names(text, [s for _, _, s in kept], workdir, cflags)
    taken = [s for name, what, s in kept if not (name in undefined and what in ("value", "array"))]
    main = "\nint main(void) {\n" + "\n".join(taken) + "\nreturn 0; }\n"
    exe = workdir / "fuzz"
    proc = gcc(["-o", str(exe), "-Wl,--unresolved-symbols=ignore-all"], text + main, workdir, cflags)
    if proc.returncode != 0:
        raise RuntimeError(f"gcc takes each probe but not them all:\n{proc.stderr[:2000]}")
    run = subprocess.run([str(exe)], capture_output=True, text=True, timeout=10)
    if run.returncode != 0:  # gcc's program cannot run (a symbol nothing defines): nothing to compare
        return None
    return taken, run.stdout


# -- cellc's view ------------------------------------------------------------------------
@dataclass
class Outcome:
    """What one way of sending the cells found."""

    mode: str
    problem: str = ""  # a silent drop or a message that shows generated names
    rejected: str = ""  # a cell cellc refused, with its message (allowed)
    cells: list[str] = field(default_factory=list)


def error_text(reply: dict, errors: list[dict]) -> str:
    if errors:
        return "\n".join(errors[0]["traceback"])
    return reply.get("evalue", "")


class Fuzzer:
    def __init__(self, cflags: list[str], verbose: bool = False):
        self.cflags = cflags
        self.session = Session()
        self.verbose = verbose
        self.workdir = Path(tempfile.mkdtemp(prefix="cellc-fuzz-"))
        self.compared = 0  # gcc's answers checked in a notebook

    def stop(self) -> None:
        self.session.stop()

    def execute(self, code: str) -> tuple[dict, str, list[dict]]:
        if self.session.km is None or not self.session.km.is_alive():
            self.session.stop()
            self.session._start()
        return self.session.execute(code)

    def reset(self) -> None:
        self.execute("%reset")
        self.execute("%cflags " + " ".join(self.cflags))

    def run(self, cells: list[str], mode: str) -> Outcome:
        """Send the cells (all in one for `whole`), then the probes of gcc's
        view of what the cells that ran declare.  A cell that fails changes
        nothing, so the cells after it still go (split): gcc's view is then
        of the cells that ran, or, if gcc needs the failed ones, of those
        before the first that failed."""
        out = Outcome(mode, cells=cells)
        sent = ["\n".join(cells)] if mode == "whole" else cells
        self.reset()
        ran: list[str] = []
        first_failed = None
        for i, cell in enumerate(sent):
            reply, _, errors = self.execute(cell)
            if reply["status"] == "ok":
                ran.append(cell)
                continue
            message = error_text(reply, errors)
            if first_failed is None:
                first_failed = i
                out.rejected = f"{message[:1500]}\n--- in the cell:\n{cell}"
            if GENERATED.search(message) and not out.problem:
                out.problem = f"a message shows generated names:\n{message[:3000]}\n--- in the cell:\n{cell}"
        if first_failed is None:
            kept = cells
        elif mode == "whole":
            kept = []
        elif gcc(["-fsyntax-only"], "\n".join(ran), self.workdir, self.cflags).returncode == 0:
            kept = ran
        else:
            kept = cells[:first_failed]
        if kept is not ran and first_failed is not None and mode != "whole":
            self.reset()  # the program of exactly those cells
            for cell in kept:
                self.execute(cell)
        view = gcc_view("\n".join(kept), self.workdir, self.cflags)
        if view is None or not view[0]:
            return out
        taken, expected = view
        self.compared += len(taken)
        reply, shown, errors = self.execute("\n".join(taken))
        if reply["status"] == "ok" and shown == expected:
            return out
        lost = []
        for statement in taken:  # one by one: which of gcc's answers the notebook lacks
            ok_reply, text, errs = self.execute(statement)
            if ok_reply["status"] != "ok":
                lost.append(f"{statement}\n    cellc: {GENERATED.sub('#', error_text(ok_reply, errs))[:600]}")
            elif text not in expected.splitlines(keepends=True) and text:
                lost.append(f"{statement}\n    cellc printed: {text!r}")
        wrong = (
            [line for line in shown.splitlines() if line not in expected.splitlines()]
            if reply["status"] == "ok"
            else []
        )
        out.problem = "gcc's view differs:\n" + "\n".join(lost[:12] or wrong[:12] or [f"{shown!r} != {expected!r}"])
        return out

    def check(self, cells: list[str]) -> list[Outcome]:
        return [self.run(cells, mode) for mode in ("whole", "split")]

    def reduce(self, cells: list[str], mode: str) -> list[str]:
        """The cells without those the failure does not need (gcc must still take them)."""
        i = len(cells) - 1
        while i >= 0:
            fewer = cells[:i] + cells[i + 1 :]
            if fewer and gcc(["-fsyntax-only"], "\n".join(fewer), self.workdir, self.cflags).returncode == 0:
                if self.run(fewer, mode).problem:
                    cells = fewer
            i -= 1
        return cells


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1, help="the first seed")
    parser.add_argument("--count", type=int, default=20, help="how many seeds")
    parser.add_argument("--show", action="store_true", help="print each seed's cells")
    parser.add_argument("--no-reduce", action="store_true", help="print failures as found")
    args = parser.parse_args(argv)
    cflags = DEFAULT_CFLAGS
    fuzzer = Fuzzer(cflags)
    failed = skipped = declarations = 0
    rejected: list[str] = []
    start = time.monotonic()
    try:
        for seed in range(args.seed, args.seed + args.count):
            cells = Generator(seed).items()
            if args.show:
                print(f"--- seed {seed}\n" + "\n".join(cells), flush=True)
            if gcc(["-fsyntax-only"], "\n".join(cells), fuzzer.workdir, cflags).returncode != 0:
                skipped += 1
                err = gcc(["-fsyntax-only"], "\n".join(cells), fuzzer.workdir, cflags).stderr
                print(f"skip seed {seed}: gcc rejects the file\n{err[:800]}", flush=True)
                continue
            declarations += len(cells)
            for outcome in fuzzer.check(cells):
                if outcome.rejected and not outcome.problem:
                    rejected.append(f"seed {seed} [{outcome.mode}]: {outcome.rejected}")
                if not outcome.problem:
                    continue
                failed += 1
                small = cells if args.no_reduce else fuzzer.reduce(cells, outcome.mode)
                again = fuzzer.run(small, outcome.mode) if small is not cells else outcome
                print(f"FAIL seed {seed} [{outcome.mode}]: {again.problem or outcome.problem}", flush=True)
                print("--- cells:\n" + "\n--\n".join(small), flush=True)
    finally:
        fuzzer.stop()
    for r in rejected:
        print(f"rejected (allowed, check the message): {r}", flush=True)
    print(
        f"{args.count} seeds, {declarations} items, {fuzzer.compared} answers of gcc compared: {failed} failed, "
        f"{len(rejected)} rejected with a message, "
        f"{skipped} skipped in {time.monotonic() - start:.0f} s"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
