/* auth: the credentials of the server (docs/design.md, Security and reliability): Argon2id password
 * hashes, random tokens, SHA-256 token hashes, constant-time comparison,
 * roles and site scopes. Thin wrappers over libsodium; thread-safe once
 * auth_init has returned. */
#ifndef GENU_HTTP_AUTH_H
#define GENU_HTTP_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

#define AUTH_HASH_LEN  128 /* crypto_pwhash_STRBYTES */
/* Argon2id cost (OWASP Password Storage Cheat Sheet: m = 19 MiB, t = 2, p = 1) */
#define AUTH_ARGON2_PASSES 2
#define AUTH_ARGON2_MEMORY (19u * 1024 * 1024)
#define AUTH_TOKEN_LEN 44  /* 32 random bytes, base64url without padding, and the NUL */
#define AUTH_HEX_LEN   65  /* SHA-256 as hex and the NUL */
#define AUTH_PASSWORD_MIN 8
#define AUTH_PASSWORD_MAX 1024

/* Initialises libsodium; call before any other function (idempotent).
 * GENU_EIO when the library cannot start. */
int auth_init(genu_err *err);

/* Argon2id string of password (crypto_pwhash_str, AUTH_ARGON2_* limits) into
 * out. GENU_EINVAL when the password is shorter than AUTH_PASSWORD_MIN or
 * longer than AUTH_PASSWORD_MAX bytes (callers that set a user's password
 * check it with auth_password_check first); GENU_ENOMEM when hashing
 * fails. */
int auth_password_hash(const char *password, char out[AUTH_HASH_LEN], genu_err *err);
/* Whether password may be used (OWASP ASVS 2.1): AUTH_PASSWORD_MIN to
 * AUTH_PASSWORD_MAX bytes, not all blank, not one character repeated, not
 * a common password (data/passwords/common.txt, any case), not the user's
 * name (when name is not NULL). GENU_EINVAL says which rule failed. */
int auth_password_check(const char *password, const char *name, genu_err *err);
/* True when password matches the stored Argon2id string. */
bool auth_password_verify(const char *hash, const char *password);

/* A bound on the password verifications that run at once: each holds its
 * Argon2id memory (AUTH_ARGON2_MEMORY, or what the stored string names)
 * while it runs, so sign-ins from many clients would otherwise add up to
 * that many times it; the others wait their turn in the order the lock
 * gives. Thread-safe. */
#define AUTH_VERIFY_AT_ONCE 1
typedef struct auth_gate auth_gate;
/* NULL when out of memory. destroy accepts NULL. */
auth_gate *auth_gate_create(unsigned at_once);
void auth_gate_destroy(auth_gate *g);
/* auth_password_verify once fewer than at_once others run; g NULL: at once. */
bool auth_password_verify_gated(auth_gate *g, const char *hash, const char *password);

/* A new token: 32 random bytes as base64url (43 characters). */
void auth_token_new(char out[AUTH_TOKEN_LEN]);
/* SHA-256 of s as lower-case hex. */
void auth_sha256_hex(const char *s, char out[AUTH_HEX_LEN]);
/* Compares two strings in time independent of where they differ (the
 * length may leak). NULL equals nothing. */
bool auth_equal(const char *a, const char *b);

typedef enum { AUTH_ADMIN = 1, AUTH_CLINICIAN = 2, AUTH_RESEARCHER = 4, AUTH_PATIENT = 8 } auth_role;
/* The role named s ("admin", ...), or 0 when unknown. */
int auth_role_parse(const char *s);

/* Whether a user whose scope is `sites` (comma-separated; "" or NULL =
 * every site) may see a patient of `site`. */
bool auth_site_allowed(const char *sites, const char *site);

/* Whether a user name is acceptable: 1..64 bytes of [A-Za-z0-9._@-]. */
bool auth_name_valid(const char *name);

#endif
