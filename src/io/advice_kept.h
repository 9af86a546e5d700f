/* advice_kept: the registry summary advice reads (advice/summary.h) as the
 * registry keeps it, in the setting "advice_summary" (not audited: a
 * cache), for the command line and the server alike (docs/advice.md "The
 * registry summary"). A kept summary is read only when its label fits:
 * the audit trail's head (which every change to the records moves), the
 * as-of date and the rule set's similar-knee definition. */
#ifndef GENU_IO_ADVICE_KEPT_H
#define GENU_IO_ADVICE_KEPT_H

#include "advice/rules.h"
#include "advice/summary.h"
#include "core/arena.h"
#include "core/err.h"
#include "model/record.h"
#include "store/store.h"

/* The audit trail's head now, in the arena ("" for an empty trail). */
int advice_kept_head(genu_store *s, genu_arena *a, const char **head, genu_err *err);

/* The label of the summary of the registry at `head` as of as_of for rs;
 * NULL when out of memory. */
const char *advice_kept_label(const rules *rs, const char *head, genu_date as_of, genu_arena *a);

/* The kept summary when its label is `label`, in the arena; *out NULL when
 * there is none, or it is stale or unreadable (then it is to be built
 * again). Errors are the store's. */
int advice_kept_get(genu_store *s, const char *label, genu_arena *a, const summary **out,
                    genu_err *err);

/* Builds the summary of ds (the whole registry, or a lean load of it, at
 * the label's head) into the arena and keeps it. Keeping may fail (a
 * read-only registry) without failing the call: then *warn says why (in
 * the arena), else it is NULL. GENU_ENOMEM. */
int advice_kept_build(genu_store *s, const genu_dataset *ds, const rules *rs, genu_date as_of,
                      const char *label, genu_arena *a, const summary **out, const char **warn,
                      genu_err *err);

#endif
