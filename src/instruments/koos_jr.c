/* koos_jr: KOOS JR, the 7-item knee joint replacement short form of the KOOS
 * (stiffness S6; pain P2, P3, P6, P9; function A3, A5; each 0-4). The raw sum
 * 0-28 is converted to an interval score 0-100 (100 = perfect knee health)
 * by the published Rasch conversion table; every item is required.
 * Sources: Lyman S et al., "Validation of the KOOS, JR", Clin Orthop Relat
 * Res 2016;474(6):1461-1471; Hospital for Special Surgery, KOOS JR scoring
 * instructions and raw-to-interval conversion table (2016), reproduced in
 * docs/instruments.md; genu scoring version 1. Item codes are the KOOS
 * codes so a KOOS JR and a full KOOS line up. */
#include "instruments/koos_jr.h"

#include <math.h>

/* Raw sum 0..28 -> interval score (published table, three decimals). */
static const double interval[KOOS_JR_MAXRAW + 1] = {
    100.000, 91.975, 84.600, 79.914, 76.332, 73.342, 70.704, 68.284, 65.994, 63.776,
    61.583,  59.381, 57.140, 54.840, 52.465, 50.012, 47.487, 44.905, 42.281, 39.625,
    36.931,  34.174, 31.307, 28.251, 24.875, 20.941, 15.939, 8.291,  0.000,
};

static const instr_item items[] = {
    {"S6", INSTR_INT, 0, 4, NULL, 0, true, "stiffness after first waking in the morning"},
    {"P2", INSTR_INT, 0, 4, NULL, 0, true, "pain twisting or pivoting on the knee"},
    {"P3", INSTR_INT, 0, 4, NULL, 0, true, "pain straightening the knee fully"},
    {"P6", INSTR_INT, 0, 4, NULL, 0, true, "pain going up or down stairs"},
    {"P9", INSTR_INT, 0, 4, NULL, 0, true, "pain standing upright"},
    {"A3", INSTR_INT, 0, 4, NULL, 0, true, "difficulty rising from sitting"},
    {"A5", INSTR_INT, 0, 4, NULL, 0, true, "difficulty bending to the floor"},
};
static const char *const keys[] = {"score"};
static const int all_items[KOOS_JR_NITEMS] = {0, 1, 2, 3, 4, 5, 6};

double koos_jr_interval(int raw)
{
    return raw >= 0 && raw <= KOOS_JR_MAXRAW ? interval[raw] : NAN;
}

void koos_jr_put(const genu_instrument *in, const instr_answer answers[],
                 const int idx[KOOS_JR_NITEMS], instr_result *out, size_t slot)
{
    instrument_put_table(in, answers, idx, KOOS_JR_NITEMS, interval, KOOS_JR_MAXRAW + 1, out,
                         slot);
}

static void koos_jr_score(const genu_instrument *in, const instr_answer a[],
                          const instr_opts *opts, instr_result *out)
{
    (void)opts;
    instrument_result_init(in, out);
    koos_jr_put(in, a, all_items, out, 0);
}

const genu_instrument koos_jr_instrument = {
    "koos_jr", 1, INSTR_LEVEL_KNEE, "KOOS JR (knee joint replacement short form)",
    KOOS_JR_NITEMS, items, 1, keys,
    "Lyman et al., Clin Orthop Relat Res 2016;474:1461-71; HSS KOOS JR conversion table",
    koos_jr_score, NULL,
    false, NULL, NULL,
};
