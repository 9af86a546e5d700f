/* death: one record against the registry's deaths (death.h). */
#include "io/death.h"

#include <stdio.h>
#include <string.h>

bool death_binds(genu_rtype t)
{
    return t != GENU_REC_PATIENT && t != GENU_REC_IDENTITY && t != GENU_REC_MESSAGE &&
           t != GENU_REC_DEATH;
}

int death_stored(genu_store *s, const char *patient, genu_arena *a, genu_record *out,
                 bool *found, genu_err *err)
{
    store_query q = {.patient = patient, .limit = 1};
    genu_record *v;
    size_t n, total;
    *found = false;
    if (store_list(s, GENU_REC_DEATH, &q, a, &v, &n, &total, err))
        return err->code;
    if (n) {
        *out = v[0];
        *found = true;
    }
    return GENU_OK;
}

/* A death r: the patient's other stored death, or a stored record of the
 * patient dated after r. */
static int check_death(genu_store *s, const genu_record *r, genu_arena *a, char *why, size_t n,
                       genu_err *err)
{
    genu_record d;
    bool found;
    char day[GENU_DATE_STRLEN];
    if (death_stored(s, r->patient, a, &d, &found, err))
        return err->code;
    if (found && strcmp(d.id, r->id) != 0) {
        genu_date_format(d.date, day);
        snprintf(why, n, "field \"patient\": the registry already records the death of \"%.100s\""
                 " on %s (record \"%.100s\"): a patient dies once", r->patient, day, d.id);
        return GENU_OK;
    }
    genu_dataset ds;
    store_scope scope = {.patient = r->patient};
    if (store_load_scope(s, &scope, a, &ds, err))
        return err->code;
    for (int t = 0; t < GENU_REC_NTYPES; t++) {
        if (!death_binds((genu_rtype)t))
            continue;
        for (size_t i = 0; i < ds.n[t]; i++) {
            const genu_record *x = &ds.recs[t][i];
            if (x->date == GENU_DATE_NONE || x->date <= r->date)
                continue;
            genu_date_format(x->date, day);
            snprintf(why, n, "field \"date\": the registry holds %s \"%.100s\" of this patient "
                     "dated %s, after this death", record_type_name((genu_rtype)t), x->id, day);
            return GENU_OK;
        }
    }
    return GENU_OK;
}

int death_check(genu_store *s, const genu_record *r, genu_arena *a, char *why, size_t n,
                genu_err *err)
{
    why[0] = '\0';
    if (r->type == GENU_REC_DEATH)
        return check_death(s, r, a, why, n, err);
    if (!death_binds(r->type) || r->date == GENU_DATE_NONE)
        return GENU_OK;
    genu_record d;
    bool found;
    if (death_stored(s, r->patient, a, &d, &found, err))
        return err->code;
    if (found && r->date > d.date) {
        char day[GENU_DATE_STRLEN];
        genu_date_format(d.date, day);
        snprintf(why, n, "field \"date\": after the patient's death on %s (record \"%.100s\")",
                 day, d.id);
    }
    return GENU_OK;
}
