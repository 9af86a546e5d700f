/* cli: what every command shares. A command is a function that takes its own
 * arguments (argv[0] is the command name) and returns the process exit
 * status: 0 success, 1 bad input or a failed check, 2 usage error, 3 storage
 * failure (docs/cli.md). Commands print results on stdout and errors as
 * "genu: error: ..." on stderr through cli_error. */
#ifndef GENU_CLI_CLI_H
#define GENU_CLI_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "core/err.h"
#include "store/store.h"

enum { CLI_OK = 0, CLI_EFAIL = 1, CLI_EUSAGE = 2, CLI_ESTORE = 3 };

struct config;

typedef struct cli_env {
    const char *db;             /* --db, else $GENU_DB, else the config's db, else ./genu.db */
    const struct config *conf;  /* the configuration file (io/config.h); never NULL */
} cli_env;

typedef int (*cli_cmd_fn)(int argc, char **argv, const cli_env *env);

/* Prints "genu: error: <message>" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the error and returns the exit status that fits its code. */
int cli_fail(const genu_err *err);
/* True when argv[i] is --help or -h anywhere in argv. */
bool cli_wants_help(int argc, char **argv);
/* When cli_wants_help: prints usage on stdout and returns true. */
bool cli_help(int argc, char **argv, const char *usage);

/* Option parsing for "--name value" and "--name=value". If argv[*i] is the
 * option `name`, stores its value in *val, advances *i past it and returns
 * 1; returns -1 (after cli_error) when the value is missing; else 0. */
int cli_opt(int argc, char **argv, int *i, const char *name, const char **val);

/* The commands (one file each, cmd_<name>.c). */
int cmd_init(int argc, char **argv, const cli_env *env);
int cmd_import(int argc, char **argv, const cli_env *env);
int cmd_export(int argc, char **argv, const cli_env *env);
int cmd_status(int argc, char **argv, const cli_env *env);
int cmd_score(int argc, char **argv, const cli_env *env);
int cmd_claim(int argc, char **argv, const cli_env *env);
int cmd_compare(int argc, char **argv, const cli_env *env);
int cmd_survival(int argc, char **argv, const cli_env *env);
int cmd_report(int argc, char **argv, const cli_env *env);
int cmd_case(int argc, char **argv, const cli_env *env);
int cmd_advise(int argc, char **argv, const cli_env *env);
int cmd_synth(int argc, char **argv, const cli_env *env);
int cmd_demo(int argc, char **argv, const cli_env *env);
int cmd_serve(int argc, char **argv, const cli_env *env);
int cmd_user(int argc, char **argv, const cli_env *env);
int cmd_backup(int argc, char **argv, const cli_env *env);
int cmd_audit(int argc, char **argv, const cli_env *env);
int cmd_settings(int argc, char **argv, const cli_env *env);
int cmd_followup(int argc, char **argv, const cli_env *env);
int cmd_migrate(int argc, char **argv, const cli_env *env);

/* Loads what scope names (store_load_scope), or every record when the
 * environment says GENU_LOAD=full: the check that a lean load answers as
 * the whole one (docs/scaling.md). */
int cli_load(genu_store *s, const store_scope *scope, genu_arena *a, genu_dataset *ds,
             genu_err *err);
/* Whether the environment says GENU_LOAD=full: load every record, use no
 * summary (genu advise), to compare. */
bool cli_load_full(void);

#endif
