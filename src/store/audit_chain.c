/* audit_chain: the audit trail's row hash (see audit_chain.h). */
#include "store/audit_chain.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store/sha256.h"

int64_t audit_chain_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Decimal digits of x into the end of buf[24]; returns where they start. */
static char *decimal(long long x, char *buf)
{
    char *p = buf + 24;
    unsigned long long u = x < 0 ? 0ULL - (unsigned long long)x : (unsigned long long)x;
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (x < 0)
        *--p = '-';
    return p;
}

static void field_n(sha256_ctx *h, const char *v, size_t n)
{
    char len[25], *p = decimal((long long)n, len);
    len[24] = ':';
    sha256_update(h, p, (size_t)(len + 25 - p));
    sha256_update(h, v, n);
}

static void field(sha256_ctx *h, const char *v)
{
    if (!v)
        sha256_update(h, "-;", 2);
    else
        field_n(h, v, strlen(v));
}

static void number(sha256_ctx *h, int64_t x)
{
    char buf[24], *p = decimal((long long)x, buf);
    field_n(h, p, (size_t)(buf + 24 - p));
}

/* The bytes field_n hashes for v (n bytes) appended at m[*k], when they
 * fit in m[0..cap); false when they do not. */
static bool put_field(char *m, size_t *k, size_t cap, const char *v, size_t n)
{
    char len[25], *p = decimal((long long)n, len);
    size_t w = (size_t)(len + 24 - p);
    if (*k + w + 1 + n > cap)
        return false;
    memcpy(m + *k, p, w);
    m[*k + w] = ':';
    memcpy(m + *k + w + 1, v, n);
    *k += w + 1 + n;
    return true;
}

static bool put_text(char *m, size_t *k, size_t cap, const char *v)
{
    if (v)
        return put_field(m, k, cap, v, strlen(v));
    if (*k + 2 > cap)
        return false;
    memcpy(m + *k, "-;", 2);
    *k += 2;
    return true;
}

static bool put_number(char *m, size_t *k, size_t cap, int64_t x)
{
    char buf[24], *p = decimal((long long)x, buf);
    return put_field(m, k, cap, p, (size_t)(buf + 24 - p));
}

static void hex(const uint8_t d[SHA256_BYTES], char out[65])
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < SHA256_BYTES; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[64] = '\0';
}

static int nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

bool audit_chain_unhex(const char *text, const char *prefix, uint8_t out[SHA256_BYTES])
{
    size_t k = strlen(prefix);
    if (!text || strncmp(text, prefix, k) != 0)
        return false;
    text += k;
    uint8_t d[SHA256_BYTES];
    for (size_t i = 0; i < SHA256_BYTES; i++) {
        int hi = nibble(text[2 * i]), lo = hi < 0 ? -1 : nibble(text[2 * i + 1]);
        if (lo < 0)
            return false;
        d[i] = (uint8_t)(hi << 4 | lo);
    }
    if (text[2 * SHA256_BYTES] != '\0')
        return false;
    memcpy(out, d, sizeof d);
    return true;
}

void audit_chain_hex(const uint8_t d[SHA256_BYTES], const char *prefix, char out[AUDIT_DIGEST_LEN])
{
    size_t k = strlen(prefix);
    memcpy(out, prefix, k);
    hex(d, out + k);
}

void audit_chain_hash(const store_audit_row *r, char out[65])
{
    uint8_t d[SHA256_BYTES];
    audit_chain_hash_bytes(r, out, d);
}

void audit_chain_hash_bytes(const store_audit_row *r, char out[65], uint8_t d[SHA256_BYTES])
{
    /* a row of a creation (short fields) is hashed in one piece from a
     * buffer; the same bytes as the fields one by one */
    char m[1024];
    size_t k = 0;
    if (put_text(m, &k, sizeof m, r->prev) && put_number(m, &k, sizeof m, r->seq) &&
        put_number(m, &k, sizeof m, r->at_us) && put_text(m, &k, sizeof m, r->actor) &&
        put_text(m, &k, sizeof m, r->action) && put_text(m, &k, sizeof m, r->type) &&
        put_text(m, &k, sizeof m, r->id) && put_text(m, &k, sizeof m, r->before) &&
        put_text(m, &k, sizeof m, r->after)) {
        sha256(m, k, d);
        hex(d, out);
        return;
    }
    sha256_ctx h;
    sha256_init(&h);
    field(&h, r->prev);
    number(&h, r->seq);
    number(&h, r->at_us);
    field(&h, r->actor);
    field(&h, r->action);
    field(&h, r->type);
    field(&h, r->id);
    field(&h, r->before);
    field(&h, r->after);
    sha256_final(&h, d);
    hex(d, out);
}

void audit_chain_user_doc(const store_user *u, int64_t id, genu_buf *b)
{
    genu_jw w;
    genu_jw_init(&w, b);
    genu_jw_obj(&w);
    genu_jw_kint(&w, "id", id);
    genu_jw_kstr(&w, "name", u->name);
    genu_jw_kstr(&w, "role", u->role);
    genu_jw_kstr(&w, "sites", u->sites ? u->sites : "");
    genu_jw_kbool(&w, "disabled", u->disabled);
    genu_jw_end(&w);
}

void audit_chain_digest(const char *doc, char out[AUDIT_DIGEST_LEN])
{
    audit_chain_digest_of(NULL, doc, out);
}

const char *audit_chain_digest_of(const store_digest *given, const char *doc,
                                  char out[AUDIT_DIGEST_LEN])
{
    uint8_t d[SHA256_BYTES];
    audit_chain_digest_bytes(given, doc, out, d);
    return out;
}

void audit_chain_digest_bytes(const store_digest *given, const char *doc,
                              char out[AUDIT_DIGEST_LEN], uint8_t d[SHA256_BYTES])
{
    if (given)
        memcpy(d, given->b, SHA256_BYTES);
    else
        sha256(doc, strlen(doc), d);
    memcpy(out, "sha256:", 7);
    hex(d, out + 7);
}

/* The first problem with row r after the walk so far, or NULL. */
static const char *row_problem(const audit_walk *w, const store_audit_row *r)
{
    char calc[65];
    if (r->seq != w->last_seq + 1)
        return r->seq > w->last_seq + 1 ? "rows before it are missing" : "rows out of order";
    if (!r->prev || strcmp(r->prev, w->prev) != 0)
        return "its link to the previous row is broken";
    audit_chain_hash(r, calc);
    if (!r->hash || strcmp(calc, r->hash) != 0)
        return "its content does not match its hash (edited)";
    return NULL;
}

bool audit_walk_row(audit_walk *w, const store_audit_row *r, int64_t *broken, char *why,
                    size_t whylen)
{
    const char *problem = row_problem(w, r);
    if (problem) {
        *broken = r->seq;
        snprintf(why, whylen, "row %lld: %s", (long long)r->seq, problem);
        return false;
    }
    memcpy(w->prev, r->hash, sizeof w->prev);
    w->last_seq = r->seq;
    w->checked++;
    return true;
}

void audit_walk_end(const audit_walk *w, int64_t *broken, char *why, size_t whylen)
{
    if (*broken)
        return;
    if (w->head_seq != w->last_seq || (w->head_seq && strcmp(w->head_hash, w->prev) != 0)) {
        *broken = -1;
        snprintf(why, whylen, "the trail ends at row %lld but its recorded head is row %lld",
                 (long long)w->last_seq, (long long)w->head_seq);
    } else {
        snprintf(why, whylen, "intact");
    }
}
