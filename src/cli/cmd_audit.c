/* cmd_audit: `genu audit verify` recomputes the SHA-256 chain of the audit
 * trail (exit 0 intact, 1 broken); `genu audit list` prints the changes. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store.h"

static const char usage[] =
    "usage: genu [--db PATH] audit verify\n"
    "       genu [--db PATH] audit list [--limit N] [--after SEQ]\n\n"
    "verify  recomputes the hash chain of the audit trail: \"audit trail intact: N\n"
    "        changes\" (exit 0) or \"audit trail broken at row N: why\" (exit 1)\n"
    "list    prints changes oldest first: seq, time (UTC), actor, action, type, id\n";

static int parse_num(const char *opt, const char *v, long long max, long long *out)
{
    char *end;
    long long n = strtoll(v, &end, 10);
    if (!*v || *end || n < 0 || n > max) {
        cli_error("%s: expected a number from 0 to %lld, not \"%s\"", opt, max, v);
        return CLI_EUSAGE;
    }
    *out = n;
    return CLI_OK;
}

static int verify(genu_store *s)
{
    genu_err err = {0};
    int64_t broken;
    size_t checked;
    char why[256] = "";
    if (store_audit_verify(s, &broken, &checked, why, sizeof why, &err))
        return cli_fail(&err);
    if (broken == 0) {
        printf("audit trail intact: %zu changes\n", checked);
        return CLI_OK;
    }
    if (broken < 0)
        printf("audit trail broken at the end: %s\n", why);
    else
        printf("audit trail broken at row %lld: %s\n", (long long)broken, why);
    return CLI_EFAIL;
}

static int list(genu_store *s, long long limit, long long after)
{
    genu_err err = {0};
    genu_arena *a = genu_arena_create();
    store_audit_row *rows;
    size_t n;
    if (!a) {
        GENU_OOM(&err);
        return cli_fail(&err);
    }
    if (store_audit_list(s, after, (size_t)limit, a, &rows, &n, &err)) {
        genu_arena_destroy(a);
        return cli_fail(&err);
    }
    for (size_t i = 0; i < n; i++) {
        const store_audit_row *r = &rows[i];
        int64_t secs = r->at_us / 1000000;
        genu_date d = (genu_date)(secs / 86400);
        char date[GENU_DATE_STRLEN];
        genu_date_format(d, date);
        int sod = (int)(secs % 86400);
        printf("%lld\t%sT%02d:%02d:%02dZ\t%s\t%s\t%s\t%s\n", (long long)r->seq, date,
               sod / 3600, sod / 60 % 60, sod % 60, r->actor, r->action,
               r->type ? r->type : "", r->id ? r->id : "");
    }
    genu_arena_destroy(a);
    return CLI_OK;
}

int cmd_audit(int argc, char **argv, const cli_env *env)
{
    if (cli_wants_help(argc, argv) || argc < 2) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EUSAGE : CLI_OK;
    }
    long long limit = 100, after = 0;
    bool is_list = strcmp(argv[1], "list") == 0;
    if (!is_list && strcmp(argv[1], "verify") != 0) {
        cli_error("audit: unknown subcommand \"%s\" (verify or list)", argv[1]);
        return CLI_EUSAGE;
    }
    for (int i = 2; i < argc;) {
        const char *v;
        int r = is_list ? cli_opt(argc, argv, &i, "--limit", &v) : 0;
        if (r > 0 && parse_num("--limit", v, 1000000, &limit))
            return CLI_EUSAGE;
        if (r > 0)
            continue;
        if (!r && is_list && (r = cli_opt(argc, argv, &i, "--after", &v)) > 0) {
            if (parse_num("--after", v, (long long)1 << 60, &after))
                return CLI_EUSAGE;
            continue;
        }
        if (r < 0)
            return CLI_EUSAGE;
        cli_error("audit %s: unknown argument %s", argv[1], argv[i]);
        return CLI_EUSAGE;
    }
    genu_err err = {0};
    genu_store *s;
    if (store_open(env->db, false, &s, &err))
        return cli_fail(&err);
    int rc = is_list ? list(s, limit, after) : verify(s);
    store_close(s);
    return rc;
}
