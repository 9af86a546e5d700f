/* settings: the registry settings an administrator may change, their
 * defaults and checks; the scoring options a registry scores responses
 * with; and changing a setting: audited, with every stored response whose
 * scores read it re-scored in the same transaction, so that stored scores
 * never disagree with the setting. The scoring setting is the WOMAC
 * missing-item thresholds (docs/instruments.md), "womac.max_missing" =
 * "pain,stiffness,function" (default "1,0,3"); the others are text: the
 * follow-up schedule, mail and wording (docs/followup.md). The store's
 * secrets (deid_key, followup_key: settings_secret) and the audit head are
 * never listed, shown or changed as settings. */
#ifndef GENU_IO_SETTINGS_H
#define GENU_IO_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/err.h"
#include "instruments/instrument.h"
#include "model/record.h"
#include "store/store.h"

/* A known setting. Static. */
typedef struct settings_def {
    const char *key;     /* "womac.max_missing" */
    const char *summary; /* one line for listings and --help */
    bool scoring;        /* responses are scored with it (a change re-scores) */
} settings_def;

/* The known settings in listing order; i < settings_count(). */
size_t settings_count(void);
const settings_def *settings_at(size_t i);

/* The setting called key, or NULL with GENU_EINVAL naming the known ones:
 * `unknown setting "x" (known: womac.max_missing)`. */
const settings_def *settings_find(const char *key, genu_err *err);

/* A setting as the registry has it; strings in the arena. */
typedef struct settings_value {
    const char *value;    /* in force: the stored value, else the default */
    const char *fallback; /* the default */
    bool set;             /* a value is stored */
} settings_value;

/* key's value; GENU_EINVAL for an unknown key (settings_find). */
int settings_get(genu_store *s, const char *key, genu_arena *a, settings_value *out, genu_err *err);

/* The options the registry scores with (the defaults for what is unset).
 * A stored value that does not check is GENU_EIO (a damaged registry). */
int settings_scoring(genu_store *s, genu_arena *a, instr_opts *out, genu_err *err);

/* Checks value for key and writes its canonical form ("1, 0,3" is
 * "1,0,3") into canon. GENU_EINVAL names the key and the fault (an unknown
 * key as settings_find; "womac.max_missing: pain: 6 is out of range (0 to
 * 5)"). Pure. */
#define SETTINGS_VALUE_LEN 512
int settings_check(const char *key, const char *value, char canon[SETTINGS_VALUE_LEN],
                   genu_err *err);

/* What settings_set did. */
typedef struct settings_change {
    const char *before, *after; /* the values in force before and after */
    bool changed;               /* a new value was stored (and audited) */
    size_t examined;            /* stored responses whose scores read the setting */
    size_t rescored;            /* of those, the ones whose stored record changed */
} settings_change;

/* Checks value (settings_check) and stores its canonical form, audited
 * (store_put_setting), and re-scores every stored response whose scores
 * read the setting, each change an audited update: all in one transaction,
 * all or nothing. A bad key or value is GENU_EINVAL; nothing changes.
 * A response whose stored scores its own items and options do not give
 * fails the change (GENU_EINVAL naming it). Memory: the re-scored records
 * in a; the rest is scored in a scratch arena one at a time. */
int settings_set(genu_store *s, const char *key, const char *value, genu_arena *a,
                 settings_change *out, genu_err *err);

/* When r is a response whose scores read options, parses its doc again
 * with opts (r and its strings then live in a); leaves other records alone.
 * *changed (may be NULL): the doc differs from before. */
int settings_rescore(genu_record *r, const instr_opts *opts, genu_arena *a, bool *changed,
                     genu_err *err);

/* For a write transaction that stores recs[0..n), parsed with *used: when
 * one of them is a response whose scores read options, reads the options in
 * force now and, if they are no longer *used (a change committed since the
 * parse), re-scores those responses with them (settings_rescore) and sets
 * *used. No read otherwise. */
int settings_rescore_stale(genu_store *s, instr_opts *used, genu_record *recs, size_t n,
                           genu_arena *a, genu_err *err);

/* A secret of the registry (a store value that is not a setting: never
 * listed, shown or exported), len random bytes kept as hex under key:
 * "deid_key", "followup_key". Read into out; when absent and create, made
 * first (inserted only if still absent and read back, so that a key a
 * concurrent process created first wins, as it must once in use). *have (may be
 * NULL) says whether out was filled; absent and !create leaves it false.
 * A stored value of the wrong length is GENU_EIO. */
int settings_secret(genu_store *s, const char *key, unsigned char *out, size_t len, bool create,
                    bool *have, genu_err *err);

#endif
