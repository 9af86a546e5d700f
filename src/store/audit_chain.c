/* audit_chain: the audit trail's row hash (see audit_chain.h). */
#include "store/audit_chain.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static void field(crypto_hash_sha256_state *h, const char *v)
{
    char len[24];
    if (!v) {
        crypto_hash_sha256_update(h, (const unsigned char *)"-;", 2);
        return;
    }
    size_t n = strlen(v);
    int k = snprintf(len, sizeof len, "%zu:", n);
    crypto_hash_sha256_update(h, (const unsigned char *)len, (unsigned long long)k);
    crypto_hash_sha256_update(h, (const unsigned char *)v, n);
}

void audit_chain_hash(const store_audit_row *r, char out[65])
{
    crypto_hash_sha256_state h;
    unsigned char d[crypto_hash_sha256_BYTES];
    char num[64];
    crypto_hash_sha256_init(&h);
    field(&h, r->prev);
    snprintf(num, sizeof num, "%lld", (long long)r->seq);
    field(&h, num);
    snprintf(num, sizeof num, "%lld", (long long)r->at_us);
    field(&h, num);
    field(&h, r->actor);
    field(&h, r->action);
    field(&h, r->type);
    field(&h, r->id);
    field(&h, r->before);
    field(&h, r->after);
    crypto_hash_sha256_final(&h, d);
    sodium_bin2hex(out, 65, d, sizeof d);
}

void audit_chain_user_doc(const store_user *u, int64_t id, genu_buf *b)
{
    genu_buf_printf(b, "{\"id\":%lld,\"name\":", (long long)id);
    genu_buf_json_str(b, u->name);
    genu_buf_puts(b, ",\"role\":");
    genu_buf_json_str(b, u->role);
    genu_buf_puts(b, ",\"sites\":");
    genu_buf_json_str(b, u->sites ? u->sites : "");
    genu_buf_printf(b, ",\"disabled\":%s}", u->disabled ? "true" : "false");
}

void audit_chain_digest(const char *doc, char out[AUDIT_DIGEST_LEN])
{
    unsigned char d[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(d, (const unsigned char *)doc, strlen(doc));
    memcpy(out, "sha256:", 7);
    sodium_bin2hex(out + 7, AUDIT_DIGEST_LEN - 7, d, sizeof d);
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
