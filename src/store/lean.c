/* lean: what both backends' loads share (backend.h): finding a row's
 * patient, and what a lean load keeps of the treatments it reads whole
 * (store.h store_scope.index_kinds).
 *
 * A cohort (analysis/cohort.c) reads of a knee's treatments: the first one
 * of an index kind (the index), every treatment of that knee on the index
 * day (kinds, sites, protocols), and the first replacement and the first
 * surgery after it; cost bills (analysis/cost.c) also read every treatment
 * of an index kind after the index. Whatever the as-of date, the first
 * index treatment on or before it is the knee's first one overall, or
 * none; so keeping the first index day's treatments, every replacement and
 * surgery, and for costs every index-kind treatment answers every as-of
 * exactly as the whole table does. Physical therapy, drugs, diet and the
 * like after the index are most of a registry's treatments and are what
 * this leaves out. */
#include "store/backend.h"

#include <stdlib.h>
#include <string.h>

#include "model/vocab.h"
#include "store/contacts.h"

static int cmp_patient_id(const void *key, const void *elem)
{
    return strcmp((const char *)key, ((const genu_record *)elem)->id);
}

bool store_patient_at(const genu_dataset *ds, const char *id, uint32_t *pat)
{
    const genu_record *pr = ds->recs[GENU_REC_PATIENT];
    size_t n = ds->n[GENU_REC_PATIENT];
    for (size_t at = *pat; id && at < n && at <= (size_t)*pat + 1; at++)
        if (strcmp(pr[at].id, id) == 0) { /* the hint's patient, or the one after */
            *pat = (uint32_t)at;
            return true;
        }
    const genu_record *p = id ? bsearch(id, pr, ds->n[GENU_REC_PATIENT], sizeof *p,
                                        cmp_patient_id)
                              : NULL;
    if (p)
        *pat = (uint32_t)(p - pr);
    return p != NULL;
}

size_t store_keep_index_treatments(const store_scope *scope, genu_record *r, size_t n)
{
    uint32_t kinds = scope->index_kinds;
    genu_date first[3] = {GENU_DATE_NONE, GENU_DATE_NONE, GENU_DATE_NONE};
    for (size_t i = 0; i < n; i++) {
        genu_knee k = r[i].knee;
        if (k != GENU_KNEE_NONE && first[k] == GENU_DATE_NONE &&
            ((kinds >> r[i].u.treatment.kind) & 1u))
            first[k] = r[i].date;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        genu_knee k = r[i].knee;
        if (k == GENU_KNEE_NONE || first[k] == GENU_DATE_NONE)
            continue; /* the knee never entered: nothing of it is read */
        const vocab_kind *v = vocab_kind_at(r[i].u.treatment.kind);
        bool index_kind = (kinds >> r[i].u.treatment.kind) & 1u;
        if (r[i].date == first[k] || (v && (v->flags & (VOCAB_REPLACEMENT | VOCAB_SURGERY))) ||
            (scope->index_costs && index_kind)) {
            if (m != i)
                r[m] = r[i];
            m++;
        }
    }
    return m;
}

void store_keeper_init(store_keeper *kp, const store_scope *scope, int type,
                       struct store_contacts *days)
{
    kp->scope = type == GENU_REC_TREATMENT && scope && scope->index_kinds ? scope : NULL;
    kp->days = kp->scope && scope->contacts ? days : NULL;
    kp->run = 0;
}

int store_keeper_row(store_keeper *kp, genu_record *recs, size_t *k, genu_err *err)
{
    size_t i = *k;
    if (kp->days && store_contacts_add_record(kp->days, &recs[i], err))
        return err->code;
    if (kp->scope && i > kp->run && recs[i].pat != recs[kp->run].pat) {
        size_t m = store_keep_index_treatments(kp->scope, recs + kp->run, i - kp->run);
        kp->run += m;
        recs[kp->run] = recs[i];
        i = kp->run;
    }
    *k = i + 1;
    return GENU_OK;
}

int store_keeper_end(store_keeper *kp, genu_record *recs, size_t *k, genu_err *err)
{
    if (!kp->scope)
        return GENU_OK;
    *k = kp->run + store_keep_index_treatments(kp->scope, recs + kp->run, *k - kp->run);
    return kp->days ? store_contacts_end_type(kp->days, err) : GENU_OK;
}
