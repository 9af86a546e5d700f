/* rom: the knee range of motion (clinician goniometry) instrument descriptor
 * (items, score keys, scorer); score it through instrument.h. */
#ifndef GENU_INSTRUMENTS_ROM_H
#define GENU_INSTRUMENTS_ROM_H

#include "instruments/instrument.h"

extern const genu_instrument rom_instrument;
#endif
