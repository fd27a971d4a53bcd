/* The C that %draw runs: where the object of each expression is.
 *
 * magics/drawing.py passes these definitions to gcc as -D flags for its cell
 * only (as magics/timing.py does with timing.h).  `__cellc_draw_at(I, P)`
 * keeps pointer P in a function static named for I (the kernel reads its type,
 * a pointer to the object's type, from the cell's DWARF) and reports
 * "I ADDRESS" through cellc_display.  `__cellc_draw_value(I, E)` keeps a value
 * that is not an object in a static and reports where that is.
 */

#define __cellc_draw_at(i, p) { \
    extern int __cellc_dsnp(char *, unsigned long, const char *, ...) __asm__("snprintf"); \
    extern void __cellc_ddisp(const char *, const void *, unsigned long) __asm__("cellc_display"); \
    static __typeof__(p) __cellc_draw_at_##i; __cellc_draw_at_##i = (p); char __cellc_db[48]; \
    int __cellc_dn = __cellc_dsnp(__cellc_db, sizeof __cellc_db, "%x %lx", i, (unsigned long)__cellc_draw_at_##i); \
    __cellc_ddisp("application/x-cellc-draw", __cellc_db, (unsigned long)__cellc_dn); }

#define __cellc_draw_value(i, e) { \
    static __typeof__(((void)0, e)) __cellc_drawn_##i; __cellc_drawn_##i = e; \
    __cellc_draw_at(i, &__cellc_drawn_##i) }
