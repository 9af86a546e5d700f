/* bench_analysis: the report targets (docs/design.md, Performance;
 * docs/benchmarks.md).
 *
 * usage: bench_analysis report REGISTRY AS_OF
 *        bench_analysis km N WORKDIR [RSCRIPT]
 *
 * report: the full cohort report as `genu report --as-of AS_OF` computes it
 *     (report_build with the default spec, knee unit, no filter, no --by) on
 *     a registry, with store_load and cohort_build timed apart. Target:
 *     report_build under 1 s on 100,000 patients (about 3 million responses).
 *     Printed beside it, as the ceiling: one pass over the loaded responses
 *     reading every score (the cost of touching the data once). Also, for
 *     the profile: the same report --by kl. Best of 5 runs when a run takes
 *     under 2 s, else one.
 *     REGISTRY is what `genu --db` takes, a SQLite file or a postgresql://
 *     URL; the output names the backend (only store_load depends on it).
 * km: Kaplan–Meier (survival_km per stratum) and the log-rank test
 *     (survival_logrank_test) on N seeded knees (integer days, so many ties;
 *     three strata of unequal size and hazard; censoring), beside R's
 *     survival package on the same data in the same run: the data go to
 *     WORKDIR/km.tsv, R reads it with read.table (not timed) and times
 *     survfit + survdiff + summary(fit, censored = TRUE) with proc.time.
 *     Target: genu >= 10x faster. The agreement is printed too: the largest
 *     absolute difference of surv and std.err over every curve row, and of
 *     the log-rank chi-square.
 * No assertion: the figures are for people (docs/benchmarks.md). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "analysis/cohort.h"
#include "analysis/report.h"
#include "analysis/survival.h"
#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "store/store.h"

_Noreturn static void die(const char *what, const char *detail)
{
    bench_die("bench_analysis", what, detail);
}

/* ---- report ------------------------------------------------------------ */

/* The ceiling: every score of every visible response read once. */
static double touch_responses(const cohort *c, double *sink)
{
    const genu_dataset *ds = c->ds;
    const genu_record *rs = ds->recs[GENU_REC_RESPONSE];
    double acc = 0.0, t0 = bench_now();
    for (size_t i = 0; i < ds->n[GENU_REC_RESPONSE]; i++) {
        const genu_response *r = &rs[i].u.response;
        for (size_t j = 0; j < r->nscores; j++)
            acc += isnan(r->scores[j].value) ? 1.0 : r->scores[j].value;
    }
    double dt = bench_now() - t0;
    *sink += acc;
    return dt;
}

/* Seconds of report_build for `by`, best of up to 5 (other work on the
 * machine inflates single runs); the responders summed over every cell
 * out, a checksum that shows runs and versions agree. */
static double time_report(const cohort *c, cohort_by by, size_t *responders)
{
    report_spec spec;
    report_spec_defaults(&spec, by, NULL);
    double best = INFINITY;
    for (int run = 0; run < 5; run++) {
        genu_arena *a = genu_arena_create();
        report r;
        genu_err err = {0};
        if (!a)
            die("out of memory", NULL);
        double t0 = bench_now();
        if (report_build(c, &spec, a, &r, &err))
            die("report_build", err.msg);
        double dt = bench_now() - t0;
        size_t sum = 0;
        for (size_t i = 0; i < spec.ndef * spec.ntp * r.nstrata; i++)
            sum += r.cells[i].n.responders;
        *responders = sum;
        genu_arena_destroy(a);
        if (dt < best)
            best = dt;
        if (dt > 2.0)
            break;
    }
    return best;
}

static int bench_report(const char *registry, const char *as_of_text)
{
    genu_err err = {0};
    genu_date as_of;
    if (genu_date_parse(as_of_text, strlen(as_of_text), &as_of, &err))
        die("AS_OF", err.msg);
    genu_store *s = NULL;
    genu_arena *a = genu_arena_create();
    genu_dataset ds;
    if (!a)
        die("out of memory", NULL);
    if (store_open(registry, false, &s, &err))
        die("open", err.msg);
    const char *backend = store_backend(s); /* a static string */
    double t0 = bench_now();
    if (store_load(s, a, &ds, &err))
        die("store_load", err.msg);
    double t_load = bench_now() - t0;
    store_close(s);
    size_t nrec = 0;
    for (int t = 0; t < GENU_REC_NTYPES; t++)
        nrec += ds.n[t];

    cohort_filter f;
    cohort_filter_init(&f);
    cohort c;
    t0 = bench_now();
    if (cohort_build(&ds, &f, COHORT_UNIT_KNEE, as_of, a, &c, &err))
        die("cohort_build", err.msg);
    double t_cohort = bench_now() - t0;

    double sink = 0.0, t_touch = INFINITY;
    for (int run = 0; run < 3; run++) {
        double dt = touch_responses(&c, &sink);
        t_touch = dt < t_touch ? dt : t_touch;
    }
    size_t resp_none, resp_kl;
    double t_report = time_report(&c, COHORT_BY_NONE, &resp_none);
    double t_kl = time_report(&c, COHORT_BY_KL, &resp_kl);

    printf("registry (%s): %zu patients, %zu responses, %zu records; %zu knees entered (as of "
           "%s)\n",
           backend, ds.n[GENU_REC_PATIENT], ds.n[GENU_REC_RESPONSE], nrec, c.nknee, as_of_text);
    printf("  store_load: %.2f s (%.0f records/s), arena %.0f MiB\n", t_load, (double)nrec / t_load,
           (double)genu_arena_used(a) / 1048576.0);
    printf("  cohort_build: %.3f s\n", t_cohort);
    printf("  ceiling, every score of every response read once: %.3f s (sink %.0f)\n", t_touch,
           sink > 0 ? 1.0 : 0.0);
    printf("  report --by kl: %.3f s (checksum %zu)\n", t_kl, resp_kl);
    printf("report (%s): report_build %.3f s (checksum %zu)  ceiling (touch the responses) %.3f "
           "s  ratio %.1f  target < 1 s after loading: %s\n",
           backend, t_report, resp_none, t_touch, t_report / t_touch,
           t_report < 1.0 ? "met" : "MISSED");
    genu_arena_destroy(a);
    return 0;
}

/* ---- Kaplan–Meier versus R --------------------------------------------- */

/* xorshift64*: seeded, reproducible. */
static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545f4914f6cdd1du;
}

static double unif(uint64_t *s)
{
    return ((double)(rng_next(s) >> 11) + 0.5) / 9007199254740992.0;
}

#define KM_NGROUP 3

/* N knees: stratum shares 0.45 / 0.40 / 0.15 with yearly event hazards
 * 0.01 / 0.06 / 0.03; censoring uniform over 0..10 years (5% at day 0, as a
 * knee with nothing after its index day); times whole days. */
static void km_data(size_t n, double *time, int *status, size_t *group)
{
    static const double share[KM_NGROUP] = {0.45, 0.40, 0.15};
    static const double hazard[KM_NGROUP] = {0.01, 0.06, 0.03};
    uint64_t s = 0x853c49e6748fea9bu;
    for (size_t i = 0; i < n; i++) {
        double u = unif(&s);
        size_t g = u < share[0] ? 0 : u < share[0] + share[1] ? 1 : 2;
        double ev = -log(unif(&s)) / hazard[g] * 365.25;
        double cens = unif(&s) < 0.05 ? 0.0 : unif(&s) * 3652.5;
        group[i] = g;
        status[i] = ev <= cens;
        time[i] = floor(status[i] ? ev : cens);
    }
}

typedef struct km_result {
    survival_curve curve[KM_NGROUP];
    survival_logrank lr;
} km_result;

/* genu's work for `genu survival --by`: split by stratum, one curve each,
 * the log-rank test over all. */
static double km_genu(const double *time, const int *status, const size_t *group, size_t n,
                      genu_arena *a, km_result *out)
{
    double *st = malloc(n * sizeof *st);
    int *ss = malloc(n * sizeof *ss);
    genu_err err = {0};
    if (!st || !ss)
        die("out of memory", NULL);
    double t0 = bench_now();
    for (size_t g = 0; g < KM_NGROUP; g++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (group[i] == g) {
                st[m] = time[i];
                ss[m++] = status[i];
            }
        if (survival_km(st, ss, m, a, &out->curve[g], &err))
            die("survival_km", err.msg);
    }
    if (survival_logrank_test(time, status, group, n, KM_NGROUP, a, &out->lr, &err))
        die("survival_logrank_test", err.msg);
    double dt = bench_now() - t0;
    free(st);
    free(ss);
    return dt;
}

static const char r_script[] =
    "suppressMessages(library(survival))\n"
    "args <- commandArgs(trailingOnly = TRUE)\n"
    "d <- read.table(args[1], header = TRUE, colClasses = c('numeric', 'integer', 'integer'))\n"
    "invisible(gc())\n"
    "t0 <- proc.time()\n"
    "fit <- survfit(Surv(time, status) ~ group, data = d)\n"
    "sd <- survdiff(Surv(time, status) ~ group, data = d)\n"
    "s <- summary(fit, censored = TRUE)\n"
    "el <- (proc.time() - t0)[['elapsed']]\n"
    "out <- file(args[2], 'w')\n"
    "cat('elapsed', sprintf('%.6f', el), '\\n', file = out)\n"
    "cat('chisq', sprintf('%.17g', sd$chisq), '\\n', file = out)\n"
    "# the fit's own rows (one per distinct time, as summary(censored = TRUE)),\n"
    "# std.err on the cumulative-hazard scale as genu reports it\n"
    "g <- rep(as.integer(sub('group=', '', names(fit$strata))), fit$strata)\n"
    "se <- fit$std.err\n"
    "se[!is.finite(se)] <- NaN # Inf and NA in R, NAN in genu\n"
    "cat(sprintf('row %d %.17g %d %.17g %.17g\\n', g, fit$time, as.integer(fit$n.risk),\n"
    "            fit$surv, se), sep = '', file = out)\n"
    "close(out)\n";

/* Runs `rscript script data out`; false when R failed. */
static bool run_r(const char *rscript, const char *script, const char *data, const char *out)
{
    pid_t pid = fork();
    if (pid < 0)
        die("fork", NULL);
    if (pid == 0) {
        execlp(rscript, rscript, script, data, out, (char *)NULL);
        _exit(127);
    }
    int st;
    if (waitpid(pid, &st, 0) < 0)
        return false;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* Compares R's rows with genu's curves; prints the agreement. */
static void km_compare(FILE *f, const km_result *g, double r_chisq)
{
    char word[16];
    size_t at[KM_NGROUP] = {0}, nrow = 0, bad = 0;
    double dsurv = 0.0, dse = 0.0;
    int grp;
    double t, surv, se;
    size_t nrisk;
    while (fscanf(f, "%15s", word) == 1) {
        if (strcmp(word, "row") != 0 ||
            fscanf(f, "%d %lf %zu %lf %lf", &grp, &t, &nrisk, &surv, &se) != 5)
            die("R output", "malformed row");
        if (grp < 0 || grp >= KM_NGROUP || at[grp] >= g->curve[grp].nrow)
            die("R output", "more rows than genu has");
        const survival_row *r = &g->curve[grp].rows[at[grp]++];
        nrow++;
        if (r->time != t || r->n_risk != nrisk)
            bad++;
        dsurv = fmax(dsurv, fabs(r->surv - surv));
        if (!isnan(r->std_err) && !isnan(se))
            dse = fmax(dse, fabs(r->std_err - se));
        else if (isnan(r->std_err) != isnan(se))
            bad++;
    }
    size_t genu_rows = 0;
    for (size_t i = 0; i < KM_NGROUP; i++)
        genu_rows += g->curve[i].nrow;
    double dchi = fabs(g->lr.chisq - r_chisq);
    printf("  agreement: %zu curve rows (genu %zu), %zu with another time, n.risk or NA; "
           "max |surv diff| %.3g, max |std.err diff| %.3g; chisq genu %.10g R %.10g, "
           "|diff| %.3g (relative %.3g)\n",
           nrow, genu_rows, bad, dsurv, dse, g->lr.chisq, r_chisq, dchi, dchi / r_chisq);
}

static int bench_km(size_t n, const char *dir, const char *rscript)
{
    double *time = malloc(n * sizeof *time);
    int *status = malloc(n * sizeof *status);
    size_t *group = malloc(n * sizeof *group);
    if (!time || !status || !group)
        die("out of memory", NULL);
    km_data(n, time, status, group);
    size_t events = 0;
    for (size_t i = 0; i < n; i++)
        events += (size_t)status[i];

    double best = INFINITY;
    km_result res;
    genu_arena *keep = NULL;
    for (int run = 0; run < 3; run++) {
        genu_arena *a = genu_arena_create();
        if (!a)
            die("out of memory", NULL);
        double dt = km_genu(time, status, group, n, a, &res);
        best = dt < best ? dt : best;
        genu_arena_destroy(keep);
        keep = a; /* the last run's curves are compared with R's */
    }
    printf("data: %zu knees, %zu events, 3 strata, whole days (ties); %zu + %zu + %zu curve rows\n",
           n, events, res.curve[0].nrow, res.curve[1].nrow, res.curve[2].nrow);
    printf("  genu: survival_km x 3 + survival_logrank_test: %.3f s (best of 3)\n", best);

    char data[4096], script[4096], out[4096];
    snprintf(data, sizeof data, "%s/km.tsv", dir);
    snprintf(script, sizeof script, "%s/km.R", dir);
    snprintf(out, sizeof out, "%s/km.out", dir);
    FILE *f = fopen(data, "w");
    FILE *fs = fopen(script, "w");
    if (!f || !fs)
        die("cannot write in", dir);
    fputs("time\tstatus\tgroup\n", f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%.0f\t%d\t%zu\n", time[i], status[i], group[i]);
    fputs(r_script, fs);
    if (fclose(f) || fclose(fs))
        die("cannot write in", dir);

    if (!run_r(rscript, script, data, out)) {
        printf("km: genu %.3f s; R (%s) failed or is missing: no comparison\n", best, rscript);
        genu_arena_destroy(keep);
        return 1;
    }
    FILE *ro = fopen(out, "r");
    double r_time, r_chisq;
    if (!ro || fscanf(ro, " elapsed %lf chisq %lf", &r_time, &r_chisq) != 2)
        die("R output", out);
    printf("  R: survfit + survdiff + summary(censored = TRUE): %.3f s (proc.time elapsed)\n",
           r_time);
    km_compare(ro, &res, r_chisq);
    fclose(ro);
    printf("km: genu %.3f s  R survival %.3f s  speed-up %.1fx  target >= 10x: %s\n", best, r_time,
           r_time / best, r_time / best >= 10.0 ? "met" : "MISSED");
    genu_arena_destroy(keep);
    free(time);
    free(status);
    free(group);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "report") == 0)
        return bench_report(argv[2], argv[3]);
    if ((argc == 4 || argc == 5) && strcmp(argv[1], "km") == 0) {
        char *end;
        unsigned long long n = strtoull(argv[2], &end, 10);
        if (*end || n < 10 || n > 100000000)
            die("km: N", "expected a count between 10 and 100000000");
        return bench_km((size_t)n, argv[3], argc == 5 ? argv[4] : "Rscript");
    }
    fprintf(stderr, "usage: bench_analysis report REGISTRY AS_OF\n"
                    "       bench_analysis km N WORKDIR [RSCRIPT]\n");
    return 2;
}
