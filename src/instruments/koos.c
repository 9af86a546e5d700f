/* koos: the Knee injury and Osteoarthritis Outcome Score, 42 items each 0-4
 * (none .. extreme) in five subscales: pain P1-P9, symptoms S1-S7, function
 * in daily living A1-A17, function in sport and recreation SP1-SP5, quality
 * of life Q1-Q4. Each subscale = 100 - 25 x mean of its answered items (100 =
 * no problems) and needs at least half its items (pain 5, symptoms 4, adl 9,
 * sport_rec 3, qol 2); subscales stand alone, there is no total.
 * Derived scores: WOMAC (pain P5-P9, stiffness S6-S7, function A1-A17) with
 * WOMAC's own missing-item rule (the registry's thresholds, instr_opts) and
 * direction (raw sums, higher = worse), KOOS JR and KOOS-PS by their
 * published tables (every item required).
 * Sources: Roos EM, Lohmander LS, Health Qual Life Outcomes 2003;1:64;
 * KOOS User's Guide 1.1 (2003) and "KOOS Scoring 2012" (koos.nu): scoring,
 * the 50 % missing-item rule and the KOOS-to-WOMAC item mapping.
 * genu scoring version 1. */
#include "instruments/koos.h"

#include "instruments/koos_jr.h"
#include "instruments/koos_ps.h"
#include "instruments/womac.h"

/* First item of each subscale in items[]. */
enum { KP = 0, KS = 9, KA = 16, KSP = 33, KQ = 38, KOOS_NITEMS = 42 };

#define L(code, label) {code, INSTR_INT, 0, 4, NULL, 0, true, label}
static const instr_item items[KOOS_NITEMS] = {
    L("P1", "how often knee pain"),
    L("P2", "pain twisting or pivoting on the knee"),
    L("P3", "pain straightening the knee fully"),
    L("P4", "pain bending the knee fully"),
    L("P5", "pain walking on a flat surface"),
    L("P6", "pain going up or down stairs"),
    L("P7", "pain at night in bed"),
    L("P8", "pain sitting or lying"),
    L("P9", "pain standing upright"),
    L("S1", "swelling"),
    L("S2", "grinding, clicking or noise"),
    L("S3", "catching or hanging up"),
    L("S4", "cannot straighten fully"),
    L("S5", "cannot bend fully"),
    L("S6", "stiffness after first waking"),
    L("S7", "stiffness later in the day"),
    L("A1", "descending stairs"),
    L("A2", "ascending stairs"),
    L("A3", "rising from sitting"),
    L("A4", "standing"),
    L("A5", "bending to the floor"),
    L("A6", "walking on a flat surface"),
    L("A7", "getting in or out of a car"),
    L("A8", "going shopping"),
    L("A9", "putting on socks"),
    L("A10", "rising from bed"),
    L("A11", "taking off socks"),
    L("A12", "lying in bed"),
    L("A13", "getting in or out of the bath"),
    L("A14", "sitting"),
    L("A15", "getting on or off the toilet"),
    L("A16", "heavy domestic duties"),
    L("A17", "light domestic duties"),
    L("SP1", "squatting"),
    L("SP2", "running"),
    L("SP3", "jumping"),
    L("SP4", "twisting or pivoting on the knee"),
    L("SP5", "kneeling"),
    L("Q1", "how often aware of the knee problem"),
    L("Q2", "lifestyle modified to protect the knee"),
    L("Q3", "troubled by lack of confidence in the knee"),
    L("Q4", "overall difficulty with the knee"),
};
#undef L

enum { S_PAIN, S_SYMPTOMS, S_ADL, S_SPORT, S_QOL, S_WOMAC, S_JR = S_WOMAC + WOMAC_NSCORES, S_PS };

static const char *const keys[] = {
    "pain",           "symptoms",       "adl",
    "sport_rec",      "qol",            "womac.pain",
    "womac.stiffness", "womac.function", "womac.total",
    "womac.pain_norm", "womac.stiffness_norm", "womac.function_norm",
    "womac.total_norm", "koos_jr",       "koos_ps",
};

static const struct {
    size_t start, n, need;
} subscales[5] = {{KP, 9, 5}, {KS, 7, 4}, {KA, 17, 9}, {KSP, 5, 3}, {KQ, 4, 2}};

static const int jr_items[KOOS_JR_NITEMS] = {KS + 5, KP + 1, KP + 2, KP + 5,
                                             KP + 8, KA + 2, KA + 4};
static const int ps_items[KOOS_PS_NITEMS] = {KA + 9, KA + 8, KA + 2, KA + 4,
                                             KSP + 3, KSP + 4, KSP + 0};

static void subscale(const instr_answer *a, size_t k, instr_result *out)
{
    int32_t sum = 0;
    size_t answered = 0;
    for (size_t i = 0; i < subscales[k].n; i++) {
        if (a[i].state != INSTR_MISSING) {
            sum += a[i].value;
            answered++;
        }
    }
    if (answered >= subscales[k].need) {
        out->scores[k].value = 100.0 - 25.0 * ((double)sum / (double)answered);
        return;
    }
    instrument_note(out, keys[k], "%zu of %zu items needed, %zu answered", subscales[k].need,
                    subscales[k].n, answered);
}

static void koos_score(const genu_instrument *in, const instr_answer a[],
                       const instr_opts *opts, instr_result *out)
{
    instrument_result_init(in, out);
    for (size_t k = 0; k < 5; k++)
        subscale(a + subscales[k].start, k, out);
    instr_answer w[WOMAC_NITEMS];
    for (size_t i = 0; i < 5; i++)
        w[i] = a[KP + 4 + i];
    w[5] = a[KS + 5];
    w[6] = a[KS + 6];
    for (size_t i = 0; i < 17; i++)
        w[7 + i] = a[KA + i];
    womac_score_items(w, 4, opts, out, S_WOMAC);
    koos_jr_put(in, a, jr_items, out, S_JR);
    koos_ps_put(in, a, ps_items, out, S_PS);
}

/* scores that go the other way: WOMAC derived from the KOOS items, higher = worse */
static const char *const flipped[] = {"womac.pain", "womac.stiffness", "womac.function", "womac.total", "womac.pain_norm", "womac.stiffness_norm", "womac.function_norm", "womac.total_norm", NULL};
/* default MCIDs (docs/analysis.md, responder definitions) */
static const instr_mcid mcids[] = {{"pain", 8.0}, {"symptoms", 8.0}, {"adl", 8.0}, {"sport_rec", 8.0}, {"qol", 8.0}, {"koos_ps", 2.2}, {NULL, 0}};

const genu_instrument koos_instrument = {
    "koos", 1, INSTR_LEVEL_KNEE, "Knee injury and Osteoarthritis Outcome Score", KOOS_NITEMS,
    items, sizeof keys / sizeof keys[0], keys,
    "Roos and Lohmander 2003; KOOS User's Guide 1.1 and KOOS Scoring 2012 (koos.nu)",
    koos_score, NULL,
    false, flipped, mcids,
};
