/* bench_score: the scoring targets (docs/design.md, Performance;
 * docs/benchmarks.md).
 *
 * usage: bench_score [GENU ITEMS.jsonl JANSSON_LINES]
 *
 * 1. Library: instrument_score("koos") on random valid answer sets (one
 *    thread, so the rate is per core; target >= 5 million/s), beside its
 *    ceiling: summing the same answer arrays (the cost of touching the data).
 *    Sets are 90% complete and 10% with a few items missing (missing items
 *    make notes, the slow path); the complete-only rate is shown too.
 * 2. End to end (with the arguments): `GENU score koos < ITEMS > /dev/null`
 *    beside `JANSSON_LINES < ITEMS > /dev/null`, a program that only parses
 *    and prints each line with jansson (bench_jansson_lines). Target: genu at
 *    >= 0.5 of jansson's rate. Best of 3 runs each.
 * No assertion: the figures are for people (docs/benchmarks.md). */
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "instruments/instrument.h"

#define NSETS 65536 /* a power of two: index with a mask */

/* xorshift64*: seeded, fast, good enough for answers. */
static uint64_t rng = 0x9e3779b97f4a7c15u;
static uint32_t next(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (uint32_t)((rng * 0x2545f4914f6cdd1du) >> 32);
}

static instr_answer *make_sets(const genu_instrument *in, int missing_pct)
{
    instr_answer *sets = calloc((size_t)NSETS * in->nitems, sizeof *sets);
    if (!sets) {
        perror("bench_score");
        exit(1);
    }
    for (size_t s = 0; s < NSETS; s++) {
        bool gaps = (int)(next() % 100) < missing_pct;
        for (size_t i = 0; i < in->nitems; i++) {
            instr_answer *a = &sets[s * in->nitems + i];
            const instr_item *it = &in->items[i];
            if (gaps && next() % 8 == 0)
                continue; /* missing */
            a->state = (uint8_t)it->kind;
            a->value = it->lo + (int32_t)(next() % (uint32_t)(it->hi - it->lo + 1));
        }
    }
    return sets;
}

/* Calls per second of instrument_score over the sets; *sink defeats dead-code
 * elimination. */
static double score_rate(const genu_instrument *in, const instr_answer *sets, size_t calls,
                         double *sink)
{
    instr_result res;
    double acc = 0;
    double t0 = bench_now();
    for (size_t k = 0; k < calls; k++) {
        instrument_score(in, &sets[(k & (NSETS - 1)) * in->nitems], &res);
        double v = res.scores[k % res.nscores].value;
        acc += isnan(v) ? 1 : v;
    }
    double dt = bench_now() - t0;
    *sink += acc;
    return (double)calls / dt;
}

/* The ceiling: read every answer of the same sets (sum them). */
static double sum_rate(const genu_instrument *in, const instr_answer *sets, size_t calls,
                       double *sink)
{
    int64_t acc = 0;
    double t0 = bench_now();
    for (size_t k = 0; k < calls; k++) {
        const instr_answer *a = &sets[(k & (NSETS - 1)) * in->nitems];
        int32_t s = 0;
        for (size_t i = 0; i < in->nitems; i++)
            s += a[i].state ? a[i].value : 0;
        acc += s;
        __asm__ volatile("" : : "r"(acc) : "memory"); /* one set at a time, as scoring */
    }
    double dt = bench_now() - t0;
    *sink += (double)acc;
    return (double)calls / dt;
}

/* Runs argv with stdin from `in` and stdout to /dev/null; seconds taken, or
 * -1 when it fails to run (an exit status of 1, bad lines, still counts). */
static double run_timed(char *const argv[], const char *in)
{
    double t0 = bench_now();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fi = open(in, O_RDONLY), fo = open("/dev/null", O_WRONLY);
        if (fi < 0 || fo < 0 || dup2(fi, 0) < 0 || dup2(fo, 1) < 0)
            _exit(127);
        execv(argv[0], argv);
        _exit(127);
    }
    int st;
    if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) > 1)
        return -1;
    return bench_now() - t0;
}

static double best_of(int n, char *const argv[], const char *in)
{
    double best = -1;
    for (int i = 0; i < n; i++) {
        double t = run_timed(argv, in);
        if (t < 0) {
            fprintf(stderr, "bench_score: %s failed\n", argv[0]);
            exit(1);
        }
        if (best < 0 || t < best)
            best = t;
    }
    return best;
}

static size_t count_lines(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(1);
    }
    size_t n = 0;
    int c;
    while ((c = getc(f)) != EOF)
        n += c == '\n';
    fclose(f);
    return n;
}

int main(int argc, char **argv)
{
    if (argc != 1 && argc != 4) {
        fprintf(stderr, "usage: bench_score [GENU ITEMS.jsonl JANSSON_LINES]\n");
        return 2;
    }
    const genu_instrument *koos = instrument_find("koos");
    if (!koos) {
        fprintf(stderr, "bench_score: no koos instrument\n");
        return 1;
    }
    double sink = 0;
    const size_t calls = 10000000;
    instr_answer *mixed = make_sets(koos, 10), *complete = make_sets(koos, 0);
    score_rate(koos, mixed, calls / 10, &sink); /* warm up */
    double r_mixed = score_rate(koos, mixed, calls, &sink);
    double r_complete = score_rate(koos, complete, calls, &sink);
    double r_sum = sum_rate(koos, mixed, calls * 4, &sink);
    printf("scoring (koos, library, 1 core): %.0f responses/s  ceiling (sum the same answers): "
           "%.0f sets/s  ratio %.2f  (target >= 5000000/s per core)\n",
           r_mixed, r_sum, r_mixed / r_sum);
    printf("  complete answers only: %.0f responses/s; 10%% of sets with missing items: %.0f "
           "responses/s overall\n",
           r_complete, r_mixed);
    free(mixed);
    free(complete);

    if (argc == 4) {
        size_t lines = count_lines(argv[2]);
        char *genu_argv[] = {argv[1], "score", "koos", NULL};
        char *jansson_argv[] = {argv[3], NULL};
        best_of(1, jansson_argv, argv[2]); /* warm the page cache */
        double t_genu = best_of(3, genu_argv, argv[2]);
        double t_jansson = best_of(3, jansson_argv, argv[2]);
        double rg = (double)lines / t_genu, rj = (double)lines / t_jansson;
        printf("genu score koos: %.0f lines/s  ceiling (jansson parse+print): %.0f lines/s  "
               "ratio %.2f (target >= 0.50)\n",
               rg, rj, rg / rj);
    }
    fprintf(stderr, "(sink %g)\n", sink);
    return 0;
}
