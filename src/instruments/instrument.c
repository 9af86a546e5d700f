/* instrument: the table of instruments, answer checking and the helpers the
 * instrument modules share (result set-up and notes). */
#include "instruments/instrument.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "instruments/eq_vas.h"
#include "instruments/global_improvement.h"
#include "instruments/ikdc.h"
#include "instruments/koos.h"
#include "instruments/koos_jr.h"
#include "instruments/koos_ps.h"
#include "instruments/lysholm.h"
#include "instruments/nprs.h"
#include "instruments/pain_frequency.h"
#include "instruments/patient_global.h"
#include "instruments/rom.h"
#include "instruments/sane.h"
#include "instruments/sleep.h"
#include "instruments/tegner.h"
#include "instruments/womac.h"
#include "instruments/womac_nrs.h"

/* The order of docs/design.md, Instruments and scoring. */
static const genu_instrument *const table[] = {
    &nprs_instrument,    &pain_frequency_instrument, &sleep_instrument,
    &global_improvement_instrument, &sane_instrument, &patient_global_instrument,
    &eq_vas_instrument,  &koos_instrument,           &koos_jr_instrument,
    &koos_ps_instrument, &womac_instrument,          &womac_nrs_instrument,
    &ikdc_instrument,    &lysholm_instrument,        &tegner_instrument,
    &rom_instrument,
};

#define NTABLE (sizeof table / sizeof table[0])

const instr_opts instrument_opts_default = {.womac_max_missing = {1, 0, 3}};

/* The instruments whose scorers read instr_opts. */
static const genu_instrument *const reads_opts[] = {&koos_instrument, &womac_instrument,
                                                    &womac_nrs_instrument};

const genu_instrument *instrument_find(const char *id)
{
    if (!id)
        return NULL;
    for (size_t i = 0; i < NTABLE; i++)
        if (strcmp(table[i]->id, id) == 0)
            return table[i];
    return NULL;
}

size_t instrument_count(void)
{
    return NTABLE;
}

const genu_instrument *instrument_at(size_t i)
{
    return i < NTABLE ? table[i] : NULL;
}

int instrument_item(const genu_instrument *in, const char *code)
{
    for (size_t i = 0; i < in->nitems; i++)
        if (strcmp(in->items[i].code, code) == 0)
            return (int)i;
    return -1;
}

const char *instrument_level_name(instr_level level)
{
    return level == INSTR_LEVEL_PATIENT ? "patient" : "knee";
}

static bool allowed_has(const instr_item *it, int32_t v)
{
    for (size_t i = 0; i < it->nallowed; i++)
        if (it->allowed[i] == v)
            return true;
    return false;
}

static int fail_not_allowed(const instr_item *it, int32_t v, genu_err *err)
{
    char list[128];
    size_t len = 0;
    list[0] = '\0';
    for (size_t i = 0; i < it->nallowed && len < sizeof list; i++) {
        int n = snprintf(list + len, sizeof list - len, "%s%d", i ? ", " : "",
                         (int)it->allowed[i]);
        if (n < 0)
            break;
        len += (size_t)n;
    }
    return GENU_FAIL(err, GENU_EINVAL, "items.%s: %d is not an allowed answer (%s)", it->code,
                     (int)v, list);
}

int instrument_check(const genu_instrument *in, int item, const instr_answer *a, genu_err *err)
{
    if (item < 0 || (size_t)item >= in->nitems)
        return GENU_FAIL(err, GENU_EINVAL, "%s: no item number %d", in->id, item);
    const instr_item *it = &in->items[item];
    if (a->state == INSTR_MISSING)
        return GENU_OK;
    if (it->kind == INSTR_BOOL) {
        if (a->state != INSTR_BOOL)
            return GENU_FAIL(err, GENU_EINVAL, "items.%s: expected true or false", it->code);
        if (a->value != 0 && a->value != 1)
            return GENU_FAIL(err, GENU_EINVAL, "items.%s: a boolean must be 0 or 1, got %d",
                             it->code, (int)a->value);
        return GENU_OK;
    }
    if (a->state != INSTR_INT)
        return GENU_FAIL(err, GENU_EINVAL, "items.%s: expected an integer, got %s", it->code,
                         a->state == INSTR_BOOL ? "a boolean" : "an unknown answer type");
    if (it->allowed) {
        if (!allowed_has(it, a->value))
            return fail_not_allowed(it, a->value, err);
        return GENU_OK;
    }
    if (a->value < it->lo || a->value > it->hi)
        return GENU_FAIL(err, GENU_EINVAL, "items.%s: %d is out of range (%d to %d)", it->code,
                         (int)a->value, (int)it->lo, (int)it->hi);
    return GENU_OK;
}

int instrument_validate(const genu_instrument *in, const instr_answer answers[], genu_err *err)
{
    for (size_t i = 0; i < in->nitems; i++) {
        int rc = instrument_check(in, (int)i, &answers[i], err);
        if (rc)
            return rc;
    }
    return in->validate ? in->validate(in, answers, err) : GENU_OK;
}

void instrument_score_with(const genu_instrument *in, const instr_answer answers[],
                           const instr_opts *opts, instr_result *out)
{
    in->score(in, answers, opts ? opts : &instrument_opts_default, out);
}

void instrument_score(const genu_instrument *in, const instr_answer answers[], instr_result *out)
{
    instrument_score_with(in, answers, NULL, out);
}

bool instrument_uses_opts(const genu_instrument *in)
{
    for (size_t i = 0; i < sizeof reads_opts / sizeof reads_opts[0]; i++)
        if (reads_opts[i] == in)
            return true;
    return false;
}

bool instrument_result_equal(const instr_result *a, const instr_result *b)
{
    if (a->nscores != b->nscores || a->nnotes != b->nnotes)
        return false;
    for (size_t i = 0; i < a->nscores; i++) {
        double x = a->scores[i].value, y = b->scores[i].value;
        if (!(x == y || (isnan(x) && isnan(y))))
            return false;
    }
    for (size_t i = 0; i < a->nnotes; i++)
        if (strcmp(a->notes[i], b->notes[i]) != 0)
            return false;
    return true;
}

bool instrument_opts_matter(const genu_instrument *in, const instr_answer answers[],
                            const instr_opts *opts, const instr_result *res)
{
    if (!res->opts_used || instrument_opts_equal(opts, NULL))
        return false;
    instr_result dflt;
    instrument_score_with(in, answers, NULL, &dflt);
    return !instrument_result_equal(res, &dflt);
}

bool instrument_opts_equal(const instr_opts *a, const instr_opts *b)
{
    a = a ? a : &instrument_opts_default;
    b = b ? b : &instrument_opts_default;
    return a->womac_max_missing.pain == b->womac_max_missing.pain &&
           a->womac_max_missing.stiffness == b->womac_max_missing.stiffness &&
           a->womac_max_missing.function == b->womac_max_missing.function;
}

void instrument_result_init(const genu_instrument *in, instr_result *out)
{
    out->nscores = in->nscores;
    for (size_t i = 0; i < in->nscores; i++) {
        out->scores[i].key = in->score_keys[i];
        out->scores[i].value = NAN;
    }
    out->nnotes = 0;
    out->opts_used = false;
}

void instrument_note(instr_result *out, const char *key, const char *fmt, ...)
{
    if (out->nnotes >= INSTR_MAX_NOTES)
        return;
    char *s = out->notes[out->nnotes++];
    int n = snprintf(s, INSTR_NOTE_LEN, "%s: ", key);
    if (n < 0 || n >= INSTR_NOTE_LEN)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s + n, INSTR_NOTE_LEN - (size_t)n, fmt, ap);
    va_end(ap);
}

void instrument_note_missing(instr_result *out, const char *key, const genu_instrument *in,
                             const instr_answer answers[], const int *idx, size_t n)
{
    if (n == 1) {
        instrument_note(out, key, "item %s not answered", in->items[idx[0]].code);
        return;
    }
    char list[INSTR_NOTE_LEN];
    size_t len = 0, answered = 0;
    list[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (answers[idx[i]].state != INSTR_MISSING) {
            answered++;
            continue;
        }
        if (len >= sizeof list)
            continue;
        int w = snprintf(list + len, sizeof list - len, "%s%s", len ? ", " : "",
                         in->items[idx[i]].code);
        if (w > 0)
            len += (size_t)w;
    }
    instrument_note(out, key, "all %zu items needed, %zu answered (missing %s)", n, answered,
                    list);
}

void instrument_score_direct(const genu_instrument *in, const instr_answer answers[],
                             const instr_opts *opts, instr_result *out)
{
    (void)opts;
    instrument_result_init(in, out);
    size_t k = 0;
    for (size_t i = 0; i < in->nitems && k < in->nscores; i++) {
        if (!in->items[i].scored)
            continue;
        if (answers[i].state == INSTR_MISSING)
            instrument_note(out, in->score_keys[k], "item %s not answered", in->items[i].code);
        else
            out->scores[k].value = answers[i].value;
        k++;
    }
}

void instrument_put_table(const genu_instrument *in, const instr_answer answers[],
                          const int *idx, size_t n, const double *conv, size_t nconv,
                          instr_result *out, size_t slot)
{
    int64_t raw = 0;
    out->scores[slot].value = NAN;
    for (size_t i = 0; i < n; i++) {
        const instr_answer *a = &answers[idx[i]];
        if (a->state == INSTR_MISSING) {
            instrument_note_missing(out, out->scores[slot].key, in, answers, idx, n);
            return;
        }
        raw += a->value;
    }
    if (raw < 0 || (uint64_t)raw >= nconv) {
        instrument_note(out, out->scores[slot].key, "raw sum %lld outside the table",
                        (long long)raw);
        return;
    }
    out->scores[slot].value = conv[raw];
}

bool instrument_lower_better(const genu_instrument *in, const char *key)
{
    bool flipped = false;
    for (size_t i = 0; in->flipped && in->flipped[i]; i++)
        flipped = flipped || strcmp(in->flipped[i], key) == 0;
    return in->lower_better != flipped;
}

double instrument_mcid(const genu_instrument *in, const char *key)
{
    for (size_t i = 0; in->mcids && in->mcids[i].key; i++)
        if (strcmp(in->mcids[i].key, key) == 0)
            return in->mcids[i].points;
    return NAN;
}

bool instrument_has_score(const genu_instrument *in, const char *key)
{
    for (size_t i = 0; i < in->nscores; i++)
        if (strcmp(in->score_keys[i], key) == 0)
            return true;
    return false;
}
