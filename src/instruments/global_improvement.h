/* global_improvement: the patient-rated overall improvement (0-100 %) instrument descriptor
 * (items, score keys, scorer); score it through instrument.h. */
#ifndef GENU_INSTRUMENTS_GLOBAL_IMPROVEMENT_H
#define GENU_INSTRUMENTS_GLOBAL_IMPROVEMENT_H

#include "instruments/instrument.h"

extern const genu_instrument global_improvement_instrument;
#endif
