/* tegner: Tegner activity level 0 (sick leave or disability because of knee
 * problems) to 10 (competitive sports, soccer at national or international
 * elite level), scored as answered; the pre-injury level is stored, not
 * scored. Source: Tegner Y, Lysholm J, Clin Orthop Relat Res 1985;198:43-49.
 * genu scoring version 1. */
#include "instruments/tegner.h"

static const instr_item items[] = {
    {"level", INSTR_INT, 0, 10, NULL, 0, true, "current activity level"},
    {"pre_injury_level", INSTR_INT, 0, 10, NULL, 0, false, "activity level before the injury"},
};
static const char *const keys[] = {"level"};

const genu_instrument tegner_instrument = {
    "tegner", 1, INSTR_LEVEL_KNEE, "Tegner activity level", 2, items, 1, keys,
    "Tegner and Lysholm, Clin Orthop Relat Res 1985;198:43-49",
    instrument_score_direct, NULL,
    false, NULL, NULL,
};
