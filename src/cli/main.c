/* main: genu's entry point; global options, then one subcommand. */
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const struct {
    const char *name;
    cli_cmd_fn fn;
    const char *summary;
} commands[] = {
    {"init", cmd_init, "create an empty registry"},
    {"import", cmd_import, "import JSON Lines records (FILE... or - for stdin)"},
    {"export", cmd_export, "export the registry as JSON Lines"},
    {"status", cmd_status, "what the registry holds"},
    {"score", cmd_score, "score instrument responses (JSON Lines on stdin)"},
    {"claim", cmd_claim, "audit a responder claim"},
    {"compare", cmd_compare, "compare responder rates by exposure, crude and adjusted"},
    {"survival", cmd_survival, "Kaplan-Meier durability and log-rank"},
    {"report", cmd_report, "cohort report (json or html)"},
    {"case", cmd_case, "a patient's case history"},
    {"advise", cmd_advise, "decision support for a patient's knee"},
    {"synth", cmd_synth, "generate a synthetic registry"},
    {"demo", cmd_demo, "build a demo registry (synthetic cohort + published cases)"},
    {"serve", cmd_serve, "serve the web interface and the JSON API"},
    {"user", cmd_user, "manage accounts: add, passwd, list, disable"},
    {"backup", cmd_backup, "consistent online copy of the registry"},
    {"audit", cmd_audit, "verify the audit trail"},
    {"settings", cmd_settings, "registry settings: list, get, set (scoring, follow-up, mail)"},
    {"followup", cmd_followup, "follow-up capture: send invitations and reminders, list, rates"},
};

static void usage(FILE *f)
{
    fputs("usage: genu [--db PATH] COMMAND [ARGS]\n"
          "       genu --version | --help\n\n"
          "The registry is --db, else $GENU_DB, else ./genu.db.\n\n"
          "Commands:\n",
          f);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fputs("\nRun 'genu COMMAND --help' for a command's options.\n", f);
}

int main(int argc, char **argv)
{
    /* GSL reports a singular matrix by its return value, never by aborting
     * (analysis/cox.h): set once, before any thread starts. */
    gsl_set_error_handler_off();
    cli_env env = {getenv("GENU_DB")};
    if (!env.db || !*env.db)
        env.db = "genu.db";
    int i = 1;
    while (i < argc && argv[i][0] == '-') {
        const char *v;
        int r = cli_opt(argc, argv, &i, "--db", &v);
        if (r < 0)
            return CLI_EUSAGE;
        if (r > 0) {
            env.db = v;
            continue;
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf("genu %s\n", GENU_VERSION);
            return CLI_OK;
        }
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return CLI_OK;
        }
        cli_error("unknown option %s (see genu --help)", argv[i]);
        return CLI_EUSAGE;
    }
    if (i >= argc) {
        usage(stderr);
        return CLI_EUSAGE;
    }
    for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++)
        if (strcmp(argv[i], commands[c].name) == 0)
            return commands[c].fn(argc - i, argv + i, &env);
    cli_error("unknown command \"%s\" (see genu --help)", argv[i]);
    return CLI_EUSAGE;
}
