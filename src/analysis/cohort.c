/* cohort: entry, index, filters, unit and strata (docs/design.md, Analyses
 * "Cohort and index", "Strata"). The as-of cut-off is applied once here:
 * since each patient's records are sorted by date, the records after as-of
 * are a suffix of the patient's range, and every lookup below reads only
 * [lo, hi). */
#include "analysis/cohort.h"

#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/vocab.h"

static const char *const filter_names[] = {
    "site", "sex", "age", "condition", "kl", "kind", "protocol", "sites", "index-year", "index-kinds",
};
#define NFILTERS (sizeof filter_names / sizeof filter_names[0])

void cohort_filter_init(cohort_filter *f)
{
    memset(f, 0, sizeof *f);
    f->sex = f->age_lo = f->age_hi = f->condition = f->kl_lo = f->kl_hi = -1;
    f->kind = f->sites = -1;
}

const char *cohort_filter_name(const char *name)
{
    for (size_t i = 0; i < NFILTERS; i++) {
        const char *f = filter_names[i], *p = name;
        while (*f && (*p == *f || (*p == '_' && *f == '-')))
            f++, p++;
        if (!*f && !*p)
            return filter_names[i];
    }
    return NULL;
}

bool cohort_filter_known(const char *name)
{
    return cohort_filter_name(name) != NULL;
}

/* A decimal integer in [lo, hi] made of s[0..n), digits only. */
static bool parse_int(const char *s, size_t n, int lo, int hi, int *out)
{
    if (n == 0 || n > 6)
        return false;
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    if (v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

/* "A-B" with lo <= A <= B <= hi, or a single "A" (meaning A-A). */
static bool parse_range(const char *s, int lo, int hi, int *a, int *b)
{
    const char *dash = strchr(s, '-');
    if (!dash)
        return parse_int(s, strlen(s), lo, hi, a) && (*b = *a, true);
    return parse_int(s, (size_t)(dash - s), lo, hi, a) &&
           parse_int(dash + 1, strlen(dash + 1), lo, hi, b) && *a <= *b;
}

static int parse_kinds(const char *s, uint32_t *out, genu_err *err)
{
    uint32_t mask = 0;
    const char *p = s;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        char name[64];
        if (n == 0 || n >= sizeof name)
            return GENU_FAIL(err, GENU_EINVAL,
                             "index-kinds: expected a comma-separated list of treatment kinds");
        memcpy(name, p, n);
        name[n] = '\0';
        int k = vocab_kind_find(name);
        if (k < 0)
            return GENU_FAIL(err, GENU_EINVAL, "index-kinds: unknown treatment kind \"%s\" (%s)",
                             name, vocab_list_kinds());
        mask |= 1u << k;
        if (!comma)
            break;
        p = comma + 1;
    }
    *out = mask;
    return GENU_OK;
}

static int set_value(cohort_filter *f, const char *name, const char *v, genu_err *err)
{
    if (strcmp(name, "site") == 0) {
        if (!*v)
            return GENU_FAIL(err, GENU_EINVAL, "site: expected a site name");
        f->site = v;
    } else if (strcmp(name, "sex") == 0) {
        if ((f->sex = vocab_sex(v)) < 0)
            return GENU_FAIL(err, GENU_EINVAL,
                             "sex: expected male, female, other or unknown, not \"%s\"", v);
    } else if (strcmp(name, "age") == 0) {
        if (!parse_range(v, 0, 200, &f->age_lo, &f->age_hi))
            return GENU_FAIL(err, GENU_EINVAL, "age: expected an age range like 50-70, not \"%s\"",
                             v);
    } else if (strcmp(name, "condition") == 0) {
        if ((f->condition = vocab_condition(v)) < 0)
            return GENU_FAIL(err, GENU_EINVAL, "condition: unknown condition \"%s\" (%s)", v,
                             vocab_list_conditions());
    } else if (strcmp(name, "kl") == 0) {
        if (!parse_range(v, 0, 4, &f->kl_lo, &f->kl_hi))
            return GENU_FAIL(err, GENU_EINVAL,
                             "kl: expected a Kellgren-Lawrence range like 0-2 (grades 0..4), "
                             "not \"%s\"",
                             v);
    } else if (strcmp(name, "kind") == 0) {
        if ((f->kind = vocab_kind_find(v)) < 0)
            return GENU_FAIL(err, GENU_EINVAL, "kind: unknown treatment kind \"%s\" (%s)", v,
                             vocab_list_kinds());
    } else if (strcmp(name, "protocol") == 0) {
        if (!*v)
            return GENU_FAIL(err, GENU_EINVAL, "protocol: expected a protocol name");
        f->protocol = v;
    } else if (strcmp(name, "sites") == 0) {
        if (strcmp(v, "whole_knee") == 0)
            f->sites = VOCAB_SITES_WHOLE_KNEE;
        else if (strcmp(v, "intra_articular_only") == 0)
            f->sites = VOCAB_SITES_IA_ONLY;
        else
            return GENU_FAIL(err, GENU_EINVAL,
                             "sites: expected whole_knee or intra_articular_only, not \"%s\"", v);
    } else if (strcmp(name, "index-year") == 0) {
        if (strlen(v) != 4 || !parse_int(v, 4, 1000, 9999, &f->index_year))
            return GENU_FAIL(err, GENU_EINVAL, "index-year: expected a year like 2019, not \"%s\"",
                             v);
    } else if (strcmp(name, "index-kinds") == 0) {
        return parse_kinds(v, &f->index_kinds, err);
    } else {
        return GENU_FAIL(err, GENU_EINVAL, "%s: not a cohort filter", name);
    }
    return GENU_OK;
}

int cohort_filter_set(cohort_filter *f, const char *name, const char *value, genu_err *err)
{
    assert(vocab_nkind() <= 32);
    int rc = set_value(f, name, value, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < f->nset; i++) {
        if (strcmp(f->name[i], name) == 0) {
            f->value[i] = value;
            return GENU_OK;
        }
    }
    assert(f->nset < COHORT_NFILTER);
    for (size_t i = 0; i < NFILTERS; i++)
        if (strcmp(filter_names[i], name) == 0)
            f->name[f->nset] = filter_names[i];
    f->value[f->nset++] = value;
    return GENU_OK;
}

int cohort_unit_parse(const char *s, cohort_unit *out, genu_err *err)
{
    if (strcmp(s, "knee") == 0)
        *out = COHORT_UNIT_KNEE;
    else if (strcmp(s, "patient") == 0)
        *out = COHORT_UNIT_PATIENT;
    else
        return GENU_FAIL(err, GENU_EINVAL, "unit: expected knee or patient, not \"%s\"", s);
    return GENU_OK;
}

static const char *const by_names[] = {"", "kl", "sites", "kind", "protocol", "sex", "site",
                                       "age_band"};

int cohort_by_parse(const char *s, cohort_by *out, genu_err *err)
{
    for (size_t i = 1; i < sizeof by_names / sizeof by_names[0]; i++) {
        if (strcmp(s, by_names[i]) == 0) {
            *out = (cohort_by)i;
            return GENU_OK;
        }
    }
    return GENU_FAIL(err, GENU_EINVAL,
                     "by: expected kl, sites, kind, protocol, sex, site or age_band, not \"%s\"",
                     s);
}

const char *cohort_by_name(cohort_by by)
{
    if (by <= COHORT_BY_NONE || (size_t)by >= sizeof by_names / sizeof by_names[0])
        return NULL;
    return by_names[by];
}

/* ---- building ---------------------------------------------------------- */

static bool applies(const genu_record *r, genu_knee knee)
{
    return r->knee == knee || r->knee == GENU_KNEE_NONE;
}

/* The contacts' per-patient ranges, those after as_of left out. */
static int index_contacts(const genu_dataset *ds, genu_date as_of, genu_arena *a, cohort *c,
                          genu_err *err)
{
    size_t np = ds->n[GENU_REC_PATIENT], n = ds->ncontacts, i = 0;
    const genu_contact *v = ds->contacts;
    if (n > UINT32_MAX)
        return GENU_FAIL(err, GENU_EINVAL, "cohort: more than %" PRIu32 " contact days",
                         UINT32_MAX);
    c->clo = genu_arena_calloc(a, np + 1, sizeof *c->clo);
    c->chi = genu_arena_calloc(a, np + 1, sizeof *c->chi);
    if (!c->clo || !c->chi)
        return GENU_FAIL(err, GENU_ENOMEM, "cohort: out of memory");
    for (size_t p = 0; p < np; p++) {
        c->clo[p] = (uint32_t)i;
        while (i < n && v[i].pat == p)
            i++;
        size_t hi = i;
        while (hi > c->clo[p] && v[hi - 1].date > as_of)
            hi--;
        c->chi[p] = (uint32_t)hi;
    }
    if (i != n)
        return GENU_FAIL(err, GENU_EINVAL, "cohort: contacts not sorted by patient");
    return GENU_OK;
}

/* Splits every type's array into per-patient ranges, checking the order. */
static int index_ranges(const genu_dataset *ds, genu_date as_of, genu_arena *a, cohort *c,
                        genu_err *err)
{
    size_t np = ds->n[GENU_REC_PATIENT];
    for (int t = 0; t < GENU_REC_NTYPES; t++) {
        /* half the memory of size_t ranges: a registry's every patient */
        if (ds->n[t] > UINT32_MAX)
            return GENU_FAIL(err, GENU_EINVAL, "cohort: more than %" PRIu32 " %s records",
                             UINT32_MAX, record_type_name((genu_rtype)t));
        c->lo[t] = genu_arena_calloc(a, np + 1, sizeof *c->lo[t]);
        c->hi[t] = genu_arena_calloc(a, np + 1, sizeof *c->hi[t]);
        if (!c->lo[t] || !c->hi[t])
            return GENU_FAIL(err, GENU_ENOMEM, "cohort: out of memory");
        if (t == GENU_REC_PATIENT) {
            for (size_t p = 0; p < np; p++) {
                c->lo[t][p] = (uint32_t)p;
                c->hi[t][p] = (uint32_t)p + 1;
            }
            continue;
        }
        const genu_record *r = ds->recs[t];
        size_t n = ds->n[t], i = 0;
        for (size_t p = 0; p < np; p++) {
            c->lo[t][p] = (uint32_t)i;
            genu_date prev = INT32_MIN;
            while (i < n && r[i].pat == p) {
                if (r[i].date < prev)
                    return GENU_FAIL(err, GENU_EINVAL, "cohort: %s records not sorted by date",
                                     record_type_name((genu_rtype)t));
                prev = r[i].date;
                i++;
            }
            size_t hi = i;
            while (hi > c->lo[t][p] && r[hi - 1].date != GENU_DATE_NONE && r[hi - 1].date > as_of)
                hi--;
            c->hi[t][p] = (uint32_t)hi;
        }
        if (i != n)
            return GENU_FAIL(err, GENU_EINVAL, "cohort: %s records not sorted by patient",
                             record_type_name((genu_rtype)t));
    }
    return ds->contacts ? index_contacts(ds, as_of, a, c, err) : GENU_OK;
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The index day's protocols, sorted, unique, "+"-joined. */
static const char *join_protocols(const char **v, size_t n, genu_arena *a)
{
    if (n == 0)
        return NULL;
    qsort(v, n, sizeof *v, cmp_str);
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += strlen(v[i]) + 1;
    char *s = genu_arena_alloc(a, len + 1);
    if (!s)
        return NULL;
    s[0] = '\0';
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && strcmp(v[i], v[i - 1]) == 0)
            continue;
        if (at)
            s[at++] = '+';
        size_t m = strlen(v[i]);
        memcpy(s + at, v[i], m);
        at += m;
        s[at] = '\0';
    }
    return s;
}

/* Fills k for (pat, knee); returns false when the knee never entered. */
static bool find_index(const cohort *c, size_t pat, genu_knee knee, uint32_t index_kinds,
                       genu_arena *a, cohort_knee *k)
{
    const genu_record *tr = c->ds->recs[GENU_REC_TREATMENT];
    size_t lo = c->lo[GENU_REC_TREATMENT][pat], hi = c->hi[GENU_REC_TREATMENT][pat];
    size_t first = hi;
    for (size_t i = lo; i < hi && first == hi; i++)
        if (tr[i].knee == knee && (index_kinds >> tr[i].u.treatment.kind) & 1u)
            first = i;
    if (first == hi)
        return false;
    memset(k, 0, sizeof *k);
    k->pat = pat;
    k->knee = knee;
    k->index = tr[first].date;
    k->replaced = k->surgery = GENU_DATE_NONE;
    /* the index day's protocols: on the stack, or in the arena when a day
     * holds more treatments than that (never dropped) */
    const char *stack[64], **protos = stack;
    size_t nproto = 0, room = 64;
    for (size_t i = lo; i < hi; i++)
        nproto += tr[i].knee == knee && tr[i].date == k->index;
    if (nproto > room && (protos = genu_arena_calloc(a, nproto, sizeof *protos)))
        room = nproto;
    if (!protos) {
        protos = stack; /* out of memory: the arena fails the build soon after */
        room = 0;
    }
    nproto = 0;
    for (size_t i = lo; i < hi; i++) {
        const genu_record *r = &tr[i];
        if (r->knee != knee)
            continue;
        unsigned flags = vocab_kind_at(r->u.treatment.kind)->flags;
        if (r->date == k->index) {
            k->index_kinds |= 1u << r->u.treatment.kind;
            k->sites |= r->u.treatment.sites;
            if (r->u.treatment.protocol && nproto < room)
                protos[nproto++] = r->u.treatment.protocol;
        } else if (r->date > k->index) {
            if ((flags & VOCAB_REPLACEMENT) && k->replaced == GENU_DATE_NONE)
                k->replaced = r->date;
            if ((flags & VOCAB_SURGERY) && k->surgery == GENU_DATE_NONE)
                k->surgery = r->date;
        }
    }
    k->protocols = join_protocols(protos, nproto, a);
    return true;
}

static void knee_facts(const cohort *c, cohort_knee *k)
{
    const genu_record *pr = &c->ds->recs[GENU_REC_PATIENT][k->pat];
    int by = pr->u.patient.birth_year;
    k->age = by > 0 ? genu_date_year(k->index) - by : -1;
    /* KL: latest grade on or before index; several on that date: highest */
    const genu_record *dx = c->ds->recs[GENU_REC_DIAGNOSIS];
    genu_date kl_date = GENU_DATE_NONE;
    k->kl = -1;
    for (size_t i = c->lo[GENU_REC_DIAGNOSIS][k->pat]; i < c->hi[GENU_REC_DIAGNOSIS][k->pat]; i++) {
        const genu_record *r = &dx[i];
        if (r->knee != k->knee || r->date > k->index || r->u.diagnosis.kl_grade < 0)
            continue;
        if (r->date != kl_date || r->u.diagnosis.kl_grade > k->kl)
            k->kl = r->u.diagnosis.kl_grade;
        kl_date = r->date;
    }
    /* the patient's death (at most one), when visible at as-of */
    k->death = GENU_DATE_NONE;
    if (c->hi[GENU_REC_DEATH][k->pat] > c->lo[GENU_REC_DEATH][k->pat])
        k->death = c->ds->recs[GENU_REC_DEATH][c->lo[GENU_REC_DEATH][k->pat]].date;
    /* last contact: the latest dated record of the knee or the patient; a
     * follow-up message is not contact (nobody answered it), a death is the
     * last (nothing after it is recorded, docs/format.md) */
    k->last_contact = k->index;
    if (c->ds->partial && !c->clo) {
        k->last_contact = GENU_DATE_NONE; /* not known: some records are not there */
        return;
    }
    if (c->clo) {
        const genu_contact *v = c->ds->contacts;
        for (size_t i = c->chi[k->pat]; i > c->clo[k->pat]; i--) {
            if ((genu_knee)v[i - 1].knee == k->knee || v[i - 1].knee == GENU_KNEE_NONE) {
                if (v[i - 1].date > k->last_contact)
                    k->last_contact = v[i - 1].date;
                break;
            }
        }
        return;
    }
    for (int t = 0; t < GENU_REC_NTYPES; t++) {
        if (t == GENU_REC_PATIENT || t == GENU_REC_IDENTITY || t == GENU_REC_MESSAGE)
            continue;
        const genu_record *r = c->ds->recs[t];
        for (size_t i = c->hi[t][k->pat]; i > c->lo[t][k->pat]; i--) {
            if (applies(&r[i - 1], k->knee) && r[i - 1].date != GENU_DATE_NONE) {
                if (r[i - 1].date > k->last_contact)
                    k->last_contact = r[i - 1].date;
                break;
            }
        }
    }
}

static bool has_condition(const cohort *c, const cohort_knee *k, int cond)
{
    const genu_record *dx = c->ds->recs[GENU_REC_DIAGNOSIS];
    for (size_t i = c->lo[GENU_REC_DIAGNOSIS][k->pat]; i < c->hi[GENU_REC_DIAGNOSIS][k->pat]; i++)
        if (applies(&dx[i], k->knee) && dx[i].date <= k->index &&
            dx[i].u.diagnosis.condition == cond)
            return true;
    return false;
}

static bool has_protocol(const cohort *c, const cohort_knee *k, const char *proto)
{
    const genu_record *tr = c->ds->recs[GENU_REC_TREATMENT];
    for (size_t i = c->lo[GENU_REC_TREATMENT][k->pat]; i < c->hi[GENU_REC_TREATMENT][k->pat]; i++)
        if (tr[i].knee == k->knee && tr[i].date == k->index && tr[i].u.treatment.protocol &&
            strcmp(tr[i].u.treatment.protocol, proto) == 0)
            return true;
    return false;
}

bool cohort_any_response(const cohort *c, const cohort_knee *k, genu_date from, genu_date to,
                         genu_date before)
{
    assert(!c->ds->partial || c->clo); /* a partial dataset does not know */
    if (c->clo) {
        const genu_contact *v = c->ds->contacts;
        for (size_t i = c->clo[k->pat]; i < c->chi[k->pat]; i++)
            if ((v[i].types >> GENU_REC_RESPONSE & 1u) &&
                ((genu_knee)v[i].knee == k->knee || v[i].knee == GENU_KNEE_NONE) && v[i].date >= from &&
                v[i].date <= to && (before == GENU_DATE_NONE || v[i].date < before))
                return true;
        return false;
    }
    const genu_record *rs = c->ds->recs[GENU_REC_RESPONSE];
    for (size_t i = c->lo[GENU_REC_RESPONSE][k->pat]; i < c->hi[GENU_REC_RESPONSE][k->pat]; i++)
        if (applies(&rs[i], k->knee) && rs[i].date >= from && rs[i].date <= to &&
            (before == GENU_DATE_NONE || rs[i].date < before))
            return true;
    return false;
}

static bool passes(const cohort *c, const cohort_knee *k, const cohort_filter *f)
{
    const genu_patient *p = &c->ds->recs[GENU_REC_PATIENT][k->pat].u.patient;
    if (f->site && (!p->site || strcmp(p->site, f->site) != 0))
        return false;
    if (f->sex >= 0 && p->sex != f->sex)
        return false;
    if (f->age_lo >= 0 && (k->age < f->age_lo || k->age > f->age_hi))
        return false;
    if (f->kl_lo >= 0 && (k->kl < f->kl_lo || k->kl > f->kl_hi))
        return false;
    if (f->kind >= 0 && !((k->index_kinds >> f->kind) & 1u))
        return false;
    if (f->sites >= 0 && (int)vocab_sites_classify(k->sites) != f->sites)
        return false;
    if (f->index_year && genu_date_year(k->index) != f->index_year)
        return false;
    if (f->condition >= 0 && !has_condition(c, k, f->condition))
        return false;
    if (f->protocol && !has_protocol(c, k, f->protocol))
        return false;
    return true;
}

/* --unit patient: of a patient's entered knees (n is 1 or 2), the first
 * treated; the same day: the higher NPRS baseline, then the left. */
static size_t pick_knee(const cohort *c, const cohort_knee *v, size_t n)
{
    if (n == 1 || v[0].index != v[1].index)
        return n == 1 || v[0].index < v[1].index ? 0 : 1;
    double b[2];
    for (size_t i = 0; i < 2; i++) {
        if (!cohort_latest(c, &v[i], "nprs", "intensity", v[i].index - 90, v[i].index,
                           GENU_DATE_NONE, &b[i]))
            b[i] = -1.0; /* a knee with a baseline beats one without */
    }
    if (b[1] > b[0])
        return 1;
    if (b[0] > b[1])
        return 0;
    return v[0].knee == GENU_KNEE_LEFT ? 0 : 1;
}

uint32_t cohort_index_kinds(const cohort_filter *f)
{
    uint32_t kinds = f->index_kinds;
    if (!kinds)
        for (size_t k = 0; k < vocab_nkind(); k++)
            if (vocab_kind_at((int)k)->flags & VOCAB_REGENERATIVE)
                kinds |= 1u << k;
    return kinds;
}

int cohort_build(const genu_dataset *ds, const cohort_filter *f, cohort_unit unit,
                 genu_date as_of, genu_arena *a, cohort *out, genu_err *err)
{
    cohort c;
    memset(&c, 0, sizeof c);
    c.ds = ds;
    c.as_of = as_of;
    c.unit = unit;
    int rc = index_ranges(ds, as_of, a, &c, err);
    if (rc)
        return rc;
    size_t np = ds->n[GENU_REC_PATIENT];
    if (np > SIZE_MAX / 2)
        return GENU_FAIL(err, GENU_ENOMEM, "cohort: too many patients");
    c.knees = genu_arena_alloc(a, (2 * np + 1) * sizeof *c.knees);
    if (!c.knees)
        return GENU_FAIL(err, GENU_ENOMEM, "cohort: out of memory");
    uint32_t kinds = cohort_index_kinds(f);
    /* a dataset of index treatments only must be the one for these kinds */
    assert(!ds->index_kinds || ds->index_kinds == kinds);
    c.index_kinds = kinds;
    for (size_t p = 0; p < np; p++) {
        cohort_knee two[2];
        size_t n = 0;
        for (int knee = GENU_KNEE_LEFT; knee <= GENU_KNEE_RIGHT; knee++) {
            cohort_knee *k = &two[n];
            if (!find_index(&c, p, (genu_knee)knee, kinds, a, k))
                continue;
            knee_facts(&c, k);
            if (passes(&c, k, f))
                n++;
        }
        if (n == 0)
            continue;
        if (unit == COHORT_UNIT_PATIENT) {
            c.knees[c.nknee++] = two[pick_knee(&c, two, n)];
        } else {
            for (size_t i = 0; i < n; i++)
                c.knees[c.nknee++] = two[i];
        }
    }
    *out = c;
    return GENU_OK;
}

/* ---- strata ------------------------------------------------------------ */

static const char *kinds_label(uint32_t mask, genu_arena *a)
{
    const char *names[32];
    size_t n = 0;
    for (int k = 0; k < 32; k++)
        if ((mask >> k) & 1u)
            names[n++] = vocab_kind_at(k)->name;
    qsort(names, n, sizeof names[0], cmp_str);
    return join_protocols(names, n, a);
}

const char *cohort_stratum(const cohort *c, const cohort_knee *k, cohort_by by, genu_arena *a)
{
    const genu_patient *p = &c->ds->recs[GENU_REC_PATIENT][k->pat].u.patient;
    switch (by) {
    case COHORT_BY_NONE:
        return "all";
    case COHORT_BY_KL:
        return k->kl < 0 ? "unknown" : k->kl <= 2 ? "0-2" : "3-4";
    case COHORT_BY_SITES:
        return vocab_sites_class_name(vocab_sites_classify(k->sites));
    case COHORT_BY_KIND:
        return kinds_label(k->index_kinds, a);
    case COHORT_BY_PROTOCOL:
        return k->protocols ? k->protocols : "none";
    case COHORT_BY_SEX:
        return p->sex >= 0 ? vocab_sex_name(p->sex) : "unknown";
    case COHORT_BY_SITE:
        return p->site ? p->site : "unknown";
    case COHORT_BY_AGE_BAND:
        if (k->age < 0)
            return "unknown";
        return genu_arena_printf(a, "%d-%d", k->age / 10 * 10, k->age / 10 * 10 + 9);
    }
    return "unknown";
}

/* ---- response lookups -------------------------------------------------- */

static bool carries(const genu_record *r, const cohort_knee *k, const char *instrument,
                    const char *key, double *value)
{
    if (!applies(r, k->knee) || strcmp(r->u.response.instrument, instrument) != 0)
        return false;
    if (!record_has_score(r, key))
        return false;
    *value = record_score(r, key);
    return true;
}

/* ---- measure index ----------------------------------------------------- */

#define MINDEX_MAX 64
#define MINDEX_HASH 256 /* a power of two, > 2 · MINDEX_MAX: short probes */

static size_t alias_hash(const char *instrument, const char *key)
{
    uint64_t h = (uint64_t)(uintptr_t)instrument * 0x9e3779b97f4a7c15u ^ (uint64_t)(uintptr_t)key;
    h *= 0xff51afd7ed558ccdu;
    return (size_t)(h >> 56) & (MINDEX_HASH - 1);
}

/* One date's response carrying a measure for a knee. */
typedef struct mentry {
    genu_date date;
    uint32_t resp; /* index in ds->recs[GENU_REC_RESPONSE] */
    double value;
} mentry;

struct cohort_mindex {
    size_t nalias;                              /* measures as given */
    const char *inst[MINDEX_MAX], *key[MINDEX_MAX];
    size_t slot[MINDEX_MAX];                    /* alias -> distinct measure */
    unsigned char hash[MINDEX_HASH];            /* alias + 1 by its pointers, 0: none */
    size_t n;                                   /* distinct measures */
    const char *sinst[MINDEX_MAX], *skey[MINDEX_MAX];
    size_t first[MINDEX_MAX]; /* the first slot with the same instrument */
    size_t *start; /* knee i, slot s: e[start[i·n + s] .. start[i·n + s + 1]) */
    mentry *e;
};

/* The entries of knee k for a measure, or false when the index does not
 * cover them (no index, a knee outside c->knees, another measure). */
static bool indexed(const cohort *c, const cohort_knee *k, const char *instrument,
                    const char *key, const mentry **e, size_t *n)
{
    const cohort_mindex *x = c->mindex;
    if (!x)
        return false;
    uintptr_t at = (uintptr_t)k, base = (uintptr_t)c->knees;
    if (at < base || at >= base + c->nknee * sizeof *k)
        return false;
    size_t i = (size_t)(k - c->knees), m = x->nalias;
    for (size_t h = alias_hash(instrument, key); x->hash[h]; h = (h + 1) & (MINDEX_HASH - 1)) {
        size_t j = x->hash[h] - 1u;
        if (x->inst[j] == instrument && x->key[j] == key) {
            m = j;
            break;
        }
    }
    for (size_t j = 0; j < x->nalias && m == x->nalias; j++)
        if (strcmp(x->inst[j], instrument) == 0 && strcmp(x->key[j], key) == 0)
            m = j;
    if (m == x->nalias)
        return false;
    size_t s = i * x->n + x->slot[m];
    *e = &x->e[x->start[s]];
    *n = x->start[s + 1] - x->start[s];
    return true;
}

/* Growable entries while building. */
typedef struct mvec {
    mentry *v;
    size_t n, cap;
} mvec;

static bool mvec_push(mvec *m, mentry e)
{
    if (m->n == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 1024;
        mentry *v = cap < SIZE_MAX / sizeof *v ? realloc(m->v, cap * sizeof *v) : NULL;
        if (!v)
            return false;
        m->v = v;
        m->cap = cap;
    }
    m->v[m->n++] = e;
    return true;
}

/* val[(r − lo)·n + s]: response r's value of measure s, NAN when it does
 * not carry it (the first score named key, as record_score finds it). Each
 * response's instrument is compared once per distinct instrument and its
 * scores are read once, whatever the number of measures. */
static void patient_values(const cohort *c, const cohort_mindex *x, size_t lo, size_t hi,
                           double *val)
{
    const genu_record *rs = c->ds->recs[GENU_REC_RESPONSE];
    for (size_t r = lo; r < hi; r++) {
        const genu_response *resp = &rs[r].u.response;
        double *v = &val[(r - lo) * x->n];
        bool match[MINDEX_MAX];
        size_t want[MINDEX_MAX], nwant = 0;
        for (size_t s = 0; s < x->n; s++) {
            size_t f = x->first[s];
            match[s] = f == s ? strcmp(resp->instrument, x->sinst[s]) == 0 : match[f];
            v[s] = NAN;
            if (match[s])
                want[nwant++] = s;
        }
        for (size_t j = 0; j < resp->nscores && nwant; j++) {
            const char *k = resp->scores[j].key;
            for (size_t w = 0; w < nwant; w++) {
                const char *sk = x->skey[want[w]];
                if (sk[0] == k[0] && strcmp(sk, k) == 0) {
                    v[want[w]] = resp->scores[j].value;
                    want[w--] = want[--nwant]; /* found: its first score counts */
                }
            }
        }
    }
}

/* Appends knee q's entries for every measure. */
static bool knee_entries(const cohort *c, cohort_mindex *x, size_t q, size_t lo, size_t hi,
                         const double *val, mvec *out)
{
    const genu_record *rs = c->ds->recs[GENU_REC_RESPONSE];
    const cohort_knee *k = &c->knees[q];
    for (size_t s = 0; s < x->n; s++) {
        size_t begin = out->n;
        x->start[q * x->n + s] = begin;
        for (size_t r = lo; r < hi; r++) {
            double v = val[(r - lo) * x->n + s];
            if (isnan(v) || !applies(&rs[r], k->knee))
                continue;
            mentry e = {rs[r].date, (uint32_t)r, v};
            /* sorted by (date, seq): a later one on the same date replaces */
            if (out->n > begin && out->v[out->n - 1].date == e.date)
                out->v[out->n - 1] = e;
            else if (!mvec_push(out, e))
                return false;
        }
    }
    return true;
}

/* The aliases and the distinct measures (slots) they name. */
static int mindex_measures(cohort_mindex *x, const char *const *instrument,
                           const char *const *key, size_t n, genu_err *err)
{
    if (n > MINDEX_MAX)
        return GENU_FAIL(err, GENU_EINVAL, "cohort: more than %d indexed measures", MINDEX_MAX);
    x->nalias = n;
    for (size_t i = 0; i < n; i++) {
        size_t s = 0;
        while (s < x->n &&
               !(strcmp(x->sinst[s], instrument[i]) == 0 && strcmp(x->skey[s], key[i]) == 0))
            s++;
        if (s == x->n) {
            x->sinst[s] = instrument[i];
            x->skey[s] = key[i];
            x->first[s] = s;
            for (size_t t = 0; t < s && x->first[s] == s; t++)
                if (strcmp(x->sinst[t], instrument[i]) == 0)
                    x->first[s] = t;
            x->n++;
        }
        x->slot[i] = s;
        x->inst[i] = instrument[i];
        x->key[i] = key[i];
        size_t h = alias_hash(instrument[i], key[i]);
        while (x->hash[h])
            h = (h + 1) & (MINDEX_HASH - 1);
        x->hash[h] = (unsigned char)(i + 1);
    }
    return GENU_OK;
}

int cohort_index_measures(const cohort *c, const char *const *instrument, const char *const *key,
                          size_t n, genu_arena *a, const cohort_mindex **out, genu_err *err)
{
    cohort_mindex *x = genu_arena_calloc(a, 1, sizeof *x);
    if (!x)
        return GENU_FAIL(err, GENU_ENOMEM, "cohort: out of memory");
    int rc = mindex_measures(x, instrument, key, n, err);
    if (rc)
        return rc;
    if (c->ds->n[GENU_REC_RESPONSE] > UINT32_MAX)
        return GENU_FAIL(err, GENU_EINVAL, "cohort: too many responses to index");
    if (c->nknee && x->n && c->nknee > (SIZE_MAX - 1) / x->n)
        return GENU_FAIL(err, GENU_ENOMEM, "cohort: out of memory");
    x->start = genu_arena_alloc(a, (c->nknee * x->n + 1) * sizeof *x->start);
    mvec v = {NULL, 0, 0};
    double *val = NULL;
    size_t valcap = 0;
    rc = x->start ? GENU_OK : GENU_ENOMEM;
    /* a patient's knees are adjacent: their responses are read once */
    for (size_t i = 0; i < c->nknee && rc == GENU_OK;) {
        size_t p = c->knees[i].pat, j = i;
        while (j < c->nknee && c->knees[j].pat == p)
            j++;
        size_t lo = c->lo[GENU_REC_RESPONSE][p], hi = c->hi[GENU_REC_RESPONSE][p];
        if ((hi - lo) * x->n > valcap) {
            valcap = 2 * (hi - lo) * x->n;
            free(val);
            if (!(val = malloc(valcap * sizeof *val)))
                rc = GENU_ENOMEM;
        }
        if (rc == GENU_OK)
            patient_values(c, x, lo, hi, val);
        for (size_t q = i; q < j && rc == GENU_OK; q++)
            if (!knee_entries(c, x, q, lo, hi, val, &v))
                rc = GENU_ENOMEM;
        i = j;
    }
    free(val);
    if (rc == GENU_OK) {
        x->start[c->nknee * x->n] = v.n;
        if ((x->e = genu_arena_alloc(a, (v.n ? v.n : 1) * sizeof *x->e)) && v.n)
            memcpy(x->e, v.v, v.n * sizeof *x->e);
        rc = x->e ? GENU_OK : GENU_ENOMEM;
    }
    free(v.v);
    if (rc)
        return GENU_FAIL(err, GENU_ENOMEM, "cohort: out of memory");
    *out = x;
    return GENU_OK;
}

static const genu_record *latest_indexed(const cohort *c, const mentry *e, size_t n,
                                         genu_date from, genu_date to, genu_date before,
                                         double *value)
{
    for (size_t i = n; i > 0; i--) {
        const mentry *m = &e[i - 1];
        if (m->date < from)
            break;
        if (m->date > to || (before != GENU_DATE_NONE && m->date >= before))
            continue;
        *value = m->value;
        return &c->ds->recs[GENU_REC_RESPONSE][m->resp];
    }
    return NULL;
}

static const genu_record *nearest_indexed(const cohort *c, const mentry *e, size_t n,
                                          genu_date from, genu_date to, genu_date before,
                                          genu_date target, double *value)
{
    const mentry *best = NULL;
    int64_t best_dist = INT64_MAX;
    for (size_t i = 0; i < n; i++) {
        const mentry *m = &e[i];
        if (m->date < from)
            continue;
        if (m->date > to || (before != GENU_DATE_NONE && m->date >= before))
            break;
        int64_t dist = (int64_t)m->date - (int64_t)target;
        if (dist < 0)
            dist = -dist;
        if (dist < best_dist) { /* one entry per date: equally near, the earlier stays */
            best = m;
            best_dist = dist;
        }
    }
    if (!best)
        return NULL;
    *value = best->value;
    return &c->ds->recs[GENU_REC_RESPONSE][best->resp];
}

/* ---- lookups ----------------------------------------------------------- */

const genu_record *cohort_latest(const cohort *c, const cohort_knee *k, const char *instrument,
                                 const char *key, genu_date from, genu_date to,
                                 genu_date before, double *value)
{
    const mentry *e;
    size_t ne;
    if (indexed(c, k, instrument, key, &e, &ne))
        return latest_indexed(c, e, ne, from, to, before, value);
    const genu_record *rs = c->ds->recs[GENU_REC_RESPONSE], *best = NULL;
    size_t lo = c->lo[GENU_REC_RESPONSE][k->pat], hi = c->hi[GENU_REC_RESPONSE][k->pat];
    /* sorted by (date, seq): the last match is the latest, recorded last */
    for (size_t i = hi; i > lo && !best; i--) {
        const genu_record *r = &rs[i - 1];
        double v;
        if (r->date < from)
            break;
        if (r->date > to || (before != GENU_DATE_NONE && r->date >= before))
            continue;
        if (carries(r, k, instrument, key, &v)) {
            best = r;
            *value = v;
        }
    }
    return best;
}

const genu_record *cohort_nearest(const cohort *c, const cohort_knee *k, const char *instrument,
                                  const char *key, genu_date from, genu_date to,
                                  genu_date before, genu_date target, double *value)
{
    const mentry *e;
    size_t ne;
    if (indexed(c, k, instrument, key, &e, &ne))
        return nearest_indexed(c, e, ne, from, to, before, target, value);
    const genu_record *rs = c->ds->recs[GENU_REC_RESPONSE], *best = NULL;
    size_t lo = c->lo[GENU_REC_RESPONSE][k->pat], hi = c->hi[GENU_REC_RESPONSE][k->pat];
    int64_t best_dist = INT64_MAX;
    for (size_t i = lo; i < hi; i++) {
        const genu_record *r = &rs[i];
        double v;
        if (r->date < from)
            continue;
        if (r->date > to || (before != GENU_DATE_NONE && r->date >= before))
            break;
        if (!carries(r, k, instrument, key, &v))
            continue;
        int64_t dist = (int64_t)r->date - (int64_t)target;
        if (dist < 0)
            dist = -dist;
        /* ascending dates: a strictly nearer one wins, the same date (a
         * later seq) replaces, an equally near later date does not */
        if (dist < best_dist || (best && r->date == best->date)) {
            best = r;
            best_dist = dist;
            *value = v;
        }
    }
    return best;
}

static int cmp_name(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

int cohort_strata_of(const cohort *c, cohort_by by, genu_arena *a, cohort_strata *s,
                     genu_err *err)
{
    size_t n = c->nknee;
    const char **label = genu_arena_calloc(a, n + 1, sizeof *label);
    s->names = genu_arena_calloc(a, n + 1, sizeof *s->names);
    s->group = genu_arena_calloc(a, n + 1, sizeof *s->group);
    if (!label || !s->names || !s->group)
        return GENU_FAIL(err, GENU_ENOMEM, "out of memory grouping knees");
    for (size_t i = 0; i < n; i++)
        if (!(s->names[i] = label[i] = cohort_stratum(c, &c->knees[i], by, a)))
            return GENU_FAIL(err, GENU_ENOMEM, "out of memory grouping knees");
    qsort(s->names, n, sizeof *s->names, cmp_name);
    s->n = 0;
    for (size_t i = 0; i < n; i++)
        if (s->n == 0 || strcmp(s->names[i], s->names[s->n - 1]) != 0)
            s->names[s->n++] = s->names[i];
    for (size_t i = 0; i < n; i++) {
        const char **hit = bsearch(&label[i], s->names, s->n, sizeof *s->names, cmp_name);
        s->group[i] = (size_t)(hit - s->names);
    }
    return GENU_OK;
}
