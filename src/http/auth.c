/* auth: passwords, tokens and scopes over libsodium. Argon2id with OWASP's
 * recommended floor (19 MiB, 2 passes, one lane) rather than libsodium's
 * "interactive" 64 MiB: each sign-in's memory counts against the server's
 * resident-memory budget (docs/design.md, Performance), and the rate limiter multiplies an
 * attacker's cost. Hashes made with other limits still verify: the string
 * carries its own parameters. */
#include "http/auth.h"

#include <ctype.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "io/datafiles.h"

int auth_init(genu_err *err)
{
    if (sodium_init() < 0)
        return GENU_FAIL(err, GENU_EIO, "libsodium failed to initialise");
    return GENU_OK;
}

int auth_password_hash(const char *password, char out[AUTH_HASH_LEN], genu_err *err)
{
    size_t n = strlen(password);
    if (n < AUTH_PASSWORD_MIN)
        return GENU_FAIL(err, GENU_EINVAL, "password: at least %d characters needed",
                         AUTH_PASSWORD_MIN);
    if (n > AUTH_PASSWORD_MAX)
        return GENU_FAIL(err, GENU_EINVAL, "password: at most %d characters", AUTH_PASSWORD_MAX);
    if (crypto_pwhash_str(out, password, n, AUTH_ARGON2_PASSES, AUTH_ARGON2_MEMORY) != 0)
        return GENU_FAIL(err, GENU_ENOMEM, "password: out of memory while hashing");
    return GENU_OK;
}

/* Whether password is on the shipped list of common passwords. */
static bool common_password(const char *password)
{
    size_t n;
    const data_file *f = data_files(&n);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(f[i].path, "passwords/common.txt") != 0)
            continue;
        const char *p = (const char *)f[i].data, *end = p + f[i].len;
        size_t len = strlen(password);
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t k = nl ? (size_t)(nl - p) : (size_t)(end - p);
            if (k == len && *p != '#' && strncasecmp(p, password, len) == 0)
                return true;
            p += k + 1;
        }
    }
    return false;
}

int auth_password_check(const char *password, const char *name, genu_err *err)
{
    size_t n = strlen(password), blank = 0, same = 0;
    if (n < AUTH_PASSWORD_MIN)
        return GENU_FAIL(err, GENU_EINVAL, "password: at least %d characters needed",
                         AUTH_PASSWORD_MIN);
    if (n > AUTH_PASSWORD_MAX)
        return GENU_FAIL(err, GENU_EINVAL, "password: at most %d characters", AUTH_PASSWORD_MAX);
    for (size_t i = 0; i < n; i++) {
        blank += isspace((unsigned char)password[i]) != 0;
        same += password[i] == password[0];
    }
    if (blank == n)
        return GENU_FAIL(err, GENU_EINVAL, "password: must not be all blank");
    if (same == n)
        return GENU_FAIL(err, GENU_EINVAL, "password: must not be one character repeated");
    if (common_password(password))
        return GENU_FAIL(err, GENU_EINVAL,
                         "password: too common (on the list of breached passwords); choose "
                         "another");
    if (name && strcasecmp(name, password) == 0)
        return GENU_FAIL(err, GENU_EINVAL, "password: must not be the user's name");
    return GENU_OK;
}

bool auth_password_verify(const char *hash, const char *password)
{
    size_t n = strlen(password);
    if (!hash || n > AUTH_PASSWORD_MAX)
        return false;
    return crypto_pwhash_str_verify(hash, password, n) == 0;
}

struct auth_gate {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned free; /* verifications that may start now */
};

auth_gate *auth_gate_create(unsigned at_once)
{
    auth_gate *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->cv, NULL);
    g->free = at_once ? at_once : 1;
    return g;
}

void auth_gate_destroy(auth_gate *g)
{
    if (!g)
        return;
    pthread_cond_destroy(&g->cv);
    pthread_mutex_destroy(&g->mu);
    free(g);
}

bool auth_password_verify_gated(auth_gate *g, const char *hash, const char *password)
{
    if (!g)
        return auth_password_verify(hash, password);
    pthread_mutex_lock(&g->mu);
    while (g->free == 0)
        pthread_cond_wait(&g->cv, &g->mu);
    g->free--;
    pthread_mutex_unlock(&g->mu);
    bool ok = auth_password_verify(hash, password);
    pthread_mutex_lock(&g->mu);
    g->free++;
    pthread_cond_signal(&g->cv);
    pthread_mutex_unlock(&g->mu);
    return ok;
}

void auth_token_new(char out[AUTH_TOKEN_LEN])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, AUTH_TOKEN_LEN, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
}

void auth_sha256_hex(const char *s, char out[AUTH_HEX_LEN])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)s, strlen(s));
    sodium_bin2hex(out, AUTH_HEX_LEN, h, sizeof h);
}

bool auth_equal(const char *a, const char *b)
{
    if (!a || !b)
        return false;
    size_t n = strlen(a);
    if (n != strlen(b))
        return false;
    return n == 0 || sodium_memcmp(a, b, n) == 0;
}

int auth_role_parse(const char *s)
{
    static const struct {
        const char *name;
        int role;
    } roles[] = {{"admin", AUTH_ADMIN},
                 {"clinician", AUTH_CLINICIAN},
                 {"researcher", AUTH_RESEARCHER},
                 {"patient", AUTH_PATIENT}};
    for (size_t i = 0; s && i < sizeof roles / sizeof roles[0]; i++)
        if (strcmp(s, roles[i].name) == 0)
            return roles[i].role;
    return 0;
}

bool auth_site_allowed(const char *sites, const char *site)
{
    if (!sites || !*sites)
        return true;
    if (!site)
        return false;
    size_t n = strlen(site);
    for (const char *p = sites; *p;) {
        const char *e = strchr(p, ',');
        size_t m = e ? (size_t)(e - p) : strlen(p);
        if (m == n && n > 0 && memcmp(p, site, n) == 0)
            return true;
        if (!e)
            break;
        p = e + 1;
    }
    return false;
}

bool auth_name_valid(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '@' || c == '-'))
            return false;
    }
    return true;
}
