/* columns: the record tables described once, and the codec that binds and
 * reads their own columns for every backend (columns.h). */
#include "store/columns.h"

#include <stdio.h>

#include <assert.h>
#include <math.h>
#include <pthread.h>
#include <string.h>

#include "core/buf.h"
#include "instruments/instrument.h"

static const char *kind_name(int k)
{
    const vocab_kind *v = vocab_kind_at(k);
    return v ? v->name : NULL;
}

#define AT(field) offsetof(genu_record, u.field)
#define TEXT(n, field, sql) {n, sql, SC_TEXT, AT(field), NULL, NULL, NULL, false}
#define NUM(n, kind, field, sql) {n, sql, kind, AT(field), NULL, NULL, NULL, false}
#define VOCAB(n, field, sql, name, find, what) {n, sql, SC_VOCAB, AT(field), name, find, what, false}
#define LEVEL8(n) NUM(#n, SC_LEVEL8, exam.n, "INTEGER")

static const store_col patient_cols[] = {
    TEXT("site", patient.site, "TEXT NOT NULL"),
    VOCAB("sex", patient.sex, "TEXT", vocab_sex_name, vocab_sex, NULL),
    NUM("birth_year", SC_YEAR, patient.birth_year, "INTEGER"),
    NUM("height_cm", SC_REAL, patient.height_cm, "REAL"),
    NUM("weight_kg", SC_REAL, patient.weight_kg, "REAL"),
};
static const store_col identity_cols[] = {
    TEXT("name", identity.name, "TEXT"),
    TEXT("date_of_birth", identity.date_of_birth, "TEXT"),
    TEXT("email", identity.email, "TEXT"),
    TEXT("phone", identity.phone, "TEXT"),
};
static const store_col diagnosis_cols[] = {
    VOCAB("condition", diagnosis.condition, "TEXT NOT NULL", vocab_condition_name,
          vocab_condition, "condition"),
    NUM("kl_grade", SC_LEVEL, diagnosis.kl_grade, "INTEGER"),
};
static const store_col treatment_cols[] = {
    VOCAB("kind", treatment.kind, "TEXT NOT NULL", kind_name, vocab_kind_find,
          "treatment kind"),
    TEXT("protocol", treatment.protocol, "TEXT"),
    NUM("sites", SC_BITS, treatment.sites, "INTEGER NOT NULL"),
    NUM("cost", SC_REAL, treatment.cost, "REAL"),
    TEXT("currency", treatment.currency, "TEXT"),
    /* a staff name: a lean load leaves it out (store_scope.lean) */
    {"clinician", "TEXT", SC_TEXT, AT(treatment.clinician), NULL, NULL, NULL, true},
};
static const store_col response_cols[] = {
    NUM("instrument", SC_INSTRUMENT, response.instrument, "TEXT NOT NULL"),
    NUM("version", SC_INT, response.version, "INTEGER NOT NULL"),
    NUM("scores", SC_SCORES, response.scores, "TEXT NOT NULL"),
    NUM("notes", SC_NOTES, response.notes, "TEXT NOT NULL"),
};
static const store_col adverse_event_cols[] = {
    TEXT("kind", adverse_event.kind, "TEXT NOT NULL"),
    NUM("severity", SC_INT, adverse_event.severity, "INTEGER NOT NULL"),
    NUM("serious", SC_INT, adverse_event.serious, "INTEGER NOT NULL"),
    TEXT("treatment", adverse_event.treatment, "TEXT"),
};
static const store_col exam_cols[] = {
    LEVEL8(swelling),       LEVEL8(locking),   LEVEL8(unable_to_straighten),
    LEVEL8(unable_to_bend), LEVEL8(instability), LEVEL8(deformity),
    LEVEL8(recent_trauma_pop), LEVEL8(pain_at_rest),
};
static const store_col message_cols[] = {
    VOCAB("kind", message.kind, "TEXT NOT NULL", vocab_message_kind_name, vocab_message_kind,
          "message kind"),
    VOCAB("channel", message.channel, "TEXT NOT NULL", vocab_message_channel_name,
          vocab_message_channel, "message channel"),
    VOCAB("status", message.status, "TEXT NOT NULL", vocab_message_status_name,
          vocab_message_status, "message status"),
};
static const store_col death_cols[] = {
    TEXT("cause", death.cause, "TEXT"),
};

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define TABLE(name, cols) {name, cols, N(cols), NULL, NULL}

static store_table tables[GENU_REC_NTYPES] = {
    [GENU_REC_PATIENT] = TABLE("patient", patient_cols),
    [GENU_REC_IDENTITY] = TABLE("identity", identity_cols),
    [GENU_REC_DIAGNOSIS] = TABLE("diagnosis", diagnosis_cols),
    [GENU_REC_TREATMENT] = TABLE("treatment", treatment_cols),
    [GENU_REC_RESPONSE] = TABLE("response", response_cols),
    [GENU_REC_ADVERSE_EVENT] = TABLE("adverse_event", adverse_event_cols),
    [GENU_REC_EXAM] = TABLE("exam", exam_cols),
    [GENU_REC_MESSAGE] = TABLE("message", message_cols),
    [GENU_REC_DEATH] = TABLE("death", death_cols),
};
_Static_assert(GENU_REC_NTYPES == 9, "every record type has a table above");

const store_table *const store_tables = tables;

/* The comma lists: no column list is longer than this. */
static char col_lists[2][GENU_REC_NTYPES][256];
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

/* The columns of table t; lean: NULL for those a lean load leaves out. */
static void build_list(int t, bool lean)
{
    char *p = col_lists[lean][t];
    size_t room = sizeof col_lists[lean][t];
    for (int c = 0; c < tables[t].ncols; c++) {
        const store_col *col = &tables[t].col[c];
        bool out = lean && (col->not_analysed || col->kind == SC_NOTES);
        int w = snprintf(p, room, "%s%s", c ? "," : "", out ? "NULL" : col->name);
        assert(w > 0 && (size_t)w < room);
        p += w;
        room -= (size_t)w;
    }
}

static void build_lists(void)
{
    for (int t = 0; t < GENU_REC_NTYPES; t++) {
        build_list(t, false);
        build_list(t, true);
        tables[t].cols = col_lists[0][t];
        tables[t].lean_cols = col_lists[1][t];
    }
}

void store_tables_init(void)
{
    pthread_once(&init_once, build_lists);
}

#define FIELD(r, c, T) ((T *)((char *)(r) + (c)->off))
#define CFIELD(r, c, T) (*(T const *)((const char *)(r) + (c)->off))

int store_cols_bind(const store_binder *b, int i, const genu_record *r, char *tmp[2])
{
    const store_table *tb = &tables[r->type];
    for (int k = 0; k < tb->ncols; k++, i++) {
        const store_col *c = &tb->col[k];
        const char *s = NULL;
        int64_t v = 0;
        switch (c->kind) {
        case SC_TEXT:
        case SC_INSTRUMENT:
            s = CFIELD(r, c, char *);
            break;
        case SC_VOCAB:
            s = c->vname(CFIELD(r, c, int));
            break;
        case SC_SCORES:
            s = tmp[0] = record_scores_encode(r->u.response.scores, r->u.response.nscores);
            if (!s)
                return GENU_ENOMEM;
            break;
        case SC_NOTES:
            s = tmp[1] = record_notes_encode(r->u.response.notes, r->u.response.nnotes);
            if (!s)
                return GENU_ENOMEM;
            break;
        case SC_REAL: {
            double d = CFIELD(r, c, double);
            if (isnan(d))
                b->null(b->ctx, i);
            else
                b->real(b->ctx, i, d);
            continue;
        }
        case SC_INT:
            b->integer(b->ctx, i, CFIELD(r, c, int));
            continue;
        case SC_YEAR:
        case SC_LEVEL:
            v = CFIELD(r, c, int);
            if (c->kind == SC_YEAR ? v == 0 : v < 0)
                b->null(b->ctx, i);
            else
                b->integer(b->ctx, i, v);
            continue;
        case SC_LEVEL8:
            v = CFIELD(r, c, int8_t);
            if (v < 0)
                b->null(b->ctx, i);
            else
                b->integer(b->ctx, i, v);
            continue;
        case SC_BITS:
            b->integer(b->ctx, i, CFIELD(r, c, uint32_t));
            continue;
        }
        if (s)
            b->text(b->ctx, i, s);
        else
            b->null(b->ctx, i);
    }
    return GENU_OK;
}

/* A vocabulary column's code; NULL is the vocabulary's "unknown" where it
 * has one (sex), else an error like any name the vocabulary lacks. */
static int read_vocab(const store_col *c, const char *s, genu_err *err)
{
    int v = c->vfind(s ? s : "unknown");
    if (v < 0)
        GENU_FAIL(err, GENU_EIO, "registry holds an unknown %s \"%s\"", c->what ? c->what : c->name,
                  s ? s : "(null)");
    return v;
}

/* s in the arena, or the copy already made when rd shares strings. */
static const char *text_copy(const store_reader *rd, const char *s, genu_arena *a)
{
    size_t at;
    if (rd->strings && genu_hash_get(rd->strings, s, &at))
        return (const char *)(uintptr_t)at;
    const char *copy = genu_arena_strdup(a, s);
    if (copy && rd->strings && genu_hash_put(rd->strings, copy, (uintptr_t)copy, NULL) < 0)
        return NULL;
    return copy;
}

int store_cols_read(const store_reader *rd, int i, bool full, genu_record *r, genu_arena *a,
                    genu_err *err)
{
    const store_table *tb = &tables[r->type];
    const genu_instrument *in = NULL;
    for (int k = 0; k < tb->ncols; k++, i++) {
        const store_col *c = &tb->col[k];
        const char *s = NULL;
        switch (c->kind) {
        case SC_TEXT:
            s = rd->raw(rd->ctx, i);
            *FIELD(r, c, const char *) = s ? text_copy(rd, s, a) : NULL;
            if (s && !*FIELD(r, c, const char *))
                return GENU_OOM(err);
            break;
        case SC_INSTRUMENT:
            /* a known instrument's id and score keys are shared, not copied
             * per response: a load holds millions of them */
            s = rd->raw(rd->ctx, i);
            in = s ? instrument_find(s) : NULL;
            *FIELD(r, c, const char *) = in ? in->id : s ? genu_arena_strdup(a, s) : NULL;
            break;
        case SC_SCORES: {
            genu_score *scores;
            s = rd->raw(rd->ctx, i);
            if (record_scores_decode(s ? s : "", in ? in->score_keys : NULL,
                                     in ? in->nscores : 0, a, &scores,
                                     &r->u.response.nscores, err))
                return err->code;
            r->u.response.scores = scores;
            break;
        }
        case SC_NOTES:
            if (!full)
                break;
            s = rd->raw(rd->ctx, i);
            if (record_notes_decode(s ? s : "", a, &r->u.response.notes, &r->u.response.nnotes,
                                    err))
                return err->code;
            break;
        case SC_VOCAB:
            *FIELD(r, c, int) = read_vocab(c, rd->raw(rd->ctx, i), err);
            break;
        case SC_INT:
        case SC_YEAR:
            *FIELD(r, c, int) = (int)rd->integer(rd->ctx, i);
            break;
        case SC_LEVEL:
            *FIELD(r, c, int) = rd->raw(rd->ctx, i) ? (int)rd->integer(rd->ctx, i) : -1;
            break;
        case SC_LEVEL8:
            *FIELD(r, c, int8_t) = rd->raw(rd->ctx, i) ? (int8_t)rd->integer(rd->ctx, i) : -1;
            break;
        case SC_BITS:
            *FIELD(r, c, uint32_t) = (uint32_t)rd->integer(rd->ctx, i);
            break;
        case SC_REAL:
            *FIELD(r, c, double) = rd->real(rd->ctx, i);
            break;
        }
    }
    return err && err->code ? err->code : GENU_OK;
}
