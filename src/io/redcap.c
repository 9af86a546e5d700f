/* redcap: genu's record types and instruments as a longitudinal REDCap
 * project. One form per record type (fields named form_column after the CSV
 * columns, so the two mappings cannot drift apart) and one per instrument
 * (form_item); the patient form holds the identity fields, flagged as
 * identifiers. The death form shares the patient's enrolment row (neither
 * repeats); every other form repeats in every event, the events being
 * timepoints from the knee's index date. */
#include "io/redcap.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/arena.h"
#include "core/json.h"
#include "core/vec.h"
#include "instruments/instrument.h"
#include "io/csv.h"

/* REDCap's data dictionary columns, in REDCap's order. */
static const char *const dict_cols[18] = {
    "Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
    "Choices, Calculations, OR Slider Labels", "Field Note",
    "Text Validation Type OR Show Slider Number", "Text Validation Min", "Text Validation Max",
    "Identifier?", "Branching Logic (Show field only if...)", "Required Field?",
    "Custom Alignment", "Question Number (surveys only)", "Matrix Group Name", "Matrix Ranking?",
    "Field Annotation"};

/* Events: enrolment (the patient form), then timepoints by days from the
 * index date; a record goes to the nearest (docs/formats.md). */
static const struct {
    const char *name, *label;
    int day;
} events[] = {
    {"enrolment_arm_1", "Enrolment", 0}, {"pre_index_arm_1", "Before baseline", -180},
    {"baseline_arm_1", "Baseline", 0},   {"w6_arm_1", "6 weeks", 42},
    {"m3_arm_1", "3 months", 91},        {"m6_arm_1", "6 months", 183},
    {"m12_arm_1", "12 months", 365},     {"m24_arm_1", "24 months", 731},
    {"m36_arm_1", "36 months", 1096},    {"m48_arm_1", "48 months", 1461},
    {"m60_arm_1", "60 months", 1826},    {"later_arm_1", "Later", 2192},
};
#define NEVENTS (sizeof events / sizeof events[0])

static const char *event_of(int32_t day)
{
    if (day == DEID_NO_DAY)
        return events[0].name;
    if (day < -90)
        return events[1].name;
    if (day <= 0)
        return events[2].name;
    if (day > 1826 + 180)
        return events[NEVENTS - 1].name;
    size_t best = 3;
    for (size_t i = 3; i < NEVENTS - 1; i++)
        if (abs(day - events[i].day) < abs(day - events[best].day))
            best = i;
    return events[best].name;
}

/* ---- the field table ---- */

typedef enum { F_TEXT, F_NOTES, F_RADIO, F_YESNO, F_CHECKBOX } ftype;
static const char *const ftype_name[] = {"text", "notes", "radio", "yesno", "checkbox"};

typedef struct rfield {
    const char *name, *form, *label;
    ftype type;
    const char *choices;    /* "a, a | b, b" for radio and checkbox */
    const char *validation; /* integer, number, date_ymd, email */
    const char *min, *max, *annotation;
    bool identifier;
    genu_rtype rtype; /* the record the value goes to (identity for identity fields) */
    const char *path; /* field path (items.P3 for items) */
    csv_kind kind;
    bool ignored; /* computed scores: written, not read */
} rfield;

typedef struct project {
    genu_arena *a;
    rfield *f;
    size_t n, cap;
    const char **forms; /* form names in order */
    size_t nforms;
} project;

static rfield *add_field(project *p)
{
    rfield *v = genu_vec_room(p->f, &p->cap, p->n, sizeof *v, 256);
    if (!v)
        return NULL;
    p->f = v;
    rfield *f = &p->f[p->n++];
    memset(f, 0, sizeof *f);
    return f;
}

static char *lower_name(genu_arena *a, const char *form, const char *path)
{
    char *s = genu_arena_printf(a, "%s_%s", form, path);
    for (char *c = s; c && *c; c++)
        *c = *c == '.' ? '_' : (char)tolower((unsigned char)*c);
    return s;
}

/* "a, a | b, b" from a vocabulary. */
static const char *vocab_choices(genu_arena *a, size_t n, const char *(*name)(int))
{
    genu_buf b = GENU_BUF_INIT;
    for (size_t i = 0; i < n; i++)
        genu_buf_printf(&b, "%s%s, %s", i ? " | " : "", name((int)i), name((int)i));
    const char *s = genu_arena_strdup(a, b.p ? b.p : "");
    genu_buf_free(&b);
    return s;
}

static const char *kind_name(int i)
{
    return vocab_kind_at(i)->name;
}

static const char *knee_name(int i)
{
    return vocab_knee_name((genu_knee)(i + 1));
}

/* Choices for the coded columns of the record-type forms; NULL for free
 * text. */
static const char *column_choices(genu_arena *a, genu_rtype t, const char *path)
{
    if (strcmp(path, "knee") == 0)
        return vocab_choices(a, 2, knee_name);
    if (strcmp(path, "sex") == 0)
        return vocab_choices(a, 4, vocab_sex_name);
    if (strcmp(path, "condition") == 0)
        return vocab_choices(a, vocab_ncondition(), vocab_condition_name);
    if (t == GENU_REC_TREATMENT && strcmp(path, "kind") == 0)
        return vocab_choices(a, vocab_nkind(), kind_name);
    if (strcmp(path, "sites") == 0)
        return vocab_choices(a, vocab_nsite(), vocab_site_name);
    if (strcmp(path, "findings.swelling") == 0)
        return vocab_choices(a, 3, vocab_swelling_name);
    if (strcmp(path, "findings.deformity") == 0)
        return vocab_choices(a, 3, vocab_deformity_name);
    if (strcmp(path, "findings.pain_at_rest") == 0)
        return vocab_choices(a, 4, vocab_pain_level_name);
    return NULL;
}

static int add_form(project *p, const char *form)
{
    const char **v = genu_arena_calloc(p->a, p->nforms + 1, sizeof *v);
    if (!v)
        return -1;
    if (p->nforms)
        memcpy(v, p->forms, p->nforms * sizeof *v);
    v[p->nforms++] = form;
    p->forms = v;
    return 0;
}

/* The fields of a record-type form from its CSV columns. */
static int type_fields(project *p, const deid_opts *o, genu_rtype t, const char *form)
{
    size_t n;
    const csv_col *cols = csv_columns(t, &n);
    for (size_t i = 0; i < n; i++) {
        const csv_col *c = &cols[i];
        if (strcmp(c->name, "patient") == 0 ||
            (o->deidentify ? (c->flags & CSV_F_IDENT) : (c->flags & CSV_F_DEID)))
            continue;
        const char *path = c->name;
        if (t == GENU_REC_PATIENT && strcmp(path, "id") == 0)
            continue; /* record_id */
        if (c->kind == CSV_DATE && o->deidentify)
            path = o->dates == DEID_DATES_YEAR ? "year" : "day";
        rfield *f = add_field(p);
        if (!f)
            return -1;
        f->form = form;
        f->name = lower_name(p->a, t == GENU_REC_IDENTITY ? "identity" : form, path);
        f->label = path;
        f->rtype = t;
        f->path = path;
        f->kind = c->kind;
        f->choices = column_choices(p->a, t, path);
        f->type = f->choices ? (c->kind == CSV_LIST ? F_CHECKBOX : F_RADIO)
                  : c->kind == CSV_BOOL                ? F_YESNO
                  : c->kind == CSV_JSON                ? F_NOTES
                                                       : F_TEXT;
        f->validation = c->kind == CSV_INT || (c->kind == CSV_DATE && o->deidentify) ? "integer"
                        : c->kind == CSV_NUM                                         ? "number"
                        : c->kind == CSV_DATE                                        ? "date_ymd"
                                                                                     : NULL;
        if (strcmp(path, "email") == 0)
            f->validation = "email";
        /* a cause of death is free text: flagged so REDCap's own de-identified
         * exports drop it too */
        f->identifier = t == GENU_REC_IDENTITY || (t == GENU_REC_DEATH && (c->flags & CSV_F_IDENT));
        f->annotation = c->kind == CSV_JSON && strcmp(path, "extra") == 0 ? "@HIDDEN" : NULL;
        if (t != GENU_REC_PATIENT && t != GENU_REC_IDENTITY && strcmp(path, "knee") != 0 &&
            strcmp(path, "id") == 0)
            f->annotation = "@READONLY";
    }
    return 0;
}

static const char *item_choices(genu_arena *a, const instr_item *it)
{
    genu_buf b = GENU_BUF_INIT;
    if (it->allowed)
        for (size_t i = 0; i < it->nallowed; i++)
            genu_buf_printf(&b, "%s%d, %d", i ? " | " : "", (int)it->allowed[i],
                            (int)it->allowed[i]);
    else
        for (int32_t v = it->lo; v <= it->hi; v++)
            genu_buf_printf(&b, "%s%d, %d", v > it->lo ? " | " : "", (int)v, (int)v);
    const char *s = genu_arena_strdup(a, b.p ? b.p : "");
    genu_buf_free(&b);
    return s;
}

static int instrument_fields(project *p, const deid_opts *o, const genu_instrument *in)
{
    const char *form = in->id;
    static const char *const head[] = {"id", "knee", "date", NULL};
    for (int i = 0; head[i]; i++) {
        if (i == 1 && in->level == INSTR_LEVEL_PATIENT)
            continue;
        rfield *f = add_field(p);
        if (!f)
            return -1;
        const char *path = head[i];
        if (i == 2 && o->deidentify)
            path = o->dates == DEID_DATES_YEAR ? "year" : "day";
        f->form = form;
        f->name = lower_name(p->a, form, path);
        f->label = path;
        f->rtype = GENU_REC_RESPONSE;
        f->path = path;
        f->kind = i == 2 ? CSV_DATE : CSV_STR;
        f->type = i == 1 ? F_RADIO : F_TEXT;
        f->choices = i == 1 ? column_choices(p->a, GENU_REC_RESPONSE, "knee") : NULL;
        f->validation = i == 2 ? (o->deidentify ? "integer" : "date_ymd") : NULL;
        f->annotation = i == 0 ? "@READONLY" : NULL;
    }
    for (size_t k = 0; k < in->nitems; k++) {
        const instr_item *it = &in->items[k];
        rfield *f = add_field(p);
        if (!f)
            return -1;
        f->form = form;
        f->name = lower_name(p->a, form, it->code);
        f->label = it->label ? it->label : it->code;
        f->rtype = GENU_REC_RESPONSE;
        f->path = genu_arena_printf(p->a, "items.%s", it->code);
        f->kind = it->kind == INSTR_BOOL ? CSV_BOOL : CSV_INT;
        bool small = it->allowed || (it->hi - it->lo <= 10);
        f->type = it->kind == INSTR_BOOL ? F_YESNO : small ? F_RADIO : F_TEXT;
        if (f->type == F_RADIO)
            f->choices = item_choices(p->a, it);
        if (f->type == F_TEXT) {
            f->validation = "integer";
            f->min = genu_arena_printf(p->a, "%d", (int)it->lo);
            f->max = genu_arena_printf(p->a, "%d", (int)it->hi);
        }
    }
    for (size_t k = 0; k < in->nscores; k++) {
        rfield *f = add_field(p);
        if (!f)
            return -1;
        char *key = genu_arena_printf(p->a, "score.%s", in->score_keys[k]);
        f->form = form;
        f->name = lower_name(p->a, form, key);
        f->label = in->score_keys[k];
        f->rtype = GENU_REC_RESPONSE;
        f->path = genu_arena_printf(p->a, "scores.%s", in->score_keys[k]);
        f->kind = CSV_NUM;
        f->type = F_TEXT;
        f->validation = "number";
        f->annotation = "@READONLY";
        f->ignored = true;
    }
    return 0;
}

static int build(project *p, const deid_opts *o)
{
    static const char *const forms[GENU_REC_NTYPES] = {"patient", "patient", "diagnosis",
                                                       "treatment", NULL, "adverse_event",
                                                       "exam", NULL, "death"};
    rfield *rid = add_field(p);
    if (!rid || add_form(p, "patient"))
        return -1;
    rid->name = "record_id";
    rid->form = "patient";
    rid->label = "Patient id";
    rid->type = F_TEXT;
    rid->rtype = GENU_REC_PATIENT;
    rid->path = "id";
    rid->kind = CSV_STR;
    for (int t = 0; t < GENU_REC_NTYPES; t++) {
        if (!forms[t] || (t == GENU_REC_IDENTITY && (o->deidentify || o->skip_identity)))
            continue;
        if (t > GENU_REC_IDENTITY && add_form(p, forms[t]))
            return -1;
        if (type_fields(p, o, (genu_rtype)t, forms[t]))
            return -1;
    }
    for (size_t i = 0; i < instrument_count(); i++)
        if (add_form(p, instrument_at(i)->id) || instrument_fields(p, o, instrument_at(i)))
            return -1;
    return 0;
}

static const char *form_of_type(genu_rtype t)
{
    static const char *const forms[GENU_REC_NTYPES] = {"patient", "patient", "diagnosis",
                                                       "treatment", NULL, "adverse_event",
                                                       "exam", NULL, "death"};
    return forms[t];
}

/* ---- export ---- */

/* The records CSV's columns: the standard four, then per form its fields
 * (a checkbox as one column per choice) and form_complete. */
typedef struct rcol {
    const char *name;
    const rfield *f;    /* NULL for the standard and _complete columns */
    const char *choice; /* checkbox columns */
    const char *form;   /* _complete columns */
} rcol;

typedef struct rx {
    project p;
    const deid_opts *o;
    rcol *cols;
    size_t ncols;
    FILE *out;
    char **cells;     /* the row being built */
    char **held;      /* the patient row, waiting for its identity and death */
    char ***pending;  /* the patient's other rows, written after it */
    size_t npending, cap_pending;
    json_t *instance; /* "event|form" → last instance, per patient */
    const char *pid;
    size_t count;
    genu_err *err;
    genu_arena *row; /* cells */
} rx;

static int add_col(rx *x, const char *name, const rfield *f, const char *choice,
                   const char *form)
{
    rcol *v = realloc(x->cols, (x->ncols + 1) * sizeof *v);
    if (!v)
        return -1;
    x->cols = v;
    x->cols[x->ncols++] = (rcol){name, f, choice, form};
    return 0;
}

/* Splits "a, A | b, B" into its codes, calling fn for each. */
static void each_choice(const char *choices, void (*fn)(const char *code, size_t n, void *),
                        void *ctx)
{
    const char *p = choices;
    while (p && *p) {
        while (*p == ' ' || *p == '|')
            p++;
        const char *comma = strchr(p, ',');
        const char *bar = strchr(p, '|');
        if (!comma || (bar && bar < comma))
            comma = bar ? bar : p + strlen(p);
        const char *e = comma;
        while (e > p && e[-1] == ' ')
            e--;
        if (e > p)
            fn(p, (size_t)(e - p), ctx);
        p = bar ? bar + 1 : p + strlen(p);
    }
}

typedef struct colctx {
    rx *x;
    const rfield *f;
    int rc;
} colctx;

static void checkbox_col(const char *code, size_t n, void *ctx)
{
    colctx *c = ctx;
    const char *choice = genu_arena_strndup(c->x->p.a, code, n);
    const char *name = genu_arena_printf(c->x->p.a, "%s___%s", c->f->name, choice);
    if (!choice || !name || add_col(c->x, name, c->f, choice, NULL))
        c->rc = -1;
}

static int record_columns(rx *x)
{
    static const char *const std[] = {"record_id", "redcap_event_name",
                                       "redcap_repeat_instrument", "redcap_repeat_instance"};
    for (int i = 0; i < 4; i++)
        if (add_col(x, std[i], i == 0 ? &x->p.f[0] : NULL, NULL, NULL))
            return -1;
    for (size_t k = 0; k < x->p.nforms; k++) {
        const char *form = x->p.forms[k];
        for (size_t i = 1; i < x->p.n; i++) {
            const rfield *f = &x->p.f[i];
            if (strcmp(f->form, form) != 0)
                continue;
            if (f->type == F_CHECKBOX) {
                colctx c = {x, f, 0};
                each_choice(f->choices, checkbox_col, &c);
                if (c.rc)
                    return -1;
            } else if (add_col(x, f->name, f, NULL, NULL)) {
                return -1;
            }
        }
        if (add_col(x, genu_arena_printf(x->p.a, "%s_complete", form), NULL, NULL, form))
            return -1;
    }
    return 0;
}

static int write_dictionary(rx *x, const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/dictionary.csv", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return GENU_FAIL(x->err, GENU_EIO, "%s: %s", path, strerror(errno));
    for (int i = 0; i < 18; i++)
        csv_put(f, dict_cols[i], i == 0);
    fputc('\n', f);
    for (size_t i = 0; i < x->p.n; i++) {
        const rfield *r = &x->p.f[i];
        const char *row[18] = {r->name,           r->form, "", ftype_name[r->type], r->label,
                               r->choices,        "",      r->validation, r->min, r->max,
                               r->identifier ? "y" : "", "", "", "", "", "", "",
                               r->annotation};
        for (int k = 0; k < 18; k++)
            csv_put(f, row[k] ? row[k] : "", k == 0);
        fputc('\n', f);
    }
    return fclose(f) == 0 ? GENU_OK : GENU_FAIL(x->err, GENU_EIO, "%s: write error", path);
}

/* The forms of the enrolment event, which do not repeat. */
static bool enrolment_form(const char *form)
{
    return strcmp(form, "patient") == 0 || strcmp(form, "death") == 0;
}

static int write_setup(rx *x, const char *dir)
{
    char path[4096];
    FILE *f[3];
    static const char *const names[3] = {"events.csv", "instrument_event_mapping.csv",
                                         "repeating_instruments.csv"};
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (!(f[i] = fopen(path, "w"))) {
            for (int k = 0; k < i; k++)
                fclose(f[k]);
            return GENU_FAIL(x->err, GENU_EIO, "%s: %s", path, strerror(errno));
        }
    }
    fputs("event_name,arm_num,day_offset,unique_event_name\n", f[0]);
    fputs("arm_num,unique_event_name,form\n", f[1]);
    fputs("event_name,form_name,custom_form_label\n", f[2]);
    for (size_t e = 0; e < NEVENTS; e++) {
        fprintf(f[0], "%s,1,%d,%s\n", events[e].label, events[e].day, events[e].name);
        for (size_t k = 0; k < x->p.nforms; k++) {
            bool enrolment = enrolment_form(x->p.forms[k]);
            if ((e == 0) != enrolment)
                continue;
            fprintf(f[1], "1,%s,%s\n", events[e].name, x->p.forms[k]);
            if (!enrolment)
                fprintf(f[2], "%s,%s,[%s_date]\n", events[e].name, x->p.forms[k],
                        x->p.forms[k]);
        }
    }
    int rc = GENU_OK;
    for (int i = 0; i < 3; i++)
        if (fclose(f[i]) != 0 && !rc)
            rc = GENU_FAIL(x->err, GENU_EIO, "%s/%s: write error", dir, names[i]);
    return rc;
}

static void put_row(rx *x, char **cells)
{
    for (size_t i = 0; i < x->ncols; i++)
        csv_put(x->out, cells[i] ? cells[i] : "", i == 0);
    fputc('\n', x->out);
}

static const char *cell_of(rx *x, const rfield *f, const json_t *doc, const char *choice)
{
    const char *path = f->path;
    if (f->type == F_CHECKBOX) {
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(doc, path), i, v) if (json_is_string(v) &&
                                                                   strcmp(json_string_value(v),
                                                                          choice) == 0) return "1";
        return "0";
    }
    if (strncmp(path, "scores.", 7) == 0) {
        /* score keys may hold a dot themselves (womac.pain): nest one level */
        const json_t *s = json_object_get(doc, "scores");
        const char *key = path + 7, *dot = strchr(key, '.');
        const json_t *v;
        if (dot) {
            char head[64];
            snprintf(head, sizeof head, "%.*s", (int)(dot - key), key);
            v = json_object_get(json_object_get(s, head), dot + 1);
        } else {
            v = json_object_get(s, key);
        }
        if (!json_is_number(v))
            return NULL;
        genu_buf b = GENU_BUF_INIT;
        genu_buf_json_num(&b, json_number_value(v));
        const char *r = genu_arena_strdup(x->row, b.p);
        genu_buf_free(&b);
        return r;
    }
    genu_buf b = GENU_BUF_INIT;
    const json_t *v = NULL;
    if (strncmp(path, "items.", 6) == 0)
        v = json_object_get(json_object_get(doc, "items"), path + 6);
    if (f->type == F_YESNO) {
        if (v)
            genu_buf_puts(&b, json_is_true(v) ? "true" : "false");
        else
            csv_cell(doc, path, CSV_BOOL, &b);
        const char *r = b.len ? (strcmp(b.p, "true") == 0 ? "1" : "0") : NULL;
        genu_buf_free(&b);
        return r;
    }
    if (v)
        genu_buf_printf(&b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else
        csv_cell(doc, path, f->kind, &b);
    const char *r = b.len ? genu_arena_strdup(x->row, b.p) : NULL;
    genu_buf_free(&b);
    return r;
}

static void fill(rx *x, char **cells, const char *form, genu_rtype t, const json_t *doc)
{
    for (size_t i = 4; i < x->ncols; i++) {
        const rcol *c = &x->cols[i];
        if (c->form && strcmp(c->form, form) == 0 && t != GENU_REC_IDENTITY)
            cells[i] = "2";
        if (!c->f || strcmp(c->f->form, form) != 0 || c->f->rtype != t)
            continue;
        cells[i] = (char *)cell_of(x, c->f, doc, c->choice);
    }
}

/* Writes the held patient row, then the patient's other rows. */
static int flush_held(rx *x)
{
    if (x->held)
        put_row(x, x->held);
    for (size_t i = 0; i < x->npending; i++)
        put_row(x, x->pending[i]);
    x->held = NULL;
    x->npending = 0;
    genu_arena_reset(x->row);
    return ferror(x->out) ? GENU_EIO : GENU_OK;
}

/* A repeating row: after the held patient row, or at once when none is. */
static int put_or_hold(rx *x, char **cells)
{
    if (!x->held) {
        put_row(x, cells);
        genu_arena_reset(x->row);
        return ferror(x->out) ? GENU_EIO : GENU_OK;
    }
    if (x->npending == x->cap_pending) {
        size_t cap = x->cap_pending ? 2 * x->cap_pending : 64;
        char ***v = realloc(x->pending, cap * sizeof *v);
        if (!v)
            return GENU_OOM(x->err);
        x->pending = v;
        x->cap_pending = cap;
    }
    x->pending[x->npending++] = cells;
    return GENU_OK;
}

static int rx_record(genu_rtype t, const char *text, int32_t day, void *ctx)
{
    rx *x = ctx;
    if (t == GENU_REC_MESSAGE)
        return GENU_OK; /* follow-up messages have no REDCap form (docs/formats.md) */
    json_t *doc = genu_json_parse_object(text, strlen(text), x->err);
    if (!doc)
        return x->err->code;
    x->count++;
    if (t == GENU_REC_IDENTITY && x->held) {
        fill(x, x->held, "patient", t, doc);
        json_decref(doc);
        return GENU_OK;
    }
    if (t == GENU_REC_DEATH && x->held) { /* the death form of the enrolment row */
        fill(x, x->held, "death", t, doc);
        json_decref(doc);
        return GENU_OK;
    }
    int rc = t == GENU_REC_PATIENT ? flush_held(x) : GENU_OK;
    char **cells = genu_arena_calloc(x->row, x->ncols, sizeof *cells);
    if (!rc && !cells)
        rc = GENU_OOM(x->err);
    if (rc) {
        json_decref(doc);
        return rc;
    }
    const char *form = t == GENU_REC_RESPONSE ? json_string_value(json_object_get(doc,
                                                                                  "instrument"))
                                              : form_of_type(t);
    if (t == GENU_REC_PATIENT) {
        json_object_clear(x->instance);
        cells[0] = genu_arena_strdup(x->row, json_string_value(json_object_get(doc, "id")));
        cells[1] = (char *)events[0].name;
        fill(x, cells, form, t, doc);
        x->held = cells;
        json_decref(doc);
        return GENU_OK;
    }
    const char *event = t == GENU_REC_DEATH ? events[0].name : event_of(day);
    char key[160];
    snprintf(key, sizeof key, "%s|%s", event, form);
    json_int_t inst = json_integer_value(json_object_get(x->instance, key)) + 1;
    json_object_set_new(x->instance, key, json_integer(inst));
    cells[0] = genu_arena_strdup(x->row, json_string_value(json_object_get(doc, "patient")));
    cells[1] = (char *)event;
    if (t != GENU_REC_DEATH) {
        cells[2] = genu_arena_strdup(x->row, form);
        cells[3] = genu_arena_printf(x->row, "%" JSON_INTEGER_FORMAT, inst);
    }
    fill(x, cells, form, t, doc);
    json_decref(doc);
    return put_or_hold(x, cells);
}

int redcap_export(genu_store *s, const deid_opts *o, const char *dir, size_t *count,
                  genu_err *err)
{
    rx x = {{genu_arena_create(), NULL, 0, 0, NULL, 0}, o, NULL, 0, NULL, NULL, NULL, NULL, 0, 0,
            json_object(), NULL, 0, err, genu_arena_create()};
    *count = 0;
    int rc = x.p.a && x.row ? GENU_OK : GENU_OOM(err);
    if (!rc && mkdir(dir, 0777) != 0 && errno != EEXIST)
        rc = GENU_FAIL(err, GENU_EIO, "%s: %s", dir, strerror(errno));
    if (!rc && (build(&x.p, o) || record_columns(&x)))
        rc = GENU_OOM(err);
    if (!rc)
        rc = write_dictionary(&x, dir);
    if (!rc)
        rc = write_setup(&x, dir);
    char path[4096];
    snprintf(path, sizeof path, "%s/records.csv", dir);
    if (!rc && !(x.out = fopen(path, "w")))
        rc = GENU_FAIL(err, GENU_EIO, "%s: %s", path, strerror(errno));
    if (!rc) {
        for (size_t i = 0; i < x.ncols; i++)
            csv_put(x.out, x.cols[i].name, i == 0);
        fputc('\n', x.out);
        rc = deid_each(s, o, rx_record, &x, err);
        if (!rc)
            rc = flush_held(&x);
    }
    if (x.out && fclose(x.out) != 0 && !rc)
        rc = GENU_FAIL(err, GENU_EIO, "%s: write error", path);
    if (rc == GENU_EIO && !err->code)
        GENU_FAIL(err, GENU_EIO, "%s: write error", path);
    *count = x.count;
    json_decref(x.instance);
    free(x.pending);
    free(x.cols);
    free(x.p.f);
    genu_arena_destroy(x.row);
    genu_arena_destroy(x.p.a);
    return rc;
}

/* ---- import ---- */

typedef struct rimp {
    project p; /* genu's fields */
    const char *dict_file, *rec_file;
    genu_arena *a;
    jsonl_line *v;
    size_t n, cap;
    json_t *declared; /* dictionary field name → index into p.f, with its choices */
    const char **dchoices; /* by p.f index: the dictionary's choices */
} rimp;

static jsonl_line *line(rimp *r)
{
    jsonl_line *v = genu_vec_room(r->v, &r->cap, r->n, sizeof *v, 256);
    if (!v)
        return NULL;
    r->v = v;
    jsonl_line *x = &r->v[r->n++];
    memset(x, 0, sizeof *x);
    return x;
}

static int reject_at(rimp *r, const char *file, size_t ln, size_t col, const char *why)
{
    jsonl_line *x = line(r);
    if (!x)
        return GENU_ENOMEM;
    x->where = genu_arena_printf(r->a, "%s:%zu:%zu", file, ln, col);
    x->error = why;
    return x->where && why ? GENU_OK : GENU_ENOMEM;
}

static long field_index(const project *p, const char *name)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->f[i].name, name) == 0)
            return (long)i;
    return -1;
}

typedef struct chk {
    const char *genu;
    const char *bad;
    genu_arena *a;
} chk;

static bool has_code(const char *choices, const char *code, size_t n)
{
    const char *p = choices;
    while (p && *p) {
        while (*p == ' ' || *p == '|')
            p++;
        const char *comma = strchr(p, ','), *bar = strchr(p, '|');
        const char *e = comma && (!bar || comma < bar) ? comma : bar ? bar : p + strlen(p);
        const char *end = e;
        while (end > p && end[-1] == ' ')
            end--;
        if ((size_t)(end - p) == n && strncmp(p, code, n) == 0)
            return true;
        p = bar ? bar + 1 : p + strlen(p);
    }
    return false;
}

static void check_choice(const char *code, size_t n, void *ctx)
{
    chk *c = ctx;
    if (!c->bad && !has_code(c->genu, code, n))
        c->bad = genu_arena_strndup(c->a, code, n);
}

/* Reads the dictionary: every field must be one of genu's, on its form,
 * with choices among genu's codes. */
static int read_dictionary(rimp *r, genu_err *err)
{
    csv_table t;
    if (csv_read(r->dict_file, r->a, &t, err))
        return err->code;
    if (t.n == 0 || t.rows[0].n < 6 || strcmp(t.rows[0].cells[0], dict_cols[0]) != 0 ||
        strcmp(t.rows[0].cells[1], dict_cols[1]) != 0 ||
        strcmp(t.rows[0].cells[3], dict_cols[3]) != 0 ||
        strcmp(t.rows[0].cells[5], dict_cols[5]) != 0)
        return GENU_FAIL(err, GENU_EINVAL,
                         "%s:1: not a REDCap data dictionary (expected the columns \"%s\", "
                         "\"%s\", ...)",
                         r->dict_file, dict_cols[0], dict_cols[1]);
    for (size_t i = 1; i < t.n; i++) {
        const csv_row *row = &t.rows[i];
        const char *name = row->cells[0], *form = row->n > 1 ? row->cells[1] : "";
        long k = field_index(&r->p, name);
        const char *why = NULL;
        size_t col = 1;
        if (row->n < 6) {
            why = "expected REDCap's 18 dictionary columns";
        } else if (k < 0) {
            why = genu_arena_printf(r->a, "unknown field \"%.80s\": not a field of genu's "
                                          "project (docs/formats.md)", name);
        } else if (strcmp(r->p.f[k].form, form) != 0) {
            col = 2;
            why = genu_arena_printf(r->a, "field \"%s\" belongs to form \"%s\", not \"%.80s\"",
                                    name, r->p.f[k].form, form);
        } else if (r->p.f[k].choices) {
            chk c = {r->p.f[k].choices, NULL, r->a};
            each_choice(row->cells[5], check_choice, &c);
            col = 6;
            if (c.bad)
                why = genu_arena_printf(r->a, "field \"%s\": unknown choice \"%.60s\" (genu's "
                                              "codes: %.300s)", name, c.bad, r->p.f[k].choices);
            else
                r->dchoices[k] = row->cells[5][0] ? row->cells[5] : r->p.f[k].choices;
        }
        if (why && reject_at(r, r->dict_file, row->line, col, why))
            return GENU_OOM(err);
        if (!why)
            json_object_set_new(r->declared, name, json_integer(k));
    }
    return GENU_OK;
}

static bool is_standard(const char *c)
{
    static const char *const std[] = {"record_id", "redcap_event_name",
                                       "redcap_repeat_instrument", "redcap_repeat_instance",
                                       "redcap_data_access_group", "redcap_survey_identifier",
                                       NULL};
    for (int i = 0; std[i]; i++)
        if (strcmp(c, std[i]) == 0)
            return true;
    size_t n = strlen(c);
    return n > 9 && strcmp(c + n - 9, "_complete") == 0;
}

/* The records header → the field of each column (-1 standard), and the
 * checkbox choice of checkbox columns. */
static int records_header(rimp *r, const csv_row *h, long *fidx, const char **choice,
                          size_t *std_at, bool *ok)
{
    *ok = true;
    for (size_t i = 0; i < h->n; i++) {
        const char *c = h->cells[i];
        fidx[i] = -1;
        choice[i] = NULL;
        if (strcmp(c, "record_id") == 0)
            std_at[0] = i + 1;
        else if (strcmp(c, "redcap_event_name") == 0)
            std_at[1] = i + 1;
        else if (strcmp(c, "redcap_repeat_instrument") == 0)
            std_at[2] = i + 1;
        if (is_standard(c))
            continue;
        const char *sep = strstr(c, "___");
        char *name = genu_arena_strndup(r->a, c, sep ? (size_t)(sep - c) : strlen(c));
        json_t *k = name ? json_object_get(r->declared, name) : NULL;
        const char *why = NULL;
        if (!k)
            why = genu_arena_printf(r->a, "unknown field \"%.80s\": not in the data dictionary",
                                    c);
        else if (sep && (r->p.f[json_integer_value(k)].type != F_CHECKBOX ||
                         !has_code(r->dchoices[json_integer_value(k)], sep + 3, strlen(sep + 3))))
            why = genu_arena_printf(r->a, "unknown choice \"%.60s\" of field \"%s\"", sep + 3,
                                    name);
        if (why) {
            *ok = false;
            if (reject_at(r, r->rec_file, h->line, i + 1, why))
                return GENU_ENOMEM;
            continue;
        }
        fidx[i] = (long)json_integer_value(k);
        choice[i] = sep ? sep + 3 : NULL;
    }
    if (!std_at[0] || !std_at[1]) {
        *ok = false;
        return reject_at(r, r->rec_file, h->line, 1,
                         "expected the columns record_id and redcap_event_name");
    }
    return GENU_OK;
}

/* One cell into the record object; NULL or a message naming the field. */
static const char *take(rimp *r, json_t *o, const rfield *f, const char *dch, const char *cell)
{
    genu_err e = {0};
    if (f->type == F_RADIO && !has_code(dch, cell, strlen(cell)))
        return genu_arena_printf(r->a, "field \"%s\": unknown choice \"%.60s\" (expected one of "
                                       "%.300s)", f->name, cell, dch);
    if (f->type == F_YESNO) {
        if (strcmp(cell, "1") != 0 && strcmp(cell, "0") != 0)
            return genu_arena_printf(r->a, "field \"%s\": expected 1 or 0, got \"%.60s\"",
                                     f->name, cell);
        cell = cell[0] == '1' ? "true" : "false";
    }
    csv_kind kind = f->kind == CSV_DATE && f->validation && strcmp(f->validation, "integer") == 0
                        ? CSV_INT
                        : f->kind;
    if (csv_set(o, f->path, kind, cell, &e))
        return genu_arena_strdup(r->a, e.msg);
    return NULL;
}

static int emit_record(rimp *r, json_t *o, const char *where, const char *const *cols,
                       const char *why, const char *why_where)
{
    jsonl_line *x = line(r);
    if (!x)
        return GENU_ENOMEM;
    genu_buf b = GENU_BUF_INIT;
    genu_json_append(&b, o);
    x->text = b.oom ? NULL : genu_arena_strdup(r->a, b.p);
    genu_buf_free(&b);
    x->where = why ? why_where : where;
    x->cols = why ? NULL : cols;
    x->error = why;
    return x->text ? GENU_OK : GENU_ENOMEM;
}

static int records_row(rimp *r, const csv_row *row, size_t ncol, const long *fidx,
                       const char **choice, const size_t *std_at)
{
    const char *where = genu_arena_printf(r->a, "%s:%zu", r->rec_file, row->line);
    if (row->n != ncol)
        return reject_at(r, r->rec_file, row->line, (row->n < ncol ? row->n : ncol) + 1,
                         genu_arena_printf(r->a, "expected %zu columns as in the header, got %zu",
                                           ncol, row->n));
    const char *pid = row->cells[std_at[0] - 1], *event = row->cells[std_at[1] - 1];
    const char *form = std_at[2] ? row->cells[std_at[2] - 1] : "";
    size_t e = 0;
    while (e < NEVENTS && strcmp(events[e].name, event) != 0)
        e++;
    if (e == NEVENTS)
        return reject_at(r, r->rec_file, row->line, std_at[1],
                         genu_arena_printf(r->a, "unknown event \"%.60s\" (expected "
                                                 "enrolment_arm_1, baseline_arm_1, ...)", event));
    if (!form[0])
        form = "patient";
    genu_rtype t;
    if (strcmp(form, "patient") == 0)
        t = GENU_REC_PATIENT;
    else if (instrument_find(form))
        t = GENU_REC_RESPONSE;
    else {
        int k = GENU_REC_DIAGNOSIS;
        while (k < GENU_REC_NTYPES && (!form_of_type((genu_rtype)k) ||
                                       strcmp(form_of_type((genu_rtype)k), form) != 0))
            k++;
        if (k == GENU_REC_NTYPES)
            return reject_at(r, r->rec_file, row->line, std_at[2] ? std_at[2] : 1,
                             genu_arena_printf(r->a, "unknown repeating instrument \"%.60s\"",
                                               form));
        t = (genu_rtype)k;
    }
    json_t *o = json_pack("{s:s}", "type", record_type_name(t));
    json_t *idn = t == GENU_REC_PATIENT ? json_pack("{s:s}", "type", "identity") : NULL;
    /* the enrolment row also holds the death form */
    json_t *dth = t == GENU_REC_PATIENT ? json_pack("{s:s}", "type", "death") : NULL;
    json_object_set_new(o, t == GENU_REC_PATIENT ? "id" : "patient", json_string(pid));
    if (idn)
        json_object_set_new(idn, "patient", json_string(pid));
    if (dth)
        json_object_set_new(dth, "patient", json_string(pid));
    if (t == GENU_REC_RESPONSE)
        json_object_set_new(o, "instrument", json_string(form));
    const char **cols = genu_arena_calloc(r->a, ncol + 1, sizeof *cols);
    const char **icols = genu_arena_calloc(r->a, ncol + 1, sizeof *icols);
    const char **dcols = genu_arena_calloc(r->a, ncol + 1, sizeof *dcols);
    const char *why = NULL, *why_where = NULL;
    json_t *sites = NULL;
    for (size_t i = 0; i < ncol; i++) {
        cols[i] = icols[i] = dcols[i] = "";
        if (fidx[i] < 0)
            continue;
        const rfield *f = &r->p.f[fidx[i]];
        bool death = dth && f->rtype == GENU_REC_DEATH;
        if ((strcmp(f->form, form) != 0 && !death) || f->ignored || fidx[i] == 0)
            continue;
        (death ? dcols : f->rtype == GENU_REC_IDENTITY ? icols : cols)[i] = f->path;
        const char *cell = row->cells[i];
        if (!cell[0] || why)
            continue;
        if (choice[i]) {
            if (strcmp(cell, "1") != 0 && strcmp(cell, "0") != 0)
                why = genu_arena_printf(r->a, "field \"%s___%s\": expected 1 or 0, got \"%.60s\"",
                                        f->name, choice[i], cell);
            else if (cell[0] == '1') {
                if (!sites)
                    sites = json_array();
                json_array_append_new(sites, json_string(choice[i]));
            }
        } else {
            why = take(r, death ? dth : f->rtype == GENU_REC_IDENTITY ? idn : o, f,
                       r->dchoices[fidx[i]], cell);
        }
        if (why && !why_where)
            why_where = genu_arena_printf(r->a, "%s:%zu:%zu", r->rec_file, row->line, i + 1);
    }
    if (sites)
        json_object_set_new(o, "sites", sites);
    int rc = emit_record(r, o, where, cols, why, why_where);
    if (!rc && idn && json_object_size(idn) > 2)
        rc = emit_record(r, idn, where, icols, NULL, NULL);
    if (!rc && dth && json_object_size(dth) > 2)
        rc = emit_record(r, dth, where, dcols, NULL, NULL);
    json_decref(o);
    json_decref(idn);
    json_decref(dth);
    return rc;
}

static int read_records(rimp *r, genu_err *err)
{
    csv_table t;
    if (csv_read(r->rec_file, r->a, &t, err))
        return err->code;
    if (t.n == 0)
        return GENU_OK;
    const csv_row *h = &t.rows[0];
    long *fidx = genu_arena_calloc(r->a, h->n + 1, sizeof *fidx);
    const char **choice = genu_arena_calloc(r->a, h->n + 1, sizeof *choice);
    size_t std_at[3] = {0, 0, 0};
    bool ok;
    if (!fidx || !choice || records_header(r, h, fidx, choice, std_at, &ok))
        return GENU_OOM(err);
    if (!ok)
        return GENU_OK;
    for (size_t i = 1; i < t.n; i++)
        if (records_row(r, &t.rows[i], h->n, fidx, choice, std_at))
            return GENU_OOM(err);
    return GENU_OK;
}

int redcap_import(genu_store *s, const char *dictionary, const char *records,
                  const jsonl_import_opts *o, jsonl_stats *stats, genu_err *err)
{
    deid_opts all = {false, DEID_DATES_INDEX, false};
    rimp r = {{genu_arena_create(), NULL, 0, 0, NULL, 0}, dictionary, records, NULL, NULL, 0, 0,
              json_object(), NULL};
    r.a = r.p.a;
    memset(stats, 0, sizeof *stats);
    int rc = r.a ? GENU_OK : GENU_OOM(err);
    if (!rc && build(&r.p, &all))
        rc = GENU_OOM(err);
    if (!rc && !(r.dchoices = genu_arena_calloc(r.a, r.p.n, sizeof *r.dchoices)))
        rc = GENU_OOM(err);
    if (!rc)
        rc = read_dictionary(&r, err);
    if (!rc)
        rc = read_records(&r, err);
    if (!rc)
        rc = jsonl_import_lines(s, r.v, r.n, o, stats, err);
    json_decref(r.declared);
    free(r.v);
    free(r.p.f);
    genu_arena_destroy(r.a);
    return rc;
}
