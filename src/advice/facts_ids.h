/* facts_ids: the facts' numbers (F_*), shared by their catalogue
 * (facts_catalogue.c: names, types, words) and the code that builds their
 * values (facts.c). Internal to src/advice. */
#ifndef GENU_ADVICE_FACTS_IDS_H
#define GENU_ADVICE_FACTS_IDS_H

#include "model/vocab.h"

/* offsets of a series' facts from F_LAST0 or F_PREV0 (SERIES below) */
enum { SER_KINDS, SER_FIRST, SER_LAST, SER_SESSIONS, SER_BEFORE, SER_BEST, SER_NOW, SER_HELPED,
       SER_WANED, SER_NEVER, SER_RELIEF, SER_COURSE, SER_N };

/* facts per stage 1..3 (STAGE below) */
#define STAGE_NFACTS 7

enum {
    F_KL,
    F_KL_BAND,
    F_REPLACED,
    F_COND0, /* condition.<code> of each condition, VOCAB_COND_* from here */
    F_LIGAMENT = F_COND0 + VOCAB_NCONDITION,
    F_EXAM_DATE,
    F_EXAM_DAYS,
    F_EXAM_SWELLING,
    F_EXAM_DEFORMITY,
    F_EXAM_PAIN,
    F_EXAM_LOCKING,
    F_EXAM_STRAIGHTEN,
    F_EXAM_BEND,
    F_EXAM_INSTABILITY,
    F_EXAM_POP,
    F_STAGE0, /* per stage 1..3: tried, kinds, first, days, pain_change, pain_text, last */
    F_SURG_TRIED = F_STAGE0 + 3 * STAGE_NFACTS,
    F_SURG_KINDS,
    F_SURG_LAST,
    F_STAGE_HIGHEST,
    F_STAGE_CURRENT,
    F_STAGES_TRIED,
    F_STAGES_RESPONSE,
    F_MED_DAYS,
    F_INJ_TRIED,
    F_INJ_FIRST,
    F_INJ_DAYS,
    F_INJ_PAIN_BEFORE,
    F_INJ_IMPROVEMENT,
    F_INJ_PAIN_TEXT,
    F_REGEN_TRIED,
    F_REGEN_KINDS,
    F_REGEN_FIRST,
    F_REGEN_SESSIONS,
    F_REGEN_DAYS,
    F_PAIN_BASELINE,
    F_PAIN_LATEST,
    F_PAIN_LATEST_DATE,
    F_PAIN_BEST,
    F_PAIN_BEST_IMPROVEMENT,
    F_PAIN_LATEST_IMPROVEMENT,
    F_PAIN_FREQUENCY,
    F_KOOS_ADL,
    F_WOMAC_FUNCTION,
    F_PLAN_SITES,
    F_PLAN_KINDS,
    F_PLAN_PROTOCOL,
    F_PLAN_SESSIONS,
    F_PLAN_FIRST,
    F_PLAN_LAST,
    F_SER_REGEN,
    F_SER_COST,
    F_SER_CURRENCY,
    F_SER_EXP_SESSIONS,
    F_SER_SESSION_COST,
    F_SER_EXP_COST,
    F_SIM_BAND,
    F_SIM_FAMILY,
    F_SIM_ANALYSED,
    F_SIM_RESPONDERS,
    F_SIM_RATE,
    F_SIM_LO,
    F_SIM_HI,
    F_SIM_ENOUGH,
    F_SIM_SUMMARY,
    F_COURSE_SERIES,
    F_LAST0, /* the latest injection series, then the one before it: SER_* each */
    F_PREV0 = F_LAST0 + SER_N,
    F_NEXT_FAMILY = F_PREV0 + SER_N,
    F_NEXT_WANED,
    F_NEXT_REPEAT,
    F_NEXT_REPEAT_HELPED,
    F_NEXT_ESCALATE,
    F_NEXT_ESCALATE_HELPED,
    F_NEXT_SUMMARY,
    F_N
};

#endif
