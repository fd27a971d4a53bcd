/* The C that %time and %timeit put around a cell's statements.
 *
 * magics/timing.py passes these definitions to gcc as -D flags for the timed
 * cell only.  Block-scope declarations bound by asm labels to the C library
 * (and to the executor's cellc_display) never clash with the notebook's own
 * declarations or headers, and a notebook function named like a libc one
 * (bound to its trampoline) does not capture them.  Each macro is one line
 * for gcc: the diagnostics of the user's lines stay short.
 */

#define __cellc_c_decls \
    extern int __cellc_cg(int, long *) __asm__("clock_gettime"); \
    extern int __cellc_ru(int, long *) __asm__("getrusage"); \
    extern int __cellc_snp(char *, unsigned long, const char *, ...) __asm__("snprintf"); \
    extern void __cellc_disp(const char *, const void *, unsigned long) __asm__("cellc_display");

/* A statement that reports the monotonic clock and the process's user and
   system CPU time: "sec nsec user_sec user_usec sys_sec sys_usec". */
#define __cellc_stamp { __cellc_c_decls \
    long __cellc_t[2], __cellc_r[18]; char __cellc_b[128]; \
    __cellc_ru(0, __cellc_r); __cellc_cg(1, __cellc_t); \
    int __cellc_n = __cellc_snp(__cellc_b, sizeof __cellc_b, "%ld %ld %ld %ld %ld %ld", \
        __cellc_t[0], __cellc_t[1], __cellc_r[0], __cellc_r[1], __cellc_r[2], __cellc_r[3]); \
    __cellc_disp("application/x-cellc-timing", __cellc_b, (unsigned long)__cellc_n); }

/* `%time EXPR`: the value is computed between the two stamps into a buffer
   typed like it (`long double __cellc_timed[256];`), then shown from it. */
#define __cellc_timed_as(e) (*(__typeof__(e) *)(__cellc_timed + 0 * sizeof(char[sizeof(e) <= sizeof __cellc_timed ? 1 : -1])))

/* %timeit: `{ __cellc_timeit_begin(N); BODY ; __cellc_timeit_end(R); }` runs
   BODY N times per run (N = 0: calibrate 1, 2, 5, 10, ... up to 0.2 s a run),
   R runs, and reports "loops nanoseconds" after each. */
#define __cellc_timeit_begin(n) __cellc_c_decls \
    long __cellc_t0[2], __cellc_t1[2]; \
    long __cellc_n = (n); int __cellc_calib = __cellc_n == 0, __cellc_done = 0, __cellc_step = 0; \
    if (__cellc_calib) __cellc_n = 1; \
    for (;;) { __cellc_cg(1, __cellc_t0); \
    for (long __cellc_i = 0; __cellc_i < __cellc_n; __cellc_i++) {

#define __cellc_timeit_end(r) } __cellc_cg(1, __cellc_t1); \
    long long __cellc_dt = (__cellc_t1[0] - __cellc_t0[0]) * 1000000000LL + (__cellc_t1[1] - __cellc_t0[1]); \
    if (__cellc_calib) { if (__cellc_dt < 200000000LL && __cellc_n < 10000000000L) { \
        __cellc_n = __cellc_step++ % 3 == 1 ? __cellc_n / 2 * 5 : __cellc_n * 2; continue; } \
        __cellc_calib = 0; } \
    char __cellc_b[64]; \
    int __cellc_len = __cellc_snp(__cellc_b, sizeof __cellc_b, "%ld %lld", __cellc_n, __cellc_dt); \
    __cellc_disp("application/x-cellc-timeit", __cellc_b, (unsigned long)__cellc_len); \
    if (++__cellc_done >= (r)) break; }
