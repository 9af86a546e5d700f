/* record: record helpers and the text form of scores and notes. */
#include "model/record.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

static const char *const type_names[GENU_REC_NTYPES] = {
    "patient", "identity", "diagnosis", "treatment", "response", "adverse_event", "exam",
    "message", "death",
};

int record_type_find(const char *s)
{
    for (int i = 0; i < GENU_REC_NTYPES; i++)
        if (strcmp(type_names[i], s) == 0)
            return i;
    return -1;
}

const char *record_type_name(genu_rtype t)
{
    return (unsigned)t < GENU_REC_NTYPES ? type_names[t] : NULL;
}

static const genu_score *find_score(const genu_record *r, const char *key)
{
    if (r->type != GENU_REC_RESPONSE)
        return NULL;
    const genu_response *resp = &r->u.response;
    for (size_t i = 0; i < resp->nscores; i++)
        if (strcmp(resp->scores[i].key, key) == 0)
            return &resp->scores[i];
    return NULL;
}

double record_score(const genu_record *r, const char *key)
{
    const genu_score *s = find_score(r, key);
    return s ? s->value : NAN;
}

bool record_has_score(const genu_record *r, const char *key)
{
    const genu_score *s = find_score(r, key);
    return s && !isnan(s->value);
}

/* Values are written as the 16 hex digits of their IEEE 754 bits: exact,
 * and far cheaper than printing decimals (imports write millions). */
char *record_scores_encode(const genu_score *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    genu_buf b = GENU_BUF_INIT;
    genu_buf_puts(&b, "");
    for (size_t i = 0; i < n; i++) {
        genu_buf_puts(&b, s[i].key);
        if (isnan(s[i].value)) {
            genu_buf_puts(&b, " null\n");
            continue;
        }
        uint64_t bits;
        memcpy(&bits, &s[i].value, sizeof bits);
        char v[18];
        v[0] = ' ';
        for (int k = 0; k < 16; k++)
            v[1 + k] = hex[(bits >> (60 - 4 * k)) & 15];
        v[17] = '\n';
        genu_buf_append(&b, v, sizeof v);
    }
    if (b.oom) {
        genu_buf_free(&b);
        return NULL;
    }
    return b.p;
}

static int hex_value(const char *p, double *out)
{
    uint64_t bits = 0;
    for (int k = 0; k < 16; k++) {
        char c = p[k];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0)
            return -1;
        bits = bits << 4 | (uint64_t)d;
    }
    memcpy(out, &bits, sizeof bits);
    return p[16] == '\n' ? 0 : -1;
}

static size_t count_lines(const char *text)
{
    size_t n = 0;
    for (const char *p = text; *p; p++)
        n += *p == '\n';
    return n;
}

static const char *known_key(const char *p, size_t n, const char *const *keys, size_t nkeys)
{
    for (size_t i = 0; i < nkeys; i++)
        if (strncmp(keys[i], p, n) == 0 && keys[i][n] == '\0')
            return keys[i];
    return NULL;
}

int record_scores_decode(const char *text, const char *const *keys, size_t nkeys, genu_arena *a,
                         genu_score **out, size_t *n, genu_err *err)
{
    size_t cap = count_lines(text);
    genu_score *s = genu_arena_calloc(a, cap ? cap : 1, sizeof *s);
    if (!s)
        return GENU_FAIL(err, GENU_ENOMEM, "out of memory decoding scores");
    size_t k = 0;
    for (const char *p = text; *p && k < cap;) {
        const char *sp = strchr(p, ' ');
        const char *nl = strchr(p, '\n');
        if (!sp || !nl || sp > nl)
            return GENU_FAIL(err, GENU_EIO, "stored scores are corrupt near \"%.20s\"", p);
        s[k].key = known_key(p, (size_t)(sp - p), keys, nkeys);
        if (!s[k].key)
            s[k].key = genu_arena_strndup(a, p, (size_t)(sp - p));
        if (strncmp(sp + 1, "null\n", 5) == 0)
            s[k].value = NAN;
        else if (nl - sp != 17 || hex_value(sp + 1, &s[k].value))
            return GENU_FAIL(err, GENU_EIO, "stored score \"%s\" is corrupt", s[k].key);
        if (!s[k].key)
            return GENU_FAIL(err, GENU_ENOMEM, "out of memory decoding scores");
        k++;
        p = nl + 1;
    }
    *out = s;
    *n = k;
    return GENU_OK;
}

char *record_notes_encode(const char *const *notes, size_t n)
{
    genu_buf b = GENU_BUF_INIT;
    genu_buf_puts(&b, "");
    for (size_t i = 0; i < n; i++) {
        genu_buf_puts(&b, notes[i]);
        genu_buf_putc(&b, '\n');
    }
    if (b.oom) {
        genu_buf_free(&b);
        return NULL;
    }
    return b.p;
}

int record_notes_decode(const char *text, genu_arena *a, const char *const **out, size_t *n,
                        genu_err *err)
{
    size_t cap = count_lines(text);
    const char **v = genu_arena_calloc(a, cap ? cap : 1, sizeof *v);
    if (!v)
        return GENU_FAIL(err, GENU_ENOMEM, "out of memory decoding notes");
    size_t k = 0;
    for (const char *p = text; *p && k < cap;) {
        const char *nl = strchr(p, '\n');
        if (!nl)
            break;
        if (!(v[k++] = genu_arena_strndup(a, p, (size_t)(nl - p))))
            return GENU_FAIL(err, GENU_ENOMEM, "out of memory decoding notes");
        p = nl + 1;
    }
    *out = v;
    *n = k;
    return GENU_OK;
}

int record_dataset_cmp(const void *x, const void *y)
{
    const genu_record *a = x, *b = y;
    if (a->pat != b->pat)
        return a->pat < b->pat ? -1 : 1;
    if (a->date != b->date)
        return a->date < b->date ? -1 : 1;
    return (a->seq > b->seq) - (a->seq < b->seq);
}

bool record_dataset_sorted(const genu_record *r, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (record_dataset_cmp(&r[i - 1], &r[i]) > 0)
            return false;
    return true;
}
