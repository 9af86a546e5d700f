/* cmd_backup: `genu backup FILE` makes a consistent online copy of the
 * registry (store_backup), safe while a server is writing. It never
 * overwrites: FILE must not exist. `--dir DIR [--keep N]` names the copy by
 * the time (what a nightly timer runs), checks it and keeps the N newest;
 * `--verify FILE` opens a copy and checks its audit chain. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "store/store.h"

static const char usage[] =
    "usage: genu [--db PATH] backup FILE\n"
    "       genu [--db PATH] backup --dir DIR [--keep N]\n"
    "       genu backup --verify FILE\n\n"
    "Copies the registry into FILE, consistently, while it is in use (a server\n"
    "may keep writing). FILE must not exist. Restore: stop the server, copy FILE\n"
    "over the registry, run genu audit verify (docs/operations.md).\n"
    "  --dir DIR     copy into DIR/genu-YYYYMMDD-HHMMSSZ.db (UTC), verify the copy,\n"
    "                then delete the oldest such copies beyond --keep\n"
    "  --keep N      how many copies --dir keeps (default 14)\n"
    "  --verify FILE open a copy and check its audit trail (exit 1 when broken)\n";

#define BACKUP_PREFIX "genu-"
#define BACKUP_NAME_LEN (sizeof "genu-20261204-213000Z.db" - 1)

/* Opens the copy at path and checks its audit chain; prints the verdict. */
static int verify(const char *path)
{
    genu_err err = {0};
    genu_store *s;
    if (store_open(path, false, &s, &err))
        return cli_fail(&err);
    int64_t broken;
    size_t checked;
    char why[256] = "";
    int rc = store_audit_verify(s, &broken, &checked, why, sizeof why, &err);
    int v = store_schema_version(s);
    store_close(s);
    if (rc)
        return cli_fail(&err);
    if (broken == 0) {
        printf("%s: audit trail intact: %zu changes (schema version %d)\n", path, checked, v);
        return CLI_OK;
    }
    printf("%s: audit trail broken at %s: %s\n", path, broken < 0 ? "the end" : "a row", why);
    return CLI_EFAIL;
}

static int copy_to(const char *db, const char *file)
{
    struct stat st;
    if (stat(file, &st) == 0 || errno != ENOENT) {
        cli_error("backup: %s exists already; choose a new file name", file);
        return CLI_EFAIL;
    }
    genu_err err = {0};
    genu_store *s;
    if (store_open(db, false, &s, &err))
        return cli_fail(&err);
    int rc = store_backup(s, file, &err);
    store_close(s);
    if (rc)
        return cli_fail(&err);
    printf("backed up %s to %s\n", db, file);
    return CLI_OK;
}

/* Whether name is one of --dir's copies: genu-YYYYMMDD-HHMMSSZ.db. */
static bool is_copy(const char *name)
{
    static const char shape[] = "genu-99999999-999999Z.db";
    if (strlen(name) != BACKUP_NAME_LEN)
        return false;
    for (size_t i = 0; i < BACKUP_NAME_LEN; i++)
        if (shape[i] == '9' ? (name[i] < '0' || name[i] > '9') : name[i] != shape[i])
            return false;
    return true;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Deletes the oldest copies in dir beyond keep (their names sort by time). */
static int prune(const char *dir, unsigned keep)
{
    DIR *d = opendir(dir);
    if (!d) {
        cli_error("backup: --dir %s: %s", dir, strerror(errno));
        return CLI_EFAIL;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = CLI_OK;
    for (struct dirent *e; (e = readdir(d));) {
        if (!is_copy(e->d_name))
            continue;
        if (n == cap) {
            char **more = realloc(names, (cap = cap ? 2 * cap : 32) * sizeof *names);
            if (!more) {
                rc = CLI_ESTORE;
                break;
            }
            names = more;
        }
        if (!(names[n] = strdup(e->d_name))) {
            rc = CLI_ESTORE;
            break;
        }
        n++;
    }
    closedir(d);
    if (rc == CLI_OK && n > keep) {
        qsort(names, n, sizeof *names, cmp_names);
        for (size_t i = 0; i < n - keep; i++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", dir, names[i]);
            if (unlink(path) != 0) {
                cli_error("backup: cannot delete the old copy %s: %s", path, strerror(errno));
                rc = CLI_EFAIL;
            } else {
                printf("deleted the old copy %s\n", path);
            }
        }
    }
    if (rc == CLI_ESTORE)
        cli_error("out of memory");
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

static int to_dir(const char *db, const char *dir, unsigned keep)
{
    char name[BACKUP_NAME_LEN + 1], path[4096];
    errno = 0;
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(name, sizeof name, BACKUP_PREFIX "%Y%m%d-%H%M%SZ.db", &tm);
    if (strlen(dir) + 1 + BACKUP_NAME_LEN >= sizeof path) {
        cli_error("backup: --dir: too long a directory name");
        return CLI_EUSAGE;
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        cli_error("backup: --dir %s: %s", dir, errno ? strerror(errno) : "not a directory");
        return CLI_EFAIL;
    }
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int rc = copy_to(db, path);
    if (!rc)
        rc = verify(path);
    if (!rc)
        rc = prune(dir, keep);
    return rc;
}

int cmd_backup(int argc, char **argv, const cli_env *env)
{
    if (cli_help(argc, argv, usage))
        return CLI_OK;
    const char *dir = NULL, *check = NULL, *file = NULL;
    unsigned keep = 14;
    for (int i = 1; i < argc;) {
        const char *v;
        int r = cli_opt(argc, argv, &i, "--dir", &v);
        if (r > 0) {
            dir = v;
            continue;
        }
        if (!r && (r = cli_opt(argc, argv, &i, "--verify", &v)) > 0) {
            check = v;
            continue;
        }
        if (!r && (r = cli_opt(argc, argv, &i, "--keep", &v)) > 0) {
            char *end;
            unsigned long k = strtoul(v, &end, 10);
            if (!*v || *end || v[0] == '-' || k < 1 || k > 10000) {
                cli_error("backup: --keep: expected a number from 1 to 10000, not \"%s\"", v);
                return CLI_EUSAGE;
            }
            keep = (unsigned)k;
            continue;
        }
        if (r < 0)
            return CLI_EUSAGE;
        if (argv[i][0] == '-' || file) {
            cli_error("backup: unexpected argument %s (see genu backup --help)", argv[i]);
            return CLI_EUSAGE;
        }
        file = argv[i++];
    }
    if ((dir != NULL) + (check != NULL) + (file != NULL) != 1 || (file && !*file) ||
        (dir && !*dir) || (check && !*check)) {
        cli_error("backup takes one of FILE, --dir DIR or --verify FILE (see genu backup --help)");
        return CLI_EUSAGE;
    }
    if (check)
        return verify(check);
    if (dir)
        return to_dir(env->db, dir, keep);
    return copy_to(env->db, file);
}
