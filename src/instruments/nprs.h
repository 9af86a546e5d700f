/* nprs: the Numeric Pain Rating Scale (pain intensity 0-10) instrument descriptor
 * (items, score keys, scorer); score it through instrument.h. */
#ifndef GENU_INSTRUMENTS_NPRS_H
#define GENU_INSTRUMENTS_NPRS_H

#include "instruments/instrument.h"

extern const genu_instrument nprs_instrument;
#endif
