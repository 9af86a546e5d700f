/* womac: the WOMAC Osteoarthritis Index 3.1, Likert format (LK3.1): 24 items
 * 0-4 (none .. extreme) in three subscales, pain (5), stiffness (2) and
 * physical function (17). Scores are the raw subscale sums (pain 0-20,
 * stiffness 0-8, function 0-68, total 0-96; higher = worse) and each as a
 * percentage of its maximum (_norm, 0-100, higher = worse).
 * Missing items (User Guide): a subscale with at most 1 of 5 pain, 0 of 2
 * stiffness or 3 of 17 function items missing is scored with each missing
 * item replaced by the mean of the subscale's answered items; with more
 * missing it is null; the total needs all three subscales. The thresholds
 * are a registry setting (instr_opts.womac_max_missing; those are the
 * defaults); a subscale with no item answered is null whatever they are.
 * Source: Bellamy N, WOMAC Osteoarthritis Index User Guide, version 3.1
 * (scoring and missing-data rules); docs/instruments.md. genu scoring version 1.
 * The same scorer serves womac_nrs and the WOMAC derived from a KOOS. */
#include "instruments/womac.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

const char *const womac_subscale_names[3] = {"pain", "stiffness", "function"};
const int womac_subscale_items[3] = {5, 2, 17};

#define WOMAC_ITEM(code, label) {code, INSTR_INT, 0, 4, NULL, 0, true, label},
static const instr_item items[] = {WOMAC_ITEMS(WOMAC_ITEM)};

static const char *const keys[] = {"pain",      "stiffness",      "function",      "total",
                                   "pain_norm", "stiffness_norm", "function_norm", "total_norm"};

static const struct {
    size_t start, n;
} subscales[3] = {{0, 5}, {5, 2}, {7, 17}};

/* Subscale k's threshold in o. */
static int max_missing(const instr_opts *o, size_t k)
{
    return k == 0 ? o->womac_max_missing.pain
           : k == 1 ? o->womac_max_missing.stiffness
                    : o->womac_max_missing.function;
}

static double subscale_raw(const instr_answer *a, size_t n, int maxmiss, instr_result *out,
                           const char *key)
{
    int32_t sum = 0;
    size_t answered = 0;
    for (size_t i = 0; i < n; i++) {
        if (a[i].state != INSTR_MISSING) {
            sum += a[i].value;
            answered++;
        }
    }
    size_t missing = n - answered;
    if (missing > 0)
        out->opts_used = true;
    if (answered > 0 && missing <= (size_t)(maxmiss < 0 ? 0 : maxmiss))
        return sum + (double)missing * ((double)sum / (double)answered);
    if (maxmiss <= 0)
        instrument_note(out, key, "all %zu items needed, %zu answered", n, answered);
    else if (missing <= (size_t)maxmiss)
        instrument_note(out, key, "no item answered (at most %d of %zu may be missing)", maxmiss,
                        n);
    else
        instrument_note(out, key, "at most %d of %zu items may be missing, %zu missing",
                        maxmiss, n, missing);
    return NAN;
}

void womac_score_items(const instr_answer a[WOMAC_NITEMS], int32_t item_max,
                       const instr_opts *opts, instr_result *out, size_t first)
{
    genu_score *s = &out->scores[first];
    bool all = true;
    for (size_t k = 0; k < 3; k++) {
        s[k].value = subscale_raw(a + subscales[k].start, subscales[k].n, max_missing(opts, k),
                                  out, s[k].key);
        all = all && !isnan(s[k].value);
    }
    s[3].value = all ? s[0].value + s[1].value + s[2].value : NAN;
    if (!all)
        instrument_note(out, s[3].key, "needs pain, stiffness and function");
    for (size_t k = 0; k < 4; k++) {
        double max = (double)item_max * (double)(k < 3 ? subscales[k].n : WOMAC_NITEMS);
        if (isnan(s[k].value)) {
            s[4 + k].value = NAN;
            instrument_note(out, s[4 + k].key, "%s is null", s[k].key);
        } else {
            s[4 + k].value = s[k].value / max * 100.0;
        }
    }
}

int womac_max_missing_set(instr_opts *o, const long long v[3], genu_err *err)
{
    for (size_t k = 0; k < 3; k++)
        if (v[k] < 0 || v[k] > womac_subscale_items[k])
            return GENU_FAIL(err, GENU_EINVAL, "%s: %lld is out of range (0 to %d)",
                             womac_subscale_names[k], v[k], womac_subscale_items[k]);
    o->womac_max_missing.pain = (int)v[0];
    o->womac_max_missing.stiffness = (int)v[1];
    o->womac_max_missing.function = (int)v[2];
    return GENU_OK;
}

/* One integer of the text at *p, blanks around it allowed; moves *p past it. */
static bool parse_int(const char **p, long long *out)
{
    const char *s = *p;
    while (*s == ' ' || *s == '\t')
        s++;
    if (!isdigit((unsigned char)*s) && !(*s == '-' && isdigit((unsigned char)s[1])))
        return false;
    char *end;
    errno = 0;
    *out = strtoll(s, &end, 10);
    if (errno == ERANGE)
        *out = *s == '-' ? -1 : 1000; /* out of range either way */
    while (*end == ' ' || *end == '\t')
        end++;
    *p = end;
    return true;
}

int womac_max_missing_parse(const char *text, instr_opts *o, genu_err *err)
{
    long long v[3];
    const char *p = text;
    for (size_t k = 0; k < 3; k++) {
        if (!parse_int(&p, &v[k]) || *p != (k < 2 ? ',' : '\0'))
            return GENU_FAIL(err, GENU_EINVAL,
                             "expected three whole numbers pain,stiffness,function such as "
                             "1,0,3, got \"%.60s\"",
                             text);
        p += k < 2;
    }
    return womac_max_missing_set(o, v, err);
}

void womac_max_missing_format(const instr_opts *o, char out[WOMAC_MAX_MISSING_LEN])
{
    snprintf(out, WOMAC_MAX_MISSING_LEN, "%d,%d,%d", o->womac_max_missing.pain,
             o->womac_max_missing.stiffness, o->womac_max_missing.function);
}

static void womac_score(const genu_instrument *in, const instr_answer a[],
                        const instr_opts *opts, instr_result *out)
{
    instrument_result_init(in, out);
    womac_score_items(a, 4, opts, out, 0);
}

const genu_instrument womac_instrument = {
    "womac", 1, INSTR_LEVEL_KNEE, "WOMAC Osteoarthritis Index 3.1 (Likert)", WOMAC_NITEMS, items,
    WOMAC_NSCORES, keys, "Bellamy, WOMAC Osteoarthritis Index User Guide, version 3.1 (LK3.1)",
    womac_score, NULL,
    true, NULL, NULL,
};
