/* womac_nrs: the WOMAC Osteoarthritis Index 3.1, numeric rating scale format
 * (NRS3.1): the same 24 items as womac, each 0-10 (none .. extreme), scored
 * like the Likert form: raw subscale sums (pain 0-50, stiffness 0-20,
 * function 0-170, total 0-240; higher = worse), _norm = raw / maximum x 100,
 * and the same missing-item rule (by default at most 1 pain, 0 stiffness, 3
 * function items missing, replaced by the subscale's mean; a registry
 * setting).
 * Source: Bellamy N, WOMAC Osteoarthritis Index User Guide, version 3.1
 * (NRS3.1 format). genu scoring version 1. */
#include "instruments/womac_nrs.h"

#include "instruments/womac.h"

#define WOMAC_NRS_ITEM(code, label) {code, INSTR_INT, 0, 10, NULL, 0, true, label},
static const instr_item items[] = {WOMAC_ITEMS(WOMAC_NRS_ITEM)};

static const char *const keys[] = {"pain",      "stiffness",      "function",      "total",
                                   "pain_norm", "stiffness_norm", "function_norm", "total_norm"};

static void womac_nrs_score(const genu_instrument *in, const instr_answer a[],
                            const instr_opts *opts, instr_result *out)
{
    instrument_result_init(in, out);
    womac_score_items(a, 10, opts, out, 0);
}

const genu_instrument womac_nrs_instrument = {
    "womac_nrs", 1, INSTR_LEVEL_KNEE, "WOMAC Osteoarthritis Index 3.1 (numeric rating scale)",
    WOMAC_NITEMS, items, WOMAC_NSCORES, keys,
    "Bellamy, WOMAC Osteoarthritis Index User Guide, version 3.1 (NRS3.1)",
    womac_nrs_score, NULL,
    true, NULL, NULL,
};
