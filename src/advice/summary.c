/* summary: the registry-wide figures advice reads, as counts that combine
 * exactly, and their text form (summary.h). */
#include "advice/summary.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "model/vocab.h"

/* ---- label and arithmetic ---------------------------------------------- */

/* s %-escaped (spaces, controls and '%'), after a '=' so that "" is "=". */
static void put_esc(genu_buf *b, const char *s)
{
    genu_buf_putc(b, '=');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p <= ' ' || *p == '%' || *p == 0x7f)
            genu_buf_printf(b, "%%%02X", *p);
        else
            genu_buf_putc(b, (char)*p);
    }
}

const char *summary_label(const char *head, genu_date as_of, const char *definition,
                          const char *timepoint, genu_arena *a)
{
    genu_buf b = GENU_BUF_INIT;
    char d[GENU_DATE_STRLEN];
    genu_date_format(as_of, d);
    genu_buf_printf(&b, "%d %s ", SUMMARY_VERSION, GENU_VERSION);
    put_esc(&b, head ? head : "");
    genu_buf_printf(&b, " %s ", d);
    put_esc(&b, definition);
    genu_buf_putc(&b, ' ');
    put_esc(&b, timepoint);
    char *s = b.oom ? NULL : genu_arena_strndup(a, b.p, b.len);
    genu_buf_free(&b);
    return s;
}

summary_claim summary_claim_minus(summary_claim x, summary_claim y)
{
    return (summary_claim){x.analysed - y.analysed, x.responders - y.responders};
}

summary_next summary_next_minus(summary_next x, summary_next y)
{
    return (summary_next){x.waned - y.waned, x.repeat - y.repeat,
                          x.repeat_helped - y.repeat_helped, x.escalate - y.escalate,
                          x.escalate_helped - y.escalate_helped};
}

summary_next summary_next_plus(summary_next x, summary_next y)
{
    return (summary_next){x.waned + y.waned, x.repeat + y.repeat,
                          x.repeat_helped + y.repeat_helped, x.escalate + y.escalate,
                          x.escalate_helped + y.escalate_helped};
}

/* ---- keys: sessions per knee and costs --------------------------------- */

/* Room for index i in an arena array of *cap elements (doubling). */
static void *room(genu_arena *a, void *v, size_t *cap, size_t i, size_t size)
{
    if (i < *cap)
        return v;
    size_t cap2 = *cap ? 2 * *cap : 8;
    while (cap2 <= i)
        cap2 *= 2;
    void *w = genu_arena_calloc(a, cap2, size);
    if (w && *cap)
        memcpy(w, v, *cap * size);
    if (w)
        *cap = cap2;
    return w;
}

/* Counting state of one key while walking the treatments. */
typedef struct kstate {
    size_t pat;             /* the patient being counted, (size_t)-1 none */
    genu_date prev[3];      /* its knees' previous treatment day */
    size_t days[3];         /* and their treatment days so far */
    size_t cap_hist, cap_cur;
} kstate;

static int hist_add(genu_arena *a, summary_key *k, kstate *st, size_t days)
{
    size_t *h = room(a, k->hist, &st->cap_hist, days, sizeof *h);
    if (!h)
        return -1;
    k->hist = h;
    h[days]++;
    if (days >= k->nhist)
        k->nhist = days + 1;
    return 0;
}

/* The knees of the patient counted so far go into the histogram. */
static int flush(genu_arena *a, summary_key *k, kstate *st)
{
    for (int i = 1; i <= 2; i++)
        if (st->days[i] && hist_add(a, k, st, st->days[i]))
            return -1;
    st->pat = (size_t)-1;
    st->prev[1] = st->prev[2] = GENU_DATE_NONE;
    st->days[1] = st->days[2] = 0;
    return 0;
}

/* Treatment r on its knee counts for key k: a new day is a session. */
static int key_add(genu_arena *a, summary_key *k, kstate *st, const genu_record *r)
{
    if (r->pat != st->pat) {
        if (flush(a, k, st))
            return -1;
        st->pat = r->pat;
    }
    int kn = (int)r->knee;
    if (r->date != st->prev[kn])
        st->days[kn]++;
    st->prev[kn] = r->date;
    const genu_treatment *t = &r->u.treatment;
    if (isnan(t->cost))
        return 0;
    k->cost += t->cost;
    k->ncost++;
    if (!t->currency)
        return 0;
    size_t i = 0;
    while (i < k->ncur && strcmp(k->cur[i].currency, t->currency) != 0)
        i++;
    if (i == k->ncur) {
        summary_cost *c = room(a, k->cur, &st->cap_cur, i, sizeof *c);
        if (!c)
            return -1;
        k->cur = c;
        c[i].currency = t->currency;
        k->ncur++;
    }
    k->cur[i].sum += t->cost;
    k->cur[i].n++;
    return 0;
}

static bool visible(const genu_record *r, genu_date as_of)
{
    return r->date <= as_of && r->knee != GENU_KNEE_NONE;
}

static bool is_injection(const genu_record *r)
{
    const vocab_kind *k = vocab_kind_at(r->u.treatment.kind);
    return k && (k->flags & VOCAB_INJECTION);
}

/* The keys: every protocol (hash → its index), then every set of injection
 * kinds one knee had on one day, in order of first appearance. */
static int find_keys(const genu_dataset *ds, genu_date as_of, genu_arena *a, genu_hash *protos,
                     summary *s)
{
    size_t n = ds->n[GENU_REC_TREATMENT], nmask = 0, capm = 0, capk = 0;
    uint32_t *masks = NULL;
    const genu_record *t = ds->recs[GENU_REC_TREATMENT];
    uint32_t day[3] = {0, 0, 0};
    s->nkey = 0;
    for (size_t i = 0; i <= n; i++) {
        const genu_record *r = i < n ? &t[i] : NULL;
        bool vis = r && visible(r, as_of);
        /* a (patient, day) ends: its knees' kinds sets */
        if (i > 0 && (!r || r->pat != t[i - 1].pat || r->date != t[i - 1].date)) {
            for (int k = 1; k <= 2; k++) {
                size_t j = 0;
                while (day[k] && j < nmask && masks[j] != day[k])
                    j++;
                if (day[k] && j == nmask) {
                    if (!(masks = room(a, masks, &capm, nmask, sizeof *masks)))
                        return -1;
                    masks[nmask++] = day[k];
                }
                day[k] = 0;
            }
        }
        if (!vis)
            continue;
        if (is_injection(r))
            day[r->knee] |= 1u << r->u.treatment.kind;
        const char *p = r->u.treatment.protocol;
        if (p) {
            int put = genu_hash_put(protos, p, s->nkey, NULL);
            if (put < 0)
                return -1;
            if (put == 1) {
                if (!(s->key = room(a, s->key, &capk, s->nkey, sizeof *s->key)))
                    return -1;
                s->key[s->nkey++].protocol = p;
            }
        }
    }
    for (size_t j = 0; j < nmask; j++) {
        if (!(s->key = room(a, s->key, &capk, s->nkey, sizeof *s->key)))
            return -1;
        s->key[s->nkey++].kinds = masks[j];
    }
    return 0;
}

/* The protocols come first in s->key, each once. */
static size_t nprotocols(const summary *s)
{
    size_t i = 0;
    while (i < s->nkey && s->key[i].protocol)
        i++;
    return i;
}

static int count_keys(const genu_dataset *ds, genu_date as_of, genu_arena *a,
                      const genu_hash *protos, summary *s)
{
    kstate *st = genu_arena_calloc(a, s->nkey ? s->nkey : 1, sizeof *st);
    if (!st)
        return -1;
    for (size_t i = 0; i < s->nkey; i++) {
        st[i].pat = (size_t)-1;
        st[i].prev[1] = st[i].prev[2] = GENU_DATE_NONE;
    }
    size_t np = nprotocols(s), n = ds->n[GENU_REC_TREATMENT];
    const genu_record *t = ds->recs[GENU_REC_TREATMENT];
    for (size_t i = 0; i < n; i++) {
        const genu_record *r = &t[i];
        if (!visible(r, as_of))
            continue;
        size_t j;
        if (r->u.treatment.protocol && genu_hash_get(protos, r->u.treatment.protocol, &j) &&
            key_add(a, &s->key[j], &st[j], r))
            return -1;
        uint32_t bit = 1u << r->u.treatment.kind;
        for (j = np; j < s->nkey; j++)
            if ((s->key[j].kinds & bit) && key_add(a, &s->key[j], &st[j], r))
                return -1;
    }
    for (size_t j = 0; j < s->nkey; j++)
        if (flush(a, &s->key[j], &st[j]))
            return -1;
    return 0;
}

int summary_keys_build(const genu_dataset *ds, genu_date as_of, genu_arena *a, summary *s,
                       genu_err *err)
{
    genu_hash *protos = genu_hash_create();
    s->nkey = 0;
    s->key = NULL;
    int rc = !protos || find_keys(ds, as_of, a, protos, s) || count_keys(ds, as_of, a, protos, s);
    genu_hash_destroy(protos);
    return rc ? GENU_OOM(err) : GENU_OK;
}

const summary_key *summary_key_find(const summary *s, const char *protocol, uint32_t kinds)
{
    for (size_t i = 0; i < s->nkey; i++) {
        const summary_key *k = &s->key[i];
        if (protocol ? k->protocol && strcmp(k->protocol, protocol) == 0
                     : !k->protocol && k->kinds == kinds)
            return k;
    }
    return NULL;
}

/* The value at rank i (from 0) of the sorted sessions per knee. */
static size_t hist_at(const summary_key *k, size_t i)
{
    size_t s = 0;
    for (; s < k->nhist; s++) {
        if (i < k->hist[s])
            break;
        i -= k->hist[s];
    }
    return s;
}

double summary_key_median(const summary_key *k)
{
    size_t n = 0;
    for (size_t s = 0; s < k->nhist; s++)
        n += k->hist[s];
    if (!n)
        return NAN;
    return n % 2 ? (double)hist_at(k, n / 2) : (hist_at(k, n / 2 - 1) + hist_at(k, n / 2)) / 2.0;
}

double summary_key_mean_cost(const summary_key *k, const char *currency)
{
    if (!currency)
        return k->ncost ? k->cost / (double)k->ncost : NAN;
    for (size_t i = 0; i < k->ncur; i++)
        if (strcmp(k->cur[i].currency, currency) == 0)
            return k->cur[i].n ? k->cur[i].sum / (double)k->cur[i].n : NAN;
    return NAN;
}

/* ---- the text form ------------------------------------------------------ */

static void put_double(genu_buf *b, double d)
{
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    genu_buf_printf(b, " %016llx", (unsigned long long)bits);
}

void summary_encode(const summary *s, genu_buf *b)
{
    genu_buf_puts(b, "genu-advice-summary\nlabel ");
    put_esc(b, s->label ? s->label : "");
    genu_buf_putc(b, '\n');
    for (int i = 0; i < SUMMARY_NBAND; i++)
        for (int j = 0; j < SUMMARY_NFAMILY; j++)
            genu_buf_printf(b, "similar %d %d %zu %zu\n", i, j, s->similar[i][j].analysed,
                            s->similar[i][j].responders);
    for (int i = 0; i < SUMMARY_NSTRENGTH; i++) {
        const summary_next *x = &s->next[i];
        genu_buf_printf(b, "next %d %zu %zu %zu %zu %zu\n", i, x->waned, x->repeat,
                        x->repeat_helped, x->escalate, x->escalate_helped);
    }
    for (size_t i = 0; i < s->nkey; i++) {
        const summary_key *k = &s->key[i];
        if (k->protocol) {
            genu_buf_puts(b, "key protocol ");
            put_esc(b, k->protocol);
        } else {
            genu_buf_printf(b, "key kinds %lx", (unsigned long)k->kinds);
        }
        genu_buf_puts(b, "\nhist");
        for (size_t j = 0; j < k->nhist; j++)
            genu_buf_printf(b, " %zu", k->hist[j]);
        genu_buf_printf(b, "\ncost %zu", k->ncost);
        put_double(b, k->cost);
        genu_buf_putc(b, '\n');
        for (size_t j = 0; j < k->ncur; j++) {
            genu_buf_puts(b, "currency ");
            put_esc(b, k->cur[j].currency);
            genu_buf_printf(b, " %zu", k->cur[j].n);
            put_double(b, k->cur[j].sum);
            genu_buf_putc(b, '\n');
        }
    }
    genu_buf_puts(b, "end\n");
}

/* A line's fields: up to 64, split at spaces, in place. */
typedef struct fields {
    size_t n;
    char *f[64];
} fields;

static int split(char *line, fields *fs)
{
    fs->n = 0;
    for (char *p = line; *p;) {
        if (fs->n == 64)
            return -1;
        fs->f[fs->n++] = p;
        p += strcspn(p, " ");
        if (*p)
            *p++ = '\0';
    }
    return 0;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* An escaped string (put_esc) into the arena; NULL when malformed (*oom
 * set when out of memory). */
static const char *get_esc(const char *f, genu_arena *a, bool *oom)
{
    if (*f++ != '=')
        return NULL;
    char *s = genu_arena_alloc(a, strlen(f) + 1), *d = s;
    if (!s) {
        *oom = true;
        return NULL;
    }
    while (*f) {
        if (*f != '%') {
            *d++ = *f++;
            continue;
        }
        int hi = hexval(f[1]), lo = hi < 0 ? -1 : hexval(f[2]);
        if (lo < 0 || (hi == 0 && lo == 0))
            return NULL;
        *d++ = (char)(hi * 16 + lo);
        f += 3;
    }
    *d = '\0';
    return s;
}

static bool get_size(const char *f, size_t *out)
{
    if (*f < '0' || *f > '9')
        return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(f, &end, 10);
    if (errno || *end || v > SIZE_MAX)
        return false;
    *out = (size_t)v;
    return true;
}

static bool get_double(const char *f, double *out)
{
    if (strlen(f) != 16 || strspn(f, "0123456789abcdef") != 16)
        return false;
    uint64_t bits = strtoull(f, NULL, 16);
    memcpy(out, &bits, sizeof *out);
    return true;
}

/* One line of the text form after the label into s; false when malformed. */
static bool decode_line(fields *fs, genu_arena *a, summary *s, size_t *capk, size_t *capc,
                        bool *oom)
{
    const char *w = fs->f[0];
    size_t v[6];
    summary_key *k = s->nkey ? &s->key[s->nkey - 1] : NULL;
    if (strcmp(w, "similar") == 0 && fs->n == 5) {
        for (size_t i = 0; i < 4; i++)
            if (!get_size(fs->f[i + 1], &v[i]))
                return false;
        if (v[0] >= SUMMARY_NBAND || v[1] >= SUMMARY_NFAMILY)
            return false;
        s->similar[v[0]][v[1]] = (summary_claim){v[2], v[3]};
        return true;
    }
    if (strcmp(w, "next") == 0 && fs->n == 7) {
        for (size_t i = 0; i < 6; i++)
            if (!get_size(fs->f[i + 1], &v[i]))
                return false;
        if (v[0] >= SUMMARY_NSTRENGTH)
            return false;
        s->next[v[0]] = (summary_next){v[1], v[2], v[3], v[4], v[5]};
        return true;
    }
    if (strcmp(w, "key") == 0 && fs->n == 3) {
        if (!(s->key = room(a, s->key, capk, s->nkey, sizeof *s->key))) {
            *oom = true;
            return false;
        }
        k = &s->key[s->nkey++];
        *capc = 0;
        if (strcmp(fs->f[1], "protocol") == 0)
            return (k->protocol = get_esc(fs->f[2], a, oom)) != NULL;
        char *end;
        errno = 0;
        unsigned long m = strtoul(fs->f[2], &end, 16);
        k->kinds = (uint32_t)m;
        return strcmp(fs->f[1], "kinds") == 0 && !errno && !*end && m && m <= UINT32_MAX;
    }
    if (!k)
        return false;
    if (strcmp(w, "hist") == 0 && !k->hist) {
        k->nhist = fs->n - 1;
        if (!(k->hist = genu_arena_calloc(a, k->nhist ? k->nhist : 1, sizeof *k->hist))) {
            *oom = true;
            return false;
        }
        for (size_t i = 0; i < k->nhist; i++)
            if (!get_size(fs->f[i + 1], &k->hist[i]))
                return false;
        return true;
    }
    if (strcmp(w, "cost") == 0 && fs->n == 3)
        return get_size(fs->f[1], &k->ncost) && get_double(fs->f[2], &k->cost);
    if (strcmp(w, "currency") == 0 && fs->n == 4) {
        summary_cost *c = room(a, k->cur, capc, k->ncur, sizeof *c);
        if (!c) {
            *oom = true;
            return false;
        }
        k->cur = c;
        c = &c[k->ncur++];
        return (c->currency = get_esc(fs->f[1], a, oom)) && get_size(fs->f[2], &c->n) &&
               get_double(fs->f[3], &c->sum);
    }
    return false;
}

int summary_decode(const char *text, genu_arena *a, summary *out, genu_err *err)
{
    summary s;
    memset(&s, 0, sizeof s);
    char *t = genu_arena_strdup(a, text);
    if (!t)
        return GENU_OOM(err);
    size_t line = 0, capk = 0, capc = 0;
    bool oom = false, end = false;
    for (char *p = t; *p && !end;) {
        char *nl = strchr(p, '\n');
        if (!nl)
            return GENU_FAIL(err, GENU_EINVAL, "advice summary, line %zu: no end of line",
                             line + 1);
        *nl = '\0';
        line++;
        fields fs;
        bool ok = split(p, &fs) == 0 && fs.n > 0;
        if (ok && line == 1)
            ok = fs.n == 1 && strcmp(fs.f[0], "genu-advice-summary") == 0;
        else if (ok && line == 2)
            ok = fs.n == 2 && strcmp(fs.f[0], "label") == 0 &&
                 (s.label = get_esc(fs.f[1], a, &oom)) != NULL;
        else if (ok && fs.n == 1 && strcmp(fs.f[0], "end") == 0)
            end = true;
        else if (ok)
            ok = decode_line(&fs, a, &s, &capk, &capc, &oom);
        if (oom)
            return GENU_OOM(err);
        if (!ok)
            return GENU_FAIL(err, GENU_EINVAL, "advice summary, line %zu: malformed", line);
        p = nl + 1;
    }
    if (!end)
        return GENU_FAIL(err, GENU_EINVAL, "advice summary: no end line");
    *out = s;
    return GENU_OK;
}
