/* main: genu's entry point; global options, the configuration file, then
 * one subcommand. */
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "io/config.h"
#include "store/store.h"

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
    {"migrate", cmd_migrate, "upgrade a registry written by an older genu"},
    {"audit", cmd_audit, "verify the audit trail"},
    {"settings", cmd_settings, "registry settings: list, get, set (scoring, follow-up, mail)"},
    {"followup", cmd_followup, "follow-up capture: send invitations and reminders, list, rates"},
};

static void usage(FILE *f)
{
    fputs("usage: genu [--db PATH] [--config FILE] COMMAND [ARGS]\n"
          "       genu --version | --help\n\n"
          "The registry is --db, else $GENU_DB, else the configuration file's db, else\n"
          "./genu.db. The configuration file is --config, else $GENU_CONFIG, else\n"
          "/etc/genu/genu.conf when it exists (docs/operations.md).\n\n"
          "Commands:\n",
          f);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fputs("\nRun 'genu COMMAND --help' for a command's options.\n", f);
}

/* Sets the environment variable name to the secret named by key k unless
 * the environment has it already (the environment overrides the file).
 * Before any thread starts. */
static int secret_to_env(const config *c, config_key k, const char *name, genu_arena *a)
{
    const char *v = getenv(name), *secret;
    genu_err err = {0};
    if ((v && *v) || !c->value[k])
        return CLI_OK;
    if (config_read_secret(c, k, a, &secret, &err))
        return cli_fail(&err);
    if (setenv(name, secret, 1) != 0) {
        cli_error("cannot set %s", name);
        return CLI_EFAIL;
    }
    return CLI_OK;
}

/* Loads the configuration file (explicit, else the default when it exists)
 * into *conf and applies what the environment carries. */
static int load_config(const char *explicit, genu_arena *a, config *conf, cli_env *env)
{
    genu_err err = {0};
    struct stat st;
    const char *path = explicit;
    if (!path && stat(CONFIG_DEFAULT_PATH, &st) == 0)
        path = CONFIG_DEFAULT_PATH;
    if (path && config_load(path, a, conf, &err))
        return cli_fail(&err);
    if (!env->db)
        env->db = conf->value[CONFIG_DB];
    if (conf->value[CONFIG_SMTP_USER] && !getenv("GENU_SMTP_USER") &&
        setenv("GENU_SMTP_USER", conf->value[CONFIG_SMTP_USER], 1) != 0) {
        cli_error("cannot set GENU_SMTP_USER");
        return CLI_EFAIL;
    }
    int rc = secret_to_env(conf, CONFIG_DB_PASSWORD_FILE, "PGPASSWORD", a);
    if (!rc)
        rc = secret_to_env(conf, CONFIG_SMTP_PASSWORD_FILE, "GENU_SMTP_PASSWORD", a);
    return rc;
}

static int run(int argc, char **argv, genu_arena *a)
{
    config conf = {0};
    cli_env env = {getenv("GENU_DB"), &conf};
    const char *conf_path = getenv("GENU_CONFIG");
    if (env.db && !*env.db)
        env.db = NULL;
    if (conf_path && !*conf_path)
        conf_path = NULL;
    int i = 1;
    while (i < argc && argv[i][0] == '-') {
        const char *v;
        int r = cli_opt(argc, argv, &i, "--db", &v);
        if (r > 0) {
            env.db = v;
            continue;
        }
        if (!r && (r = cli_opt(argc, argv, &i, "--config", &v)) > 0) {
            conf_path = v;
            continue;
        }
        if (r < 0)
            return CLI_EUSAGE;
        if (strcmp(argv[i], "--version") == 0) {
            printf("genu %s (registry schema version %d)\n", GENU_VERSION,
                   store_schema_latest());
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
    int rc = load_config(conf_path, a, &conf, &env);
    if (rc)
        return rc;
    if (!env.db)
        env.db = "genu.db";
    for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++)
        if (strcmp(argv[i], commands[c].name) == 0)
            return commands[c].fn(argc - i, argv + i, &env);
    cli_error("unknown command \"%s\" (see genu --help)", argv[i]);
    return CLI_EUSAGE;
}

int main(int argc, char **argv)
{
    /* GSL reports a singular matrix by its return value, never by aborting
     * (analysis/cox.h): set once, before any thread starts. */
    gsl_set_error_handler_off();
    genu_arena *a = genu_arena_create();
    if (!a) {
        cli_error("out of memory");
        return CLI_ESTORE;
    }
    int rc = run(argc, argv, a);
    genu_arena_destroy(a);
    return rc;
}
