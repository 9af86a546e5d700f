/* womac_nrs: the WOMAC 3.1 numeric rating scale (NRS3.1) instrument descriptor
 * (items, score keys, scorer); score it through instrument.h. */
#ifndef GENU_INSTRUMENTS_WOMAC_NRS_H
#define GENU_INSTRUMENTS_WOMAC_NRS_H

#include "instruments/instrument.h"

extern const genu_instrument womac_nrs_instrument;
#endif
