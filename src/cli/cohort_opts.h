/* cohort_opts: the options every analysis command shares — the data cut-off
 * (--as-of), the unit, --by, --mcid and the cohort filters (docs/design.md,
 * Analyses) — and loading the cohort they describe. Errors are printed as
 * usage errors. */
#ifndef GENU_CLI_COHORT_OPTS_H
#define GENU_CLI_COHORT_OPTS_H

#include <stdbool.h>

#include "analysis/cohort.h"
#include "analysis/responder.h"
#include "cli/cli.h"
#include "core/buf.h"
#include "store/store.h"

typedef struct cohort_opts {
    genu_date as_of; /* default today */
    cohort_unit unit;
    cohort_filter filter;
    cohort_by by;
    bool has_by;
    responder_mcids mcids;
} cohort_opts;

void cohort_opts_init(cohort_opts *o);

/* Takes argv[*i] when it is one of the shared options (--by only when
 * allow_by) and advances *i: returns 1 when taken, 0 when not ours, -1 after
 * printing a usage error. */
int cohort_opts_take(int argc, char **argv, int *i, cohort_opts *o, bool allow_by);

/* Takes --format F when F is one of the '|'-separated names in `allowed`
 * ("text|json"): *which is its position. Same returns as cohort_opts_take. */
int cohort_opts_format(int argc, char **argv, int *i, const char *allowed, int *which);

/* Writes a command's result for the loaded cohort into out (arena-scoped
 * data in a); GENU_* on failure with err set. */
typedef int (*cohort_opts_write_fn)(const cohort *c, genu_arena *a, genu_buf *out, void *ctx,
                                    genu_err *err);

/* Opens the registry, loads the dataset, builds the cohort o describes,
 * calls write and prints what it wrote on stdout; nothing is printed on
 * stdout when anything fails. Returns the exit status. */
int cohort_opts_run(const cli_env *env, const cohort_opts *o, cohort_opts_write_fn write,
                    void *ctx);

#endif
