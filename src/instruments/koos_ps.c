/* koos_ps: KOOS-PS, the 7-item physical function short form of the KOOS
 * (A10 rising from bed, A9 putting on socks, A3 rising from sitting, A5
 * bending to the floor, SP4 twisting/pivoting, SP5 kneeling, SP1 squatting;
 * each 0-4). The raw sum 0-28 is converted by the published Rasch table,
 * which reads 0 = no difficulty .. 100 = extreme difficulty; like the KOOS
 * subscales, genu reports it as 100 minus that (100 = no difficulty), the
 * values docs/instruments.md lists. Every item is required.
 * Sources: Perruccio AV et al., "The development of a short measure of
 * physical function for knee OA: KOOS-Physical Function Shortform
 * (KOOS-PS)", Osteoarthritis Cartilage 2008;16(5):542-550; koos.nu KOOS-PS
 * scoring and conversion chart. genu scoring version 1. */
#include "instruments/koos_ps.h"

#include <math.h>

/* Raw sum 0..28 -> 100 - published interval score. */
static const double interval[KOOS_PS_MAXRAW + 1] = {
    100.0, 94.4, 89.5, 85.2, 81.4, 78.0, 75.1, 72.5, 70.3, 68.2, 66.4, 64.7, 63.0, 61.4, 59.7,
    58.0,  56.0, 53.9, 51.5, 48.8, 45.6, 42.1, 38.0, 33.4, 28.2, 22.3, 15.7, 8.2,  0.0,
};

static const instr_item items[] = {
    {"A10", INSTR_INT, 0, 4, NULL, 0, true, "difficulty rising from bed"},
    {"A9", INSTR_INT, 0, 4, NULL, 0, true, "difficulty putting on socks"},
    {"A3", INSTR_INT, 0, 4, NULL, 0, true, "difficulty rising from sitting"},
    {"A5", INSTR_INT, 0, 4, NULL, 0, true, "difficulty bending to the floor"},
    {"SP4", INSTR_INT, 0, 4, NULL, 0, true, "difficulty twisting or pivoting on the knee"},
    {"SP5", INSTR_INT, 0, 4, NULL, 0, true, "difficulty kneeling"},
    {"SP1", INSTR_INT, 0, 4, NULL, 0, true, "difficulty squatting"},
};
static const char *const keys[] = {"score"};
static const int all_items[KOOS_PS_NITEMS] = {0, 1, 2, 3, 4, 5, 6};

double koos_ps_interval(int raw)
{
    return raw >= 0 && raw <= KOOS_PS_MAXRAW ? interval[raw] : NAN;
}

void koos_ps_put(const genu_instrument *in, const instr_answer answers[],
                 const int idx[KOOS_PS_NITEMS], instr_result *out, size_t slot)
{
    instrument_put_table(in, answers, idx, KOOS_PS_NITEMS, interval, KOOS_PS_MAXRAW + 1, out,
                         slot);
}

static void koos_ps_score(const genu_instrument *in, const instr_answer a[],
                          const instr_opts *opts, instr_result *out)
{
    (void)opts;
    instrument_result_init(in, out);
    koos_ps_put(in, a, all_items, out, 0);
}

/* default MCIDs (docs/analysis.md, responder definitions) */
static const instr_mcid mcids[] = {{"score", 2.2}, {NULL, 0}};

const genu_instrument koos_ps_instrument = {
    "koos_ps", 1, INSTR_LEVEL_KNEE, "KOOS-PS (physical function short form)", KOOS_PS_NITEMS,
    items, 1, keys,
    "Perruccio et al., Osteoarthritis Cartilage 2008;16:542-550; koos.nu KOOS-PS conversion chart",
    koos_ps_score, NULL,
    false, NULL, mcids,
};
