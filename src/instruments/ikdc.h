/* ikdc: the IKDC 2000 Subjective Knee Evaluation Form instrument descriptor
 * (items, score keys, scorer); score it through instrument.h. */
#ifndef GENU_INSTRUMENTS_IKDC_H
#define GENU_INSTRUMENTS_IKDC_H

#include "instruments/instrument.h"

extern const genu_instrument ikdc_instrument;
#endif
