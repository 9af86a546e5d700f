/* patient_global: patient global assessment of osteoarthritis activity on a
 * 0-100 scale, higher = worse, scored as answered; the "global" domain of
 * the OMERACT-OARSI responder criteria. Source: Pham T et al., Osteoarthritis
 * Cartilage 2004;12:389-399. genu scoring version 1. */
#include "instruments/patient_global.h"

static const instr_item items[] = {
    {"score", INSTR_INT, 0, 100, NULL, 0, true, "overall, how is your arthritis, 0 = very well, 100 = very poor"},
};
static const char *const keys[] = {"score"};

const genu_instrument patient_global_instrument = {
    "patient_global", 1, INSTR_LEVEL_PATIENT, "Patient global assessment", 1, items, 1, keys,
    "Pham et al., Osteoarthritis Cartilage 2004;12:389-399 (OMERACT-OARSI)",
    instrument_score_direct, NULL,
    true, NULL, NULL,
};
