/* request: one analysis request, parsed once for every front end. The
 * command line (--as-of 2024-06-30 --kl 0-2) and the HTTP API
 * (as_of=2024-06-30&kl=0-2) both hand their key/value pairs to
 * request_set, so an analysis means the same thing whichever way it is
 * asked. Keys are the API's names; a '-' in a key reads as '_' (as-of,
 * as_of), the cohort filters keep theirs (index-kinds). Errors start with
 * the key ("kl: expected ...") for the front end to name the field (HTTP)
 * or the flag (the command line's "--kl: ..."). */
#ifndef GENU_ANALYSIS_REQUEST_H
#define GENU_ANALYSIS_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis/cohort.h"
#include "analysis/responder.h"
#include "analysis/survival.h"
#include "analysis/timepoint.h"

#define REQUEST_MAXDEF 16
#define REQUEST_MAXTP 16
#define REQUEST_MAXOTHER 8

/* What a use case accepts beside the shared keys (as_of, unit and the
 * cohort filters): space-separated keys, each marked "+" when required,
 * "*" when repeatable, "!" when a flag (no value on the command line; true
 * or false over HTTP). E.g. claim: "responder+ at+ expect+ mcid* cost!". */
typedef struct request_use {
    const char *name; /* "claim": for messages */
    const char *keys;
} request_use;

typedef struct analysis_request {
    genu_date as_of; /* default today */
    cohort_unit unit;
    cohort_filter filter;
    cohort_by by; /* COHORT_BY_NONE unless "by" was given */
    responder_mcids mcids;
    size_t ndef; /* responder definitions, parsed after every mcid */
    const char *def_text[REQUEST_MAXDEF];
    responder_def defs[REQUEST_MAXDEF];
    size_t nat;
    timepoint at[REQUEST_MAXTP];
    double expect; /* NAN unless given */
    bool cost;
    bool has_event;
    survival_event event;
    /* the use case's other keys, verbatim, for it to read (request_other) */
    size_t nother;
    char other_key[REQUEST_MAXOTHER][32];
    const char *other_val[REQUEST_MAXOTHER];
} analysis_request;

void request_init(analysis_request *r);

/* Whether u accepts key, and whether it is a flag. */
bool request_accepts(const request_use *u, const char *key, bool *flag);

/* Sets key (copied) from value (borrowed: it must outlive r). GENU_EINVAL "KEY: ..."
 * for a bad value, or "KEY: not an argument of U" for a key u does not
 * accept. */
int request_set(analysis_request *r, const request_use *u, const char *key, const char *value,
                genu_err *err);

/* After the last request_set: "KEY: required" for a required key never
 * given; parses the responder definitions against every mcid given. */
int request_finish(analysis_request *r, const request_use *u, genu_err *err);

/* A use case's own key's value, NULL when not given. */
const char *request_other(const analysis_request *r, const char *key);

/* The key an error message starts with ("kl" of "kl: expected ..."), into
 * out; "" when none. */
void request_error_key(const char *msg, char *out, size_t n);

#endif
