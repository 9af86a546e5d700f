/* sane: Single Assessment Numeric Evaluation, "how would you rate your knee
 * today as a percentage of normal" 0-100 (100 = normal), scored as answered.
 * Source: Williams GN et al., Am J Sports Med 1999;27(2):214-221.
 * genu scoring version 1. */
#include "instruments/sane.h"

static const instr_item items[] = {
    {"percent", INSTR_INT, 0, 100, NULL, 0, true, "knee today as % of normal"},
};
static const char *const keys[] = {"percent"};

const genu_instrument sane_instrument = {
    "sane", 1, INSTR_LEVEL_KNEE, "Single Assessment Numeric Evaluation", 1, items, 1, keys,
    "Williams et al., Am J Sports Med 1999;27:214-221",
    instrument_score_direct, NULL,
    false, NULL, NULL,
};
