/* womac: the WOMAC Osteoarthritis Index 3.1, Likert format (LK3.1): 24 items
 * 0-4 (none .. extreme) in three subscales, pain (5), stiffness (2) and
 * physical function (17). Scores are the raw subscale sums (pain 0-20,
 * stiffness 0-8, function 0-68, total 0-96; higher = worse) and each as a
 * percentage of its maximum (_norm, 0-100, higher = worse).
 * Missing items (User Guide): a subscale with at most 1 of 5 pain, 0 of 2
 * stiffness or 3 of 17 function items missing is scored with each missing
 * item replaced by the mean of the subscale's answered items; with more
 * missing it is null; the total needs all three subscales.
 * Source: Bellamy N, WOMAC Osteoarthritis Index User Guide, version 3.1
 * (scoring and missing-data rules); DESIGN.md §4. genu scoring version 1.
 * The same scorer serves womac_nrs and the WOMAC derived from a KOOS. */
#include "instruments/womac.h"

#include <math.h>

const womac_limits womac_default_limits = {1, 0, 3};

#define WOMAC_ITEM(code, label) {code, INSTR_INT, 0, 4, NULL, 0, true, label},
static const instr_item items[] = {WOMAC_ITEMS(WOMAC_ITEM)};

static const char *const keys[] = {"pain",      "stiffness",      "function",      "total",
                                   "pain_norm", "stiffness_norm", "function_norm", "total_norm"};

static const struct {
    size_t start, n;
} subscales[3] = {{0, 5}, {5, 2}, {7, 17}};

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
    if (answered > 0 && missing <= (size_t)(maxmiss < 0 ? 0 : maxmiss))
        return sum + (double)missing * ((double)sum / (double)answered);
    if (maxmiss <= 0)
        instrument_note(out, key, "all %zu items needed, %zu answered", n, answered);
    else
        instrument_note(out, key, "at most %d of %zu items may be missing, %zu missing",
                        maxmiss, n, missing);
    return NAN;
}

void womac_score_items(const instr_answer a[WOMAC_NITEMS], int32_t item_max,
                       const womac_limits *lim, instr_result *out, size_t first)
{
    const int maxmiss[3] = {lim->pain, lim->stiffness, lim->function};
    genu_score *s = &out->scores[first];
    bool all = true;
    for (size_t k = 0; k < 3; k++) {
        s[k].value = subscale_raw(a + subscales[k].start, subscales[k].n, maxmiss[k], out,
                                  s[k].key);
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

static void womac_score(const genu_instrument *in, const instr_answer a[], instr_result *out)
{
    instrument_result_init(in, out);
    womac_score_items(a, 4, &womac_default_limits, out, 0);
}

const genu_instrument womac_instrument = {
    "womac", 1, INSTR_LEVEL_KNEE, "WOMAC Osteoarthritis Index 3.1 (Likert)", WOMAC_NITEMS, items,
    WOMAC_NSCORES, keys, "Bellamy, WOMAC Osteoarthritis Index User Guide, version 3.1 (LK3.1)",
    womac_score, NULL,
};
