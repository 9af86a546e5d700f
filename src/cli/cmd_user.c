/* cmd_user: accounts of the server. `add`, `passwd`, `list`, `disable`.
 * Passwords are read from stdin (with --password-stdin, or whenever stdin
 * is not a terminal), else prompted for without echo; they are stored only
 * as Argon2id strings. Changes are audited under "cli:user". */
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "http/auth.h"
#include "store/store.h"

static const char usage[] =
    "usage: genu [--db PATH] user add NAME --role ROLE [--sites a,b] [--password-stdin]\n"
    "       genu [--db PATH] user passwd NAME [--password-stdin]\n"
    "       genu [--db PATH] user list\n"
    "       genu [--db PATH] user disable NAME\n\n"
    "Roles: admin, clinician, researcher, patient. --sites limits a clinician or\n"
    "researcher to those sites (comma-separated; default every site). The password\n"
    "(at least 8 characters) is read from stdin when --password-stdin is given or\n"
    "stdin is not a terminal, else prompted for twice without echo.\n";

/* Reads one line (without its newline) into buf. */
static int read_line(FILE *f, char *buf, size_t n)
{
    if (!fgets(buf, (int)n, f))
        return -1;
    size_t len = strlen(buf);
    if (len && buf[len - 1] == '\n')
        buf[--len] = '\0';
    else if (len == n - 1 && !feof(f))
        return -2; /* longer than the buffer */
    if (len && buf[len - 1] == '\r')
        buf[--len] = '\0';
    return 0;
}

static int prompt(const char *what, char *buf, size_t n)
{
    struct termios old, quiet;
    fprintf(stderr, "%s: ", what);
    bool tty = tcgetattr(STDIN_FILENO, &old) == 0;
    if (tty) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    int rc = read_line(stdin, buf, n);
    if (tty)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    fputc('\n', stderr);
    return rc;
}

/* The new password of user name into out (AUTH_HASH_LEN) as its Argon2id
 * string, once it passes auth_password_check. */
static int new_password(bool from_stdin, const char *name, char out[AUTH_HASH_LEN])
{
    char pw[AUTH_PASSWORD_MAX + 2], again[AUTH_PASSWORD_MAX + 2];
    genu_err err = {0};
    int rc = CLI_OK;
    if (from_stdin || !isatty(STDIN_FILENO)) {
        if (read_line(stdin, pw, sizeof pw)) {
            cli_error("password: expected one line on stdin (at most %d characters)",
                      AUTH_PASSWORD_MAX);
            return CLI_EFAIL;
        }
    } else {
        if (prompt("new password", pw, sizeof pw) || prompt("again", again, sizeof again)) {
            cli_error("password: nothing read");
            return CLI_EFAIL;
        }
        if (strcmp(pw, again) != 0) {
            cli_error("password: the two entries differ");
            rc = CLI_EFAIL;
            goto out;
        }
    }
    if (auth_password_check(pw, name, &err) || auth_password_hash(pw, out, &err))
        rc = cli_fail(&err);
out:
    memset(pw, 0, sizeof pw);
    memset(again, 0, sizeof again);
    return rc;
}

static bool sites_valid(const char *s)
{
    if (!*s)
        return true;
    for (const char *p = s; *p; p++)
        if (*p == ',' && (p == s || p[1] == ',' || p[1] == '\0'))
            return false;
    return true;
}

typedef struct user_args {
    const char *name, *role, *sites;
    bool password_stdin;
} user_args;

static int parse(int argc, char **argv, bool want_name, user_args *u)
{
    memset(u, 0, sizeof *u);
    for (int i = 2; i < argc;) {
        const char *v;
        int r = cli_opt(argc, argv, &i, "--role", &v);
        if (r > 0) {
            u->role = v;
            continue;
        }
        if (!r && (r = cli_opt(argc, argv, &i, "--sites", &v)) > 0) {
            u->sites = v;
            continue;
        }
        if (r < 0)
            return CLI_EUSAGE;
        if (strcmp(argv[i], "--password-stdin") == 0) {
            u->password_stdin = true;
        } else if (argv[i][0] != '-' && want_name && !u->name) {
            u->name = argv[i];
        } else {
            cli_error("user %s: unexpected argument %s", argv[1], argv[i]);
            return CLI_EUSAGE;
        }
        i++;
    }
    if (want_name && !u->name) {
        cli_error("user %s: NAME is required", argv[1]);
        return CLI_EUSAGE;
    }
    if (u->name && !auth_name_valid(u->name)) {
        cli_error("user: NAME must be 1 to 64 letters, digits or . _ @ -");
        return CLI_EUSAGE;
    }
    return CLI_OK;
}

static int add(genu_store *s, const user_args *a)
{
    genu_err err = {0};
    genu_arena *ar = genu_arena_create();
    store_user u = {0};
    char hash[AUTH_HASH_LEN];
    int rc;
    if (!ar)
        return CLI_ESTORE;
    rc = store_user_get(s, a->name, 0, ar, &u, &err);
    genu_arena_destroy(ar);
    if (rc == GENU_OK) {
        cli_error("user add: %s exists already (use user passwd)", a->name);
        return CLI_EFAIL;
    }
    if (rc != GENU_ENOTFOUND)
        return cli_fail(&err);
    if ((rc = new_password(a->password_stdin, a->name, hash)))
        return rc;
    memset(&u, 0, sizeof u);
    u.name = a->name;
    u.role = a->role;
    u.sites = a->sites ? a->sites : "";
    u.pwhash = hash;
    int64_t id;
    genu_err_clear(&err);
    if (store_user_put(s, &u, &id, &err))
        return cli_fail(&err);
    printf("user %s added (%s%s%s)\n", a->name, a->role, *u.sites ? ", sites " : "", u.sites);
    return CLI_OK;
}

static int change(genu_store *s, const user_args *a, bool disable)
{
    genu_err err = {0};
    genu_arena *ar = genu_arena_create();
    store_user u;
    char hash[AUTH_HASH_LEN];
    int64_t id;
    int rc = CLI_OK;
    if (!ar)
        return CLI_ESTORE;
    if (store_user_get(s, a->name, 0, ar, &u, &err)) {
        rc = err.code == GENU_ENOTFOUND ? (cli_error("user: no user %s", a->name), CLI_EFAIL)
                                        : cli_fail(&err);
        goto out;
    }
    if (disable) {
        u.disabled = true;
    } else {
        if ((rc = new_password(a->password_stdin, a->name, hash)))
            goto out;
        u.pwhash = hash;
    }
    if (store_user_put(s, &u, &id, &err)) {
        rc = cli_fail(&err);
        goto out;
    }
    printf("user %s %s\n", a->name, disable ? "disabled" : "password changed");
out:
    genu_arena_destroy(ar);
    return rc;
}

static int list(genu_store *s)
{
    genu_err err = {0};
    genu_arena *ar = genu_arena_create();
    store_user *u;
    size_t n;
    if (!ar)
        return CLI_ESTORE;
    if (store_user_list(s, ar, &u, &n, &err)) {
        genu_arena_destroy(ar);
        return cli_fail(&err);
    }
    for (size_t i = 0; i < n; i++)
        printf("%s\t%s\t%s%s\n", u[i].name, u[i].role, *u[i].sites ? u[i].sites : "(all sites)",
               u[i].disabled ? "\tdisabled" : "");
    genu_arena_destroy(ar);
    return CLI_OK;
}

int cmd_user(int argc, char **argv, const cli_env *env)
{
    if (cli_wants_help(argc, argv) || argc < 2) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EUSAGE : CLI_OK;
    }
    const char *sub = argv[1];
    int kind = strcmp(sub, "add") == 0      ? 1
               : strcmp(sub, "passwd") == 0  ? 2
               : strcmp(sub, "list") == 0    ? 3
               : strcmp(sub, "disable") == 0 ? 4
                                             : 0;
    user_args a;
    if (!kind) {
        cli_error("user: unknown subcommand \"%s\" (add, passwd, list, disable)", sub);
        return CLI_EUSAGE;
    }
    if (parse(argc, argv, kind != 3, &a))
        return CLI_EUSAGE;
    if (kind == 1) {
        if (!a.role || !auth_role_parse(a.role)) {
            cli_error("user add: --role must be admin, clinician, researcher or patient");
            return CLI_EUSAGE;
        }
        if (a.sites && !sites_valid(a.sites)) {
            cli_error("user add: --sites: expected site names separated by commas");
            return CLI_EUSAGE;
        }
    } else if (a.role || a.sites) {
        cli_error("user %s: --role and --sites are for user add", sub);
        return CLI_EUSAGE;
    }
    genu_err err = {0};
    genu_store *s;
    if (auth_init(&err) || store_open(env->db, false, &s, &err))
        return cli_fail(&err);
    int rc = store_set_actor(s, "cli:user", &err) ? cli_fail(&err)
             : kind == 1                          ? add(s, &a)
             : kind == 3                          ? list(s)
                                                  : change(s, &a, kind == 4);
    store_close(s);
    return rc;
}
