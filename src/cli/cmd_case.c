/* cmd_case: `genu case PATIENT` prints a patient's case history (docs/case.md)
 * as the clinician's narrative (text), a self-contained HTML page with a chart,
 * or JSON (io/case_json.c, shared with the server). */
#include <stdio.h>
#include <string.h>

#include "analysis/case.h"
#include "cli/cli.h"
#include "core/buf.h"
#include "io/case_json.h"
#include "store/store.h"

static const char usage[] =
    "usage: genu [--db PATH] case PATIENT [--as-of DATE] [--format text|json|html]\n\n"
    "A patient's case history: age and sex, knees, diagnoses, treatments before the\n"
    "first visit along the staged pathway, the treatment series with the intervals\n"
    "between sessions, pain intensity and frequency per knee over time, sleep,\n"
    "adverse events and the outcome. html is one self-contained page with a chart.\n\n"
    "  --as-of DATE   data cut-off YYYY-MM-DD (default today)\n"
    "  --format F     text (default), json or html\n";

int cmd_case(int argc, char **argv, const cli_env *env)
{
    if (cli_help(argc, argv, usage))
        return CLI_OK;
    const char *patient = NULL, *format = "text";
    genu_date as_of = genu_date_today();
    genu_err err = {0};
    for (int i = 1; i < argc;) {
        const char *v;
        int r;
        if ((r = cli_opt(argc, argv, &i, "--as-of", &v)) != 0) {
            if (r < 0)
                return CLI_EUSAGE;
            if (genu_date_parse(v, strlen(v), &as_of, &err)) {
                cli_error("--as-of: expected a date YYYY-MM-DD, not \"%s\"", v);
                return CLI_EUSAGE;
            }
        } else if ((r = cli_opt(argc, argv, &i, "--format", &v)) != 0) {
            if (r < 0)
                return CLI_EUSAGE;
            if (strcmp(v, "text") && strcmp(v, "json") && strcmp(v, "html")) {
                cli_error("--format: expected text, json or html, not \"%s\"", v);
                return CLI_EUSAGE;
            }
            format = v;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            cli_error("case: unknown option %s (see genu case --help)", argv[i]);
            return CLI_EUSAGE;
        } else if (patient) {
            cli_error("case: one PATIENT only (got \"%s\" and \"%s\")", patient, argv[i]);
            return CLI_EUSAGE;
        } else {
            patient = argv[i++];
        }
    }
    if (!patient) {
        cli_error("case: PATIENT is required (see genu case --help)");
        return CLI_EUSAGE;
    }
    genu_store *s = NULL;
    genu_arena *a = genu_arena_create();
    genu_dataset ds;
    case_history h;
    genu_buf out = GENU_BUF_INIT;
    int rc = a ? GENU_OK : GENU_OOM(&err);
    if (!rc)
        rc = store_open(env->db, false, &s, &err);
    /* a case history is one patient's: load only that patient's records */
    store_scope scope = {.patient = patient};
    if (!rc)
        rc = store_load_scope(s, &scope, a, &ds, &err);
    if (!rc)
        rc = case_build(&ds, patient, as_of, a, &h, &err);
    if (!rc) {
        if (strcmp(format, "json") == 0)
            case_json_write(&out, &h);
        else if (strcmp(format, "html") == 0)
            case_html(&h, &out);
        else
            case_text(&h, &out);
        if (out.oom)
            rc = GENU_OOM(&err);
        else if (out.len && fwrite(out.p, 1, out.len, stdout) != out.len)
            rc = GENU_FAIL(&err, GENU_EIO, "write error");
    }
    genu_buf_free(&out);
    store_close(s);
    genu_arena_destroy(a);
    if (rc == GENU_ENOTFOUND) {
        cli_error("%s", err.msg);
        return CLI_EFAIL;
    }
    return rc ? cli_fail(&err) : CLI_OK;
}
