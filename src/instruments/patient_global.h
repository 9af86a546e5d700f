/* patient_global: the patient global assessment (0-100, higher = worse) instrument descriptor
 * (items, score keys, scorer); score it through instrument.h. */
#ifndef GENU_INSTRUMENTS_PATIENT_GLOBAL_H
#define GENU_INSTRUMENTS_PATIENT_GLOBAL_H

#include "instruments/instrument.h"

extern const genu_instrument patient_global_instrument;
#endif
