/* sleep: whether knee pain interrupts sleep (true/false, scored 1 or 0) and
 * on how many nights a week (0-7, optional; lower is better). A registry item
 * with no licensed scoring guide (docs/instruments.md). When interrupted is
 * false and nights_per_week is not answered, nights_per_week scores 0: the
 * answer implies it. genu scoring version 1. */
#include "instruments/sleep.h"

enum { INTERRUPTED, NIGHTS };

static const instr_item items[] = {
    {"interrupted", INSTR_BOOL, 0, 1, NULL, 0, true, "knee pain interrupts sleep"},
    {"nights_per_week", INSTR_INT, 0, 7, NULL, 0, true, "nights a week with interrupted sleep"},
};
static const char *const keys[] = {"interrupted", "nights_per_week"};

static int sleep_rules(const genu_instrument *in, const instr_answer a[], genu_err *err)
{
    (void)in;
    if (a[INTERRUPTED].state == INSTR_BOOL && a[INTERRUPTED].value == 0 &&
        a[NIGHTS].state == INSTR_INT && a[NIGHTS].value != 0)
        return GENU_FAIL(err, GENU_EINVAL,
                         "items.nights_per_week: must be 0 when interrupted is false, got %d",
                         (int)a[NIGHTS].value);
    return GENU_OK;
}

static void sleep_score(const genu_instrument *in, const instr_answer a[],
                        const instr_opts *opts, instr_result *out)
{
    (void)opts;
    instrument_result_init(in, out);
    bool known = a[INTERRUPTED].state != INSTR_MISSING;
    if (known)
        out->scores[INTERRUPTED].value = a[INTERRUPTED].value ? 1 : 0;
    else
        instrument_note(out, keys[INTERRUPTED], "item interrupted not answered");
    if (a[NIGHTS].state != INSTR_MISSING)
        out->scores[NIGHTS].value = a[NIGHTS].value;
    else if (known && a[INTERRUPTED].value == 0)
        out->scores[NIGHTS].value = 0;
    else
        instrument_note(out, keys[NIGHTS], "item nights_per_week not answered");
}

const genu_instrument sleep_instrument = {
    "sleep", 1, INSTR_LEVEL_PATIENT, "Sleep interrupted by knee pain", 2, items, 2, keys,
    "genu registry item (docs/instruments.md), version 1",
    sleep_score, sleep_rules,
    true, NULL, NULL,
};
