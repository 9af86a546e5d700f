/* csv: one table per record type. Rows become JSON Lines records (the column
 * names are the fields' dotted paths) and are checked and stored by jsonl's
 * atomic import; export writes each record's doc back out column by column,
 * so CSV → genu → CSV keeps every value. */
#include "io/csv.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/json.h"
#include "core/vec.h"

#define ID(n) {n, CSV_STR, 0}
#define NOTE {"note", CSV_STR, CSV_F_IDENT}
#define EXTRA {"extra", CSV_JSON, CSV_F_IDENT}
#define DATED ID("id"), ID("patient"), ID("knee"), {"date", CSV_DATE, 0}

static const csv_col patient_cols[] = {
    ID("id"), ID("site"), ID("sex"), {"birth_year", CSV_INT, 0}, {"height_cm", CSV_NUM, 0},
    {"weight_kg", CSV_NUM, 0}, {"age_at_index", CSV_INT, CSV_F_DEID}, EXTRA};
static const csv_col identity_cols[] = {ID("patient"), ID("name"), {"date_of_birth", CSV_DATE, 0},
                                        ID("email"), ID("phone"), ID("language"), ID("contact"),
                                        EXTRA};
static const csv_col diagnosis_cols[] = {DATED, ID("condition"), {"kl_grade", CSV_INT, 0}, NOTE,
                                         EXTRA};
static const csv_col treatment_cols[] = {
    DATED, ID("kind"), ID("protocol"), {"sites", CSV_LIST, 0}, {"product", CSV_JSON, 0},
    {"cost.amount", CSV_NUM, 0}, ID("cost.currency"), {"clinician", CSV_STR, CSV_F_IDENT},
    NOTE, EXTRA};
static const csv_col response_cols[] = {
    DATED, ID("instrument"), {"items", CSV_JSON, 0}, {"version", CSV_INT, 0},
    {"scoring", CSV_JSON, 0}, {"scores", CSV_JSON, 0}, {"notes", CSV_JSON, 0}, EXTRA};
static const csv_col adverse_event_cols[] = {
    DATED, ID("kind"), {"severity", CSV_INT, 0}, {"serious", CSV_BOOL, 0}, ID("treatment"),
    NOTE, EXTRA};
static const csv_col exam_cols[] = {
    DATED, ID("findings.swelling"), {"findings.locking", CSV_BOOL, 0},
    {"findings.unable_to_straighten", CSV_BOOL, 0}, {"findings.unable_to_bend", CSV_BOOL, 0},
    {"findings.instability", CSV_BOOL, 0}, ID("findings.deformity"),
    {"findings.recent_trauma_pop", CSV_BOOL, 0}, ID("findings.pain_at_rest"), NOTE, EXTRA};

static const csv_col message_cols[] = {
    DATED, ID("kind"), ID("channel"), ID("status"), {"followups", CSV_JSON, 0},
    {"attempts", CSV_INT, 0}, ID("last_attempt"), {"error", CSV_STR, 0}, EXTRA};

/* a death has no knee; its cause is free text, left out when de-identified */
static const csv_col death_cols[] = {ID("id"), ID("patient"), {"date", CSV_DATE, 0},
                                     {"cause", CSV_STR, CSV_F_IDENT}, EXTRA};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
    const char *file;
    const csv_col *cols;
    size_t n;
} tables[GENU_REC_NTYPES] = {
    [GENU_REC_PATIENT] = {"patients.csv", patient_cols, N(patient_cols)},
    [GENU_REC_IDENTITY] = {"identities.csv", identity_cols, N(identity_cols)},
    [GENU_REC_DIAGNOSIS] = {"diagnoses.csv", diagnosis_cols, N(diagnosis_cols)},
    [GENU_REC_TREATMENT] = {"treatments.csv", treatment_cols, N(treatment_cols)},
    [GENU_REC_RESPONSE] = {"responses.csv", response_cols, N(response_cols)},
    [GENU_REC_ADVERSE_EVENT] = {"adverse_events.csv", adverse_event_cols, N(adverse_event_cols)},
    [GENU_REC_EXAM] = {"exams.csv", exam_cols, N(exam_cols)},
    [GENU_REC_MESSAGE] = {"messages.csv", message_cols, N(message_cols)},
    [GENU_REC_DEATH] = {"deaths.csv", death_cols, N(death_cols)},
};

const csv_col *csv_columns(genu_rtype t, size_t *n)
{
    *n = tables[t].n;
    return tables[t].cols;
}

const char *csv_file_name(genu_rtype t)
{
    return tables[t].file;
}

/* ---- cells ---- */

static const json_t *at_path(const json_t *obj, const char *path)
{
    const char *dot = strchr(path, '.');
    if (!dot)
        return json_object_get(obj, path);
    char head[64];
    snprintf(head, sizeof head, "%.*s", (int)(dot - path), path);
    const json_t *sub = json_object_get(obj, head);
    return json_is_object(sub) ? at_path(sub, dot + 1) : NULL;
}

int csv_cell(const json_t *obj, const char *path, csv_kind kind, genu_buf *b)
{
    const json_t *v = at_path(obj, path);
    if (!v || json_is_null(v))
        return 0;
    if (kind == CSV_LIST && json_is_array(v)) {
        size_t i;
        const json_t *e;
        json_array_foreach(v, i, e)
        {
            if (i)
                genu_buf_putc(b, ';');
            genu_buf_puts(b, json_is_string(e) ? json_string_value(e) : "");
        }
    } else if (kind == CSV_JSON || json_is_object(v) || json_is_array(v)) {
        genu_json_append(b, v);
    } else if (json_is_string(v)) {
        genu_buf_puts(b, json_string_value(v));
    } else if (json_is_integer(v)) {
        genu_buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    } else if (json_is_real(v)) {
        genu_buf_json_num(b, json_real_value(v));
    } else {
        genu_buf_puts(b, json_is_true(v) ? "true" : "false");
    }
    return b->oom ? -1 : 0;
}

static int bad_cell(const char *path, const char *want, const char *cell, genu_err *err)
{
    return GENU_FAIL(err, GENU_EINVAL, "field \"%s\": expected %s, got \"%.60s\"", path, want,
                     cell);
}

/* An integer written plainly: optional minus, digits, nothing else. */
static bool int_text(const char *s)
{
    if (*s == '-')
        s++;
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

static json_t *cell_value(const char *path, csv_kind kind, const char *cell, genu_err *err)
{
    switch (kind) {
    case CSV_INT: {
        char *end;
        errno = 0;
        long long v = int_text(cell) ? strtoll(cell, &end, 10) : 0;
        if (!int_text(cell) || errno)
            return bad_cell(path, "an integer", cell, err), NULL;
        return json_integer(v);
    }
    case CSV_NUM: {
        char *end;
        double v = strtod(cell, &end);
        if (*end || end == cell || !isfinite(v))
            return bad_cell(path, "a number", cell, err), NULL;
        return int_text(cell) ? json_integer((json_int_t)strtoll(cell, NULL, 10)) : json_real(v);
    }
    case CSV_BOOL:
        if (strcmp(cell, "true") == 0 || strcmp(cell, "false") == 0)
            return json_boolean(cell[0] == 't');
        return bad_cell(path, "true or false", cell, err), NULL;
    case CSV_LIST: {
        json_t *a = json_array();
        for (const char *p = cell;;) {
            const char *semi = strchr(p, ';');
            size_t n = semi ? (size_t)(semi - p) : strlen(p);
            json_t *s = json_stringn(p, n);
            if (!s) {
                json_decref(a);
                return bad_cell(path, "UTF-8 text", cell, err), NULL;
            }
            json_array_append_new(a, s);
            if (!semi)
                return a;
            p = semi + 1;
        }
    }
    case CSV_JSON: {
        json_error_t je;
        json_t *v = json_loads(cell, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
        if (!v)
            GENU_FAIL(err, GENU_EINVAL, "field \"%s\": invalid JSON: %s", path, je.text);
        return v;
    }
    default: {
        json_t *s = json_string(cell);
        if (!s)
            bad_cell(path, "UTF-8 text", "…", err);
        return s;
    }
    }
}

int csv_set(json_t *obj, const char *path, csv_kind kind, const char *cell, genu_err *err)
{
    json_t *v = cell_value(path, kind, cell, err);
    if (!v)
        return err->code ? err->code : GENU_OOM(err);
    const char *dot;
    while ((dot = strchr(path, '.'))) {
        char head[64];
        snprintf(head, sizeof head, "%.*s", (int)(dot - path), path);
        json_t *sub = json_object_get(obj, head);
        if (!json_is_object(sub)) {
            sub = json_object();
            json_object_set_new(obj, head, sub);
        }
        obj = sub;
        path = dot + 1;
    }
    json_object_set_new(obj, path, v);
    return GENU_OK;
}

/* ---- reading ---- */

typedef struct reader {
    genu_arena *a;
    csv_table *t;
    size_t cap, line;
    csv_row cur;
    size_t cur_cap;
    bool oom;
    size_t nul_line, nul_col; /* the first cell holding a NUL byte; 0: none */
} reader;

static void on_field(void *s, size_t n, void *p)
{
    reader *r = p;
    if (r->oom)
        return;
    char **cells =
        genu_vec_room_arena(r->a, r->cur.cells, &r->cur_cap, r->cur.n, sizeof *cells, 16);
    if (!cells) {
        r->oom = true;
        return;
    }
    r->cur.cells = cells;
    if (r->cur.n == 0)
        r->cur.line = r->line;
    if (s && memchr(s, '\0', n) && !r->nul_line) { /* it would cut the cell short */
        r->nul_line = r->cur.line;
        r->nul_col = r->cur.n + 1;
    }
    char *c = genu_arena_strndup(r->a, s ? s : "", s ? n : 0);
    if (!c)
        r->oom = true;
    else
        r->cur.cells[r->cur.n++] = c;
}

static void on_row(int c, void *p)
{
    (void)c;
    reader *r = p;
    if (r->oom)
        return;
    csv_row *v = genu_vec_room(r->t->rows, &r->cap, r->t->n, sizeof *v, 256);
    if (!v) {
        r->oom = true;
        return;
    }
    r->t->rows = v;
    r->t->rows[r->t->n++] = r->cur;
    memset(&r->cur, 0, sizeof r->cur);
    r->cur_cap = 0;
}

int csv_read(const char *path, genu_arena *a, csv_table *out, genu_err *err)
{
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f)
        return GENU_FAIL(err, errno == ENOENT ? GENU_ENOTFOUND : GENU_EIO, "%s: %s", path,
                         strerror(errno));
    struct csv_parser p;
    csv_table t = {0, NULL};
    reader r = {a, &t, 0, 0, {0, 0, NULL}, 0, false, 0, 0};
    int rc = GENU_OK;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
        rc = GENU_OOM(err);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while (!rc && (len = getline(&line, &cap, f)) >= 0) {
        r.line++;
        const char *s = line;
        if (r.line == 1 && len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
            s += 3;
            len -= 3;
        }
        if (csv_parse(&p, s, (size_t)len, on_field, on_row, &r) != (size_t)len)
            rc = GENU_FAIL(err, GENU_EINVAL, "%s:%zu: malformed CSV: %s", path, r.line,
                           csv_strerror(csv_error(&p)));
    }
    if (!rc && ferror(f))
        rc = GENU_FAIL(err, GENU_EIO, "%s: read error: %s", path, strerror(errno));
    if (!rc && csv_fini(&p, on_field, on_row, &r) != 0)
        rc = GENU_FAIL(err, GENU_EINVAL, "%s:%zu: malformed CSV: an unterminated quoted field",
                       path, r.line);
    if (!rc && r.oom)
        rc = GENU_FAIL(err, GENU_ENOMEM, "out of memory reading %s", path);
    if (!rc && r.nul_line)
        rc = GENU_FAIL(err, GENU_EINVAL, "%s:%zu:%zu: a cell holds a NUL byte", path, r.nul_line,
                       r.nul_col);
    csv_free(&p);
    free(line);
    if (!is_stdin)
        fclose(f);
    if (rc) {
        free(t.rows);
        return rc;
    }
    /* the rows live in the arena so callers free nothing */
    out->n = t.n;
    out->rows = genu_arena_calloc(a, t.n ? t.n : 1, sizeof *out->rows);
    if (!out->rows) {
        free(t.rows);
        return GENU_OOM(err);
    }
    if (t.n)
        memcpy(out->rows, t.rows, t.n * sizeof *t.rows);
    free(t.rows);
    return GENU_OK;
}

/* ---- writing ---- */

void csv_put(FILE *f, const char *s, bool first)
{
    if (!first)
        fputc(',', f);
    if (strpbrk(s, ",\"\r\n") || (*s && (s[0] == ' ' || s[strlen(s) - 1] == ' ')))
        csv_fwrite(f, s, strlen(s));
    else
        fputs(s, f);
}

/* ---- import ---- */

static int type_of_file(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    for (int t = 0; t < GENU_REC_NTYPES; t++)
        if (strcmp(base, tables[t].file) == 0)
            return t;
    return -1;
}

typedef struct lines {
    jsonl_line *v;
    size_t n, cap;
} lines;

static jsonl_line *add_line(lines *l)
{
    jsonl_line *v = genu_vec_room(l->v, &l->cap, l->n, sizeof *v, 256);
    if (!v)
        return NULL;
    l->v = v;
    jsonl_line *x = &l->v[l->n++];
    memset(x, 0, sizeof *x);
    return x;
}

/* Checks the header; fills col[i] (index into the type's columns) and the
 * field path of each column for jsonl's messages. */
static const char *header(genu_rtype t, const csv_row *h, genu_arena *a, size_t *col,
                          const char **paths, size_t *bad)
{
    for (size_t i = 0; i < h->n; i++) {
        size_t k = 0;
        while (k < tables[t].n && strcmp(tables[t].cols[k].name, h->cells[i]) != 0)
            k++;
        *bad = i + 1;
        if (k == tables[t].n || (tables[t].cols[k].flags & CSV_F_DEID)) {
            genu_buf b = GENU_BUF_INIT;
            for (size_t j = 0; j < tables[t].n; j++)
                if (!(tables[t].cols[j].flags & CSV_F_DEID))
                    genu_buf_printf(&b, "%s%s", b.len ? ", " : "", tables[t].cols[j].name);
            const char *msg = genu_arena_printf(a, "unknown column \"%.60s\" in %s (expected %s)",
                                                h->cells[i], tables[t].file, b.p);
            genu_buf_free(&b);
            return msg;
        }
        for (size_t j = 0; j < i; j++)
            if (col[j] == k)
                return genu_arena_printf(a, "column \"%s\" appears twice", h->cells[i]);
        col[i] = k;
        paths[i] = tables[t].cols[k].name;
    }
    paths[h->n] = NULL;
    return NULL;
}

/* One data row → a JSON Lines record (or a rejection naming the column). */
static int row_line(genu_rtype t, const char *file, const csv_row *row, const size_t *col,
                    size_t ncol, const char *const *paths, genu_arena *a, jsonl_line *out)
{
    out->where = genu_arena_printf(a, "%s:%zu", file, row->line);
    out->cols = paths;
    if (row->n != ncol) {
        out->cols = NULL;
        out->where = genu_arena_printf(a, "%s:%zu:%zu", file, row->line,
                                       (row->n < ncol ? row->n : ncol) + 1);
        out->error = genu_arena_printf(a, "expected %zu columns as in the header, got %zu", ncol,
                                       row->n);
        return out->where && out->error ? GENU_OK : GENU_ENOMEM;
    }
    json_t *o = json_object();
    json_object_set_new(o, "type", json_string(record_type_name(t)));
    for (size_t i = 0; i < ncol && !out->error; i++) {
        if (!row->cells[i][0])
            continue;
        const csv_col *c = &tables[t].cols[col[i]];
        genu_err e = {0};
        if (csv_set(o, c->name, c->kind, row->cells[i], &e)) {
            out->where = genu_arena_printf(a, "%s:%zu:%zu", file, row->line, i + 1);
            out->error = genu_arena_strdup(a, e.msg);
            out->cols = NULL; /* where names the column already */
        }
    }
    genu_buf b = GENU_BUF_INIT;
    genu_json_append(&b, o);
    json_decref(o);
    out->text = b.oom ? NULL : genu_arena_strdup(a, b.p);
    genu_buf_free(&b);
    return out->text && out->where ? GENU_OK : GENU_ENOMEM;
}

static int read_one(const char *file, genu_arena *a, lines *l, genu_err *err)
{
    int t = type_of_file(file);
    if (t < 0)
        return GENU_FAIL(err, GENU_EINVAL,
                         "%s: cannot tell the record type: name the file patients.csv, "
                         "identities.csv, diagnoses.csv, treatments.csv, responses.csv, "
                         "adverse_events.csv, exams.csv, messages.csv or deaths.csv",
                         file);
    csv_table tab;
    if (csv_read(file, a, &tab, err))
        return err->code;
    if (tab.n == 0)
        return GENU_OK;
    const csv_row *h = &tab.rows[0];
    size_t *col = genu_arena_calloc(a, h->n + 1, sizeof *col);
    const char **paths = genu_arena_calloc(a, h->n + 1, sizeof *paths);
    if (!col || !paths)
        return GENU_OOM(err);
    size_t bad = 0;
    const char *why = header((genu_rtype)t, h, a, col, paths, &bad);
    if (why) {
        jsonl_line *x = add_line(l);
        if (!x)
            return GENU_OOM(err);
        x->where = genu_arena_printf(a, "%s:%zu:%zu", file, h->line, bad);
        x->error = why;
        return GENU_OK;
    }
    for (size_t r = 1; r < tab.n; r++) {
        jsonl_line *x = add_line(l);
        if (!x || row_line((genu_rtype)t, file, &tab.rows[r], col, h->n, paths, a, x))
            return GENU_OOM(err);
    }
    return GENU_OK;
}

int csv_import(genu_store *s, const char *const *files, size_t n, const jsonl_import_opts *o,
               jsonl_stats *stats, genu_err *err)
{
    genu_arena *a = genu_arena_create();
    lines l = {NULL, 0, 0};
    memset(stats, 0, sizeof *stats);
    int rc = a ? GENU_OK : GENU_OOM(err);
    for (size_t i = 0; i < n && !rc; i++)
        rc = read_one(files[i], a, &l, err);
    if (!rc)
        rc = jsonl_import_lines(s, l.v, l.n, o, stats, err);
    free(l.v);
    genu_arena_destroy(a);
    return rc;
}

/* ---- export ---- */

typedef struct writer {
    const deid_opts *o;
    FILE *f[GENU_REC_NTYPES];
    size_t count;
    genu_buf b;
    genu_err *err;
} writer;

static bool col_wanted(const deid_opts *o, const csv_col *c)
{
    return o->deidentify ? !(c->flags & CSV_F_IDENT) : !(c->flags & CSV_F_DEID);
}

static const char *col_name(const deid_opts *o, const csv_col *c)
{
    if (c->kind == CSV_DATE && o->deidentify)
        return o->dates == DEID_DATES_YEAR ? "year" : "day";
    return c->name;
}

static int write_row(genu_rtype t, const char *doc, int32_t day, void *ctx)
{
    (void)day;
    writer *w = ctx;
    FILE *f = w->f[t];
    if (!f)
        return GENU_OK;
    json_t *o = genu_json_parse_object(doc, strlen(doc), w->err);
    if (!o)
        return w->err->code;
    bool first = true;
    for (size_t i = 0; i < tables[t].n; i++) {
        const csv_col *c = &tables[t].cols[i];
        if (!col_wanted(w->o, c))
            continue;
        genu_buf_clear(&w->b);
        csv_cell(o, col_name(w->o, c), c->kind, &w->b);
        csv_put(f, w->b.len ? w->b.p : "", first);
        first = false;
    }
    fputc('\n', f);
    json_decref(o);
    w->count++;
    if (w->b.oom)
        return GENU_OOM(w->err);
    return ferror(f) ? GENU_EIO : GENU_OK;
}

static int open_files(writer *w, const char *dir)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return GENU_FAIL(w->err, GENU_EIO, "%s: %s", dir, strerror(errno));
    for (int t = 0; t < GENU_REC_NTYPES; t++) {
        if (t == GENU_REC_IDENTITY && (w->o->deidentify || w->o->skip_identity))
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, tables[t].file);
        if (!(w->f[t] = fopen(path, "w")))
            return GENU_FAIL(w->err, GENU_EIO, "%s: %s", path, strerror(errno));
        bool first = true;
        for (size_t i = 0; i < tables[t].n; i++) {
            if (!col_wanted(w->o, &tables[t].cols[i]))
                continue;
            csv_put(w->f[t], col_name(w->o, &tables[t].cols[i]), first);
            first = false;
        }
        fputc('\n', w->f[t]);
    }
    return GENU_OK;
}

int csv_export(genu_store *s, const deid_opts *o, const char *dir, size_t *count, genu_err *err)
{
    writer w = {o, {0}, 0, GENU_BUF_INIT, err};
    int rc = open_files(&w, dir);
    if (!rc)
        rc = deid_each(s, o, write_row, &w, err);
    for (int t = 0; t < GENU_REC_NTYPES; t++)
        if (w.f[t] && fclose(w.f[t]) != 0 && !rc)
            rc = GENU_FAIL(err, GENU_EIO, "%s/%s: %s", dir, tables[t].file, strerror(errno));
    genu_buf_free(&w.b);
    *count = w.count;
    return rc;
}
