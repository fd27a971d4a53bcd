"""A notebook is one C program: the cases that once differed from gcc, each
typed the way a user pastes it (one cell per item, headers first)."""

from __future__ import annotations

import os

import pytest


@pytest.fixture()
def k(fresh_kernel):
    return fresh_kernel


def test_types_from_headers_in_a_later_cell(k):
    k.ok("#include <stdio.h>")
    k.ok("size_t k = 1;")
    assert k.ok("k").value == "1"
    k.ok("#include <stdint.h>")
    k.ok("uint32_t x = 5;")
    k.ok("int32_t f(int32_t a) { return a * 2; }")
    assert k.ok("f(x)").value == "10"
    k.ok("void *p = NULL;")
    assert k.ok("p == 0").value == "1"
    k.ok("#include <stdbool.h>")
    k.ok("bool b = true;")
    assert k.ok("b").value == "true"
    assert k.ok("(uint64_t)1 << 63").value == "9223372036854775808"
    k.ok("#include <stdalign.h>")
    k.ok("int a = alignof(double);")
    assert k.ok("a").value == "8"


def test_pragma_pack_pushed_again_packs_again(k):
    """`#pragma pack` is a stack: the same push and pack lines again, for another struct, pack it
    too (they were once taken for a line the program already had: the struct was laid out
    unpacked everywhere, a silent difference from gcc — Csmith seed 8067)."""
    for cell in ["#pragma pack(push)", "#pragma pack(1)", "struct A { char c; int i; };", "#pragma pack(pop)"]:
        k.ok(cell)
    for cell in ["#pragma pack(push)", "#pragma pack(1)", "struct B { char c; int i; };", "#pragma pack(pop)"]:
        k.ok(cell)
    k.ok("struct C { char c; int i; };")
    assert k.ok("sizeof(struct A)").value == "5"
    assert k.ok("sizeof(struct B)").value == "5"
    assert k.ok("sizeof(struct C)").value == "8"
    k.ok("union U { struct B b; long long l; } u = { { 0, -1 } };")
    assert k.ok("(unsigned long long)u.l >> 8").value == "4294967295"  # as gcc lays B out: i at offset 1


def test_names_a_macro_pastes_together(k):
    k.ok("#define CAT(a, b) a##b")
    k.ok("int AB(int x) { return x + 1; }")
    k.ok("int y = CAT(A, B)(3);")
    assert k.ok("y").value == "4"


def test_definitions_a_macro_makes(k):
    k.ok("#include <stdio.h>\n#define DEFINE_GETTER(name) int get_##name(void) { return name; }")
    k.ok("int width = 7;")
    k.ok("DEFINE_GETTER(width)")
    k.ok("#define CAT(a, b) a##b\nstatic int CAT(tw, ice)(int v) { return 2 * v; }")
    assert k.ok("get_width() + twice(1)").value == "9"
    k.ok("#define DEFINE_GLOBAL(type, name, init) type name = init;")
    k.ok("DEFINE_GLOBAL(int, height, 480)\nDEFINE_GLOBAL(int, depth, 24)")
    assert k.ok("height + depth").value == "504"


def test_main_without_return_returns_zero(k):
    k.ok("#include <stdio.h>")
    k.ok('int main(void) { printf("hi\\n"); }')
    r = k.ok("main()")
    assert r.stdout == "hi\n" and r.value == "0"


def test_func_names_the_function(k):
    k.ok("#include <stdio.h>")
    k.ok('void test_init_bf(void) { printf("%s %s %s\\n", __func__, __FUNCTION__, __PRETTY_FUNCTION__); }')
    assert k.ok("test_init_bf();").stdout == "test_init_bf test_init_bf test_init_bf\n"


def test_failed_assert_names_no_generated_function(k):
    k.ok("#include <assert.h>\nint balance = 5;")
    r = k.fails("assert(balance > 1000);")
    assert "__cellc" not in r.error_text and "__cellc" not in r.stderr
    assert "Assertion `balance > 1000' failed" in r.stderr


def test_assert_h_included_again_follows_ndebug(k):
    """Each inclusion of <assert.h> defines assert by the NDEBUG in effect then
    (C11 7.2p1): included again, it once changed nothing for later cells."""
    k.ok("#define NDEBUG")
    k.ok("#include <assert.h>")
    k.ok("assert(0);")
    k.ok("#undef NDEBUG")
    k.ok("assert(0);")  # NDEBUG is read when the header is included: still off
    k.ok("#include <assert.h>")
    r = k.fails("assert(0);")
    assert "Assertion `0' failed" in r.stderr
    k.ok("#define NDEBUG")
    k.ok("#include <assert.h>")
    k.ok("#undef NDEBUG")  # what the inclusion read stays read
    k.ok("assert(0);")
    # in one cell: each statement has the asserts of its place
    k.ok("assert(0);\n#undef NDEBUG\n#include <assert.h>\nassert(1);")
    assert "Assertion `0' failed" in k.fails("assert(0);").stderr


def test_assert_h_included_again_restores_an_assert_the_program_replaced(k):
    """A student's `#define assert(x) ((void)0)` carried into later test cells;
    `#undef assert` and `#include <assert.h>` brings the header's back, as in a file."""
    k.ok("#include <assert.h>")
    k.ok("#define assert(x) ((void)0)")
    k.ok("assert(1 == 2);")
    k.ok("#undef assert")
    assert "undefined: assert" in k.fails("assert(1 == 2);").error_text  # gcc: an undefined reference
    k.ok("#include <assert.h>")
    assert "Assertion `1 == 2' failed" in k.fails("assert(1 == 2);").stderr
    k.ok("#define assert(x) ((void)0)")
    r = k.fails("#undef assert\n#include <assert.h>\nassert(1 == 2);")  # a test cell that protects itself
    assert "Assertion `1 == 2' failed" in r.stderr


def test_a_header_meant_to_be_included_again(k):
    """Not only <assert.h>: a header of the program's that defines its macros by
    those in effect is read anew at each inclusion, for later cells too."""
    # The kernel's directory is the tests' cwd; %%file writes there.
    k.ok(
        '%%file cellc_test_shade.h\n#undef SHADE\n#ifdef DARK\n#define SHADE "dark"\n'
        '#else\n#define SHADE "light"\n#endif'
    )
    include = '#include "cellc_test_shade.h"'
    cells = [include, "#define DARK", "SHADE", include, "SHADE", "#undef DARK", "SHADE", include, "SHADE"]
    try:
        values = [k.ok(cell).value for cell in cells]
        assert [v for v in values if v] == ['"light"', '"dark"', '"dark"', '"light"']
    finally:
        os.unlink("cellc_test_shade.h")


def test_file_scope_compound_literal_has_static_storage(k):
    k.ok("struct S { int a, b; };")
    k.ok("struct S *s = &(struct S){ 1, 2 };")
    k.ok("int *ip = (int[]){ 7, 8, 9 };")
    k.ok("int scratch[64]; for (int i = 0; i < 64; i++) scratch[i] = -1;")
    assert k.ok("s->a + s->b").value == "3"
    assert k.ok("ip[2]").value == "9"


def test_const_object_initialized_with_an_address(k):
    k.ok("int g = 1;")
    k.ok("int *const p = &g;")
    k.ok("static int *const q = &g;")
    assert k.ok("*p + *q").value == "2"
    k.ok("const int ca[] = {1, 2, 3};")
    assert k.ok("ca").value == "{ 1, 2, 3 }"
    k.ok("int *const p = &g;")  # re-running the declaration re-initializes it
    assert k.ok("*p").value == "1"


def test_extern_array_then_definition_has_the_composite_type(k):
    k.ok("extern int a3[10];")
    k.ok("int a3[] = { 12, 34 };")
    assert k.ok("sizeof a3").value == "40"
    k.ok("extern const char msg[];")
    k.ok('const char msg[] = "composite";')
    assert k.ok("sizeof msg").value == "10"


def test_tentative_definition_keeps_the_value(k):
    k.ok("int t = 3;")
    k.ok("int t;")
    assert k.ok("t").value == "3"


def test_atexit_handlers_and_destructors_run_at_exit(k):
    k.ok("#include <stdio.h>\n#include <stdlib.h>")
    k.ok('static void bye(void) { printf("bye\\n"); }')
    k.ok('__attribute__((destructor)) static void fini(void) { printf("fini\\n"); }')
    k.ok("atexit(bye);")
    r = k.fails('printf("leaving\\n"); exit(0);')
    assert r.stdout == "leaving\nbye\nfini\n"
    assert "exit(0)" in r.error_text
    # The exit rolled back: the program goes on, and ends for good at %reset.
    r = k.ok("%reset")
    assert r.stdout.startswith("bye\nfini\n")


def test_libgcc_helpers_link(k):
    k.ok("#include <complex.h>")
    k.ok("double _Complex z = 1 + 2*I;")
    assert k.ok("cimag(z * z)").value == "4.0"
    k.ok("__int128 big = (__int128)1 << 100;")
    assert k.ok("(long)(big / ((__int128)1 << 90))").value == "1024"
    k.ok("unsigned long long bits = 0xF0F0;")
    assert k.ok("__builtin_popcountll(bits)").value == "8"
    k.ok("_Float128 q = 1.5;")
    assert k.ok("(double)(q * q)").value == "2.25"


def test_words_tree_sitter_does_not_know_are_declarations(k):
    k.ok("_Complex double z4 = 3.0;")
    assert k.ok("z4 == 3.0").value == "1"
    k.ok("_Thread_local int tls = 6;")
    assert k.ok("tls").value == "6"
    k.ok("int x __attribute__((aligned(64))) = 5;")
    assert k.ok("x + (int)_Alignof(x)").value == "69"


def test_top_level_asm_and_line_directive(k):
    k.ok('__asm__(".globl answer\\n.type answer, @function\\nanswer:\\n\\tmovl $42, %eax\\n\\tret\\n");')
    k.ok("int answer(void);")
    assert k.ok("answer()").value == "42"
    k.ok("#include <stdio.h>")
    r = k.ok('#line 100\nprintf("%d\\n", __LINE__);')
    assert r.stdout == "100\n"  # #line N numbers the line after it


def test_attributes_after_a_prototype(k):
    k.ok("#include <stdio.h>\n#include <stdarg.h>")
    k.ok("void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));")
    k.ok("void say(const char *fmt, ...) { va_list ap; va_start(ap, fmt); vprintf(fmt, ap); va_end(ap); }")
    assert k.ok('say("%d\\n", 5);').stdout == "5\n"


def test_function_declared_through_a_typedef(k):
    k.ok("typedef int handler_fn(int);")
    k.ok("handler_fn double_it;")
    k.ok("int (*use)(int) = double_it;")
    k.ok("int double_it(int x) { return x * 2; }")
    assert k.ok("use(21)").value == "42"


def test_function_redeclared_through_typeof_or_a_typedef(k):
    k.ok("int f(void) { return 42; }")
    k.ok("typedef int f_t(void);")
    r = k.ok("extern typeof(f) f;")
    assert r.stderr == "", r.stderr
    assert k.ok("f()").value == "42"
    k.ok("extern f_t f;")
    assert k.ok("f()").value == "42"
    k.ok("f_t g;")  # a prototype of a function defined later
    k.ok("int use_g(void) { return g() + 1; }")
    k.ok("int g(void) { return 7; }")
    assert k.ok("use_g()").value == "8"
    k.ok("static f_t h;")
    k.ok("int h(void) { return 3; }")
    k.ok("typeof(f) *fp = f;")
    k.ok("typedef __typeof__(f) same_t;")
    k.ok("same_t zz;")
    k.ok("typeof(zz) aa;")  # declared after zz, whatever the names' order
    k.ok("int call_aa(void) { return aa(); }")
    k.ok("int aa(void) { return 11; }\nint zz(void) { return 5; }")
    assert k.ok("call_aa() + zz()").value == "16"
    k.ok("int f(void) { return 43; }")  # a redefinition reaches every caller
    assert k.ok("fp() + f() + h()").value == "89"
    r = k.fails("typedef double d_t(int);\nextern d_t f;")
    assert "conflicting types for 'f'" in r.error_text, r.error_text
    assert k.ok("f()").value == "43"


def test_types_that_refer_to_each_other_across_cells(k):
    k.ok("enum code { SOME = 148, LAST };")
    k.ok("typedef union node *tree;")
    k.ok("struct common { union node *chain; enum code code : 8; unsigned flag : 1; };")
    k.ok("union node { struct common common; };")
    k.ok("enum more { M0 = LAST, M1 };")
    k.ok("int kind(tree t) { return t->common.code; }")
    k.ok("union node n = { .common = { .chain = &n, .code = SOME } };")
    assert k.ok("kind(n.common.chain)").value == "148"
    assert k.ok("M1").value == "150"
    # mutually recursive structs, and a typedef of a pointer to a struct defined later
    k.ok("struct a { struct b *pb; int v; };")
    k.ok("struct b { struct a *pa; int w; };")
    k.ok("typedef struct later *later_p;")
    k.ok("struct holder { later_p p; struct a first; };")
    k.ok("struct later { struct holder h; int z; };")
    k.ok("struct a A = { 0, 1 };\nstruct b B = { &A, 2 };\nstruct later L = { { &L, { &B, 3 } }, 9 };")
    assert k.ok("L.h.p->h.first.pb->pa->v + L.z").value == "10"
    # a callback member taking a pointer to a struct defined after it: one type, no warning
    k.ok("struct callback { int (*fn)(struct arg *); };")
    k.ok("struct arg { int q; };")
    k.ok("int take(struct arg *a) { return a->q; }")
    r = k.ok("struct callback C = { take };\nstruct arg AR = { 5 };")
    assert r.stderr == "", r.stderr
    assert k.ok("C.fn(&AR)").value == "5"


def test_macro_shadowing_a_global(k):
    k.ok("#include <stdio.h>\nstatic int foo = 1;")
    k.ok("#define foo (4 + foo)")
    assert k.ok('printf("%d\\n", foo);').stdout == "5\n"


def test_definitions_without_a_return_type_are_int(k):
    """C90's implicit int, which gcc takes with a warning (old code, textbooks)."""
    k.ok("#include <stdio.h>")
    r = k.ok('main() { puts("hi"); return 7; }')
    assert "return type defaults to 'int'" in r.stderr
    k.ok("f(k) { return k + 1; }")
    k.ok("g(int k) { return k + 2; }")
    k.ok("static h(void) { return 1; }")
    r = k.ok("sum(a, b) int a; int b; { return a + b; }")  # K&R parameters
    assert "parameter names" not in r.stderr  # gcc says nothing of the kind in a file
    assert k.ok("f(1) + g(1) + h() + sum(2, 3)").value == "11"
    r = k.ok("main()")
    assert (r.stdout, r.value) == ("hi\n", "7")
    # a statement macro followed by a block is no definition
    k.ok("#define CHECK(x) if (!(x))")
    assert k.ok('CHECK(0) { puts("zero"); }').stdout == "zero\n"
    k.ok("#include <sys/queue.h>")
    k.ok("struct entry { int v; LIST_ENTRY(entry) link; };\nLIST_HEAD(, entry) list = LIST_HEAD_INITIALIZER(list);")
    k.ok("struct entry e = { 3 };\nLIST_INSERT_HEAD(&list, &e, link);")
    assert k.ok('struct entry *np;\nLIST_FOREACH(np, &list, link) { printf("%d\\n", np->v); }').stdout == "3\n"


def test_a_directive_continued_into_a_blank_line(k):
    k.ok("#define ADD(a, b) ((a) + (b)) \\\n\nint y = ADD(40, 2);")
    assert k.ok("y").value == "42"
    k.ok("#define TWO 2 \\\n")
    k.ok("#undef TWO \\\n\nint two = 2;")
    assert k.ok("#ifdef TWO\n1\n#else\ntwo\n#endif").value == "2"  # text after `#else` tree-sitter leaves out


def test_line_directives_mean_what_they_mean_in_a_file(k):
    k.ok("#define line 1000\n#line line\n#if 1000 != __LINE__\n#error wrong line\n#endif\nint where = __LINE__;")
    assert k.ok("where").value == "1003"
    k.ok('#define PLACE 77 "lib.c"\n#line PLACE\nconst char *file = __FILE__; int at = __LINE__;')
    assert k.ok("file").value == '"lib.c"'
    assert k.ok("at").value == "77"
    k.ok("#if __LINE__ == 2\nint second = 0;\n#else\nint second = __LINE__;\n#endif")
    assert k.ok("second").value == "4"


def test_macros_that_hide_braces_and_statements(k):
    k.ok("#include <stdio.h>\n#define for_i for (int i = 0; i < 2; i++)")
    k.ok("void twice(int *a) { for_i { a[i] = 1; } for_i { a[i] *= 2; } }")
    assert k.ok("int arr[2]; twice(arr); arr[0] + arr[1]").value == "4"
    k.ok("#define start int main(){\n#define end return 0;}")
    k.ok('start puts("hi"); end')  # a definition, never a nested function of the cell's statements
    r = k.ok("main()")
    assert (r.stdout, r.value) == ("hi\n", "0")
    k.ok("#define BEGIN {\n#define END }")
    k.ok("int pascal(void)\nBEGIN\n  return 5;\nEND")
    assert k.ok("pascal()").value == "5"
    assert k.ok('for_i\n{ printf("%d\\n", i); }').stdout == "0\n1\n"
    k.ok('#define BLOCK { puts("a"); int t = 1; (void)t; }')
    assert k.ok("BLOCK").stdout == "a\n"


def test_a_header_macro_that_declares_a_global(k):
    """`LIST_HEAD(h, e) head;` reads as a statement without the header's macro:
    gcc's warning of a declaration among the cell's statements has it split again."""
    k.ok("#include <stdio.h>\n#include <sys/queue.h>\nstruct entry { int v; LIST_ENTRY(entry) link; };")
    r = k.ok("LIST_HEAD(listhead, entry) head = LIST_HEAD_INITIALIZER(head);")
    assert "unused variable" not in r.stderr and "mixed declarations" not in r.stderr
    k.ok("struct entry e1 = { 5 };\nLIST_INSERT_HEAD(&head, &e1, link);")
    assert k.ok("head.lh_first->v").value == "5"
    k.ok("%cflags -w")  # gcc's warnings are still read, and not shown
    r = k.ok("LIST_HEAD(other, entry) second = LIST_HEAD_INITIALIZER(second);")
    assert k.ok("second.lh_first == 0").value == "1"


def test_no_declaration_is_dropped_without_a_word(k):
    k.ok("int _Alignas(int __attribute__((aligned(16)))) big;")
    assert k.ok("__alignof__(big)").value == "16"
    # what tree-sitter cannot read and gcc takes would reach no later cell: said so
    r = k.fails("int __seg_fs *fs_pointer;")
    assert "cellc cannot read this declaration" in r.error_text and "In[3]:1:1" in r.error_text
    assert "__cellc" not in r.error_text
    k.fails("fs_pointer")


def test_an_expanded_macro_keeps_its_strings(k):
    """A definition a macro makes is expanded by the preprocessor: the spaces
    inside its string literals are the program's, kept as they are."""
    k.ok("#include <stdio.h>")
    k.ok('#define DEFINE_PRINTER(name) void print_##name(void) { printf("  two  spaces\\n"); }')
    k.ok("#define DEFINE_BOTH(name) DEFINE_PRINTER(name) int name##_ok = 1;")
    k.ok("DEFINE_BOTH(x)")  # a macro of macros that define, as the cell's last item
    assert k.ok("print_x(); x_ok").stdout == "  two  spaces\n"


def test_implicit_declaration_of_a_function_a_later_cell_defines(k):
    """gcc declares a function called before any declaration (with its
    warning); the linker of a file finds the definition further down, here a
    later cell's.  Called before that, it fails as a prototype's would."""
    r = k.ok("int f(void) { return g(); }")
    assert "implicit declaration of function 'g'" in r.stderr
    r = k.fails("f()")
    assert "g() was called but is declared, not defined" in r.error_text
    k.ok("int g(void) { return 42; }")
    assert k.ok("f()").value == "42"
    k.ok("int h(void) { int twice(int); return twice(4); }")  # a block-scope prototype
    k.ok("int twice(int x) { return 2 * x; }")
    assert k.ok("h()").value == "8"
    k.ok("int main(void) { return abs(-3); }")  # a libc function without its header
    assert k.ok("main()").value == "3"
    r = k.fails("int uses_data(void) { extern int nowhere; return nowhere; }")
    assert "undefined: nowhere" in r.error_text
    r = k.fails("never_defined();")  # the cell's own statements would call it now: said before they run
    assert "undefined: never_defined" in r.error_text


def test_top_level_asm_defines_functions_and_data(k):
    """A label a top-level asm defines is a definition of that cell, local or
    global, as in a file where the C around the asm sees it."""
    k.ok("extern void vide(void);")
    k.ok('__asm__("vide: ret");')
    k.ok("int use(void) { vide(); return 1; }")
    assert k.ok("use()").value == "1"
    k.ok('__asm__(".globl seven\\nseven: movl $7, %eax\\n ret");')
    k.ok("int seven(void);")
    assert k.ok("seven()").value == "7"
    k.ok('__asm__("seven: movl $8, %eax\\n ret");')  # defined again: every caller sees the new one
    assert k.ok("seven()").value == "8"
    k.ok("int later(void) { return eight(); }")  # implicitly declared, defined by the next cell's asm
    k.ok('__asm__("eight: movl $8, %eax\\n ret");')
    assert k.ok("later()").value == "8"
    k.ok('__asm__(".section .rodata\\ntable: .long 1, 2, 3\\n.text");')
    k.ok("extern const int table[3];")
    assert k.ok("table[0] + table[1] + table[2]").value == "6"
    k.ok("extern int counter;")  # a C global with its own storage: the asm cannot define it too
    r = k.fails('__asm__(".data\\ncounter: .long 5\\n.text");')
    assert "assembly defines counter" in r.error_text and "__cellc" not in r.error_text


def test_attributes_wherever_gcc_takes_them(k):
    """`__attribute__`s that tree-sitter-c cannot place are hidden from it, kept
    in the cell's text, and reach later cells with their declarations."""
    k.ok("typedef union __attribute__((packed)) U { short u; char b[2]; } U;")
    k.ok("enum __attribute__((packed)) small { ONE, TWO __attribute__((deprecated)), THREE };")
    k.ok("typedef int __attribute__((aligned(16))) aligned_int;")
    k.ok("int * __attribute__((aligned(16))) cursor;")
    k.ok("int first = 1, __attribute__((aligned(64))) second = 2;")
    assert k.ok("sizeof(U) + sizeof(enum small)").value == "3"
    assert k.ok("_Alignof(aligned_int) + _Alignof(cursor) + _Alignof(second)").value == "96"
    k.ok("int last_aligned(void) { return _Alignof(second); }")  # second's declaration in the prelude
    assert k.ok("last_aligned()").value == "64"
    k.ok("extern void foo(void) __attribute__((stdcall));")
    r = k.ok("void __attribute__((stdcall)) foo(void) { }")
    assert "'stdcall' attribute ignored" in r.stderr
    k.ok("foo();")
    k.ok(
        "int pick(int v, __attribute__((unused)) int spare) { int r = 0; switch (v) { case 1: r = 1; "
        "__attribute__((fallthrough)); case 2: r += 2; break; default: out: __attribute__((unused)); r = -1; } "
        "return r; }"
    )
    assert k.ok("pick(1, 0) * 10 + pick(2, 0)").value == "32"


def test_gnu_declarations_reach_later_cells(k):
    """Found by tests/conformance/fuzz_declarations.py: each of these once
    defined nothing a later cell could see, or broke every later cell."""
    k.ok('__auto_type counter = 40;\n__auto_type name = "auto";')
    assert k.ok("counter + (int)sizeof name").value == "48"  # a char *, as gcc deduces it
    k.ok("__extension__ unsigned long long *bits, mask = 3;")
    assert k.ok("mask + sizeof bits").value == "11"
    k.ok("__extension__ static int ext(void) { return 2; }")
    assert k.ok("ext()").value == "2"
    k.ok("_Thread_local int * const no_ptr = 0, per_thread = 4;")  # a const TLS object stays in TLS
    k.ok("static __thread const int limit = 5, floor_ = 1;")
    assert k.ok("per_thread + limit + floor_ + (no_ptr == 0)").value == "11"


def test_a_tag_defined_inside_an_expression_is_said_to_be_kept_from_later_cells(k):
    """C gives `struct P` file scope wherever it is defined; cellc keeps the
    tags of a declaration's own type and its members, and says so of the others."""
    for cell in (
        "int n_values = sizeof(struct pair { int a, b; });",
        "int weights[sizeof(enum { LIGHT, HEAVY })];",
        "__typeof__(struct box { int side; }) box1;",
    ):
        r = k.fails(cell)
        assert "cannot keep a struct, union or enum defined inside an expression" in r.error_text, r.error_text
        assert "__cellc" not in r.error_text
    k.ok("struct outer { struct inner { int q; } in; enum level { LOW, HIGH } l; } o = { { 7 }, HIGH };")
    assert k.ok("sizeof(struct inner) + HIGH + o.in.q").value == "12"


def test_c2x_attributes_and_thread_local_arrays(k):
    k.ok("[[gnu::aligned(64), maybe_unused]] int aligned64 = 1;")
    k.ok("int plain [[gnu::unused]] = 2, other;")  # an attribute after the name
    k.ok("[[gnu::noinline]] static int twice(int x) { return 2 * x; }")
    assert k.ok("(int)_Alignof(aligned64) + plain + other + twice(3)").value == "72"
    k.ok("_Thread_local int per_thread[] = { 1, 2, 3 };")  # its size read from the cell's DWARF
    assert k.ok("sizeof per_thread").value == "12"


def test_attributes_inside_types_and_unnamed_bit_fields(k):
    """tree-sitter cannot read these; they once failed as unreadable, or lost `_Thread_local`."""
    k.ok(
        "_Thread_local const struct __attribute__((packed)) flags { unsigned low : 4; int : 0; unsigned high : 2; }"
        " f1 = { 0 }, f2 = { .low = 5, 3 };"
    )
    k.ok("static const long double __attribute__((unused)) *__attribute__((unused)) no_value = 0;")
    assert k.ok("sizeof(struct flags) * 100 + f2.low * 10 + f2.high + (no_value == 0)").value == "554"
    k.ok("__attribute__((aligned(32))) static struct cell { char c[4]; } *aligned_ptr = 0;")  # with the struct's body
    assert k.ok("_Alignof(aligned_ptr)").value == "32"
    k.ok("#include <pthread.h>")
    k.ok("void *other_thread(void *arg) { (void)arg; return (void *)&f2; }")
    r = k.ok("pthread_t t; void *seen; pthread_create(&t, 0, other_thread, 0); pthread_join(t, &seen); seen != &f2")
    assert r.value == "1"  # each thread has its own f2, as in gcc's program


def test_several_globals_of_one_untagged_type(k):
    """`struct { ... } a, b;` is one type for all its declarators, and a tag or
    an enumerator defined inside it is defined once, with file scope: these
    cells once failed with a redefinition, or made `b = a` incompatible."""
    k.ok("#include <stdio.h>")
    k.ok("struct { struct span { int start, end; } range; int id; } cur = { { 0, 10 }, 1 }, saved, *active = &cur;")
    k.ok("static struct { struct inner { int a; } in; int b; } x = { { 1 }, 2 }, y;")
    k.ok("enum { IDLE, RUNNING, DONE } state, previous = RUNNING;")
    k.ok("struct span whole = { 0, 100 };")
    k.ok("int length(struct span s) { return s.end - s.start; }")
    k.ok("struct limits { int most[DONE + 1]; } lim = { { 1, 2, 3 } };")  # an enumerator in a later type
    k.ok("saved = cur; y = x; state = DONE;")
    r = k.ok(
        'printf("%d %d %d %d %d %d %zu\\n", length(saved.range), active->id, y.in.a, y.b, state, previous,'
        " sizeof lim.most / sizeof *lim.most)"
    )
    assert r.stdout == "10 1 1 2 2 1 3\n"
    k.ok("struct inner z = { 5 };")
    assert k.ok("z.a + length(whole)").value == "105"
    k.ok('struct { char name[8]; int weight; } table[] = { { "low", 1 }, { "high", 9 } }, *pick = table + 1;')
    assert k.ok("sizeof table / sizeof table[0] * 10 + pick->weight").value == "29"
    k.ok("typedef int num;")
    k.ok("struct { num a; struct cell { num b; } c; } p = { 1, { 3 } }, q = { 2 };")
    k.ok("typedef long num;\nq = p;")  # both migrate to the new type: still one type
    assert k.ok("q.c.b * 10 + (int)sizeof q.a").value == "38"


def test_declarations_that_read_like_calls(k):
    """`T (*fp)(int) = 0;` is a declaration when T names a type, a call when it
    is a function: once read as a call and lost (after a `_Static_assert`, with
    no message), or failed as unreadable; so did a parenthesized name with an
    attribute after it, and a declaration after one with an attribute before its name."""
    k.ok("#include <stdio.h>\n#include <pthread.h>")
    k.ok("typedef long count_t;")
    k.ok("count_t (*counter_fn)(int) = 0;")
    k.ok("_Bool (*is_even)(int) = 0;")
    k.ok('_Static_assert(sizeof(int) == 4, "int");\n_Bool (*pred)(int) = 0;')
    k.ok('_Static_assert(sizeof(long) == 8, "long");\npthread_t (*self_fn)(void) = pthread_self;')  # a header's type
    k.ok("typedef short half; half (h1) = 3, (*h2)[2];\n__int128 (wide) = 5;")
    k.ok("signed char (small) __attribute__((unused, aligned(16)));\nint after_small = 1;")
    k.ok("static __thread double __attribute__((used)) table[4], (*row)[2] = 0;\nconst implicit = 7;")
    r = k.ok(
        'printf("%d %d %d %d %d %zu %d %d %d %d\\n", counter_fn == 0, is_even == 0, pred == 0, self_fn == pthread_self,'
        " h1, sizeof *h2, (int)wide, (int)_Alignof(small), after_small, implicit)"
    )
    assert r.stdout == "1 1 1 1 3 4 5 16 1 7\n"


def test_a_cast_or_a_typeof_before_a_declaration(k):
    """A cast in an initializer once glued the next item to it (read as K&R
    parameter declarations), and `typeof(x) (*p)[2];` read as a call."""
    k.ok("long sized = (long)sizeof(int), (paren) = 18;\nconst implicit = 3;\nf(x) { return x + 1; }")
    k.ok("typeof(sized) (*rows)[2] = 0;\n_Atomic(int) (counter) = 5;")
    assert k.ok("sized + paren + implicit + f(1) + (int)sizeof *rows + counter").value == "48"


def test_declaring_macro_and_attributes_the_split_once_misread(k):
    """An attribute before `= {...}` once made the declaring macro after it
    unreadable (the macros were looked for in a tree of the unmasked text), and
    `[[...]]` before `__int128 (*p)(int)` hid the declaration from the split."""
    k.ok(
        "signed char buf[5] __attribute__((aligned(32))) = { 0 }, spare;\n"
        "#define DECLARE(n, v) int n = v;\n"
        "DECLARE(declared, 9)\n"
        "[[gnu::unused]] __int128 (*wide_fn)(int) = 0;"
    )
    assert k.ok("declared + (int)_Alignof(buf) + (wide_fn == 0)").value == "42"
    r = k.fails("__typeof__(struct __attribute__((packed)) packed_t { char c; int i; }) pk;")
    assert "cannot keep a struct, union or enum defined inside an expression, a typeof" in r.error_text
    assert "__cellc" not in r.error_text
