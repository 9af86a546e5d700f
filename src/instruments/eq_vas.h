/* eq_vas: the EQ-5D visual analogue scale (0-100, higher = better) instrument descriptor
 * (items, score keys, scorer); score it through instrument.h. */
#ifndef GENU_INSTRUMENTS_EQ_VAS_H
#define GENU_INSTRUMENTS_EQ_VAS_H

#include "instruments/instrument.h"

extern const genu_instrument eq_vas_instrument;
#endif
