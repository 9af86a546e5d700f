/* redcap: a REDCap project for genu's record types and instruments
 * (docs/formats.md). Export writes the data dictionary (REDCap's 18 columns
 * in order), the longitudinal set-up (events per timepoint, the
 * instrument-event mapping, repeating instruments) and the flat records CSV;
 * import reads a dictionary and a records CSV of such a project back into
 * genu records, all or nothing, with unknown fields and choices as errors that
 * name FILE:LINE:COLUMN. */
#ifndef GENU_IO_REDCAP_H
#define GENU_IO_REDCAP_H

#include "core/err.h"
#include "io/deid.h"
#include "io/jsonl.h"
#include "store/store.h"

/* Writes dictionary.csv, events.csv, instrument_event_mapping.csv,
 * repeating_instruments.csv and records.csv into dir (created when
 * missing); *count records. */
int redcap_export(genu_store *s, const deid_opts *o, const char *dir, size_t *count,
                  genu_err *err);

/* Imports a records CSV against its data dictionary. */
int redcap_import(genu_store *s, const char *dictionary, const char *records,
                  const jsonl_import_opts *o, jsonl_stats *stats, genu_err *err);

#endif
