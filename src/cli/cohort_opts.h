/* cohort_opts: the options every analysis command shares — the data cut-off
 * (--as-of), the unit, --by, --mcid and the cohort filters of DESIGN §5 — and
 * loading the cohort they describe. Errors are printed as usage errors. */
#ifndef GENU_CLI_COHORT_OPTS_H
#define GENU_CLI_COHORT_OPTS_H

#include <stdbool.h>

#include "analysis/cohort.h"
#include "analysis/responder.h"
#include "cli/cli.h"
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

/* Opens the registry, loads the dataset into the arena and builds the
 * cohort. On failure prints the error, closes what it opened and returns the
 * exit status; on success the caller closes *s. */
int cohort_opts_load(const cli_env *env, const cohort_opts *o, genu_arena *a, genu_store **s,
                     genu_dataset *ds, cohort *c);

#endif
