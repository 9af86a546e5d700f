/* deid: the de-identified view of the registry (docs/design.md, Security and reliability;
 * docs/privacy.md)
 * and the per-record iteration every export format is written from.
 *
 * A de-identified record keeps only an allowlist of clinical fields: no
 * identity records, no free-text notes, no `extra`, no clinician, no product
 * details outside the documented ones. Patient and record ids become keyed
 * hashes (HMAC-SHA-256 with the registry's secret "deid_key", so the same
 * registry gives the same pseudonyms in every export), and dates become
 * `day` (days from the index date of the record's knee) or `year`. */
#ifndef GENU_IO_DEID_H
#define GENU_IO_DEID_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "analysis/case.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "store/store.h"

#define DEID_KEY_BYTES 32
#define DEID_ID_LEN    27 /* "p-" + 24 hex digits + NUL */
#define DEID_NO_DAY    INT32_MIN

typedef enum { DEID_DATES_INDEX = 0, DEID_DATES_YEAR } deid_dates;

/* The registry secret (setting "deid_key", 64 hex digits): read, or created
 * from libsodium random bytes and stored on first use. GENU_EIO when the
 * stored value is malformed. */
int deid_key(genu_store *s, unsigned char key[DEID_KEY_BYTES], genu_err *err);

/* The pseudonym of an id of a record type: its type's initial, '-', and 96
 * bits of HMAC-SHA-256(key, "<type>:<id>") in hex. Pure. */
void deid_hash_id(const unsigned char key[DEID_KEY_BYTES], genu_rtype type, const char *id,
                  char out[DEID_ID_LEN]);

/* Index dates of one patient: per knee, its first treatment of a
 * regenerative kind, else its first treatment, else its first dated record;
 * for the patient, the earliest knee index, else its first dated record.
 * GENU_DATE_NONE when there is nothing dated. */
typedef struct deid_index {
    genu_date knee[3]; /* by genu_knee; [GENU_KNEE_NONE] is the patient's */
} deid_index;

/* Computes the index dates from one patient's records (type, knee, date and
 * for treatments u.treatment.kind are read). */
void deid_index_of(const genu_record *recs, size_t n, deid_index *out);
/* The index date that applies to a record (its knee's, else the patient's). */
genu_date deid_index_for(const deid_index *ix, genu_knee knee);

/* De-identifies one canonical doc (a JSON Lines record as stored, docs/format.md) whose index date
 * is index. Appends the de-identified compact JSON to out, or nothing for an
 * identity. GENU_EINVAL when doc is not a record; GENU_ENOMEM. */
int deid_doc(const unsigned char key[DEID_KEY_BYTES], deid_dates dates, genu_date index,
             const char *doc, genu_buf *out, genu_err *err);

/* Makes h, built by case_build from ds (a dataset holding the patient's
 * records as store_load gives them), the researcher's case history: the
 * pseudonym for the id (in a), days from the patient's index date (the one
 * deid_index_of gives over all the patient's records, whatever h->as_of,
 * so the same as the export's) instead of dates, with each knee's own
 * index date for relating the export's days, no cause of death, an age at
 * the first visit of 90 or more given as 90 "or over", and no birth year
 * when the patient would be 90 or more in the year of today. GENU_ENOMEM. */
int deid_case(const unsigned char key[DEID_KEY_BYTES], const genu_dataset *ds, genu_date today,
              genu_arena *a, case_history *h, genu_err *err);

typedef struct deid_opts {
    bool deidentify;    /* de-identified docs (identities always left out) */
    deid_dates dates;   /* with deidentify */
    bool skip_identity; /* without deidentify */
} deid_opts;

/* One record for an exporter: its type, its doc (canonical, or
 * de-identified) and its days from its index date (DEID_NO_DAY for patients
 * and identities). doc is borrowed for the call. */
typedef int (*deid_doc_fn)(genu_rtype type, const char *doc, int32_t day, void *ctx);

/* Calls fn for every record in export order (store_each). Stops at fn's
 * first non-zero return and returns it (GENU_EIO when fn reports a write
 * error without setting err). */
int deid_each(genu_store *s, const deid_opts *o, deid_doc_fn fn, void *ctx, genu_err *err);

/* The de-identified registry as JSON Lines on out; *count records. */
int deid_export_jsonl(genu_store *s, deid_dates dates, FILE *out, size_t *count, genu_err *err);

#endif
