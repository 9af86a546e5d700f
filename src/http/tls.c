/* tls: certificate generations for the HTTPS server. Each load makes a
 * generation (certificate chain and key); the newest is in force, and all
 * are freed together at the end. */
#include "http/tls.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define TLS_MAX_CHAIN 16

typedef struct tls_gen {
    gnutls_pcert_st pcert[TLS_MAX_CHAIN];
    unsigned npcert;
    gnutls_privkey_t key;
    struct tls_gen *older;
} tls_gen;

struct tls {
    char *cert_path, *key_path;
    tls_gen *gens; /* newest first; gens is the one in force */
};

/* The process's credentials in force (see tls.h). */
static pthread_mutex_t slot_mu = PTHREAD_MUTEX_INITIALIZER;
static tls *slot;

static void gen_free(tls_gen *g)
{
    while (g) {
        tls_gen *older = g->older;
        for (unsigned i = 0; i < g->npcert; i++)
            gnutls_pcert_deinit(&g->pcert[i]);
        if (g->key)
            gnutls_privkey_deinit(g->key);
        free(g);
        g = older;
    }
}

/* The key id of the certificate's public key equals the private key's. */
static bool key_matches(tls_gen *g)
{
    gnutls_pubkey_t pub;
    unsigned char a[64], b[64];
    size_t na = sizeof a, nb = sizeof b;
    if (gnutls_pubkey_init(&pub) < 0)
        return false;
    bool ok = gnutls_pubkey_import_privkey(pub, g->key, 0, 0) >= 0 &&
              gnutls_pubkey_get_key_id(pub, 0, a, &na) >= 0 &&
              gnutls_pubkey_get_key_id(g->pcert[0].pubkey, 0, b, &nb) >= 0 && na == nb &&
              memcmp(a, b, na) == 0;
    gnutls_pubkey_deinit(pub);
    return ok;
}

static int gen_load(const char *cert, const char *key, tls_gen **out, genu_err *err)
{
    tls_gen *g = calloc(1, sizeof *g);
    if (!g)
        return GENU_OOM(err);
    g->npcert = TLS_MAX_CHAIN;
    int r = gnutls_pcert_list_import_x509_file(g->pcert, &g->npcert, cert, GNUTLS_X509_FMT_PEM,
                                               NULL, NULL, 0);
    if (r < 0) {
        g->npcert = 0;
        gen_free(g);
        return GENU_FAIL(err, GENU_EINVAL, "--tls-cert: %s: %s", cert, gnutls_strerror(r));
    }
    gnutls_datum_t d = {NULL, 0};
    if ((r = gnutls_load_file(key, &d)) >= 0 && (r = gnutls_privkey_init(&g->key)) >= 0)
        r = gnutls_privkey_import_x509_raw(g->key, &d, GNUTLS_X509_FMT_PEM, NULL, 0);
    if (d.data) {
        gnutls_memset(d.data, 0, d.size);
        gnutls_free(d.data);
    }
    if (r < 0) {
        gen_free(g);
        return GENU_FAIL(err, GENU_EINVAL, "--tls-key: %s: %s", key, gnutls_strerror(r));
    }
    if (!key_matches(g)) {
        gen_free(g);
        return GENU_FAIL(err, GENU_EINVAL, "--tls-key: %s is not the key of the certificate %s",
                         key, cert);
    }
    *out = g;
    return GENU_OK;
}

int tls_create(const char *cert, const char *key, tls **out, genu_err *err)
{
    if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES ||
        MHD_is_feature_supported(MHD_FEATURE_HTTPS_CERT_CALLBACK) != MHD_YES)
        return GENU_FAIL(err, GENU_ENOTSUP, "this libmicrohttpd was built without TLS");
    tls *t = calloc(1, sizeof *t);
    if (!t || !(t->cert_path = strdup(cert)) || !(t->key_path = strdup(key))) {
        tls_destroy(t);
        return GENU_OOM(err);
    }
    if (gen_load(cert, key, &t->gens, err)) {
        tls_destroy(t);
        return err->code;
    }
    pthread_mutex_lock(&slot_mu);
    bool taken = slot != NULL;
    if (!taken)
        slot = t;
    pthread_mutex_unlock(&slot_mu);
    if (taken) {
        tls_destroy(t);
        return GENU_FAIL(err, GENU_ENOTSUP, "one TLS server a process");
    }
    *out = t;
    return GENU_OK;
}

int tls_reload(tls *t, genu_err *err)
{
    tls_gen *g;
    if (gen_load(t->cert_path, t->key_path, &g, err))
        return err->code;
    pthread_mutex_lock(&slot_mu);
    g->older = t->gens;
    t->gens = g;
    pthread_mutex_unlock(&slot_mu);
    return GENU_OK;
}

void tls_destroy(tls *t)
{
    if (!t)
        return;
    pthread_mutex_lock(&slot_mu);
    if (slot == t)
        slot = NULL;
    pthread_mutex_unlock(&slot_mu);
    gen_free(t->gens);
    free(t->cert_path);
    free(t->key_path);
    free(t);
}

int tls_retrieve(gnutls_session_t session, const gnutls_datum_t *req_ca_rdn, int nreqs,
                 const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
                 gnutls_pcert_st **pcert, unsigned int *pcert_length, gnutls_privkey_t *pkey)
{
    (void)session;
    (void)req_ca_rdn;
    (void)nreqs;
    (void)pk_algos;
    (void)pk_algos_length;
    int rc = -1;
    pthread_mutex_lock(&slot_mu);
    if (slot && slot->gens) {
        *pcert = slot->gens->pcert;
        *pcert_length = slot->gens->npcert;
        *pkey = slot->gens->key;
        rc = 0;
    }
    pthread_mutex_unlock(&slot_mu);
    return rc;
}
