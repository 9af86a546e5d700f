/* ikdc: the IKDC 2000 Subjective Knee Evaluation Form, 18 scored items with
 * answers stored as the form shows them: I1, I5, I7, I8 highest activity
 * level without pain / swelling / giving way, and routinely, 0-4 (4 = very
 * strenuous); I2 pain frequency 0-10 (0 = never) and I3 pain severity 0-10
 * (0 = no pain), both reversed for scoring (10 - answer); I4 stiffness or
 * swelling 0-4 (4 = not at all); I6 locking or catching 0 = yes, 1 = no;
 * I9a-I9i difficulty with daily activities 0-4 (4 = not difficult at all);
 * I10 current knee function 0-10 (10 = normal). I10_pre, function before the
 * injury, is stored and never scored.
 * Score = sum of item scores / sum of the maxima of the answered items x 100
 * (the maximum is 87 with all 18 answered); at least 16 of the 18 items must
 * be answered.
 * Sources: Irrgang JJ et al., Am J Sports Med 2001;29(5):600-613; IKDC 2000
 * Subjective Knee Evaluation Form scoring instructions (AOSSM/IKDC, 2000).
 * genu scoring version 1. */
#include "instruments/ikdc.h"

enum { IKDC_I2 = 1, IKDC_I3 = 2, IKDC_SCORED = 18, IKDC_NEED = 16 };

#define A(code, hi, label) {code, INSTR_INT, 0, hi, NULL, 0, true, label}
static const instr_item items[] = {
    A("I1", 4, "highest activity without significant pain"),
    A("I2", 10, "how often pain, 0 = never, 10 = constant"),
    A("I3", 10, "pain severity, 0 = none, 10 = worst imaginable"),
    A("I4", 4, "stiffness or swelling, 4 = not at all"),
    A("I5", 4, "highest activity without significant swelling"),
    A("I6", 1, "locking or catching, 0 = yes, 1 = no"),
    A("I7", 4, "highest activity without giving way"),
    A("I8", 4, "highest activity performed regularly"),
    A("I9a", 4, "going up stairs, 4 = not difficult"),
    A("I9b", 4, "going down stairs"),
    A("I9c", 4, "kneeling on the front of the knee"),
    A("I9d", 4, "squatting"),
    A("I9e", 4, "sitting with the knee bent"),
    A("I9f", 4, "rising from a chair"),
    A("I9g", 4, "running straight ahead"),
    A("I9h", 4, "jumping and landing on the involved leg"),
    A("I9i", 4, "stopping and starting quickly"),
    A("I10", 10, "current knee function, 10 = normal"),
    {"I10_pre", INSTR_INT, 0, 10, NULL, 0, false, "knee function before the injury, 10 = normal"},
};
#undef A
static const char *const keys[] = {"score"};

static void ikdc_score(const genu_instrument *in, const instr_answer a[],
                       const instr_opts *opts, instr_result *out)
{
    (void)opts;
    instrument_result_init(in, out);
    int32_t sum = 0, max = 0;
    size_t answered = 0;
    for (size_t i = 0; i < IKDC_SCORED; i++) {
        if (a[i].state == INSTR_MISSING)
            continue;
        int32_t v = a[i].value;
        sum += (i == IKDC_I2 || i == IKDC_I3) ? items[i].hi - v : v;
        max += items[i].hi;
        answered++;
    }
    if (answered < IKDC_NEED) {
        instrument_note(out, keys[0], "%d of %d items needed, %zu answered", IKDC_NEED,
                        IKDC_SCORED, answered);
        return;
    }
    out->scores[0].value = (double)sum / (double)max * 100.0;
}

/* default MCIDs (docs/analysis.md, responder definitions) */
static const instr_mcid mcids[] = {{"score", 11.5}, {NULL, 0}};

const genu_instrument ikdc_instrument = {
    "ikdc", 1, INSTR_LEVEL_KNEE, "IKDC 2000 Subjective Knee Evaluation Form",
    sizeof items / sizeof items[0], items, 1, keys,
    "Irrgang et al., Am J Sports Med 2001;29:600-613; IKDC 2000 scoring instructions",
    ikdc_score, NULL,
    false, NULL, mcids,
};
