/* fhir: the registry as an HL7 FHIR R4 Bundle (docs/formats.md): Patient,
 * Condition (knee laterality in bodySite), Procedure (bodySite: the knee and
 * the injection sites), QuestionnaireResponse with its scores as
 * Observations (LOINC where LOINC has a code: the KOOS panel 72091-2),
 * AdverseEvent, and exams as Observations with one component per finding.
 * Import reads the same shape back into genu records through
 * jsonl_import_lines (atomic; errors name the bundle entry). */
#ifndef GENU_IO_FHIR_H
#define GENU_IO_FHIR_H

#include <stdio.h>

#include "core/err.h"
#include "io/deid.h"
#include "io/jsonl.h"
#include "store/store.h"

/* The http(s) base of genu's own code systems, extensions and questionnaires. */
#define FHIR_BASE "http://genu.dev/fhir"

/* Writes one Bundle (type collection) of the registry, or of its
 * de-identified view, to out; *count records (not resources). */
int fhir_export(genu_store *s, const deid_opts *o, FILE *out, size_t *count, genu_err *err);

/* Imports Bundles (files[0..n), "-" is stdin): every reference must resolve
 * to an entry of the same Bundle; scores are recomputed from the
 * QuestionnaireResponse (score Observations are checked for their links and
 * otherwise ignored). All or nothing as jsonl_import. */
int fhir_import(genu_store *s, const char *const *files, size_t n, const jsonl_import_opts *o,
                jsonl_stats *stats, genu_err *err);

#endif
