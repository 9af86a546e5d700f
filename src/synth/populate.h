/* populate: fills a registry with generated records — a synthetic cohort
 * (synth.h) and/or the published case histories (cases.h) — through the
 * atomic JSON Lines import (io/jsonl.h), so generated data passes exactly the
 * checks a clinic's file would. */
#ifndef GENU_SYNTH_POPULATE_H
#define GENU_SYNTH_POPULATE_H

#include <stdbool.h>
#include <stdio.h>

#include "core/err.h"
#include "io/jsonl.h"
#include "store/store.h"
#include "synth/synth.h"

/* Writes the cohort of o (NULL: none), then the case histories when
 * with_cases, as JSON Lines to out. GENU_EIO on a write error. */
int populate_write(FILE *out, const synth_opts *o, bool with_cases, genu_err *err);

/* Generates as populate_write into a temporary file (in $TMPDIR, else /tmp,
 * removed afterwards) and imports it into s in one transaction. A rejected
 * line is a bug in the generator: GENU_EINVAL naming the first one, nothing
 * stored. Fills *stats. */
int populate_store(genu_store *s, const synth_opts *o, bool with_cases, jsonl_stats *stats,
                   genu_err *err);

#endif
