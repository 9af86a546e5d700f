/* death: the rules a death record sets for the registry (docs/format.md):
 * at most one per patient, and nothing of that patient dated after it —
 * follow-up messages excepted (an invitation may have gone out before the
 * death was known). Import checks the lines of its files against each other
 * itself; this module checks one record against what the registry holds,
 * for import and for the API alike. */
#ifndef GENU_IO_DEATH_H
#define GENU_IO_DEATH_H

#include <stdbool.h>
#include <stddef.h>

#include "model/record.h"
#include "store/store.h"

/* Whether a record of this type is bound by a death's date. */
bool death_binds(genu_rtype t);

/* The registry's death of patient into *out (strings in a); *found false
 * when none is recorded. */
int death_stored(genu_store *s, const char *patient, genu_arena *a, genu_record *out,
                 bool *found, genu_err *err);

/* Whether r may join the registry as far as deaths go: why[0] is '\0' when
 * it may, else the reason, naming the stored record it clashes with. A
 * stored record with r's own id and type is the one r replaces and does not
 * count. */
int death_check(genu_store *s, const genu_record *r, genu_arena *a, char *why, size_t n,
                genu_err *err);

#endif
