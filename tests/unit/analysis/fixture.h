/* fixture: builds small genu_datasets by hand for the analysis unit tests.
 * Records are added in any order and sorted as the store sorts them
 * (patients by id; the rest by patient, date, seq). Static storage; call
 * fx_reset() at the start of each test. */
#ifndef GENU_TEST_FIXTURE_H
#define GENU_TEST_FIXTURE_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/record.h"
#include "model/vocab.h"

#define FX_MAX 256

typedef struct fx {
    genu_record recs[GENU_REC_NTYPES][FX_MAX];
    genu_score scores[FX_MAX];
    int64_t seq;
    genu_dataset ds;
} fx;

static fx FX;

static inline void fx_reset(void)
{
    memset(&FX, 0, sizeof FX);
}

static inline genu_date D(const char *s)
{
    int y, m, d;
    y = atoi(s);
    m = atoi(s + 5);
    d = atoi(s + 8);
    return genu_date_from_ymd(y, m, d);
}

static inline genu_record *fx_add(genu_rtype t, size_t pat, genu_knee knee, genu_date date)
{
    genu_record *r = &FX.recs[t][FX.ds.n[t]++];
    r->type = t;
    r->pat = pat;
    r->knee = knee;
    r->date = date;
    r->seq = ++FX.seq;
    return r;
}

/* Patients must be added in id order, before their records. */
static inline size_t fx_patient(const char *site, const char *sex, int birth_year)
{
    size_t pat = FX.ds.n[GENU_REC_PATIENT];
    genu_record *r = fx_add(GENU_REC_PATIENT, pat, GENU_KNEE_NONE, GENU_DATE_NONE);
    r->u.patient.site = site;
    r->u.patient.sex = vocab_sex(sex);
    r->u.patient.birth_year = birth_year;
    return pat;
}

static inline genu_record *fx_treat(size_t pat, genu_knee knee, genu_date date, const char *kind)
{
    genu_record *r = fx_add(GENU_REC_TREATMENT, pat, knee, date);
    r->u.treatment.kind = vocab_kind_find(kind);
    r->u.treatment.sites = VOCAB_SITE_INTRA_ARTICULAR;
    r->u.treatment.cost = NAN;
    return r;
}

static inline genu_record *fx_resp(size_t pat, genu_knee knee, genu_date date,
                                   const char *instrument, const char *key, double v)
{
    genu_record *r = fx_add(GENU_REC_RESPONSE, pat, knee, date);
    genu_score *s = &FX.scores[FX.ds.n[GENU_REC_RESPONSE] - 1];
    s->key = key;
    s->value = v;
    r->u.response.instrument = instrument;
    r->u.response.nscores = 1;
    r->u.response.scores = s;
    return r;
}

static inline void fx_dx(size_t pat, genu_knee knee, genu_date date, const char *cond, int kl)
{
    genu_record *r = fx_add(GENU_REC_DIAGNOSIS, pat, knee, date);
    r->u.diagnosis.condition = vocab_condition(cond);
    r->u.diagnosis.kl_grade = kl;
}

/* Sorts and returns the dataset. Scores stay attached (pointers). */
static inline const genu_dataset *fx_done(void)
{
    for (int t = 0; t < GENU_REC_NTYPES; t++) {
        if (t != GENU_REC_PATIENT)
            qsort(FX.recs[t], FX.ds.n[t], sizeof(genu_record), record_dataset_cmp);
        FX.ds.recs[t] = FX.recs[t];
    }
    return &FX.ds;
}

#endif
