/* lysholm: the Lysholm knee scoring scale, eight items answered with the
 * points printed on the form (best first): limp 5/3/0, support 5/2/0,
 * locking 15/10/6/2/0, instability 25/20/15/10/5/0, pain 25/20/15/10/5/0,
 * swelling 10/6/2/0, stairs 10/6/2/0, squatting 5/4/2/0. Score = the sum,
 * 0-100 (100 = no symptoms); every item is required and a value not printed
 * for an item is an error.
 * Sources: Lysholm J, Gillquist J, Am J Sports Med 1982;10(3):150-154, as
 * revised in Tegner Y, Lysholm J, Clin Orthop Relat Res 1985;198:43-49.
 * genu scoring version 1. */
#include "instruments/lysholm.h"

static const int32_t p_limp[] = {5, 3, 0};
static const int32_t p_support[] = {5, 2, 0};
static const int32_t p_locking[] = {15, 10, 6, 2, 0};
static const int32_t p_instability[] = {25, 20, 15, 10, 5, 0};
static const int32_t p_pain[] = {25, 20, 15, 10, 5, 0};
static const int32_t p_swelling[] = {10, 6, 2, 0};
static const int32_t p_stairs[] = {10, 6, 2, 0};
static const int32_t p_squatting[] = {5, 4, 2, 0};

/* lo..hi span the points (hi = the best, listed first); allowed is the rule. */
#define P(code, pts, hi, label) {code, INSTR_INT, 0, hi, pts, sizeof pts / sizeof pts[0], true, label}
static const instr_item items[] = {
    P("limp", p_limp, 5, "limp: none 5, slight or periodical 3, severe and constant 0"),
    P("support", p_support, 5, "support: none 5, stick or crutch 2, weight-bearing impossible 0"),
    P("locking", p_locking, 15,
      "locking: none 15, catching 10, occasional 6, frequent 2, locked on examination 0"),
    P("instability", p_instability, 25,
      "giving way: never 25, rarely in sport 20, often in sport 15, occasionally in daily life "
      "10, often in daily life 5, every step 0"),
    P("pain", p_pain, 25,
      "pain: none 25, slight in severe exertion 20, marked in severe exertion 15, after > 2 km "
      "10, after < 2 km 5, constant 0"),
    P("swelling", p_swelling, 10, "swelling: none 10, severe exertion 6, ordinary exertion 2, constant 0"),
    P("stairs", p_stairs, 10, "stairs: no problem 10, slightly impaired 6, one step at a time 2, impossible 0"),
    P("squatting", p_squatting, 5, "squatting: no problem 5, slightly impaired 4, not past 90 degrees 2, impossible 0"),
};
#undef P
static const char *const keys[] = {"score"};
static const int all_items[] = {0, 1, 2, 3, 4, 5, 6, 7};

static void lysholm_score(const genu_instrument *in, const instr_answer a[],
                          const instr_opts *opts, instr_result *out)
{
    (void)opts;
    instrument_result_init(in, out);
    int32_t sum = 0;
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) {
        if (a[i].state == INSTR_MISSING) {
            instrument_note_missing(out, keys[0], in, a, all_items, 8);
            return;
        }
        sum += a[i].value;
    }
    out->scores[0].value = sum;
}

/* default MCIDs (docs/analysis.md, responder definitions) */
static const instr_mcid mcids[] = {{"score", 5.5}, {NULL, 0}};

const genu_instrument lysholm_instrument = {
    "lysholm", 1, INSTR_LEVEL_KNEE, "Lysholm knee scoring scale", sizeof items / sizeof items[0],
    items, 1, keys, "Tegner and Lysholm, Clin Orthop Relat Res 1985;198:43-49",
    lysholm_score, NULL,
    false, NULL, mcids,
};
