/* schedule: the registry's follow-up schedule (docs/followup.md) — the
 * timepoints at which patients are asked, the instruments asked at each,
 * and the days after an invitation on which reminders go out. Parsed from
 * the settings followup.schedule and followup.reminder_days. Pure.
 *
 * followup.schedule is one or more groups separated by ';', each
 * "TIMEPOINTS: INSTRUMENTS" with both lists comma-separated:
 *   6w,3m,6m,12m,24m,36m,48m,60m,yearly: nprs,pain_frequency,koos,...
 * "yearly" (last in its group) repeats every 12 months after the largest
 * timepoint given, up to SCHEDULE_YEARS years. */
#ifndef GENU_ANALYSIS_SCHEDULE_H
#define GENU_ANALYSIS_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis/timepoint.h"
#include "core/err.h"
#include "instruments/instrument.h"

#define SCHEDULE_MAX_TIMEPOINTS 32
#define SCHEDULE_MAX_INSTRUMENTS 12
#define SCHEDULE_MAX_REMINDERS 6
#define SCHEDULE_YEARS 30

#define SCHEDULE_DEFAULT                                                                       \
    "6w,3m,6m,12m,24m,36m,48m,60m,yearly: nprs,pain_frequency,koos,global_improvement,"        \
    "patient_global"
#define SCHEDULE_REMINDERS_DEFAULT "3,7"

typedef struct schedule_group {
    size_t nins;
    const genu_instrument *ins[SCHEDULE_MAX_INSTRUMENTS];
} schedule_group;

typedef struct schedule {
    size_t n; /* explicit timepoints, in ascending nominal day */
    timepoint tp[SCHEDULE_MAX_TIMEPOINTS];
    unsigned char group[SCHEDULE_MAX_TIMEPOINTS]; /* index into groups */
    int yearly;                                   /* group of "yearly", -1 when none */
    size_t ngroups;
    schedule_group groups[SCHEDULE_MAX_TIMEPOINTS];
} schedule;

/* Parses text (format above). GENU_EINVAL names the fault: an unknown
 * instrument, a malformed or repeated timepoint, an empty list, "yearly"
 * not last. */
int schedule_parse(const char *text, schedule *out, genu_err *err);

/* The i-th scheduled timepoint (explicit ones, then the yearly ones) and
 * the instruments asked at it; false past the last. */
bool schedule_at(const schedule *s, size_t i, timepoint *tp, const schedule_group **g);

/* Writes the canonical text of s (no spaces after ',', "; " between
 * groups, ": " before instruments) into out (at most len bytes). */
void schedule_format(const schedule *s, char *out, size_t len);

/* Reminder days: "3,7" — strictly increasing whole days 1..365, at most
 * SCHEDULE_MAX_REMINDERS; "" or "none" for no reminders. */
int schedule_reminders_parse(const char *text, int days[SCHEDULE_MAX_REMINDERS], size_t *n,
                             genu_err *err);

#endif
