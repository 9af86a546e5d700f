/* facts_catalogue: what each fact is (docs/advice.md "Facts"): its name,
 * type, allowed values and words, looked up by number or name, and how a
 * value reads in a finding. facts.c builds the values. */
#include "advice/facts.h"

#include <math.h>
#include <string.h>

#include "advice/facts_ids.h"
#include "model/words.h"

#define B FACTS_BOOL
#define N FACTS_NUM
#define S FACTS_STR
#define P FACTS_PLAIN
#define COND(code, label, flags)                                                               \
    [F_COND0 + VOCAB_COND_##code] = {"condition." #code, B, NULL,                                \
                                     "a diagnosis of " label " on or before as-of", P},
#define STAGE(s, i)                                                                                \
    [F_STAGE0 + STAGE_NFACTS * (s - 1)] = {"stage" #s ".tried", B, NULL, "a stage " #s " treatment", P},     \
    [F_STAGE0 + STAGE_NFACTS * (s - 1) + 1] = {"stage" #s ".kinds", S, NULL, "stage " #s " kinds tried",     \
                                    FACTS_CODES},                                                  \
    [F_STAGE0 + STAGE_NFACTS * (s - 1) + 2] = {"stage" #s ".first", S, NULL, "first stage " #s " treatment", P},  \
    [F_STAGE0 + STAGE_NFACTS * (s - 1) + 3] = {"stage" #s ".days", N, NULL,                                   \
                                    "time from the first stage " #s " treatment to the next stage",    \
                                    FACTS_DAYS},                                                   \
    [F_STAGE0 + STAGE_NFACTS * (s - 1) + 4] = {"stage" #s ".pain_change", N, NULL,                            \
                                    "pain change over stage " #s,           \
                                    FACTS_POINTS},                                                 \
    [F_STAGE0 + STAGE_NFACTS * (s - 1) + 5] = {"stage" #s ".pain_text", S, NULL,                              \
                                    "pain over stage " #s, P},                         \
    [F_STAGE0 + STAGE_NFACTS * (s - 1) + 6] = {"stage" #s ".last", S, NULL, "latest stage " #s " treatment", P}
#define SERIES(f0, p, what)                                                                        \
    [f0 + SER_KINDS] = {p ".kinds", S, NULL, "kinds of " what, FACTS_CODES},                       \
    [f0 + SER_FIRST] = {p ".first", S, NULL, "first session of " what, P},                         \
    [f0 + SER_LAST] = {p ".last", S, NULL, "last session of " what, P},                            \
    [f0 + SER_SESSIONS] = {p ".sessions", N, NULL, "treatment days of " what, P},                  \
    [f0 + SER_BEFORE] = {p ".pain_before", N, NULL, "pain (NPRS) before " what, P},                       \
    [f0 + SER_BEST] = {p ".pain_best", N, NULL, "lowest pain (NPRS) after " what " began", P},            \
    [f0 + SER_NOW] = {p ".pain_now", N, NULL, "latest pain (NPRS) before the next series", P},   \
    [f0 + SER_HELPED] = {p ".helped", B, NULL, what " helped (pain at best 30% or more lower than before it)", P},  \
    [f0 + SER_WANED] = {p ".waned", B, NULL, "the response to " what " waned (pain back within 20% of its level before)",  \
                        P},                                                                        \
    [f0 + SER_NEVER] = {p ".never_helped", B, NULL,                                                \
                        what " never helped (scored 3 months or more after it began, never 30% better)", P},      \
    [f0 + SER_RELIEF] = {p ".relief_days", N, NULL,                                                \
                         "time from the start of " what " to the return of pain, else to the "     \
                         "latest score (when it helped)",                                          \
                         FACTS_DAYS},                                                              \
    [f0 + SER_COURSE] = {p ".course", S, NULL, "the pain over " what, P}
static const facts_def catalogue[F_N] = {
    [F_KL] = {"kl", N, NULL, "latest Kellgren-Lawrence grade (0-4)", P},
    [F_KL_BAND] = {"kl.band", S, "0-2 3 4", "KL band", P},
    [F_REPLACED] = {"replaced", B, NULL, "a partial or total knee replacement", P},
    VOCAB_CONDITIONS(COND)
    [F_LIGAMENT] = {"ligament_condition", B, NULL, "a ligament or tendon condition on record",
                    FACTS_PLAIN},
    [F_EXAM_DATE] = {"exam.date", S, NULL, "date of the latest exam", P},
    [F_EXAM_DAYS] = {"exam.days_ago", N, NULL, "time since the latest exam", FACTS_DAYS},
    [F_EXAM_SWELLING] = {"exam.swelling", S, "none mild marked", "swelling", P},
    [F_EXAM_DEFORMITY] = {"exam.deformity", S, "none varus valgus", "deformity", P},
    [F_EXAM_PAIN] = {"exam.pain_at_rest", S, "none mild moderate severe", "pain at rest",
                     FACTS_PLAIN},
    [F_EXAM_LOCKING] = {"exam.locking", B, NULL, "locked knee", P},
    [F_EXAM_STRAIGHTEN] = {"exam.unable_to_straighten", B, NULL, "unable to straighten",
                           FACTS_PLAIN},
    [F_EXAM_BEND] = {"exam.unable_to_bend", B, NULL, "unable to bend", P},
    [F_EXAM_INSTABILITY] = {"exam.instability", B, NULL, "instability on examination", P},
    [F_EXAM_POP] = {"exam.recent_trauma_pop", B, NULL, "recent trauma with a pop", P},
    STAGE(1, 0),
    STAGE(2, 0),
    STAGE(3, 0),
    [F_SURG_TRIED] = {"surgery.tried", B, NULL, "a surgery on record", P},
    [F_SURG_KINDS] = {"surgery.kinds", S, NULL, "surgery kinds", FACTS_CODES},
    [F_SURG_LAST] = {"surgery.last", S, NULL, "date of the latest surgery", P},
    [F_STAGE_HIGHEST] = {"stage.highest", N, NULL, "highest stage tried (0 none, 4 surgery)",
                         FACTS_PLAIN},
    [F_STAGE_CURRENT] = {"stage.current", N, NULL,
                         "stage of the latest treatment (0 none, 4 surgery)", P},
    [F_STAGES_TRIED] = {"stages.tried", N, NULL, "number of stages 1-3 tried", P},
    [F_STAGES_RESPONSE] = {"stages.any_response", B, NULL,
                           "some stage lowered the pain (NPRS) by 2 points or more", P},
    [F_MED_DAYS] = {"medication.days_before_exam", N, NULL,
                    "time from the first anti-inflammatory medication to the latest exam",
                    FACTS_DAYS},
    [F_INJ_TRIED] = {"injection.tried", B, NULL, "an injection of any kind", P},
    [F_INJ_FIRST] = {"injection.first", S, NULL, "date of the first injection", P},
    [F_INJ_DAYS] = {"injection.days", N, NULL, "time since the first injection",
                    FACTS_DAYS},
    [F_INJ_PAIN_BEFORE] = {"injection.pain_before", N, NULL, "pain (NPRS) before the first injection",
                           FACTS_PLAIN},
    [F_INJ_IMPROVEMENT] = {"injection.pain_improvement_pct", N, NULL,
                           "pain improvement from before the first injection to the latest, %",
                           P},
    [F_INJ_PAIN_TEXT] = {"injection.pain_text", S, NULL,
                         "pain before the first injection and the latest", P},
    [F_REGEN_TRIED] = {"regen.tried", B, NULL, "a regenerative treatment", P},
    [F_REGEN_KINDS] = {"regen.kinds", S, NULL, "regenerative kinds tried", FACTS_CODES},
    [F_REGEN_FIRST] = {"regen.first", S, NULL, "date of the first regenerative treatment",
                       FACTS_PLAIN},
    [F_REGEN_SESSIONS] = {"regen.sessions", N, NULL, "regenerative treatment days", P},
    [F_REGEN_DAYS] = {"regen.days", N, NULL, "time from the first regenerative treatment",
                      FACTS_DAYS},
    [F_PAIN_BASELINE] = {"pain.baseline", N, NULL, "pain (NPRS) before the first regenerative treatment",
                         FACTS_PLAIN},
    [F_PAIN_LATEST] = {"pain.latest", N, NULL, "latest pain (NPRS, 0-10)", P},
    [F_PAIN_LATEST_DATE] = {"pain.latest_date", S, NULL, "date of the latest pain score", P},
    [F_PAIN_BEST] = {"pain.best", N, NULL, "lowest pain (NPRS) after the first regenerative treatment",
                     FACTS_PLAIN},
    [F_PAIN_BEST_IMPROVEMENT] = {"pain.best_improvement_pct", N, NULL,
                                 "pain improvement at best since before the first regenerative treatment, %", P},
    [F_PAIN_LATEST_IMPROVEMENT] = {"pain.latest_improvement_pct", N, NULL,
                                   "pain improvement now since before the first regenerative treatment, %", P},
    [F_PAIN_FREQUENCY] = {"pain.frequency", N, NULL, "latest pain frequency, percent of the time", P},
    [F_KOOS_ADL] = {"koos.adl", N, NULL, "latest KOOS ADL (100 = no difficulty)", P},
    [F_WOMAC_FUNCTION] = {"womac.function_norm", N, NULL,
                          "latest WOMAC function, 0-100 (100 = worst)", P},
    [F_PLAN_SITES] = {"plan.sites", S, "whole_knee intra_articular_only periarticular_only",
                      "sites of the latest injection series", FACTS_CODES},
    [F_PLAN_KINDS] = {"plan.kinds", S, NULL, "kinds of the latest injection series", FACTS_CODES},
    [F_PLAN_PROTOCOL] = {"plan.protocol", S, NULL, "protocol of the latest injection", P},
    [F_PLAN_SESSIONS] = {"plan.sessions", N, NULL, "sessions of the latest series so far",
                         FACTS_PLAIN},
    [F_PLAN_FIRST] = {"plan.first", S, NULL, "first session of the latest series", P},
    [F_PLAN_LAST] = {"plan.last", S, NULL, "latest session of the latest series", P},
    [F_SER_REGEN] = {"series.regenerative", B, NULL, "the latest series is regenerative",
                     FACTS_PLAIN},
    [F_SER_COST] = {"series.cost_so_far", N, NULL, "recorded cost of the series so far",
                    FACTS_PLAIN},
    [F_SER_CURRENCY] = {"series.currency", S, NULL, "currency of the series costs", P},
    [F_SER_EXP_SESSIONS] =
        {"series.expected_sessions", N, NULL,
         "registry median sessions per knee for this protocol, at least those so far", P},
    [F_SER_SESSION_COST] = {"series.session_cost", N, NULL,
                            "registry mean cost per session for this protocol", P},
    [F_SER_EXP_COST] = {"series.expected_cost", N, NULL,
                        "expected series total = sessions x session cost", P},
    [F_SIM_BAND] = {"similar.band", S, "0-2 3 4", "KL band of the similar knees", P},
    [F_SIM_FAMILY] = {"similar.family", S, "cells prp prolotherapy regenerative",
                      "index kind family of the similar knees", P},
    [F_SIM_ANALYSED] = {"similar.analysed", N, NULL, "similar knees analysed", P},
    [F_SIM_RESPONDERS] = {"similar.responders", N, NULL, "responders among them", P},
    [F_SIM_RATE] = {"similar.rate", N, NULL, "responder rate, 0-1", P},
    [F_SIM_LO] = {"similar.lo", N, NULL, "Wilson 95% lower bound", P},
    [F_SIM_HI] = {"similar.hi", N, NULL, "Wilson 95% upper bound", P},
    [F_SIM_ENOUGH] = {"similar.enough", B, NULL, "at least the minimum analysed", P},
    [F_SIM_SUMMARY] = {"similar.summary", S, NULL, "similar knees in the registry",
                       FACTS_PLAIN},
    [F_COURSE_SERIES] = {"course.series", N, NULL, "injection series of the knee", P},
    SERIES(F_LAST0, "last_series", "the latest injection series"),
    SERIES(F_PREV0, "prev_series", "the series before the latest"),
    [F_NEXT_FAMILY] = {"next_step.family", S, "cells prp prolotherapy other",
                       "family of the latest series (strongest kind)", P},
    [F_NEXT_WANED] = {"next_step.waned", N, NULL,
                      "other knees whose response to a series of this family waned and who had "
                      "another series",
                      FACTS_PLAIN},
    [F_NEXT_REPEAT] = {"next_step.repeat", N, NULL, "of them, a series of the same family next",
                       FACTS_PLAIN},
    [F_NEXT_REPEAT_HELPED] = {"next_step.repeat_helped", N, NULL, "of those, helped again",
                              FACTS_PLAIN},
    [F_NEXT_ESCALATE] = {"next_step.escalate", N, NULL, "of them, a stronger family next",
                         FACTS_PLAIN},
    [F_NEXT_ESCALATE_HELPED] = {"next_step.escalate_helped", N, NULL, "of those, helped again",
                                FACTS_PLAIN},
    [F_NEXT_SUMMARY] = {"next_step.summary", S, NULL,
                        "what the registry's similar knees did next", P},
};
#undef B
#undef N
#undef S
#undef COND
#undef STAGE
#undef SERIES
#undef P

size_t facts_count(void)
{
    return F_N;
}

const facts_def *facts_at(size_t i)
{
    return i < F_N ? &catalogue[i] : NULL;
}

int facts_find(const char *s, size_t n)
{
    for (size_t i = 0; i < F_N; i++)
        if (strlen(catalogue[i].name) == n && memcmp(catalogue[i].name, s, n) == 0)
            return (int)i;
    return -1;
}

bool facts_value_allowed(const facts_def *def, const char *v, size_t n)
{
    if (!def->values)
        return true;
    for (const char *p = def->values; *p;) {
        size_t len = strcspn(p, " ");
        if (len == n && memcmp(p, v, n) == 0)
            return true;
        p += len;
        p += *p == ' ';
    }
    return false;
}

const char *facts_format(const facts_def *def, const facts_value *v, genu_arena *a)
{
    if (!v->known)
        return "unknown";
    switch (def->type) {
    case FACTS_BOOL:
        return v->b ? "yes" : "no";
    case FACTS_STR:
        if (def->unit == FACTS_CODES) {
            char w[512];
            return genu_arena_strdup(a, words_codes(v->s, w, sizeof w));
        }
        return v->s;
    case FACTS_NUM:
        if (def->unit == FACTS_DAYS) {
            char w[WORDS_MAX];
            return genu_arena_strdup(a, words_duration(lround(v->d), 0, w, sizeof w));
        }
        if (def->unit == FACTS_POINTS) {
            char w[WORDS_MAX];
            return genu_arena_strdup(a, words_points(v->d, true, w, sizeof w));
        }
        if (v->d == floor(v->d) && fabs(v->d) < 1e15)
            return genu_arena_printf(a, "%.0f", v->d);
        return genu_arena_printf(a, "%.1f", v->d);
    }
    return "unknown";
}
