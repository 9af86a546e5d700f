/* global_improvement: patient-rated overall improvement of the knee since
 * before treatment, 0-100 %, scored as answered. A registry item, the
 * "reported 50% improvement" of the clinics' claims (docs/design.md, The
 * problem; docs/instruments.md); no licensed scoring guide. genu scoring
 * version 1. */
#include "instruments/global_improvement.h"

static const instr_item items[] = {
    {"percent", INSTR_INT, 0, 100, NULL, 0, true, "overall improvement since before treatment, %"},
};
static const char *const keys[] = {"percent"};

const genu_instrument global_improvement_instrument = {
    "global_improvement", 1, INSTR_LEVEL_KNEE, "Global improvement (% since before treatment)",
    1, items, 1, keys, "genu registry item (docs/instruments.md), version 1",
    instrument_score_direct, NULL,
    false, NULL, NULL,
};
