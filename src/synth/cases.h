/* cases: the three published case histories of Hauser & Orlofsky (2013),
 * "Regenerative injection therapy with whole bone marrow aspirate for
 * degenerative joint disease: a case series", Clin Med Insights Arthritis
 * Musculoskelet Disord 6:65-72, as retold in docs/sources.md#002, encoded as
 * genu records (patients CH1, CH2, CH3). The article gives ages, sexes, the
 * knees, the history and the series with their intervals, and per-knee pain
 * figures; calendar dates are not published, so the series are placed on
 * plausible dates that keep every stated interval (docs/synth.md lists each
 * assumption). examples/case_histories.jsonl is the exported form. */
#ifndef GENU_SYNTH_CASES_H
#define GENU_SYNTH_CASES_H

#include "core/err.h"
#include "synth/synth.h"

/* Emits the case-history records as JSON Lines through emit (same contract
 * as synth_generate). Deterministic, no allocation beyond one buffer. */
int cases_generate(synth_emit_fn emit, void *ctx, genu_err *err);

#endif
