/* Euclid: gcd (recursive and iterative), lcm, extended gcd, modular inverse, phi. */
#include <stdio.h>

typedef long long ll;

struct egcd {
    ll g, x, y;
};

static ll gcd_rec(ll a, ll b)
{
    return b == 0 ? a : gcd_rec(b, a % b);
}

static ll gcd_iter(ll a, ll b)
{
    if (a < 0) a = -a;
    if (b < 0) b = -b;
    while (b) {
        ll t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static ll lcm(ll a, ll b)
{
    return a / gcd_iter(a, b) * b;
}

static struct egcd ext_gcd(ll a, ll b)
{
    struct egcd r;
    if (b == 0) {
        r.g = a; r.x = 1; r.y = 0;
        return r;
    }
    struct egcd s = ext_gcd(b, a % b);
    r.g = s.g;
    r.x = s.y;
    r.y = s.x - (a / b) * s.y;
    return r;
}

static ll mod_inverse(ll a, ll m)
{
    struct egcd e = ext_gcd(a, m);
    if (e.g != 1)
        return -1;
    return ((e.x % m) + m) % m;
}

static int phi(int n)
{
    int k, count = 0;
    for (k = 1; k <= n; k++)
        count += gcd_iter(k, n) == 1;
    return count;
}

int main(void)
{
    static const ll pairs[][2] = { { 48, 18 }, { 270, 192 }, { 17, 5 }, { 0, 9 }, { -42, 56 }, { 1071, 462 } };
    size_t i;
    ll all = 1;
    struct egcd e;

    for (i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        printf("gcd(%lld, %lld) = %lld / %lld\n", pairs[i][0], pairs[i][1],
               gcd_iter(pairs[i][0], pairs[i][1]), gcd_rec(pairs[i][0] < 0 ? -pairs[i][0] : pairs[i][0], pairs[i][1]));
    for (i = 1; i <= 20; i++)
        all = lcm(all, (ll)i);
    printf("lcm(1..20) = %lld\n", all);
    e = ext_gcd(240, 46);
    printf("ext_gcd(240, 46): g=%lld x=%lld y=%lld check=%lld\n", e.g, e.x, e.y, 240 * e.x + 46 * e.y);
    printf("inverse of 3 mod 11 = %lld, of 10 mod 17 = %lld, of 4 mod 8 = %lld\n",
           mod_inverse(3, 11), mod_inverse(10, 17), mod_inverse(4, 8));
    printf("phi(36) = %d, phi(97) = %d\n", phi(36), phi(97));
    return 0;
}
