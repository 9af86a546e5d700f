/* contacts: a lean load's contact days, shared by both backends
 * (contacts.h). */
#include "store/contacts.h"

#include <stdlib.h>
#include <string.h>

#include "core/vec.h"
#include "store/backend.h"
#include "store/columns.h"

void store_contacts_init(store_contacts *b, const genu_dataset *ds)
{
    memset(b, 0, sizeof *b);
    b->ds = ds;
    b->last_type = -1;
}

void store_contacts_free(store_contacts *b)
{
    free(b->v);
    b->v = NULL;
    b->n = b->cap = b->nmerged = 0;
    b->unsorted = false;
}

static int cmp_contact(const void *x, const void *y)
{
    const genu_contact *a = x, *b = y;
    if (a->pat != b->pat)
        return a->pat < b->pat ? -1 : 1;
    if (a->date != b->date)
        return a->date < b->date ? -1 : 1;
    return (a->knee > b->knee) - (a->knee < b->knee);
}

/* Appends c to the current type's days, or merges it into the last one. */
static int push(store_contacts *b, genu_contact c, genu_err *err)
{
    if (b->n > b->nmerged) {
        int o = cmp_contact(&b->v[b->n - 1], &c);
        if (o == 0) {
            b->v[b->n - 1].types |= c.types;
            return GENU_OK;
        }
        b->unsorted |= o > 0;
    }
    genu_contact *v = genu_vec_room(b->v, &b->cap, b->n, sizeof *v, 1024);
    if (!v)
        return GENU_OOM(err);
    b->v = v;
    v[b->n++] = c;
    return GENU_OK;
}

/* Sorts v[0..n) and merges equal days in place; the new count. */
static size_t sort_unique(genu_contact *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_contact);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m && cmp_contact(&v[m - 1], &v[i]) == 0)
            v[m - 1].types |= v[i].types;
        else
            v[m++] = v[i];
    }
    return m;
}

int store_contacts_end_type(store_contacts *b, genu_err *err)
{
    genu_contact *x = b->v, *y = b->v + b->nmerged;
    size_t nx = b->nmerged, ny = b->n - b->nmerged;
    if (b->unsorted)
        ny = sort_unique(y, ny);
    b->unsorted = false;
    if (!nx || !ny) {
        if (!nx && ny) /* the first type's days: already in place */
            b->nmerged = b->n = ny;
        else
            b->n = b->nmerged;
        return GENU_OK;
    }
    genu_contact *v = malloc((nx + ny) * sizeof *v);
    if (!v)
        return GENU_OOM(err);
    size_t i = 0, j = 0, m = 0;
    while (i < nx || j < ny) {
        int o = i == nx ? 1 : j == ny ? -1 : cmp_contact(&x[i], &y[j]);
        if (o == 0)
            x[i].types |= y[j++].types;
        v[m++] = o <= 0 ? x[i++] : y[j++];
    }
    free(b->v);
    b->v = v;
    b->cap = nx + ny;
    b->n = b->nmerged = m;
    return GENU_OK;
}

int store_contacts_add(store_contacts *b, int type, const char *patient, const char *date,
                       const char *knee, genu_err *err)
{
    genu_contact c = {0};
    int knee_c = knee ? (unsigned char)knee[0] : 0;
    if (type == b->last_type && patient && date && knee_c == b->last_knee &&
        strcmp(date, b->last_day) == 0 && strcmp(patient, b->last) == 0)
        return GENU_OK; /* a day and knee of this patient already counted */
    b->last_type = -1;
    if (!patient || !date || genu_date_parse(date, strlen(date), &c.date, err))
        return GENU_FAIL(err, GENU_EIO, "registry: a %s row without a patient or a good date",
                         store_tables[type].name);
    if (strcmp(patient, b->last) == 0 && b->last[0]) {
        c.pat = b->last_pat;
    } else {
        uint32_t pat = b->last_pat;
        if (!store_patient_at(b->ds, patient, &pat))
            return GENU_FAIL(err, GENU_EIO, "registry: a %s row names a missing patient %s",
                             store_tables[type].name, patient);
        c.pat = b->last_pat = pat;
        size_t len = strlen(patient);
        if (len < sizeof b->last)
            memcpy(b->last, patient, len + 1);
        else
            b->last[0] = '\0';
    }
    c.knee = (int8_t)(knee ? vocab_knee(knee) : GENU_KNEE_NONE);
    c.types = (uint16_t)(1u << type);
    size_t len = strlen(date);
    if (b->last[0] && len < sizeof b->last_day) {
        memcpy(b->last_day, date, len + 1);
        b->last_knee = knee_c;
        b->last_type = type;
    }
    return push(b, c, err);
}

int store_contacts_add_record(store_contacts *b, const genu_record *r, genu_err *err)
{
    genu_contact c = {(uint32_t)r->pat, r->date, (int8_t)r->knee, (uint16_t)(1u << r->type)};
    return c.date == GENU_DATE_NONE ? GENU_OK : push(b, c, err);
}

int store_contacts_of_loaded(store_contacts *b, int type, genu_err *err)
{
    for (size_t i = 0; i < b->ds->n[type]; i++)
        if (store_contacts_add_record(b, &b->ds->recs[type][i], err))
            return err->code;
    return GENU_OK;
}

int store_contacts_finish(store_contacts *b, genu_arena *a, genu_dataset *ds, genu_err *err)
{
    if (b->n > b->nmerged && store_contacts_end_type(b, err)) {
        store_contacts_free(b);
        return err->code;
    }
    size_t m = b->n;
    ds->contacts = genu_arena_alloc(a, (m ? m : 1) * sizeof *ds->contacts);
    if (!ds->contacts) {
        store_contacts_free(b);
        return GENU_OOM(err);
    }
    if (m)
        memcpy(ds->contacts, b->v, m * sizeof *b->v);
    ds->ncontacts = m;
    store_contacts_free(b);
    return GENU_OK;
}

/* Where the days of type t come from: none (not a contact type, or the
 * load gave them: treatments kept for an index, store.h), the records
 * already loaded whole, or rows. */
typedef enum { DAYS_NONE, DAYS_LOADED, DAYS_FROM_ROWS } days_source;

static days_source days_of(const store_scope *scope, int t)
{
    if (!((STORE_CONTACT_TYPES >> t) & 1u) ||
        (t == GENU_REC_TREATMENT && scope && scope->index_kinds))
        return DAYS_NONE;
    return store_scope_whole(scope, t) ? DAYS_LOADED : DAYS_FROM_ROWS;
}

int store_contacts_rows(const store_scope *scope, store_contacts_rows_fn rows, void *ctx,
                        store_contacts *b, genu_err *err)
{
    int rc = GENU_OK;
    for (int t = 0; t < GENU_REC_NTYPES && !rc; t++)
        if (days_of(scope, t) == DAYS_FROM_ROWS && !(rc = rows(ctx, t, b, err)))
            rc = store_contacts_end_type(b, err);
    return rc;
}

int store_contacts_absorb(store_contacts *b, store_contacts *other, genu_err *err)
{
    if (b->n > b->nmerged && store_contacts_end_type(b, err))
        return err->code;
    if (other->n > other->nmerged && store_contacts_end_type(other, err))
        return err->code;
    if (b->cap - b->n < other->n) {
        genu_contact *v = realloc(b->v, (b->n + other->n + 1) * sizeof *v);
        if (!v)
            return GENU_OOM(err);
        b->v = v;
        b->cap = b->n + other->n + 1;
    }
    if (other->n)
        memcpy(b->v + b->n, other->v, other->n * sizeof *b->v);
    b->n += other->n;
    store_contacts_free(other);
    return store_contacts_end_type(b, err);
}

int store_contacts_load_beside(const store_scope *scope, bool started, store_days_beside *beside,
                               store_contacts_rows_fn rows, void *ctx, store_contacts *b,
                               genu_arena *a, genu_dataset *ds, int rc, genu_err *err)
{
    bool read = started && beside->done;
    if (!rc && scope && scope->contacts) {
        rc = read ? store_contacts_absorb(b, &beside->days, err) : GENU_OK;
        if (!rc)
            rc = store_contacts_load(scope, read ? NULL : rows, ctx, b, a, ds, err);
    }
    store_contacts_free(&beside->days);
    store_contacts_free(b);
    return rc;
}

int store_contacts_load(const store_scope *scope, store_contacts_rows_fn rows, void *ctx,
                        store_contacts *b, genu_arena *a, genu_dataset *ds, genu_err *err)
{
    int rc = rows ? store_contacts_rows(scope, rows, ctx, b, err) : GENU_OK;
    for (int t = 0; t < GENU_REC_NTYPES && !rc; t++) {
        if (days_of(scope, t) == DAYS_LOADED && !(rc = store_contacts_of_loaded(b, t, err)))
            rc = store_contacts_end_type(b, err);
    }
    if (rc) {
        store_contacts_free(b);
        return rc;
    }
    return store_contacts_finish(b, store_scope_arrays(scope, a), ds, err);
}
