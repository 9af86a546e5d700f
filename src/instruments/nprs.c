/* nprs: the 11-point Numeric Pain Rating Scale, pain intensity of the knee
 * from 0 (no pain) to 10 (worst imaginable pain), scored as answered.
 * Source: Hawker GA et al., "Measures of adult pain", Arthritis Care Res
 * 2011;63(S11):S240-S252 (NRS, 0-10); IMMPACT recommendations, Dworkin RH
 * et al., Pain 2005;113:9-19. genu scoring version 1. */
#include "instruments/nprs.h"

static const instr_item items[] = {
    {"intensity", INSTR_INT, 0, 10, NULL, 0, true, "knee pain now, 0 = none, 10 = worst imaginable"},
};
static const char *const keys[] = {"intensity"};

/* default MCIDs (docs/analysis.md, responder definitions) */
static const instr_mcid mcids[] = {{"intensity", 2.0}, {NULL, 0}};

const genu_instrument nprs_instrument = {
    "nprs", 1, INSTR_LEVEL_KNEE, "Numeric Pain Rating Scale", 1, items, 1, keys,
    "Hawker et al., Arthritis Care Res 2011;63(S11):S240-52 (NRS 0-10)",
    instrument_score_direct, NULL,
    true, NULL, mcids,
};
