/* survival: Kaplan–Meier, Greenwood, medians and the log-rank test as R's
 * survival package computes them (survfit.formula's defaults, summary with
 * censored = TRUE, print.survfit's median rule, survdiff with rho = 0), so
 * that genu and R agree on the same data to 1e-9. */
#include "analysis/survival.h"

#include "analysis/request.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_linalg.h>
#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/stats.h"
#include "analysis/timepoint.h"

int survival_event_parse(const char *s, survival_event *out, genu_err *err)
{
    if (strcmp(s, "replacement") == 0)
        *out = SURVIVAL_REPLACEMENT;
    else if (strcmp(s, "surgery") == 0)
        *out = SURVIVAL_SURGERY;
    else if (strcmp(s, "loss_of_response") == 0)
        *out = SURVIVAL_LOSS;
    else
        return GENU_FAIL(err, GENU_EINVAL,
                         "event: expected replacement, surgery or loss_of_response, not \"%s\"",
                         s);
    return GENU_OK;
}

const char *survival_event_name(survival_event e)
{
    switch (e) {
    case SURVIVAL_REPLACEMENT:
        return "replacement";
    case SURVIVAL_SURGERY:
        return "surgery";
    default:
        return "loss_of_response";
    }
}

/* The scheduled timepoints of loss_of_response: 6w, 3m, 6m, 12m, then every
 * 12 months. i = 0, 1, 2, ... */
static void scheduled(int i, timepoint *t)
{
    if (i == 0)
        timepoint_make(6, 'w', t);
    else if (i == 1)
        timepoint_make(3, 'm', t);
    else if (i == 2)
        timepoint_make(6, 'm', t);
    else
        timepoint_make(12 * (i - 2), 'm', t);
}

/* Date of loss of response, or GENU_DATE_NONE. */
static genu_date loss_date(const cohort *c, const cohort_knee *k, const responder_def *d)
{
    bool responded = false;
    for (int i = 0;; i++) {
        timepoint t;
        scheduled(i, &t);
        genu_date first, last;
        timepoint_window(&t, k->index, &first, &last);
        if (first > c->as_of || t.nominal > TIMEPOINT_MAX_DAYS)
            break;
        responder_outcome o;
        responder_eval(c, k, d, &t, &o);
        if (o.status != RESPONDER_EVALUATED)
            continue; /* no follow-up at this timepoint: skipped */
        if (o.responder)
            responded = true;
        else if (responded)
            return o.followup_date;
    }
    /* follow-ups never fall on or after the replacement, so a replacement
     * after a response is the loss when no evaluated non-response came first */
    return responded ? k->replaced : GENU_DATE_NONE;
}

void survival_knee(const cohort *c, const cohort_knee *k, survival_event ev,
                   const responder_def *d, double *time, int *status)
{
    genu_date at = ev == SURVIVAL_REPLACEMENT ? k->replaced
                   : ev == SURVIVAL_SURGERY   ? k->surgery
                                              : loss_date(c, k, d);
    *status = at != GENU_DATE_NONE;
    assert(at != GENU_DATE_NONE || k->last_contact != GENU_DATE_NONE); /* a whole dataset */
    *time = (double)((at != GENU_DATE_NONE ? at : k->last_contact) - k->index);
}

/* ---- Kaplan–Meier ------------------------------------------------------ */

typedef survival_obs obs;

static int cmp_obs(const void *x, const void *y)
{
    const obs *a = x, *b = y;
    return (a->time > b->time) - (a->time < b->time);
}

/* A finite double's bits as an unsigned key in the same order (-0.0 was
 * made +0.0 before, so equal times have equal keys). */
static uint64_t time_key(double t)
{
    uint64_t b;
    memcpy(&b, &t, sizeof b);
    return b >> 63 ? ~b : b | (UINT64_C(1) << 63);
}

#define RADIX_BITS 11
#define RADIX_SIZE (1u << RADIX_BITS)
#define RADIX_PASSES 6 /* 6 × 11 ≥ 64 */

/* LSD radix sort of o[0..n) by time, tmp as scratch; the result is in o.
 * Passes whose digit is the same for every key (the low mantissa bits of
 * whole days, the exponent's top) are skipped. The order of equal times is
 * not kept, and nothing here depends on it. Sorting was most of the time
 * of Kaplan–Meier and log-rank on large cohorts with qsort. */
static void radix_sort(obs *o, obs *tmp, size_t n)
{
    size_t *count = calloc((size_t)RADIX_PASSES * RADIX_SIZE, sizeof *count);
    if (!count) {
        qsort(o, n, sizeof *o, cmp_obs);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t k = time_key(o[i].time);
        for (unsigned p = 0; p < RADIX_PASSES; p++)
            count[p * RADIX_SIZE + ((k >> (p * RADIX_BITS)) & (RADIX_SIZE - 1))]++;
    }
    obs *src = o, *dst = tmp;
    for (unsigned p = 0; p < RADIX_PASSES; p++) {
        size_t *c = &count[p * RADIX_SIZE];
        uint64_t first = (time_key(src[0].time) >> (p * RADIX_BITS)) & (RADIX_SIZE - 1);
        if (c[first] == n)
            continue;
        size_t sum = 0;
        for (size_t d = 0; d < RADIX_SIZE; d++) {
            size_t x = c[d];
            c[d] = sum;
            sum += x;
        }
        for (size_t i = 0; i < n; i++) {
            uint64_t d = (time_key(src[i].time) >> (p * RADIX_BITS)) & (RADIX_SIZE - 1);
            dst[c[d]++] = src[i];
        }
        obs *t = src;
        src = dst;
        dst = t;
    }
    if (src != o)
        memcpy(o, src, n * sizeof *o);
    free(count);
}

survival_obs *survival_sort(const double *time, const int *status, const size_t *group, size_t n)
{
    obs *o = malloc((n ? n : 1) * sizeof *o);
    if (!o)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        o[i].time = time[i] == 0.0 ? 0.0 : time[i];
        o[i].status = (uint32_t)status[i];
        o[i].group = group ? (uint32_t)group[i] : 0;
    }
    if (n < 256) {
        qsort(o, n, sizeof *o, cmp_obs);
        return o;
    }
    obs *tmp = malloc(n * sizeof *tmp);
    if (!tmp)
        qsort(o, n, sizeof *o, cmp_obs);
    else
        radix_sort(o, tmp, n);
    free(tmp);
    return o;
}

survival_obs *survival_sort_rows(const double *time, const int *status, size_t n, size_t size,
                                 genu_arena *a, void **rows)
{
    survival_obs *o = survival_sort(time, status, NULL, n);
    size_t distinct = 0;
    for (size_t i = 0; o && i < n; i++)
        distinct += i == 0 || o[i].time != o[i - 1].time;
    *rows = o ? genu_arena_calloc(a, distinct ? distinct : 1, size) : NULL;
    if (!*rows) {
        free(o);
        return NULL;
    }
    return o;
}

int survival_sort_groups(const double *time, const int *status, const size_t *group, size_t n,
                         size_t ngroup, const char *what, survival_obs **o, genu_err *err)
{
    *o = NULL;
    if (ngroup < 2)
        return GENU_OK;
    if (ngroup > 64)
        return GENU_FAIL(err, GENU_EINVAL, "%s over more than 64 groups", what);
    if (!(*o = survival_sort(time, status, group, n)))
        return GENU_OOM(err);
    return GENU_OK;
}

/* survival:::survmean's minmin() over one column of the curve (0: surv,
 * 1: lower, 2: upper): the rows with a value (R's NA, here NAN, is left
 * out) below 0.5 + tol; if the first of them is 0.5 within tol and a lower
 * value follows, the midpoint of their times, else the first time. */
static double minmin(const survival_curve *c, int column)
{
    const double tol = 1.4901161193847656e-08; /* sqrt(.Machine$double.eps) */
    size_t first = c->nrow;
    double y1 = NAN;
    for (size_t i = 0; i < c->nrow && first == c->nrow; i++) {
        const survival_row *r = &c->rows[i];
        double y = column == 0 ? r->surv : column == 1 ? r->lower : r->upper;
        if (!isnan(y) && y < 0.5 + tol) {
            first = i;
            y1 = y;
        }
    }
    if (first == c->nrow)
        return NAN;
    if (fabs(y1 - 0.5) < tol) {
        for (size_t j = first + 1; j < c->nrow; j++) {
            const survival_row *r = &c->rows[j];
            double y = column == 0 ? r->surv : column == 1 ? r->lower : r->upper;
            if (!isnan(y) && y < y1)
                return (c->rows[first].time + r->time) / 2.0;
        }
    }
    return c->rows[first].time;
}

double survival_median(const survival_curve *c)
{
    return minmin(c, 0);
}

void survival_median_ci(const survival_curve *c, double *lo, double *hi)
{
    /* print.survfit's 0.95LCL and 0.95UCL: the median rule applied to the
     * lower and the upper curve */
    *lo = minmin(c, 1);
    *hi = minmin(c, 2);
}

int survival_km(const double *time, const int *status, size_t n, genu_arena *a,
                survival_curve *out, genu_err *err)
{
    void *room;
    obs *o = survival_sort_rows(time, status, n, sizeof(survival_row), a, &room);
    if (!o)
        return GENU_OOM(err);
    survival_row *rows = room;
    size_t nrow = 0, events = 0;
    double surv = 1.0, var = 0.0;
    bool var_inf = false;
    for (size_t i = 0; i < n;) {
        size_t j = i, d = 0;
        while (j < n && o[j].time == o[i].time)
            d += o[j++].status != 0;
        survival_row *r = &rows[nrow++];
        r->time = o[i].time;
        r->n_risk = n - i;
        r->n_event = d;
        r->n_censor = (j - i) - d;
        if (d > 0) {
            double nr = (double)r->n_risk, dd = (double)d;
            surv *= (nr - dd) / nr;
            if (d < r->n_risk)
                var += dd / (nr * (nr - dd));
            else
                var_inf = true;
        }
        events += d;
        r->surv = surv;
        r->std_err = var_inf ? NAN : sqrt(var);
        if (surv > 0.0 && !var_inf) {
            r->lower = exp(log(surv) - STATS_Z95 * r->std_err);
            r->upper = fmin(1.0, exp(log(surv) + STATS_Z95 * r->std_err));
        } else {
            r->lower = r->upper = NAN;
        }
        i = j;
    }
    free(o);
    out->n = n;
    out->events = events;
    out->nrow = nrow;
    out->rows = rows;
    out->median = survival_median(out);
    survival_median_ci(out, &out->median_lo, &out->median_hi);
    return GENU_OK;
}

/* ---- log-rank ---------------------------------------------------------- */

/* chisq = (O−E)' V⁻¹ (O−E) over the groups with E > 0, the first of them
 * dropped, as survdiff does. */
static int quad_form(const double *oe, const double *var, const double *expct, size_t g,
                     survival_logrank *out)
{
    size_t keep[64], m = 0;
    for (size_t i = 0; i < g && m < 64; i++)
        if (expct[i] > 0.0)
            keep[m++] = i;
    out->df = (int)m - 1;
    if (m < 2) {
        out->defined = false;
        return GENU_OK;
    }
    size_t k = m - 1;
    gsl_matrix *v = gsl_matrix_alloc(k, k);
    gsl_vector *b = gsl_vector_alloc(k), *x = gsl_vector_alloc(k);
    gsl_permutation *perm = gsl_permutation_alloc(k);
    int rc = GENU_ENOMEM;
    if (v && b && x && perm) {
        for (size_t i = 0; i < k; i++) {
            gsl_vector_set(b, i, oe[keep[i + 1]]);
            for (size_t j = 0; j < k; j++)
                gsl_matrix_set(v, i, j, var[keep[i + 1] * g + keep[j + 1]]);
        }
        int sign;
        gsl_linalg_LU_decomp(v, perm, &sign);
        double chisq = 0.0;
        if (gsl_linalg_LU_solve(v, perm, b, x) == 0) {
            for (size_t i = 0; i < k; i++)
                chisq += gsl_vector_get(x, i) * gsl_vector_get(b, i);
            out->defined = true;
            out->chisq = chisq;
            out->p = gsl_cdf_chisq_Q(chisq, (double)out->df);
        }
        rc = GENU_OK;
    }
    gsl_matrix_free(v);
    gsl_vector_free(b);
    gsl_vector_free(x);
    gsl_permutation_free(perm);
    return rc;
}

int survival_logrank_test(const double *time, const int *status, const size_t *group, size_t n,
                          size_t ngroup, genu_arena *a, survival_logrank *out, genu_err *err)
{
    memset(out, 0, sizeof *out);
    obs *o;
    if (survival_sort_groups(time, status, group, n, ngroup, "survival: log-rank", &o, err))
        return err->code;
    if (!o)
        return GENU_OK;
    double *risk = genu_arena_calloc(a, ngroup, sizeof *risk);
    double *dg = genu_arena_calloc(a, ngroup, sizeof *dg);
    double *obsd = genu_arena_calloc(a, ngroup, sizeof *obsd);
    double *expct = genu_arena_calloc(a, ngroup, sizeof *expct);
    double *var = genu_arena_calloc(a, ngroup * ngroup, sizeof *var);
    if (!risk || !dg || !obsd || !expct || !var) {
        free(o);
        return GENU_FAIL(err, GENU_ENOMEM, "survival: out of memory");
    }
    for (size_t i = 0; i < n; i++)
        risk[o[i].group] += 1.0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        double d = 0.0, nr = (double)(n - i);
        memset(dg, 0, ngroup * sizeof *dg);
        while (j < n && o[j].time == o[i].time) {
            d += o[j].status != 0;
            dg[o[j].group] += o[j].status != 0;
            j++;
        }
        if (d > 0.0) {
            double kk = nr > 1.0 ? d * (nr - d) / (nr - 1.0) : 0.0;
            for (size_t g = 0; g < ngroup; g++) {
                obsd[g] += dg[g];
                expct[g] += d * risk[g] / nr;
                for (size_t h = 0; h < ngroup; h++)
                    var[g * ngroup + h] +=
                        kk * (risk[g] / nr) * ((g == h ? 1.0 : 0.0) - risk[h] / nr);
            }
        }
        for (size_t m = i; m < j; m++)
            risk[o[m].group] -= 1.0;
        i = j;
    }
    free(o);
    for (size_t g = 0; g < ngroup; g++)
        obsd[g] -= expct[g];
    if (quad_form(obsd, var, expct, ngroup, out))
        return GENU_FAIL(err, GENU_ENOMEM, "survival: out of memory");
    return GENU_OK;
}

int survival_times(const cohort *c, survival_event ev, const responder_def *d, genu_arena *a,
                   double **time, int **status, genu_err *err)
{
    size_t n = c->nknee;
    *time = genu_arena_calloc(a, n + 1, sizeof **time);
    *status = genu_arena_calloc(a, n + 1, sizeof **status);
    if (!*time || !*status)
        return GENU_OOM(err);
    for (size_t i = 0; i < n; i++)
        survival_knee(c, &c->knees[i], ev, d, &(*time)[i], &(*status)[i]);
    return GENU_OK;
}

int survival_each_group(const double *time, const int *status, const size_t *group, size_t n,
                        size_t ngroup, survival_curve_fn *fn, void *curves, size_t size,
                        genu_arena *a, genu_err *err)
{
    double *gtime = genu_arena_calloc(a, n + 1, sizeof *gtime);
    int *gstatus = genu_arena_calloc(a, n + 1, sizeof *gstatus);
    if (!gtime || !gstatus)
        return GENU_OOM(err);
    for (size_t g = 0; g < ngroup; g++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (group[i] == g) {
                gtime[m] = time[i];
                gstatus[m++] = status[i];
            }
        if (fn(gtime, gstatus, m, a, (char *)curves + g * size, err))
            return err->code;
    }
    return GENU_OK;
}

static int km_curve(const double *time, const int *status, size_t n, genu_arena *a, void *curve,
                    genu_err *err)
{
    return survival_km(time, status, n, a, curve, err);
}

int survival_by_group(const double *time, const int *status, const size_t *group, size_t n,
                      size_t ngroup, genu_arena *a, survival_curve *curves, survival_logrank *lr,
                      genu_err *err)
{
    if (survival_each_group(time, status, group, n, ngroup, km_curve, curves, sizeof *curves, a,
                            err))
        return err->code;
    return survival_logrank_test(time, status, group, n, ngroup, a, lr, err);
}

int survival_analyse(const cohort *c, survival_event ev, const responder_def *d, cohort_by by,
                     genu_arena *a, survival_result *out, genu_err *err)
{
    cohort_strata s;
    double *time;
    int *status;
    if (survival_times(c, ev, d, a, &time, &status, err) || cohort_strata_of(c, by, a, &s, err))
        return err->code;
    out->event = ev;
    out->nstrata = s.n;
    out->names = s.names;
    if (!(out->curves = genu_arena_calloc(a, s.n + 1, sizeof *out->curves)))
        return GENU_OOM(err);
    return survival_by_group(time, status, s.group, c->nknee, s.n, a, out->curves, &out->logrank,
                             err);
}

int survival_request_check(const analysis_request *q, genu_err *err)
{
    if (q->event == SURVIVAL_LOSS && !q->ndef)
        return GENU_FAIL(err, GENU_EINVAL,
                         "responder: loss_of_response needs a responder definition");
    if (q->event != SURVIVAL_LOSS && q->ndef)
        return GENU_FAIL(err, GENU_EINVAL, "responder: only used with event loss_of_response");
    return GENU_OK;
}

int survival_request(const cohort *c, const analysis_request *q, genu_arena *a,
                     survival_result *out, genu_err *err)
{
    if (survival_request_check(q, err))
        return err->code;
    return survival_analyse(c, q->event, q->ndef ? &q->defs[0] : NULL, q->by, a, out, err);
}

/* What genu survival and GET /api/v1/survival accept beside as_of, unit and
 * the filters. */
const request_use survival_use = {"survival", "event+ responder by mcid* competing cox"};
