/* <assert.h> included again: each inclusion defines assert by the NDEBUG in
   effect then (C11 7.2p1), so a function's asserts are what the last
   inclusion before it made them; a program that defines or undefines assert
   itself gets the header's back by including it again. */
#include <stdio.h>
#include <assert.h>

static int evaluated;

static int count(int result)
{
    evaluated++;
    return result;
}

#define NDEBUG
#include <assert.h>

static void off(void) { assert(count(0)); }

#undef NDEBUG

/* NDEBUG is read when the header is included: still off */
static void still_off(void) { assert(count(0)); }

#include <assert.h>

static void on(void) { assert(count(1)); }

#define assert(e) ((void)0)

static void replaced(void) { assert(count(0)); }

#undef assert
#include <assert.h>

static void restored(void) { assert(count(1)); }

#define NDEBUG
#include <assert.h>

static void off_again(void) { assert(count(0)); }

#undef NDEBUG
#include <assert.h>

static void fails(void) { assert(count(0) && "not implemented yet"); }

int main(void)
{
    off();
    still_off();
    printf("after the disabled asserts: %d evaluated\n", evaluated);
    on();
    replaced();
    restored();
    off_again();
    printf("after the enabled ones: %d evaluated\n", evaluated);
    fflush(stdout);
    fails();
    printf("not reached\n");
    return 0;
}
