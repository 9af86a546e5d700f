/* cohort_opts: the command line's side of an analysis request
 * (analysis/request.h): every flag becomes a key/value pair for the one
 * parser the API also calls (--as-of D is as_of=D, --cost is cost=true),
 * an error names the flag ("--kl: expected ..."), and the cohort the
 * request describes is loaded for the command to answer. */
#ifndef GENU_CLI_COHORT_OPTS_H
#define GENU_CLI_COHORT_OPTS_H

#include <stdbool.h>

#include "analysis/cohort.h"
#include "analysis/report.h"
#include "analysis/request.h"
#include "cli/cli.h"
#include "core/buf.h"
#include "store/store.h"

/* Parses argv[1..) into r (request_init'ed here) for use case u: its keys as
 * flags, and --format F when `formats` ("json|text") is not NULL (*format
 * is F's position, -1 unless given). CLI_OK, or CLI_EUSAGE after printing
 * the error. */
int cohort_opts_parse(int argc, char **argv, const request_use *u, const char *formats,
                      int *format, analysis_request *r);

/* Takes --format F when F is one of the '|'-separated names in `allowed`
 * ("text|json"): *which is its position. 1 taken, 0 not --format, -1 after
 * printing a usage error. */
int cohort_opts_format(int argc, char **argv, int *i, const char *allowed, int *which);

/* Prints a request error naming the flag ("--as-of: ...") and returns
 * CLI_EUSAGE. */
int cohort_opts_error(const genu_err *err, const char *command);

/* Writes a command's result for the loaded cohort into out (arena-scoped
 * data in a); GENU_* on failure with err set. */
typedef int (*cohort_opts_write_fn)(const cohort *c, genu_arena *a, genu_buf *out, void *ctx,
                                    genu_err *err);

/* What a use case reads beyond cohorts and measures: every record's day
 * (last contact: survival, report), cost bills (report; claim reads them
 * when the request asks for cost). */
#define COHORT_READS_DAYS  1u
#define COHORT_READS_COSTS 2u

/* Opens the registry, loads what the command reads — what every cohort
 * needs (of treatments, those its index kinds read, and with cost those
 * bills read), the responses to the measures of defs[0..ndef) and, with
 * COHORT_READS_DAYS, every record's day for last contact: a lean load,
 * docs/scaling.md — builds the cohort r describes, calls write and prints
 * what it wrote on stdout; nothing is printed on stdout when anything
 * fails. Returns the exit status. */
int cohort_opts_run(const cli_env *env, const analysis_request *r, const responder_def *defs,
                    size_t ndef, unsigned reads, cohort_opts_write_fn write, void *ctx);

/* The end of an analysis command's usage: the filters every one takes. */
#define COHORT_OPTS_FILTERS_HELP                                                   \
    "Filters: --site S --sex S --age 50-70 --condition C --kl 0-2 --kind K\n"     \
    "         --protocol P --sites whole_knee|intra_articular_only --index-year Y\n" \
    "         --index-kinds a,b\n"
/* The options of claim, compare and survival after their own. */
#define COHORT_OPTS_COMMON_HELP                                         \
    "  --as-of DATE     data cut-off YYYY-MM-DD (default today)\n"      \
    "  --unit U         knee (default) or patient\n"                    \
    "  --mcid M=V       the MCID of measure M for mcid:M (repeatable)\n"

/* An analysis command as cohort_opts_main runs it. */
typedef struct cohort_cmd {
    const char *usage;      /* printed on stdout for --help */
    const request_use *use; /* the keys it takes, and its name */
    const char *formats;    /* as for cohort_opts_format */
    /* Takes what it needs of the parsed request into ctx; an error about
     * the request sets err, which is printed naming its flag. NULL: none. */
    int (*prepare)(const analysis_request *q, void *ctx, genu_err *err);
    /* The definitions whose measures it reads (room holds
     * COHORT_OPTS_MAXDEF), *n of them; NULL: the request's. */
    const responder_def *(*defs)(const analysis_request *q, void *ctx, responder_def *room,
                                 size_t *n);
    unsigned reads; /* COHORT_READS_*: what it reads beyond the measures */
    cohort_opts_write_fn write;
} cohort_cmd;

#define COHORT_OPTS_MAXDEF (REPORT_MAXDEF + REPORT_MAXCHANGE)

/* The whole of an analysis command: --help, cohort_opts_parse into q and
 * *format, cmd->prepare, cohort_opts_run with cmd->write and ctx. Returns
 * the exit status. */
int cohort_opts_main(const cohort_cmd *cmd, int argc, char **argv, const cli_env *env,
                     analysis_request *q, int *format, void *ctx);

#endif
