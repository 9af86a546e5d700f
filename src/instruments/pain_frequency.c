/* pain_frequency: the share of waking time the knee hurts, 0-100 %, scored as
 * answered (lower is better). A registry item, not a licensed instrument: it
 * records the "pain frequency" the clinics' published case histories report
 * beside intensity (docs/instruments.md). genu scoring version 1. */
#include "instruments/pain_frequency.h"

static const instr_item items[] = {
    {"percent", INSTR_INT, 0, 100, NULL, 0, true, "share of waking time with knee pain, %"},
};
static const char *const keys[] = {"percent"};

const genu_instrument pain_frequency_instrument = {
    "pain_frequency", 1, INSTR_LEVEL_KNEE, "Pain frequency (% of waking time)", 1, items, 1, keys,
    "genu registry item (docs/instruments.md), version 1",
    instrument_score_direct, NULL,
    true, NULL, NULL,
};
