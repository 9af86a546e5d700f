/* config: genu's configuration file (/etc/genu/genu.conf, --config FILE,
 * $GENU_CONFIG): what a clinic sets once for the server and the commands
 * beside it — the registry, the listen address, TLS files, threads and
 * timeouts, and the files that hold secrets (the database and SMTP
 * passwords), which are read from those files and never kept in the
 * configuration itself. The syntax is one `key = value` a line; blank
 * lines and lines whose first non-blank character is `#` are comments, and
 * so is the rest of a line from a `#` preceded by white space. An unknown
 * key, a key given twice, a missing `=` or value, and a bad number are
 * GENU_EINVAL naming FILE:LINE. Flags and environment variables override
 * the file (docs/operations.md, Configure). */
#ifndef GENU_IO_CONFIG_H
#define GENU_IO_CONFIG_H

#include <stddef.h>

#include "core/arena.h"
#include "core/err.h"

/* The default configuration file, read when it exists. */
#define CONFIG_DEFAULT_PATH "/etc/genu/genu.conf"

typedef enum config_key {
    CONFIG_DB,                 /* registry: file path or postgresql:// URL */
    CONFIG_READ_DB,            /* serve --read-db: a PostgreSQL standby's postgresql:// URL */
    CONFIG_LISTEN,             /* serve --listen */
    CONFIG_THREADS,            /* serve --threads (1..256) */
    CONFIG_TIMEOUT,            /* serve --timeout (1..3600) */
    CONFIG_HEADER_TIMEOUT,     /* serve --header-timeout (1..3600) */
    CONFIG_IDLE_TIMEOUT,       /* serve --idle-timeout (1..43200) */
    CONFIG_MAX_PER_ADDRESS,    /* serve --max-per-address (1..100000) */
    CONFIG_FOLLOWUP_INTERVAL,  /* serve --followup-interval (0..86400) */
    CONFIG_RULES,              /* serve --rules */
    CONFIG_TLS_CERT,           /* serve --tls-cert */
    CONFIG_TLS_KEY,            /* serve --tls-key */
    CONFIG_SECURE_COOKIES,     /* serve --secure-cookies: yes or no */
    CONFIG_TRUST_PROXY,        /* serve --trust-proxy */
    CONFIG_DB_PASSWORD_FILE,   /* PostgreSQL password, first line of this file */
    CONFIG_SMTP_USER,          /* SMTP user name (else GENU_SMTP_USER) */
    CONFIG_SMTP_PASSWORD_FILE, /* SMTP password, first line of this file */
    CONFIG_NKEYS
} config_key;

typedef struct config {
    const char *path;                 /* the file read; NULL when none */
    const char *value[CONFIG_NKEYS];  /* NULL when not set; in the arena */
    unsigned line[CONFIG_NKEYS];      /* the line that set it */
} config;

/* The key's name in the file ("tls_cert"). Static. */
const char *config_key_name(config_key k);

/* Parses text[0..n) read from the file called name into *out (values in
 * a; *out written only on success). Counts are checked against the
 * ranges above, secure_cookies is yes or no, read_db a postgresql:// or
 * postgres:// URL; GENU_EINVAL names
 * "name:line". Pure. */
int config_parse(const char *name, const char *text, size_t n, genu_arena *a, config *out,
                 genu_err *err);

/* Reads and parses the file at path. GENU_EIO naming it when it cannot be
 * read. */
int config_load(const char *path, genu_arena *a, config *out, genu_err *err);

/* The secret in the file that key k (a *_password_file) names: its first
 * line without the line end, in a. *out is NULL when k is not set. The
 * file must not be readable by others than its owner and group
 * (GENU_EINVAL naming the file and the configuration line); an empty
 * secret is GENU_EINVAL too. The secret never appears in an error. */
int config_read_secret(const config *c, config_key k, genu_arena *a, const char **out,
                       genu_err *err);

/* Value of a count key checked by config_parse (0 when not set). */
unsigned config_count(const config *c, config_key k);

#endif
