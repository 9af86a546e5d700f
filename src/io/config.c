/* config: the configuration file's parser and its secret files. Values
 * are checked here so that a mistake names its FILE:LINE rather than the
 * flag it stands for. */
#include "io/config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/store.h"

#define CONFIG_MAX_BYTES (64 * 1024)
#define SECRET_MAX_BYTES 4096

typedef enum { KIND_TEXT, KIND_COUNT, KIND_BOOL, KIND_PG_URL } kind;

static const struct {
    const char *name;
    kind kind;
    unsigned min, max; /* KIND_COUNT */
} keys[CONFIG_NKEYS] = {
    [CONFIG_DB] = {"db", KIND_TEXT, 0, 0},
    [CONFIG_READ_DB] = {"read_db", KIND_PG_URL, 0, 0},
    [CONFIG_LISTEN] = {"listen", KIND_TEXT, 0, 0},
    [CONFIG_THREADS] = {"threads", KIND_COUNT, 1, 256},
    [CONFIG_TIMEOUT] = {"timeout", KIND_COUNT, 1, 3600},
    [CONFIG_HEADER_TIMEOUT] = {"header_timeout", KIND_COUNT, 1, 3600},
    [CONFIG_IDLE_TIMEOUT] = {"idle_timeout", KIND_COUNT, 1, 43200},
    [CONFIG_MAX_PER_ADDRESS] = {"max_per_address", KIND_COUNT, 1, 100000},
    [CONFIG_FOLLOWUP_INTERVAL] = {"followup_interval", KIND_COUNT, 0, 86400},
    [CONFIG_RULES] = {"rules", KIND_TEXT, 0, 0},
    [CONFIG_TLS_CERT] = {"tls_cert", KIND_TEXT, 0, 0},
    [CONFIG_TLS_KEY] = {"tls_key", KIND_TEXT, 0, 0},
    [CONFIG_SECURE_COOKIES] = {"secure_cookies", KIND_BOOL, 0, 0},
    [CONFIG_TRUST_PROXY] = {"trust_proxy", KIND_TEXT, 0, 0},
    [CONFIG_DB_PASSWORD_FILE] = {"db_password_file", KIND_TEXT, 0, 0},
    [CONFIG_SMTP_USER] = {"smtp_user", KIND_TEXT, 0, 0},
    [CONFIG_SMTP_PASSWORD_FILE] = {"smtp_password_file", KIND_TEXT, 0, 0},
};

const char *config_key_name(config_key k)
{
    return (unsigned)k < CONFIG_NKEYS ? keys[k].name : "?";
}

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* A decimal count of at most 6 digits; false otherwise. */
static bool parse_count(const char *v, unsigned *out)
{
    size_t n = strlen(v);
    if (n == 0 || n > 6)
        return false;
    unsigned x = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return false;
        x = x * 10 + (unsigned)(v[i] - '0');
    }
    *out = x;
    return true;
}

static int check_value(const char *name, unsigned line, config_key k, const char *v,
                       genu_err *err)
{
    unsigned x;
    if (keys[k].kind == KIND_COUNT &&
        (!parse_count(v, &x) || x < keys[k].min || x > keys[k].max))
        return GENU_FAIL(err, GENU_EINVAL, "%s:%u: %s: expected a number from %u to %u, not \"%s\"",
                         name, line, keys[k].name, keys[k].min, keys[k].max, v);
    if (keys[k].kind == KIND_BOOL && strcmp(v, "yes") != 0 && strcmp(v, "no") != 0)
        return GENU_FAIL(err, GENU_EINVAL, "%s:%u: %s: expected yes or no, not \"%s\"", name,
                         line, keys[k].name, v);
    if (keys[k].kind == KIND_PG_URL && !store_url_is_pg(v))
        return GENU_FAIL(err, GENU_EINVAL,
                         "%s:%u: %s: expected a postgresql:// URL (a PostgreSQL standby), not "
                         "\"%s\"",
                         name, line, keys[k].name, v);
    return GENU_OK;
}

/* One line (without its end): a comment, blank, or key = value into c. */
static int parse_line(const char *name, unsigned line, const char *p, size_t n, genu_arena *a,
                      config *c, genu_err *err)
{
    size_t i = 0;
    while (i < n && blank(p[i]))
        i++;
    if (i == n || p[i] == '#')
        return GENU_OK;
    for (size_t j = i + 1; j < n; j++) /* a comment after white space ends the line */
        if (p[j] == '#' && blank(p[j - 1])) {
            n = j;
            break;
        }
    while (n > i && blank(p[n - 1]))
        n--;
    const char *eq = memchr(p + i, '=', n - i);
    if (!eq)
        return GENU_FAIL(err, GENU_EINVAL, "%s:%u: expected key = value", name, line);
    size_t kn = (size_t)(eq - (p + i)), v = (size_t)(eq - p) + 1;
    while (kn && blank(p[i + kn - 1]))
        kn--;
    while (v < n && blank(p[v]))
        v++;
    if (memchr(p + i, '\0', n - i))
        return GENU_FAIL(err, GENU_EINVAL, "%s:%u: a NUL byte", name, line);
    int k = 0;
    while (k < CONFIG_NKEYS && (strlen(keys[k].name) != kn || memcmp(keys[k].name, p + i, kn)))
        k++;
    if (k == CONFIG_NKEYS)
        return GENU_FAIL(err, GENU_EINVAL, "%s:%u: unknown key \"%.*s\"", name, line,
                         (int)(kn < 64 ? kn : 64), p + i);
    if (c->value[k])
        return GENU_FAIL(err, GENU_EINVAL, "%s:%u: %s set again (first on line %u)", name, line,
                         keys[k].name, c->line[k]);
    if (v == n)
        return GENU_FAIL(err, GENU_EINVAL, "%s:%u: %s: missing value", name, line, keys[k].name);
    char *val = genu_arena_strndup(a, p + v, n - v);
    if (!val)
        return GENU_OOM(err);
    if (check_value(name, line, (config_key)k, val, err))
        return err->code;
    c->value[k] = val;
    c->line[k] = line;
    return GENU_OK;
}

int config_parse(const char *name, const char *text, size_t n, genu_arena *a, config *out,
                 genu_err *err)
{
    config c = {0};
    if (!(c.path = genu_arena_strdup(a, name)))
        return GENU_OOM(err);
    unsigned line = 1;
    for (size_t at = 0; at < n; line++) {
        const char *nl = memchr(text + at, '\n', n - at);
        size_t len = nl ? (size_t)(nl - (text + at)) : n - at;
        if (parse_line(name, line, text + at, len, a, &c, err))
            return err->code;
        at += len + 1;
    }
    *out = c;
    return GENU_OK;
}

int config_load(const char *path, genu_arena *a, config *out, genu_err *err)
{
    char *text = NULL;
    size_t n = 0;
    if (genu_arena_read_file(a, path, CONFIG_MAX_BYTES, false, &text, &n, err))
        return err->code;
    return config_parse(path, text, n, a, out, err);
}

int config_read_secret(const config *c, config_key k, genu_arena *a, const char **out,
                       genu_err *err)
{
    const char *path = c->value[k];
    *out = NULL;
    if (!path)
        return GENU_OK;
    struct stat st;
    if (stat(path, &st) != 0)
        return GENU_FAIL(err, GENU_EIO, "%s:%u: %s: cannot read %s: %s", c->path, c->line[k],
                         keys[k].name, path, strerror(errno));
    if (st.st_mode & S_IROTH)
        return GENU_FAIL(err, GENU_EINVAL,
                         "%s:%u: %s: %s is readable by everyone (chmod o-rwx, e.g. 0640)",
                         c->path, c->line[k], keys[k].name, path);
    char *text = NULL;
    size_t n = 0;
    if (genu_arena_read_file(a, path, SECRET_MAX_BYTES, false, &text, &n, err)) {
        genu_err_prefix(err, "%s:%u: %s: ", c->path, c->line[k], keys[k].name);
        return err->code;
    }
    size_t len = strcspn(text, "\r\n");
    text[len] = '\0';
    if (len == 0)
        return GENU_FAIL(err, GENU_EINVAL, "%s:%u: %s: %s holds no secret on its first line",
                         c->path, c->line[k], keys[k].name, path);
    *out = text;
    return GENU_OK;
}

unsigned config_count(const config *c, config_key k)
{
    unsigned x = 0;
    if (c->value[k] && keys[k].kind == KIND_COUNT)
        parse_count(c->value[k], &x);
    return x;
}
