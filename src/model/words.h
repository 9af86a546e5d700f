/* words: facts turned into words for people (docs/design.md, "Words for
 * people"), in one place for advice, case histories, reports and the web
 * interface's labels: durations ("3 weeks", "8 months", "19 years": never a
 * day count above 60), a change of a score with its direction and both
 * values ("pain improved from 8/10 to 4/10"), timepoint labels ("6m",
 * "24m", then years: "3 y", "20 y") and vocabulary labels instead of codes
 * ("bone marrow aspirate" for bone_marrow_aspirate, from model/vocab).
 * Machine JSON keeps codes and numbers; these are for text people read.
 * Pure; every function writes a NUL-terminated string of at most n - 1
 * bytes into out and returns out. */
#ifndef GENU_MODEL_WORDS_H
#define GENU_MODEL_WORDS_H

#include <stdbool.h>
#include <stddef.h>

/* Room enough for every phrase below but words_codes. */
#define WORDS_MAX 160

/* Numbers up to twenty spelled out ("two years") for narrative text. */
#define WORDS_SPELLED 1u

/* A duration of `days` (its absolute value): up to 13 days in days ("1 day",
 * "13 days"), up to 60 days in weeks ("2 weeks" .. "9 weeks"), under a
 * year and a half (548 days) in months ("2 months" .. "18 months"), then in
 * years ("2 years", "19 years"); each rounded to the nearest unit (a month is 30.44 days, a
 * year 365.25). */
char *words_duration(long days, unsigned flags, char *out, size_t n);

/* A change of a score from `before` to `after` with its direction and both
 * values: "pain improved from 8/10 to 4/10", "pain worsened from 3/10 to
 * 6/10", "pain unchanged at 5/10". `what` names the measure ("pain");
 * `max` > 0 writes values as "v/max", else plainly; `lower_better` says
 * which way is better (true for pain). */
char *words_change(const char *what, double before, double after, double max, bool lower_better,
                   char *out, size_t n);

/* A difference of `delta` points with its direction, without both values:
 * "4 points better", "1 point worse", "no change". lower_better as above. */
char *words_points(double delta, bool lower_better, char *out, size_t n);

/* A follow-up timepoint of `months` months for people: "6m" .. "24m", then
 * whole years as "3 y", "20 y" (a non-whole number of years stays in months,
 * "30m"). Weeks ("6w") are given as `weeks` > 0 with months 0. */
char *words_timepoint(int weeks, int months, char *out, size_t n);
/* The same from a timepoint's canonical text ("6w", "48m", "3y"): "4 y"; text
 * that is not a timepoint is copied. */
char *words_timepoint_text(const char *text, char *out, size_t n);

/* A list of vocabulary codes separated by ", " or "+" with each code
 * replaced by its label ("bone_marrow_aspirate, prp" → "bone marrow
 * aspirate, PRP"; "+" becomes " and "). An unknown code keeps its text with
 * underscores as spaces. */
char *words_codes(const char *codes, char *out, size_t n);

/* A number up to twenty spelled out, else in digits ("seven", "21"). */
char *words_number(long v, char *out, size_t n);

#endif
