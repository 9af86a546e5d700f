/* eq_vas: the EQ-5D visual analogue scale, "your health today" 0 (worst
 * imaginable) to 100 (best imaginable), scored as answered. Source: EuroQol
 * Research Foundation, EQ-5D-5L User Guide version 3.0 (2019), section 2.3.
 * genu scoring version 1. */
#include "instruments/eq_vas.h"

static const instr_item items[] = {
    {"score", INSTR_INT, 0, 100, NULL, 0, true, "health today, 0 = worst, 100 = best imaginable"},
};
static const char *const keys[] = {"score"};

const genu_instrument eq_vas_instrument = {
    "eq_vas", 1, INSTR_LEVEL_PATIENT, "EQ-5D visual analogue scale", 1, items, 1, keys,
    "EuroQol EQ-5D-5L User Guide v3.0 (2019)",
    instrument_score_direct, NULL,
    false, NULL, NULL,
};
