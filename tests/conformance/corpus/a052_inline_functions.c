/* C99 inline semantics: static inline, and inline plus an extern declaration. */
#include <stdio.h>

static inline int clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

inline int square(int x)
{
    return x * x;
}
extern int square(int x);        /* makes this TU provide the external definition */

inline double lerp(double a, double b, double t)
{
    return a + (b - a) * t;
}
extern inline double lerp(double a, double b, double t);

static inline __attribute__((always_inline)) unsigned rotl8(unsigned char v, int n)
{
    return (unsigned char)((v << n) | (v >> (8 - n)));
}

int (*square_ptr)(int) = square; /* taking the address needs the external definition */

int main(void)
{
    printf("clamp(-5, 0, 10) = %d\n", clamp(-5, 0, 10));
    printf("clamp(50, 0, 10) = %d\n", clamp(50, 0, 10));
    printf("clamp(7, 0, 10) = %d\n", clamp(7, 0, 10));
    printf("square(12) = %d\n", square(12));
    printf("square_ptr(13) = %d\n", square_ptr(13));
    printf("lerp(0, 10, 0.25) = %.2f\n", lerp(0, 10, 0.25));
    printf("rotl8(0x81, 1) = 0x%02x\n", rotl8(0x81, 1));
    printf("rotl8(0x0f, 4) = 0x%02x\n", rotl8(0x0f, 4));
    return 0;
}
