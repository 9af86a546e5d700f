/* jsonl_fixture: builds a genu_dataset from hand-written JSON Lines records
 * (docs/format.md) for the advice tests, sorted as the store sorts them:
 * patients by id, the rest by (patient, date, order given). */
#ifndef GENU_TEST_JSONL_FIXTURE_H
#define GENU_TEST_JSONL_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "io/record_json.h"
#include "model/record.h"

static inline int jf_cmp_patient(const void *x, const void *y)
{
    return strcmp(((const genu_record *)x)->id, ((const genu_record *)y)->id);
}

/* Parses lines[0..n) into a dataset in the arena; NULL (after printing the
 * error) when a line is bad. */
static inline genu_dataset *jf_load(const char *const *lines, size_t n, genu_arena *a)
{
    genu_dataset *ds = genu_arena_calloc(a, 1, sizeof *ds);
    for (int t = 0; t < GENU_REC_NTYPES; t++)
        ds->recs[t] = genu_arena_calloc(a, n ? n : 1, sizeof(genu_record));
    for (size_t i = 0; i < n; i++) {
        genu_record r;
        genu_err err = {0};
        if (record_json_parse(lines[i], strlen(lines[i]), a, &r, &err)) {
            fprintf(stderr, "fixture line %zu: %s\n", i + 1, err.msg);
            return NULL;
        }
        r.seq = (int64_t)i + 1;
        ds->recs[r.type][ds->n[r.type]++] = r;
    }
    qsort(ds->recs[GENU_REC_PATIENT], ds->n[GENU_REC_PATIENT], sizeof(genu_record),
          jf_cmp_patient);
    for (size_t p = 0; p < ds->n[GENU_REC_PATIENT]; p++)
        ds->recs[GENU_REC_PATIENT][p].pat = p;
    for (int t = 0; t < GENU_REC_NTYPES; t++) {
        if (t == GENU_REC_PATIENT)
            continue;
        for (size_t i = 0; i < ds->n[t]; i++) {
            genu_record *r = &ds->recs[t][i];
            genu_record key;
            key.id = r->patient;
            const genu_record *p = bsearch(&key, ds->recs[GENU_REC_PATIENT],
                                           ds->n[GENU_REC_PATIENT], sizeof key, jf_cmp_patient);
            if (!p) {
                fprintf(stderr, "fixture: unknown patient %s\n", r->patient);
                return NULL;
            }
            r->pat = (size_t)(p - ds->recs[GENU_REC_PATIENT]);
        }
        qsort(ds->recs[t], ds->n[t], sizeof(genu_record), record_dataset_cmp);
    }
    return ds;
}

#endif
