/* The C that %load runs to give a saved program its heap blocks back.
 *
 * magics/persistence.py passes this definition to gcc as -D flags for its
 * cell only.  `__cellc_restore` reads a line "N SIZE..." from stdin (the kernel
 * answers), allocates the N blocks with the program's malloc (so they are the
 * program's, in its heap table, freeable), reports their addresses through
 * cellc_display, then reads a second line: meanwhile the kernel writes the saved
 * bytes into the blocks and the variables, so that the snapshot taken after
 * the cell holds them.  Block-scope declarations bound by asm labels to the C
 * library never clash with the notebook's names.
 */

#define __cellc_restore { \
    extern long __cellc_rgl(char **, unsigned long *, void *) __asm__("getline"); \
    extern void *__cellc_rin __asm__("stdin"); \
    extern unsigned long __cellc_rsu(const char *, char **, int) __asm__("strtoul"); \
    extern void *__cellc_rma(unsigned long) __asm__("malloc"); \
    extern void __cellc_rfr(void *) __asm__("free"); \
    extern int __cellc_rsn(char *, unsigned long, const char *, ...) __asm__("snprintf"); \
    extern void __cellc_rdi(const char *, const void *, unsigned long) __asm__("cellc_display"); \
    char *__cellc_rl = 0; unsigned long __cellc_rc = 0; \
    if (__cellc_rgl(&__cellc_rl, &__cellc_rc, __cellc_rin) > 0) { \
        char *__cellc_rp = __cellc_rl; \
        unsigned long __cellc_rn = __cellc_rsu(__cellc_rp, &__cellc_rp, 10); \
        char *__cellc_ro = __cellc_rma(__cellc_rn * 17 + 1); \
        unsigned long __cellc_rk = 0; \
        for (unsigned long __cellc_ri = 0; __cellc_ro && __cellc_ri < __cellc_rn; __cellc_ri++) { \
            void *__cellc_rb = __cellc_rma(__cellc_rsu(__cellc_rp, &__cellc_rp, 10)); \
            __cellc_rk += (unsigned long)__cellc_rsn(__cellc_ro + __cellc_rk, 18, "%lx ", (unsigned long)__cellc_rb); \
        } \
        __cellc_rdi("application/x-cellc-restore", __cellc_ro ? __cellc_ro : "", __cellc_rk); \
        __cellc_rfr(__cellc_ro); \
        __cellc_rgl(&__cellc_rl, &__cellc_rc, __cellc_rin); \
    } \
    __cellc_rfr(__cellc_rl); }
