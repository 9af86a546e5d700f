/* case: a patient's case history from the dataset (case.h). The first visit
 * is the earliest dated diagnosis, exam, response or adverse event (else the
 * earliest treatment): treatments before it are the history the patient
 * brings, treatments on or after it are the clinic's series. Sessions of the
 * same kind and protocol in a row form one series, whatever the knees, so a
 * bilateral series reads as one ("both knees"). */
#include "analysis/case.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "model/vocab.h"
#include "model/words.h"

#define MONTH_DAYS 30.4375

static int knee_bit(genu_knee k)
{
    return k == GENU_KNEE_LEFT ? CASE_LEFT : k == GENU_KNEE_RIGHT ? CASE_RIGHT : 0;
}

static int find_patient(const genu_dataset *ds, const char *id, size_t *out)
{
    size_t lo = 0, hi = ds->n[GENU_REC_PATIENT];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(ds->recs[GENU_REC_PATIENT][mid].id, id);
        if (c == 0) {
            *out = mid;
            return 0;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* The visible records of type t for patient p: [*lo, *hi). */
static void span(const genu_dataset *ds, genu_rtype t, size_t p, genu_date as_of, size_t *lo,
                 size_t *hi)
{
    const genu_record *r = ds->recs[t];
    size_t n = ds->n[t], a = 0, b;
    size_t l = 0, h = n;
    while (l < h) { /* first record of patient p */
        size_t m = l + (h - l) / 2;
        if (r[m].pat < p)
            l = m + 1;
        else
            h = m;
    }
    a = l;
    for (b = a; b < n && r[b].pat == p && r[b].date <= as_of; b++)
        ;
    *lo = a;
    *hi = b;
}

static bool is_surgery(int kind)
{
    const vocab_kind *k = vocab_kind_at(kind);
    return k && (k->flags & VOCAB_SURGERY);
}

static genu_date first_visit(const genu_dataset *ds, size_t p, genu_date as_of)
{
    static const genu_rtype types[] = {GENU_REC_DIAGNOSIS, GENU_REC_EXAM, GENU_REC_RESPONSE,
                                       GENU_REC_ADVERSE_EVENT, GENU_REC_TREATMENT};
    genu_date best = GENU_DATE_NONE;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        size_t lo, hi;
        if (types[i] == GENU_REC_TREATMENT && best != GENU_DATE_NONE)
            break;
        span(ds, types[i], p, as_of, &lo, &hi);
        if (lo < hi && (best == GENU_DATE_NONE || ds->recs[types[i]][lo].date < best))
            best = ds->recs[types[i]][lo].date;
    }
    return best;
}

static int diagnoses(const genu_dataset *ds, size_t lo, size_t hi, genu_arena *a,
                     case_history *h)
{
    h->diag = genu_arena_calloc(a, hi - lo + 1, sizeof *h->diag);
    if (!h->diag)
        return -1;
    for (size_t i = lo; i < hi; i++) {
        const genu_record *r = &ds->recs[GENU_REC_DIAGNOSIS][i];
        const genu_diagnosis *d = &r->u.diagnosis;
        size_t j;
        h->knees |= (unsigned)knee_bit(r->knee);
        for (j = 0; j < h->ndiag; j++)
            if (h->diag[j].date == r->date && h->diag[j].condition == d->condition &&
                h->diag[j].kl == d->kl_grade)
                break;
        if (j == h->ndiag)
            h->diag[h->ndiag++] = (case_diag){r->date, 0, d->condition, d->kl_grade};
        h->diag[j].knees |= (unsigned)knee_bit(r->knee);
    }
    return 0;
}

static void add_treat(case_treat *v, size_t *n, const genu_record *r)
{
    for (size_t j = 0; j < *n; j++)
        if (v[j].date == r->date && v[j].kind == r->u.treatment.kind) {
            v[j].knees |= (unsigned)knee_bit(r->knee);
            return;
        }
    v[(*n)++] = (case_treat){r->date, (unsigned)knee_bit(r->knee), r->u.treatment.kind};
}

static bool same_str(const char *x, const char *y)
{
    return (!x && !y) || (x && y && strcmp(x, y) == 0);
}

/* Adds a session to the current series or starts a new one. */
static void add_session(case_history *h, const genu_record *r, genu_date *dates, size_t *used)
{
    const genu_treatment *t = &r->u.treatment;
    case_series *s = h->nseries ? &h->series[h->nseries - 1] : NULL;
    if (!s || s->kind != t->kind || !same_str(s->protocol, t->protocol)) {
        s = &h->series[h->nseries++];
        memset(s, 0, sizeof *s);
        s->kind = t->kind;
        s->protocol = t->protocol;
        s->cost = NAN;
        s->dates = dates + *used;
    }
    s->knees |= (unsigned)knee_bit(r->knee);
    s->sites |= t->sites;
    if (!isnan(t->cost)) {
        s->cost = isnan(s->cost) ? t->cost : s->cost + t->cost;
        if (!s->currency)
            s->currency = t->currency;
    }
    if (s->nsess == 0 || s->dates[s->nsess - 1] != r->date) {
        s->dates[s->nsess++] = r->date;
        (*used)++;
    }
}

static int treatments(const genu_dataset *ds, size_t lo, size_t hi, genu_arena *a,
                      case_history *h)
{
    size_t n = hi - lo + 1, used = 0;
    genu_date *dates = genu_arena_calloc(a, n, sizeof *dates);
    h->prior = genu_arena_calloc(a, n, sizeof *h->prior);
    h->surgery = genu_arena_calloc(a, n, sizeof *h->surgery);
    h->series = genu_arena_calloc(a, n, sizeof *h->series);
    if (!dates || !h->prior || !h->surgery || !h->series)
        return -1;
    for (size_t i = lo; i < hi; i++) {
        const genu_record *r = &ds->recs[GENU_REC_TREATMENT][i];
        h->knees |= (unsigned)knee_bit(r->knee);
        if (r->date < h->first_visit)
            add_treat(h->prior, &h->nprior, r);
        else if (is_surgery(r->u.treatment.kind))
            add_treat(h->surgery, &h->nsurgery, r);
        else
            add_session(h, r, dates, &used);
    }
    return 0;
}

static case_point *point_at(case_history *h, genu_date d)
{
    if (h->npoint && h->points[h->npoint - 1].date == d)
        return &h->points[h->npoint - 1];
    case_point *p = &h->points[h->npoint++];
    *p = (case_point){d, {NAN, NAN}, {NAN, NAN}, {NAN, NAN}, NAN, NAN, NAN};
    return p;
}

static void set_if(double *slot, const genu_record *r, const char *key)
{
    double v = record_score(r, key);
    if (!isnan(v))
        *slot = v; /* later records on one date win, as in analyses */
}

static int responses(const genu_dataset *ds, size_t lo, size_t hi, genu_arena *a,
                     case_history *h)
{
    h->points = genu_arena_calloc(a, hi - lo + 1, sizeof *h->points);
    if (!h->points)
        return -1;
    for (size_t i = lo; i < hi; i++) {
        const genu_record *r = &ds->recs[GENU_REC_RESPONSE][i];
        const char *in = r->u.response.instrument;
        int k = r->knee == GENU_KNEE_LEFT ? 0 : r->knee == GENU_KNEE_RIGHT ? 1 : -1;
        h->knees |= (unsigned)knee_bit(r->knee);
        if (k >= 0 && strcmp(in, "nprs") == 0)
            set_if(&point_at(h, r->date)->nprs[k], r, "intensity");
        else if (k >= 0 && strcmp(in, "pain_frequency") == 0)
            set_if(&point_at(h, r->date)->freq[k], r, "percent");
        else if (k >= 0 && strcmp(in, "global_improvement") == 0)
            set_if(&point_at(h, r->date)->improvement[k], r, "percent");
        else if (k < 0 && strcmp(in, "sleep") == 0) {
            case_point *p = point_at(h, r->date);
            set_if(&p->sleep, r, "interrupted");
            set_if(&p->nights, r, "nights_per_week");
        } else if (k < 0 && strcmp(in, "patient_global") == 0)
            set_if(&point_at(h, r->date)->patient_global, r, "score");
    }
    return 0;
}

static int events(const genu_dataset *ds, size_t lo, size_t hi, genu_arena *a, case_history *h)
{
    h->events = genu_arena_calloc(a, hi - lo + 1, sizeof *h->events);
    if (!h->events)
        return -1;
    for (size_t i = lo; i < hi; i++) {
        const genu_record *r = &ds->recs[GENU_REC_ADVERSE_EVENT][i];
        const genu_adverse_event *e = &r->u.adverse_event;
        h->events[h->nevent++] = (case_event){r->date, r->knee, e->kind, e->severity, e->serious};
    }
    return 0;
}

/* The patient's death, when one is recorded as of the history's date. */
static void death(const genu_dataset *ds, size_t lo, size_t hi, case_history *h)
{
    h->died = lo < hi ? ds->recs[GENU_REC_DEATH][lo].date : GENU_DATE_NONE;
    h->death_cause = lo < hi ? ds->recs[GENU_REC_DEATH][lo].u.death.cause : NULL;
}

int case_build(const genu_dataset *ds, const char *patient, genu_date as_of, genu_arena *a,
               case_history *out, genu_err *err)
{
    size_t p, lo[GENU_REC_NTYPES], hi[GENU_REC_NTYPES];
    if (find_patient(ds, patient, &p))
        return GENU_FAIL(err, GENU_ENOTFOUND, "no patient \"%s\"", patient);
    const genu_patient *pt = &ds->recs[GENU_REC_PATIENT][p].u.patient;
    case_history h;
    memset(&h, 0, sizeof h);
    h.id = ds->recs[GENU_REC_PATIENT][p].id;
    h.site = pt->site;
    h.sex = pt->sex;
    h.birth_year = pt->birth_year;
    h.as_of = as_of;
    h.index = h.knee_index[0] = h.knee_index[1] = GENU_DATE_NONE;
    h.first_visit = first_visit(ds, p, as_of);
    h.age = h.first_visit != GENU_DATE_NONE && pt->birth_year > 0
                ? genu_date_year(h.first_visit) - pt->birth_year
                : -1;
    for (int t = GENU_REC_DIAGNOSIS; t < GENU_REC_NTYPES; t++)
        span(ds, (genu_rtype)t, p, as_of, &lo[t], &hi[t]);
    if (diagnoses(ds, lo[GENU_REC_DIAGNOSIS], hi[GENU_REC_DIAGNOSIS], a, &h) ||
        treatments(ds, lo[GENU_REC_TREATMENT], hi[GENU_REC_TREATMENT], a, &h) ||
        responses(ds, lo[GENU_REC_RESPONSE], hi[GENU_REC_RESPONSE], a, &h) ||
        events(ds, lo[GENU_REC_ADVERSE_EVENT], hi[GENU_REC_ADVERSE_EVENT], a, &h))
        return GENU_FAIL(err, GENU_ENOMEM, "case history: out of memory");
    for (size_t i = lo[GENU_REC_EXAM]; i < hi[GENU_REC_EXAM]; i++)
        h.knees |= (unsigned)knee_bit(ds->recs[GENU_REC_EXAM][i].knee);
    death(ds, lo[GENU_REC_DEATH], hi[GENU_REC_DEATH], &h);
    *out = h;
    return GENU_OK;
}

/* ---- narrative ---------------------------------------------------------- */

static const char *number_word(long n, char *buf, size_t sz)
{
    return words_number(n, buf, sz);
}

static const char *knees_phrase(unsigned k)
{
    return k == (CASE_LEFT | CASE_RIGHT) ? "both knees"
           : k == CASE_LEFT              ? "the left knee"
           : k == CASE_RIGHT             ? "the right knee"
                                         : "no knee recorded";
}

/* "dextrose prolotherapy" from "dextrose_prolotherapy": the vocabulary's
 * label (model/words). */
static void put_words(genu_buf *b, const char *code)
{
    char w[WORDS_MAX];
    genu_buf_puts(b, words_codes(code, w, sizeof w));
}

/* A date as the history speaks it: "2009-03-02", or "day 12" (from the
 * index date) in a history in days. */
static const char *when(const case_history *h, genu_date d, char out[CASE_WHEN_LEN])
{
    if (!h->in_days)
        genu_date_format(d, out);
    else if (h->index == GENU_DATE_NONE) /* nothing is dated, so nothing asks */
        snprintf(out, CASE_WHEN_LEN, "day ?");
    else
        snprintf(out, CASE_WHEN_LEN, "day %ld", (long)d - (long)h->index);
    return out;
}

static void put_date(const case_history *h, genu_buf *b, genu_date d)
{
    char s[CASE_WHEN_LEN];
    genu_buf_puts(b, when(h, d, s));
}

/* "about two months", "two to three months", "about three weeks". */
static void put_duration_range(genu_buf *b, double lo_days, double hi_days, double mean_days)
{
    char w1[24], w2[24];
    bool weeks = mean_days < 8 * 7;
    double unit = weeks ? 7 : MONTH_DAYS;
    long lo = lround(lo_days / unit), hi = lround(hi_days / unit);
    const char *name = weeks ? "week" : "month";
    if (lo == hi)
        genu_buf_printf(b, "about %s %s%s", number_word(lo, w1, sizeof w1), name,
                        lo == 1 ? "" : "s");
    else
        genu_buf_printf(b, "%s to %s %ss", number_word(lo, w1, sizeof w1),
                        number_word(hi, w2, sizeof w2), name);
}

/* "ten months", "five years" (model/words). */
static void put_span(genu_buf *b, double days)
{
    char w[WORDS_MAX];
    genu_buf_puts(b, words_duration(lround(days), WORDS_SPELLED, w, sizeof w));
}

static void put_before(genu_buf *b, genu_date d, genu_date ref)
{
    double days = (double)(ref - d);
    if (days < 1)
        return;
    genu_buf_puts(b, ", ");
    put_span(b, days);
    genu_buf_puts(b, " before the first visit");
}

static void text_intro(const case_history *h, genu_buf *b)
{
    genu_buf_printf(b, "Case history %s (", h->id);
    if (h->in_days) { /* as_of is today: with it, day 0 would be a date again */
        genu_buf_puts(b, "in days from the index date");
    } else {
        genu_buf_puts(b, "as of ");
        put_date(h, b, h->as_of);
    }
    genu_buf_puts(b, ")\n\n");
    if (h->age >= 0 && h->age_capped)
        genu_buf_printf(b, "A patient aged %d or over, ", h->age);
    else if (h->age >= 0)
        genu_buf_printf(b, "A %d-year-old ", h->age);
    else
        genu_buf_puts(b, "A patient of unknown age, ");
    genu_buf_puts(b, vocab_sex_name(h->sex));
    if (h->first_visit != GENU_DATE_NONE) {
        genu_buf_puts(b, ", first seen on ");
        put_date(h, b, h->first_visit);
    }
    if (h->site)
        genu_buf_printf(b, " at %s", h->site);
    genu_buf_printf(b, ", with pain in %s.\n", knees_phrase(h->knees));
    if (h->ndiag) {
        genu_buf_puts(b, "Diagnoses: ");
        for (size_t i = 0; i < h->ndiag; i++) {
            const case_diag *d = &h->diag[i];
            genu_buf_puts(b, i ? "; " : "");
            put_words(b, vocab_condition_name(d->condition));
            if (d->kl >= 0)
                genu_buf_printf(b, " (Kellgren-Lawrence grade %d)", d->kl);
            genu_buf_printf(b, ", %s, ", knees_phrase(d->knees));
            put_date(h, b, d->date);
        }
        genu_buf_puts(b, ".\n");
    }
}

static void text_prior(const case_history *h, genu_buf *b)
{
    static const char *const stage_names[] = {"", "stage 1 (self-care)", "stage 2 (medication)",
                                              "stage 3 (therapy and injections)", "surgery"};
    if (!h->nprior) {
        genu_buf_puts(b, "\nNo treatment before the first visit is recorded.\n");
        return;
    }
    genu_buf_puts(b, "\nBefore the first visit, along the staged pathway:\n");
    for (int st = GENU_STAGE_1; st <= GENU_STAGE_SURGERY; st++) {
        bool any = false;
        for (size_t i = 0; i < h->nprior; i++) {
            const case_treat *t = &h->prior[i];
            const vocab_kind *k = vocab_kind_at(t->kind);
            if (!k || (int)k->stage != st)
                continue;
            genu_buf_puts(b, any ? "; " : "  - ");
            if (!any)
                genu_buf_printf(b, "%s: ", stage_names[st]);
            any = true;
            put_words(b, k->name);
            genu_buf_printf(b, " (%s, ", knees_phrase(t->knees));
            put_date(h, b, t->date);
            put_before(b, t->date, h->first_visit);
            genu_buf_putc(b, ')');
        }
        if (any)
            genu_buf_puts(b, "\n");
    }
}

static void put_sites(genu_buf *b, uint32_t sites)
{
    vocab_sites_class c = vocab_sites_classify(sites);
    if (c == VOCAB_SITES_NONE)
        return;
    genu_buf_printf(b, ", %s (", vocab_sites_class_label(c));
    const char *sep = "";
    for (size_t i = 0; i < vocab_nsite(); i++)
        if (sites & (1u << i)) {
            genu_buf_puts(b, sep);
            put_words(b, vocab_site_name((int)i));
            sep = ", ";
        }
    genu_buf_putc(b, ')');
}

static void text_series(const case_history *h, genu_buf *b)
{
    char w[24];
    if (!h->nseries) {
        genu_buf_puts(b, "\nNo treatment series is recorded.\n");
        return;
    }
    genu_buf_puts(b, "\nTreatment:\n");
    for (size_t i = 0; i < h->nseries; i++) {
        const case_series *s = &h->series[i];
        const char *nw = number_word((long)s->nsess, w, sizeof w);
        genu_buf_printf(b, "  %zu. %c%s ", i + 1,
                        nw[0] >= 'a' && nw[0] <= 'z' ? nw[0] - 'a' + 'A' : nw[0], nw + 1);
        put_words(b, vocab_kind_at(s->kind)->name);
        genu_buf_printf(b, " treatment%s", s->nsess == 1 ? "" : "s");
        if (s->protocol)
            genu_buf_printf(b, " (protocol %s)", s->protocol);
        genu_buf_printf(b, ", %s", knees_phrase(s->knees));
        put_sites(b, s->sites);
        if (s->nsess == 1) {
            genu_buf_puts(b, ", on ");
            put_date(h, b, s->dates[0]);
        } else {
            double lo = 1e9, hi = 0, sum = 0;
            for (size_t j = 1; j < s->nsess; j++) {
                double g = (double)(s->dates[j] - s->dates[j - 1]);
                lo = g < lo ? g : lo;
                hi = g > hi ? g : hi;
                sum += g;
            }
            genu_buf_puts(b, ", from ");
            put_date(h, b, s->dates[0]);
            genu_buf_puts(b, " to ");
            put_date(h, b, s->dates[s->nsess - 1]);
            genu_buf_puts(b, " (over ");
            put_span(b, (double)(s->dates[s->nsess - 1] - s->dates[0]));
            genu_buf_puts(b, "), at intervals of ");
            put_duration_range(b, lo, hi, sum / (double)(s->nsess - 1));
            /* days only where they say more than weeks, never above 60 */
            if (hi <= 60 && lo == hi)
                genu_buf_printf(b, " (%.0f days)", lo);
            else if (hi <= 60)
                genu_buf_printf(b, " (%.0f to %.0f days)", lo, hi);
        }
        if (i > 0) {
            const case_series *p = &h->series[i - 1];
            genu_buf_puts(b, "; ");
            put_span(b, (double)(s->dates[0] - p->dates[p->nsess - 1]));
            genu_buf_puts(b, " after the previous series");
        }
        if (!isnan(s->cost))
            genu_buf_printf(b, "; cost %.0f %s", s->cost, s->currency ? s->currency : "");
        genu_buf_puts(b, ".\n");
    }
}

static void put_cell(genu_buf *b, double nprs, double freq, double imp)
{
    char cell[64];
    int n = 0;
    cell[0] = '\0';
    if (!isnan(nprs))
        n += snprintf(cell + n, sizeof cell - (size_t)n, "%g/10", nprs);
    if (!isnan(freq))
        n += snprintf(cell + n, sizeof cell - (size_t)n, "%s%g%%", n ? " " : "", freq);
    if (!isnan(imp))
        snprintf(cell + n, sizeof cell - (size_t)n, "%simpr %g%%", n ? " " : "", imp);
    genu_buf_printf(b, "  %-20s", cell[0] ? cell : "-");
}

static void text_points(const case_history *h, genu_buf *b)
{
    if (!h->npoint) {
        genu_buf_puts(b, "\nNo outcome responses are recorded.\n");
        return;
    }
    genu_buf_puts(b, "\nPain intensity (0-10), frequency (% of waking time) and overall "
                     "improvement per knee, and sleep:\n");
    genu_buf_printf(b, "  %-10s  %-20s  %-20s  %s\n", h->in_days ? "day" : "date", "left",
                    "right", "sleep");
    for (size_t i = 0; i < h->npoint; i++) {
        const case_point *p = &h->points[i];
        char w[CASE_WHEN_LEN];
        genu_buf_printf(b, "  %-10s", when(h, p->date, w));
        put_cell(b, p->nprs[0], p->freq[0], p->improvement[0]);
        put_cell(b, p->nprs[1], p->freq[1], p->improvement[1]);
        if (!isnan(p->sleep)) {
            genu_buf_printf(b, "  %s", p->sleep > 0 ? "interrupted" : "not interrupted");
            if (p->sleep > 0 && !isnan(p->nights))
                genu_buf_printf(b, " (%g nights/week)", p->nights);
        }
        genu_buf_puts(b, "\n");
    }
}

static void text_events(const case_history *h, genu_buf *b)
{
    if (!h->nevent) {
        genu_buf_puts(b, "\nAdverse events: none recorded.\n");
        return;
    }
    genu_buf_puts(b, "\nAdverse events:\n");
    for (size_t i = 0; i < h->nevent; i++) {
        const case_event *e = &h->events[i];
        genu_buf_puts(b, "  - ");
        put_date(h, b, e->date);
        genu_buf_puts(b, ": ");
        put_words(b, e->kind);
        genu_buf_printf(b, ", grade %d%s%s%s\n", e->severity, e->serious ? ", serious" : "",
                        e->knee ? ", " : "", e->knee ? vocab_knee_name(e->knee) : "");
    }
}

/* The first and last recorded value of a knee's measure. */
static bool first_last(const case_history *h, int k, bool freq, double *first, double *last,
                       genu_date *when)
{
    bool any = false;
    for (size_t i = 0; i < h->npoint; i++) {
        double v = freq ? h->points[i].freq[k] : h->points[i].nprs[k];
        if (isnan(v))
            continue;
        if (!any)
            *first = v;
        *last = v;
        *when = h->points[i].date;
        any = true;
    }
    return any;
}

static void text_outcome(const case_history *h, genu_buf *b)
{
    static const char *const side[] = {"left", "right"};
    genu_buf_puts(b, "\nOutcome: ");
    bool said = false;
    for (int k = 0; k < 2; k++) {
        double f = NAN, l = NAN, ff = NAN, lf = NAN;
        genu_date when = 0, wf = 0;
        if (!first_last(h, k, false, &f, &l, &when))
            continue;
        char what[32], ch[WORDS_MAX];
        snprintf(what, sizeof what, "%s knee pain", side[k]);
        genu_buf_printf(b, "%s%s from the first record to ", said ? "; " : "",
                        words_change(what, f, l, 10, true, ch, sizeof ch));
        put_date(h, b, when);
        if (first_last(h, k, true, &ff, &lf, &wf) && wf == when)
            genu_buf_printf(b, " (frequency %g%% of waking time, from %g%%)", lf, ff);
        said = true;
    }
    if (h->nseries) {
        const case_series *s = &h->series[h->nseries - 1];
        genu_date last = s->dates[s->nsess - 1];
        if (h->npoint && h->points[h->npoint - 1].date > last) {
            genu_buf_puts(b, said ? "; the last follow-up was " : "the last follow-up was ");
            put_span(b, (double)(h->points[h->npoint - 1].date - last));
            genu_buf_puts(b, " after the last treatment");
            said = true;
        }
    }
    if (!said)
        genu_buf_puts(b, "no pain scores recorded");
    genu_buf_puts(b, ".\n");
    if (!h->nsurgery) {
        genu_buf_puts(b, "No knee replacement or other surgery after the first visit is "
                         "recorded.\n");
        return;
    }
    for (size_t i = 0; i < h->nsurgery; i++) {
        const case_treat *t = &h->surgery[i];
        genu_buf_puts(b, "Went on to ");
        put_words(b, vocab_kind_at(t->kind)->name);
        genu_buf_printf(b, " (%s) on ", knees_phrase(t->knees));
        put_date(h, b, t->date);
        if (h->nseries) {
            double d = (double)(t->date - h->series[0].dates[0]);
            genu_buf_puts(b, ", ");
            put_span(b, d);
            genu_buf_puts(b, d < 0 ? " before the first session" : " after the first session");
        }
        genu_buf_puts(b, ".\n");
    }
}

/* The patient's death, the narrative's last line. */
static void text_death(const case_history *h, genu_buf *b)
{
    if (h->died == GENU_DATE_NONE)
        return;
    genu_buf_puts(b, "Died on ");
    put_date(h, b, h->died);
    if (h->death_cause)
        genu_buf_printf(b, " (%s)", h->death_cause);
    genu_buf_puts(b, ".\n");
}

int case_text(const case_history *h, genu_buf *b)
{
    text_intro(h, b);
    text_prior(h, b);
    text_series(h, b);
    text_points(h, b);
    text_events(h, b);
    text_outcome(h, b);
    text_death(h, b);
    return b->oom ? -1 : 0;
}

/* ---- HTML with an SVG chart --------------------------------------------- */

#define SVG_W 760.0
#define SVG_H 320.0
#define SVG_L 50.0
#define SVG_R 20.0
#define SVG_T 20.0
#define SVG_B 40.0

typedef struct chart {
    genu_date x0, x1;
} chart;

static double cx(const chart *c, genu_date d)
{
    return SVG_L + (SVG_W - SVG_L - SVG_R) * (double)(d - c->x0) / (double)(c->x1 - c->x0);
}

static double cy(double v)
{
    return SVG_T + (SVG_H - SVG_T - SVG_B) * (1 - v / 10);
}

static void chart_axes(const case_history *h, const chart *c, genu_buf *b)
{
    for (int v = 0; v <= 10; v += 2)
        genu_buf_printf(b,
                        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                        "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%d</text>\n",
                        SVG_L, cy(v), SVG_W - SVG_R, cy(v), SVG_L - 6, cy(v) + 4, v);
    int y0 = genu_date_year(c->x0), y1 = genu_date_year(c->x1);
    int step = (y1 - y0) > 12 ? 5 : 1;
    for (int y = y0 + 1; !h->in_days && y <= y1; y += step) { /* calendar years: dates */
        double x = cx(c, genu_date_from_ymd(y, 1, 1));
        genu_buf_printf(b,
                        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>"
                        "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">%d</text>\n",
                        x, SVG_T, x, SVG_H - SVG_B, x, SVG_H - SVG_B + 16, y);
    }
    genu_buf_printf(b,
                    "<text x=\"14\" y=\"%.1f\" font-size=\"11\" transform=\"rotate(-90 14 %.1f)\" "
                    "text-anchor=\"middle\">NPRS (0-10)</text>\n",
                    SVG_H / 2, SVG_H / 2);
}

static void chart_markers(const case_history *h, const chart *c, genu_buf *b)
{
    static const char *const colors[] = {"#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf"};
    for (size_t i = 0; i < h->nseries; i++) {
        const case_series *s = &h->series[i];
        const char *col = colors[i % 5];
        for (size_t j = 0; j < s->nsess; j++) {
            double x = cx(c, s->dates[j]);
            genu_buf_printf(b,
                            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                            "stroke-dasharray=\"3,3\"/><path d=\"M%.1f %.1f l-5 -9 h10 z\" "
                            "fill=\"%s\"><title>",
                            x, SVG_T, x, SVG_H - SVG_B, col, x, SVG_T, col);
            put_words(b, vocab_kind_at(s->kind)->name);
            genu_buf_puts(b, " ");
            put_date(h, b, s->dates[j]);
            genu_buf_puts(b, "</title></path>\n");
        }
        genu_buf_printf(b,
                        "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                        "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\">",
                        SVG_L + 200 + 170.0 * (double)i, SVG_H - 14, col,
                        SVG_L + 214 + 170.0 * (double)i, SVG_H - 5);
        put_words(b, vocab_kind_at(s->kind)->name);
        genu_buf_puts(b, "</text>\n");
    }
    for (size_t i = 0; i < h->nsurgery; i++) {
        double x = cx(c, h->surgery[i].date);
        genu_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000\" "
                           "stroke-width=\"2\"><title>",
                        x, SVG_T, x, SVG_H - SVG_B);
        put_words(b, vocab_kind_at(h->surgery[i].kind)->name);
        genu_buf_puts(b, "</title></line>\n");
    }
}

/* The death: a black cross on the time axis. */
static void chart_death(const case_history *h, const chart *c, genu_buf *b)
{
    if (h->died == GENU_DATE_NONE)
        return;
    double x = cx(c, h->died), y = SVG_H - SVG_B;
    genu_buf_printf(b, "<path d=\"M%.1f %.1f l-6 -6 m6 6 l6 -6 m-6 6 l-6 6 m6 -6 l6 6\" "
                       "stroke=\"#000\" stroke-width=\"2\"><title>died ",
                    x, y);
    put_date(h, b, h->died);
    genu_buf_puts(b, "</title></path>\n");
}

static void chart_lines(const case_history *h, const chart *c, genu_buf *b)
{
    static const char *const colors[] = {"#1f77b4", "#d62728"};
    static const char *const names[] = {"left knee", "right knee"};
    for (int k = 0; k < 2; k++) {
        bool any = false;
        for (size_t i = 0; i < h->npoint; i++) {
            double v = h->points[i].nprs[k];
            if (isnan(v))
                continue;
            genu_buf_printf(b, "%s%.1f,%.1f", any ? " " : "<polyline fill=\"none\" stroke-width=\"2\" points=\"",
                            cx(c, h->points[i].date), cy(v));
            any = true;
        }
        if (!any)
            continue;
        genu_buf_printf(b, "\" stroke=\"%s\"/>\n", colors[k]);
        for (size_t i = 0; i < h->npoint; i++) {
            double v = h->points[i].nprs[k];
            if (isnan(v))
                continue;
            genu_buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"><title>%s ",
                            cx(c, h->points[i].date), cy(v), colors[k], names[k]);
            put_date(h, b, h->points[i].date);
            genu_buf_printf(b, ": %g/10</title></circle>\n", v);
        }
        genu_buf_printf(b,
                        "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                        "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\">%s</text>\n",
                        SVG_L + 90.0 * k, SVG_H - 14, colors[k], SVG_L + 14 + 90.0 * k, SVG_H - 5,
                        names[k]);
    }
}

static void chart_range(const case_history *h, chart *c)
{
    genu_date lo = GENU_DATE_NONE, hi = GENU_DATE_NONE;
#define SEE(d)                                                                                    \
    do {                                                                                          \
        if (lo == GENU_DATE_NONE || (d) < lo)                                                     \
            lo = (d);                                                                             \
        if (hi == GENU_DATE_NONE || (d) > hi)                                                     \
            hi = (d);                                                                             \
    } while (0)
    for (size_t i = 0; i < h->npoint; i++)
        SEE(h->points[i].date);
    for (size_t i = 0; i < h->nseries; i++)
        for (size_t j = 0; j < h->series[i].nsess; j++)
            SEE(h->series[i].dates[j]);
    for (size_t i = 0; i < h->nsurgery; i++)
        SEE(h->surgery[i].date);
    if (h->died != GENU_DATE_NONE)
        SEE(h->died);
#undef SEE
    if (lo == GENU_DATE_NONE)
        lo = hi = h->as_of;
    genu_date pad = (hi - lo) / 20 + 15;
    c->x0 = lo - pad;
    c->x1 = hi + pad;
}

int case_html(const case_history *h, genu_buf *b)
{
    genu_buf text = GENU_BUF_INIT;
    chart c;
    chart_range(h, &c);
    genu_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                     "<title>Case history ");
    genu_buf_html(b, h->id);
    genu_buf_puts(b, "</title><style>body{font-family:sans-serif;max-width:60em;margin:2em auto;"
                     "padding:0 1em}pre{white-space:pre-wrap;font-size:0.9em}"
                     "svg{border:1px solid #ccc;max-width:100%;height:auto}</style></head>\n"
                     "<body><h1>Case history ");
    genu_buf_html(b, h->id);
    genu_buf_printf(b, "</h1>\n<h2>Pain intensity per knee</h2>\n"
                       "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                       "viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"NPRS per knee over "
                       "time with treatment sessions\">\n",
                    SVG_W, SVG_H, SVG_W, SVG_H);
    chart_axes(h, &c, b);
    chart_markers(h, &c, b);
    chart_lines(h, &c, b);
    chart_death(h, &c, b);
    genu_buf_puts(b, "</svg>\n<h2>Narrative</h2>\n<pre>");
    case_text(h, &text);
    if (text.oom)
        b->oom = true;
    else if (text.len)
        genu_buf_html_n(b, text.p, text.len);
    genu_buf_free(&text);
    genu_buf_puts(b, "</pre>\n<p><small>Generated by genu. Decision support for clinicians, "
                     "not a diagnosis.</small></p>\n</body></html>\n");
    return b->oom ? -1 : 0;
}
