/* bench: what every benchmark program shares (docs/benchmarks.md). */
#ifndef GENU_BENCH_H
#define GENU_BENCH_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Seconds on the monotonic clock. */
static inline double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Prints "PROG: WHAT: DETAIL" (DETAIL may be NULL) and exits 1. */
_Noreturn static inline void bench_die(const char *prog, const char *what, const char *detail)
{
    fprintf(stderr, "%s: %s%s%s\n", prog, what, detail ? ": " : "", detail ? detail : "");
    exit(1);
}

#endif
