/* bench_scale: a server's analysis right after a write (docs/benchmarks.md,
 * "Scale"). The server keeps the analysis dataset in memory
 * (src/http/dscache.c); a write used to throw it away, so the next analysis
 * paid a whole load. Now the write's patients are read again and merged.
 *
 *   bench_scale REGISTRY AS_OF PATIENT
 *
 * REGISTRY is a SQLite file or a postgresql:// URL that this program WRITES
 * to (one NPRS response of PATIENT, dated AS_OF): use a scratch copy.
 * Prints, beside the figure (patch + claim after the write), its ceiling
 * measured in the same run: a whole load of the same registry plus the
 * same claim, which is what the analysis after a write cost before. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "analysis/claim.h"
#include "analysis/cohort.h"
#include "analysis/responder.h"
#include "analysis/timepoint.h"
#include "core/arena.h"
#include "http/dscache.h"
#include "store/store.h"

_Noreturn static void die(const char *what, const char *detail)
{
    bench_die("bench_scale", what, detail);
}

/* The claim "50% better pain at 12 months" over the whole cohort:
 * responders, and the seconds it took. */
static double claim(const genu_dataset *ds, genu_date as_of, size_t *responders)
{
    genu_err err = {0};
    genu_arena *a = genu_arena_create();
    responder_def d;
    timepoint t;
    cohort_filter f;
    cohort c;
    claim_counts cc;
    if (!a || responder_parse("improvement_pct:nprs.intensity>=50", &d, &err) ||
        timepoint_parse("12m", &t, &err))
        die("claim", err.msg);
    cohort_filter_init(&f);
    double t0 = bench_now();
    if (cohort_build(ds, &f, COHORT_UNIT_KNEE, as_of, a, &c, &err))
        die("cohort_build", err.msg);
    claim_count(&c, &d, &t, NULL, &cc);
    double dt = bench_now() - t0;
    *responders = cc.responders;
    genu_arena_destroy(a);
    return dt;
}

/* One response stored for patient, as a survey submission stores it. */
static void write_one(genu_store *s, const char *patient, const char *date, genu_date as_of,
                      int n)
{
    char id[64], doc[256];
    genu_err err = {0};
    snprintf(id, sizeof id, "bench-scale-%ld-%d", (long)time(NULL), n);
    snprintf(doc, sizeof doc,
             "{\"type\":\"response\",\"id\":\"%s\",\"patient\":\"%s\",\"date\":\"%s\","
             "\"instrument\":\"nprs\",\"items\":{\"intensity\":3}}",
             id, patient, date);
    genu_score sc = {"intensity", 3};
    genu_record r = {.type = GENU_REC_RESPONSE, .id = id, .patient = patient,
                     .knee = GENU_KNEE_NONE, .date = as_of, .doc = doc};
    r.u.response = (genu_response){"nprs", 1, 1, &sc, 0, NULL};
    store_put_result res;
    if (store_put(s, &r, &res, &err))
        die("store_put", err.msg);
}

int main(int argc, char **argv)
{
    if (argc != 4)
        die("usage", "bench_scale REGISTRY AS_OF PATIENT");
    genu_err err = {0};
    genu_date as_of;
    if (genu_date_parse(argv[2], strlen(argv[2]), &as_of, &err))
        die("AS_OF", err.msg);
    genu_store *s = NULL;
    if (store_open(argv[1], false, &s, &err))
        die("open", err.msg);
    dscache *c = dscache_create();
    const genu_dataset *ds;
    dscache_ref *ref;
    size_t r0, r1, r2, loads, patches;

    double t0 = bench_now();
    if (dscache_get(c, s, &ds, &ref, &err))
        die("dscache_get", err.msg);
    double t_load = bench_now() - t0;
    double t_claim0 = claim(ds, as_of, &r0);
    dscache_release(c, ref);

    /* the write: one response, as a survey submission stores it; the
     * first patch after a whole load copies the dataset (leaving room),
     * the next ones are made in place (http/dscache.c) */
    write_one(s, argv[3], argv[2], as_of, 1);
    t0 = bench_now();
    if (dscache_get(c, s, &ds, &ref, &err))
        die("dscache_get after the write", err.msg);
    double t_copy = bench_now() - t0;
    dscache_release(c, ref);
    write_one(s, argv[3], argv[2], as_of, 2);
    t0 = bench_now();
    if (dscache_get(c, s, &ds, &ref, &err))
        die("dscache_get after the second write", err.msg);
    double t_patch = bench_now() - t0;
    double t_claim1 = claim(ds, as_of, &r1);
    dscache_release(c, ref);
    dscache_counts(c, &loads, &patches);
    size_t in_place = dscache_patched_in_place(c);
    dscache_destroy(c); /* its memory back before the ceiling's whole load */

    /* the ceiling: what the analysis after a write cost before, a whole
     * load and the same claim */
    genu_arena *a = genu_arena_create();
    genu_dataset whole;
    t0 = bench_now();
    if (!a || store_load(s, a, &whole, &err))
        die("store_load", err.msg);
    double t_reload = bench_now() - t0;
    double t_claim2 = claim(&whole, as_of, &r2);
    genu_arena_destroy(a);

    printf("server dataset (%s): first load %.2f s, claim %.3f s (%zu responders)\n",
           store_backend(s), t_load, t_claim0, r0);
    printf("  after a write: %s %.3f s; after the next: %s %.3f s, claim %.3f s "
           "(%zu responders; a whole load gives %zu)\n",
           patches == 2 && loads == 1 ? "patch (a copy)" : "LOAD (not patched)", t_copy,
           in_place == 1 ? "patch in place" : "NOT IN PLACE", t_patch, t_claim1, r1, r2);
    printf("scale (%s): analysis after a write %.3f s  ceiling (whole load + claim, as before) "
           "%.3f s  ratio %.3f\n",
           store_backend(s), t_patch + t_claim1, t_reload + t_claim2,
           (t_patch + t_claim1) / (t_reload + t_claim2));
    store_close(s);
    return r1 == r2 ? 0 : 1;
}
