/* cuminc: Aalen–Johansen cumulative incidence with R's infinitesimal
 * jackknife standard error (survival's survfitaj.c, for one initial state
 * and two absorbing ones) and Gray's test (cmprsk's crstm.f, one stratum,
 * rho = 0), so that genu and R agree to 1e-9. */
#include "analysis/cuminc.h"

#include "analysis/survival.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef survival_obs obs;

static int check_states(const int *state, size_t n, genu_err *err)
{
    for (size_t i = 0; i < n; i++)
        if (state[i] < CUMINC_CENSOR || state[i] > CUMINC_COMPETING)
            return GENU_FAIL(err, GENU_EINVAL, "cuminc: state %d of row %zu (expected 0, 1 or 2)",
                             state[i], i + 1);
    return GENU_OK;
}

/* The influence of each knee on the state probabilities (U in survfitaj.c)
 * follows one rule for every knee still at risk, so those share one value
 * A; a knee that has left keeps its value, moved on by each later event
 * time's linear map M = I + H. So the sum of squares needs only A, the
 * count at risk, and S, the 3 × 3 sum of U U' over the knees that left:
 * S ← M S M' at an event time, plus v v' for each knee leaving with value v.
 * Same numbers as the per-knee loop, in time linear in n. */
typedef struct ij {
    double A[3];
    double S[3][3];
} ij;

static void add_outer(double S[3][3], const double *v, double w)
{
    for (int j = 0; j < 3; j++)
        for (int k = 0; k < 3; k++)
            S[j][k] += w * v[j] * v[k];
}

/* One event time: nr at risk, d1 events, d2 competing, p0 = P(initial
 * state) just before. Returns the event state's variance; adds the knees
 * leaving at this time (c censored among them) to S. */
static double ij_event(ij *s, double nr, double d1, double d2, double c, double p0)
{
    double h1 = d1 / nr, h2 = d2 / nr, h0 = -(d1 + d2) / nr;
    /* U ← U + U H: U0' = U0(1 + h0), U1' = U1 + U0 h1, U2' = U2 + U0 h2 */
    double M[3][3] = {{1 + h0, 0, 0}, {h1, 1, 0}, {h2, 0, 1}}, T[3][3] = {{0}}, S2[3][3] = {{0}};
    for (int j = 0; j < 3; j++)
        for (int k = 0; k < 3; k++)
            for (int m = 0; m < 3; m++)
                T[j][k] += M[j][m] * s->S[m][k];
    for (int j = 0; j < 3; j++)
        for (int k = 0; k < 3; k++)
            for (int m = 0; m < 3; m++)
                S2[j][k] += T[j][m] * M[k][m];
    memcpy(s->S, S2, sizeof S2);
    double a0 = s->A[0];
    s->A[0] = a0 * (1 + h0);
    s->A[1] += a0 * h1;
    s->A[2] += a0 * h2;
    /* the hazard part, for every knee at risk */
    s->A[0] += p0 * (d1 + d2) / (nr * nr);
    s->A[1] -= p0 * d1 / (nr * nr);
    s->A[2] -= p0 * d2 / (nr * nr);
    /* the dN part of the knees with an event of each type */
    double v1[3] = {s->A[0] - p0 / nr, s->A[1] + p0 / nr, s->A[2]};
    double v2[3] = {s->A[0] - p0 / nr, s->A[1], s->A[2] + p0 / nr};
    double var = s->S[1][1] + (nr - d1 - d2) * s->A[1] * s->A[1] + d1 * v1[1] * v1[1] +
                 d2 * v2[1] * v2[1];
    add_outer(s->S, v1, d1);
    add_outer(s->S, v2, d2);
    add_outer(s->S, s->A, c);
    return var;
}

int cuminc_aj(const double *time, const int *state, size_t n, genu_arena *a, cuminc_curve *out,
              genu_err *err)
{
    if (check_states(state, n, err))
        return err ? err->code : GENU_EINVAL;
    void *room;
    obs *o = survival_sort_rows(time, state, n, sizeof(cuminc_row), a, &room);
    if (!o)
        return GENU_OOM(err);
    cuminc_row *rows = room;
    ij s;
    memset(&s, 0, sizeof s);
    double p0 = 1.0, p1 = 0.0, var = 0.0;
    size_t nrow = 0;
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < n;) {
        size_t j = i, cnt[3] = {0, 0, 0};
        while (j < n && o[j].time == o[i].time)
            cnt[o[j++].status]++;
        cuminc_row *r = &rows[nrow++];
        double nr = (double)(n - i), d1 = (double)cnt[1], d2 = (double)cnt[2];
        r->time = o[i].time;
        r->n_risk = n - i;
        r->n_event = cnt[1];
        r->n_competing = cnt[2];
        r->n_censor = cnt[0];
        if (cnt[1] + cnt[2] > 0) {
            var = ij_event(&s, nr, d1, d2, (double)cnt[0], p0);
            p1 += p0 * d1 / nr;
            p0 -= p0 * (d1 + d2) / nr;
        } else {
            add_outer(s.S, s.A, (double)cnt[0]);
        }
        r->cuminc = p1;
        r->std_err = sqrt(fmax(var, 0.0));
        out->events += cnt[1];
        out->competing += cnt[2];
        i = j;
    }
    free(o);
    out->n = n;
    out->nrow = nrow;
    out->rows = rows;
    return GENU_OK;
}

/* ---- Gray's test (crst in cmprsk's crstm.f, rho = 0) ------------------- */

typedef struct gray_work {
    size_t ng;
    double *f1m, *f1, *skmm, *skm, *v3, *rs;
    double *c, *av, *v2; /* ng × ng, row-major (v2: (ng−1) × ng) */
    double *s, *v;       /* ng − 1, (ng − 1)² */
    size_t *d;           /* 3 × ng */
} gray_work;

static int gray_alloc(gray_work *w, size_t ng, genu_arena *a)
{
    w->ng = ng;
    w->f1m = genu_arena_calloc(a, ng, sizeof(double));
    w->f1 = genu_arena_calloc(a, ng, sizeof(double));
    w->skmm = genu_arena_calloc(a, ng, sizeof(double));
    w->skm = genu_arena_calloc(a, ng, sizeof(double));
    w->v3 = genu_arena_calloc(a, ng, sizeof(double));
    w->rs = genu_arena_calloc(a, ng, sizeof(double));
    w->c = genu_arena_calloc(a, ng * ng, sizeof(double));
    w->av = genu_arena_calloc(a, ng * ng, sizeof(double));
    w->v2 = genu_arena_calloc(a, ng * ng, sizeof(double));
    w->s = genu_arena_calloc(a, ng, sizeof(double));
    w->v = genu_arena_calloc(a, ng * ng, sizeof(double));
    w->d = genu_arena_calloc(a, 3 * ng, sizeof(size_t));
    if (!w->f1m || !w->f1 || !w->skmm || !w->skm || !w->v3 || !w->rs || !w->c || !w->av ||
        !w->v2 || !w->s || !w->v || !w->d)
        return -1;
    for (size_t g = 0; g < ng; g++)
        w->skmm[g] = w->skm[g] = 1.0;
    return 0;
}

/* One time with nd1 events and nd2 competing, counts per group in w->d;
 * fm is the pooled cumulative incidence before, returned updated. */
static double gray_time(gray_work *w, double nd1, double nd2, double fm)
{
    size_t ng = w->ng, ng1 = ng - 1;
    double *rs = w->rs, *skmm = w->skmm, *skm = w->skm, *f1m = w->f1m;
    double *c = w->c, *av = w->av, *v2 = w->v2, *v = w->v, *v3 = w->v3;
    double tr = 0.0, tq = 0.0;
    for (size_t g = 0; g < ng; g++) {
        if (rs[g] <= 0)
            continue;
        double td = (double)(w->d[ng + g] + w->d[2 * ng + g]);
        skm[g] = skmm[g] * (rs[g] - td) / rs[g];
        w->f1[g] = f1m[g] + skmm[g] * (double)w->d[ng + g] / rs[g];
        tr += rs[g] / skmm[g];
        tq += rs[g] * (1 - f1m[g]) / skmm[g];
    }
    double f = fm + nd1 / tr;
    for (size_t i = 0; i < ng; i++) {
        for (size_t j = i; j < ng; j++)
            av[i * ng + j] = 0.0;
        if (rs[i] <= 0)
            continue;
        double t1 = rs[i] / skmm[i];
        av[i * ng + i] = t1 * (1 - t1 / tr);
        if (av[i * ng + i] != 0)
            c[i * ng + i] += av[i * ng + i] * nd1 / (tr * (1 - fm));
        for (size_t j = i + 1; j < ng; j++) {
            if (rs[j] <= 0)
                continue;
            av[i * ng + j] = -t1 * rs[j] / (skmm[j] * tr);
            if (av[i * ng + j] != 0)
                c[i * ng + j] += av[i * ng + j] * nd1 / (tr * (1 - fm));
        }
    }
    for (size_t i = 1; i < ng; i++)
        for (size_t j = 0; j < i; j++) {
            av[i * ng + j] = av[j * ng + i];
            c[i * ng + j] = c[j * ng + i];
        }
    for (size_t i = 0; i < ng1; i++)
        if (rs[i] > 0)
            w->s[i] += (double)w->d[ng + i] - nd1 * rs[i] * (1 - f1m[i]) / (skmm[i] * tq);
    if (nd1 > 0)
        for (size_t k = 0; k < ng; k++) {
            if (rs[k] <= 0)
                continue;
            double t4 = skm[k] > 0 ? 1 - (1 - f) / skm[k] : 1.0;
            double t5 = nd1 > 1 ? 1 - (nd1 - 1) / (tr * skmm[k] - 1) : 1.0;
            double t3 = t5 * skmm[k] * nd1 / (tr * rs[k]);
            v3[k] += t4 * t4 * t3;
            for (size_t i = 0; i < ng1; i++) {
                double t1 = av[i * ng + k] - t4 * c[i * ng + k];
                v2[i * ng + k] += t1 * t4 * t3;
                for (size_t j = 0; j <= i; j++)
                    v[i * ng1 + j] += t1 * (av[j * ng + k] - t4 * c[j * ng + k]) * t3;
            }
        }
    if (nd2 > 0)
        for (size_t k = 0; k < ng; k++) {
            double d2 = (double)w->d[2 * ng + k];
            if (skm[k] <= 0 || d2 <= 0)
                continue;
            double t4 = (1 - f) / skm[k];
            double t5 = d2 > 1 ? 1 - (d2 - 1) / (rs[k] - 1) : 1.0;
            double t3 = t5 * skmm[k] * skmm[k] * d2 / (rs[k] * rs[k]);
            v3[k] += t4 * t4 * t3;
            for (size_t i = 0; i < ng1; i++) {
                double t1 = t4 * c[i * ng + k];
                v2[i * ng + k] -= t1 * t4 * t3;
                for (size_t j = 0; j <= i; j++)
                    v[i * ng1 + j] += t1 * t4 * c[j * ng + k] * t3;
            }
        }
    return f;
}

/* s' V⁻¹ s after crst's final terms; false when V is singular. */
static bool gray_statistic(gray_work *w, double *stat)
{
    size_t ng = w->ng, ng1 = ng - 1;
    double *v = w->v, *c = w->c, *v2 = w->v2, *v3 = w->v3;
    for (size_t i = 0; i < ng1; i++)
        for (size_t j = 0; j <= i; j++) {
            for (size_t k = 0; k < ng; k++) {
                v[i * ng1 + j] += c[i * ng + k] * c[j * ng + k] * v3[k];
                v[i * ng1 + j] += c[i * ng + k] * v2[j * ng + k];
                v[i * ng1 + j] += c[j * ng + k] * v2[i * ng + k];
            }
            v[j * ng1 + i] = v[i * ng1 + j];
        }
    double maxdiag = 0.0;
    for (size_t i = 0; i < ng1; i++)
        maxdiag = fmax(maxdiag, v[i * ng1 + i]);
    gsl_matrix_view m = gsl_matrix_view_array(v, ng1, ng1);
    if (!(maxdiag > 0.0) || gsl_linalg_cholesky_decomp1(&m.matrix) != 0)
        return false;
    for (size_t i = 0; i < ng1; i++)
        if (!(v[i * ng1 + i] * v[i * ng1 + i] > 1e-12 * maxdiag))
            return false;
    double x[64];
    gsl_vector_view xv = gsl_vector_view_array(x, ng1);
    gsl_vector_const_view sv = gsl_vector_const_view_array(w->s, ng1);
    gsl_linalg_cholesky_solve(&m.matrix, &sv.vector, &xv.vector);
    *stat = 0.0;
    for (size_t i = 0; i < ng1; i++)
        *stat += x[i] * w->s[i];
    return true;
}

int cuminc_gray_test(const double *time, const int *state, const size_t *group, size_t n,
                     size_t ngroup, genu_arena *a, cuminc_gray *out, genu_err *err)
{
    memset(out, 0, sizeof *out);
    if (check_states(state, n, err))
        return err ? err->code : GENU_EINVAL;
    gray_work w;
    obs *o;
    if (survival_sort_groups(time, state, group, n, ngroup, "cuminc: Gray's test", &o, err))
        return err ? err->code : GENU_EINVAL;
    if (!o)
        return GENU_OK;
    if (gray_alloc(&w, ngroup, a)) {
        free(o);
        return GENU_FAIL(err, GENU_ENOMEM, "cuminc: out of memory");
    }
    for (size_t i = 0; i < n; i++)
        w.rs[o[i].group] += 1.0;
    double fm = 0.0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        double nd1 = 0, nd2 = 0;
        memset(w.d, 0, 3 * ngroup * sizeof *w.d);
        for (; j < n && o[j].time == o[i].time; j++) {
            w.d[(size_t)o[j].status * ngroup + o[j].group]++;
            nd1 += o[j].status == CUMINC_EVENT;
            nd2 += o[j].status == CUMINC_COMPETING;
        }
        if (nd1 > 0 || nd2 > 0) {
            fm = gray_time(&w, nd1, nd2, fm);
            memcpy(w.f1m, w.f1, ngroup * sizeof *w.f1);
            memcpy(w.skmm, w.skm, ngroup * sizeof *w.skm);
        }
        for (size_t m = i; m < j; m++)
            w.rs[o[m].group] -= 1.0;
        i = j;
    }
    free(o);
    out->df = (int)ngroup - 1;
    if (gray_statistic(&w, &out->statistic)) {
        out->defined = true;
        out->p = gsl_cdf_chisq_Q(out->statistic, (double)out->df);
    }
    return GENU_OK;
}
