/* fhir_names: the URLs of genu's own FHIR definitions (extensions, code
 * systems, questionnaires, record ids), shared by export (fhir.c) and
 * import (fhir_import.c). Internal to src/io. */
#ifndef GENU_IO_FHIR_NAMES_H
#define GENU_IO_FHIR_NAMES_H

#include "io/fhir.h"

#define EXT  FHIR_BASE "/StructureDefinition/"
#define CS   FHIR_BASE "/CodeSystem/"
#define QURL FHIR_BASE "/Questionnaire/"
#define ID_SYSTEM FHIR_BASE "/id/"

#endif
