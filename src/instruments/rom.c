/* rom: knee range of motion measured by a clinician with a goniometer, in
 * degrees: flexion 0-160 and extension deficit -20 to 30 (negative =
 * hyperextension; lower is better), each scored as measured. Source: Norkin
 * CC, White DJ, Measurement of Joint Motion: A Guide to Goniometry, 5th ed.
 * (2016), knee chapter. genu scoring version 1. */
#include "instruments/rom.h"

static const instr_item items[] = {
    {"flexion_deg", INSTR_INT, 0, 160, NULL, 0, true, "active flexion, degrees"},
    {"extension_deg", INSTR_INT, -20, 30, NULL, 0, true,
     "extension deficit, degrees (negative = hyperextension)"},
};
static const char *const keys[] = {"flexion_deg", "extension_deg"};

/* extension: a lower (flexion contracture) angle is better */
static const char *const flipped[] = {"extension_deg", NULL};

const genu_instrument rom_instrument = {
    "rom", 1, INSTR_LEVEL_KNEE, "Knee range of motion (clinician)", 2, items, 2, keys,
    "Norkin and White, Measurement of Joint Motion, 5th ed. 2016 (goniometry)",
    instrument_score_direct, NULL,
    false, flipped, NULL,
};
