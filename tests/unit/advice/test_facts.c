/* test_facts: one knee's named facts (advice/facts.h, docs/advice.md
 * "Facts") from small hand-written histories: kl, replaced, the staged
 * pathway (stage.current, stage.highest, stageN.kinds, stageN.days,
 * stageN.pain_change, stages.any_response), surgery.tried and the pain
 * trajectory around the first regenerative treatment (pain.baseline,
 * pain.best, pain.latest), with the as-of cut-off, the other knee left
 * out, and the 90-day baseline window. Every value is worked out by hand
 * in the comments from the records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the four above first */
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "advice/facts.h"
#include "jsonl_fixture.h"

#include "../arena_fixture.h"

#define PAT                                                                                        \
    "{\"type\":\"patient\",\"id\":\"P\",\"site\":\"s\",\"sex\":\"female\",\"birth_year\":1958}"

#define REC(type, id, knee, date, rest)                                                            \
    "{\"type\":\"" type "\",\"id\":\"" id "\",\"patient\":\"P\",\"knee\":\"" knee                  \
    "\",\"date\":\"" date "\"," rest "}"
#define DX(id, knee, date, kl)                                                                     \
    REC("diagnosis", id, knee, date, "\"condition\":\"osteoarthritis\",\"kl_grade\":" #kl)
#define TX(id, knee, date, kind) REC("treatment", id, knee, date, "\"kind\":\"" kind "\"")
#define NPRS(id, knee, date, v)                                                                    \
    REC("response", id, knee, date, "\"instrument\":\"nprs\",\"items\":{\"intensity\":" #v "}")

/* The history of P's left knee (and a little of the right):
 *
 *   2021-12-20  N1 NPRS 7
 *   2022-01-10  DX1 KL 2
 *   2022-01-15  T1 otc_nsaid (stage 1)
 *   2022-02-01  T2 exercise (stage 1)
 *   2022-05-20  N2 NPRS 6
 *   2022-06-01  T3 rx_nsaid (stage 2)
 *   2022-08-15  N3 NPRS 5
 *   2022-09-01  T4 physical_therapy (stage 3)
 *   2023-01-05  N4 NPRS 6
 *   2023-01-10  T5 prp (stage 3, regenerative: the index)
 *   2023-02-10  T6 prp
 *   2023-03-01  right knee: arthroscopy, KL 4, NPRS 1 (another knee)
 *   2023-04-10  N5 NPRS 3
 *   2023-05-01  DX2 KL 3, DX3 KL 2 (same day: the higher counts)
 *   2023-07-01  N6 NPRS 2
 *   2023-08-01  T7 exercise (stage 1: the latest treatment)
 *   2023-11-01  N7 NPRS 4
 *   --- as of 2024-01-01 ---
 *   2024-02-01  N8 NPRS 0, DX4 KL 4
 *   2024-03-01  T8 total_knee_replacement (surgery)
 */
static const char *const history[] = {
    PAT,
    NPRS("N1", "left", "2021-12-20", 7),
    DX("DX1", "left", "2022-01-10", 2),
    TX("T1", "left", "2022-01-15", "otc_nsaid"),
    TX("T2", "left", "2022-02-01", "exercise"),
    NPRS("N2", "left", "2022-05-20", 6),
    TX("T3", "left", "2022-06-01", "rx_nsaid"),
    NPRS("N3", "left", "2022-08-15", 5),
    TX("T4", "left", "2022-09-01", "physical_therapy"),
    NPRS("N4", "left", "2023-01-05", 6),
    TX("T5", "left", "2023-01-10", "prp"),
    TX("T6", "left", "2023-02-10", "prp"),
    TX("RT1", "right", "2023-03-01", "arthroscopy"),
    DX("RDX", "right", "2023-03-01", 4),
    NPRS("RN1", "right", "2023-03-01", 1),
    NPRS("N5", "left", "2023-04-10", 3),
    DX("DX2", "left", "2023-05-01", 3),
    DX("DX3", "left", "2023-05-01", 2),
    NPRS("N6", "left", "2023-07-01", 2),
    TX("T7", "left", "2023-08-01", "exercise"),
    NPRS("N7", "left", "2023-11-01", 4),
    NPRS("N8", "left", "2024-02-01", 0),
    DX("DX4", "left", "2024-02-01", 4),
    TX("T8", "left", "2024-03-01", "total_knee_replacement"),
};
#define NHISTORY (sizeof history / sizeof history[0])

static genu_date day(const char *s)
{
    genu_date d = 0;
    genu_err err = {0};
    assert_int_equal(genu_date_parse(s, strlen(s), &d, &err), GENU_OK);
    return d;
}

/* The facts of P's knee as of a date. */
static facts build(const char *const *lines, size_t n, genu_knee knee, const char *as_of,
                   genu_arena *a)
{
    genu_dataset *ds = jf_load(lines, n, a);
    assert_non_null(ds);
    long pat = facts_find_patient(ds, "P");
    assert_true(pat >= 0);
    facts_similar_cfg cfg;
    facts_similar_defaults(&cfg);
    facts f;
    genu_err err = {0};
    int rc = facts_build(ds, (size_t)pat, knee, day(as_of), &cfg, a, &f, &err);
    if (rc)
        fail_msg("facts_build: %s", err.msg);
    return f;
}

static const facts_value *get(const facts *f, const char *name)
{
    int i = facts_find(name, strlen(name));
    if (i < 0)
        fail_msg("no fact named %s", name);
    return &f->v[i];
}

static void num_is(const facts *f, const char *name, double want)
{
    const facts_value *v = get(f, name);
    if (!v->known)
        fail_msg("%s: unknown, want %g", name, want);
    if (fabs(v->d - want) > 1e-9)
        fail_msg("%s: %.17g, want %.17g", name, v->d, want);
}

static void bool_is(const facts *f, const char *name, bool want)
{
    const facts_value *v = get(f, name);
    if (!v->known)
        fail_msg("%s: unknown, want %s", name, want ? "yes" : "no");
    if (v->b != want)
        fail_msg("%s: %s, want %s", name, v->b ? "yes" : "no", want ? "yes" : "no");
}

static void unknown(const facts *f, const char *name)
{
    const facts_value *v = get(f, name);
    if (v->known)
        fail_msg("%s: known (%g / %s), want unknown", name, v->d, v->s ? v->s : "-");
}

static bool from(const facts *f, const char *name, const char *id)
{
    const facts_value *v = get(f, name);
    for (size_t i = 0; i < v->nrec; i++)
        if (strcmp(v->recs[i], id) == 0)
            return true;
    return false;
}

/* Comma-separated and sorted: the names with any spaces taken out. */
static void kinds_are(const facts *f, const char *name, const char *want)
{
    const facts_value *v = get(f, name);
    if (!v->known || !v->s)
        fail_msg("%s: unknown, want %s", name, want);
    char packed[256];
    size_t k = 0;
    for (const char *p = v->s; *p && k + 1 < sizeof packed; p++)
        if (*p != ' ')
            packed[k++] = *p;
    packed[k] = '\0';
    if (strcmp(packed, want) != 0)
        fail_msg("%s: \"%s\", want %s", name, v->s, want);
}

/* ---- as of 2024-01-01 ---------------------------------------------------- */

/* KL: the latest date with a grade is 2023-05-01, grades 3 and 2 → 3 (DX2).
 * DX4 (KL 4) is after as-of; RDX (KL 4) is the other knee. */
static void kl_is_the_latest_grade_highest_on_its_day(void **state)
{
    genu_arena *a = *state;
    facts f = build(history, NHISTORY, GENU_KNEE_LEFT, "2024-01-01", a);
    num_is(&f, "kl", 3);
    assert_true(from(&f, "kl", "DX2"));
    assert_false(from(&f, "kl", "DX3"));
    assert_false(from(&f, "kl", "DX1"));
    assert_int_equal(get(&f, "kl")->date, day("2023-05-01"));
}

/* Stages tried: 1 (T1, T2, T7), 2 (T3), 3 (T4, T5, T6). The latest
 * treatment, T7, is exercise: stage.current 1; stage.highest 3. The right
 * knee's arthroscopy and the replacement after as-of do not count. */
static void stage_current_and_highest(void **state)
{
    genu_arena *a = *state;
    facts f = build(history, NHISTORY, GENU_KNEE_LEFT, "2024-01-01", a);
    num_is(&f, "stage.current", 1);
    assert_true(from(&f, "stage.current", "T7"));
    num_is(&f, "stage.highest", 3);
    num_is(&f, "stages.tried", 3);
    bool_is(&f, "stage1.tried", true);
    bool_is(&f, "stage2.tried", true);
    bool_is(&f, "stage3.tried", true);
    bool_is(&f, "surgery.tried", false);
    bool_is(&f, "replaced", false);
}

/* Kinds, sorted: stage 1 exercise, otc_nsaid; stage 2 rx_nsaid; stage 3
 * physical_therapy, prp (prp once though tried twice). */
static void stage_kinds(void **state)
{
    genu_arena *a = *state;
    facts f = build(history, NHISTORY, GENU_KNEE_LEFT, "2024-01-01", a);
    kinds_are(&f, "stage1.kinds", "exercise,otc_nsaid");
    kinds_are(&f, "stage2.kinds", "rx_nsaid");
    kinds_are(&f, "stage3.kinds", "physical_therapy,prp");
    assert_string_equal(get(&f, "stage1.first")->s, "2022-01-15");
    assert_string_equal(get(&f, "stage3.first")->s, "2022-09-01");
}

/* Days from a stage's first treatment to the first treatment of a higher
 * stage on or after it, else to as-of:
 *   stage 1: 2022-01-15 → 2022-06-01 (T3) = 16+28+31+30+31+1 = 137
 *   stage 2: 2022-06-01 → 2022-09-01 (T4) = 30+31+31 = 92
 *   stage 3: 2022-09-01 → 2024-01-01 (no higher stage by then)
 *            = 365 (to 2023-09-01) + 30+31+30+31 = 487 */
static void stage_days(void **state)
{
    genu_arena *a = *state;
    facts f = build(history, NHISTORY, GENU_KNEE_LEFT, "2024-01-01", a);
    num_is(&f, "stage1.days", 137);
    num_is(&f, "stage2.days", 92);
    num_is(&f, "stage3.days", 487);
}

/* Latest NPRS within the stage's time minus its baseline (the latest NPRS
 * from 90 days before its first treatment up to that day):
 *   stage 1: baseline N1 7 (2021-12-20, 26 days before), latest in
 *            (2022-01-15, 2022-06-01] N2 6 → -1
 *   stage 2: baseline N2 6, latest in (2022-06-01, 2022-09-01] N3 5 → -1
 *   stage 3: baseline N3 5, latest in (2022-09-01, 2024-01-01] N7 4 → -1
 * No stage reached -2, and every change is known: any_response no. */
static void stage_pain_change(void **state)
{
    genu_arena *a = *state;
    facts f = build(history, NHISTORY, GENU_KNEE_LEFT, "2024-01-01", a);
    num_is(&f, "stage1.pain_change", -1);
    assert_true(from(&f, "stage1.pain_change", "N1"));
    assert_true(from(&f, "stage1.pain_change", "N2"));
    num_is(&f, "stage2.pain_change", -1);
    num_is(&f, "stage3.pain_change", -1);
    assert_true(from(&f, "stage3.pain_change", "N3"));
    assert_true(from(&f, "stage3.pain_change", "N7"));
    bool_is(&f, "stages.any_response", false);
}

/* The first regenerative treatment is T5 (2023-01-10). Baseline: latest
 * NPRS in [2022-10-12, 2023-01-10] = N4 6. After it: N5 3, N6 2, N7 4 →
 * best 2; latest 4 (N8 is after as-of, RN1 the other knee).
 * best improvement (6-2)/6 = 66.67 %, latest (6-4)/6 = 33.33 %. */
static void pain_trajectory(void **state)
{
    genu_arena *a = *state;
    facts f = build(history, NHISTORY, GENU_KNEE_LEFT, "2024-01-01", a);
    num_is(&f, "pain.baseline", 6);
    assert_true(from(&f, "pain.baseline", "N4"));
    num_is(&f, "pain.best", 2);
    assert_true(from(&f, "pain.best", "N6"));
    num_is(&f, "pain.latest", 4);
    assert_true(from(&f, "pain.latest", "N7"));
    assert_string_equal(get(&f, "pain.latest_date")->s, "2023-11-01");
    num_is(&f, "pain.best_improvement_pct", 400.0 / 6.0);
    num_is(&f, "pain.latest_improvement_pct", 200.0 / 6.0);
    bool_is(&f, "regen.tried", true);
    assert_string_equal(get(&f, "regen.first")->s, "2023-01-10");
    num_is(&f, "regen.sessions", 2);
}

/* "Records dated after the as-of date are invisible": as of N7's own day
 * (2023-11-01) N7 is the latest NPRS; as of the day before, N6 (2). */
static void a_record_on_the_as_of_day_counts(void **state)
{
    genu_arena *a = *state;
    facts f = build(history, NHISTORY, GENU_KNEE_LEFT, "2023-11-01", a);
    num_is(&f, "pain.latest", 4);
    f = build(history, NHISTORY, GENU_KNEE_LEFT, "2023-10-31", a);
    num_is(&f, "pain.latest", 2);
    /* and T7 (2023-08-01) as of its own day is the current treatment */
    f = build(history, NHISTORY, GENU_KNEE_LEFT, "2023-08-01", a);
    num_is(&f, "stage.current", 1);
    f = build(history, NHISTORY, GENU_KNEE_LEFT, "2023-07-31", a);
    num_is(&f, "stage.current", 3); /* T6, prp */
}

/* ---- as of 2024-06-01: the replacement and the later records count ---- */

/* Now T8 (total_knee_replacement, 2024-03-01) is the latest treatment:
 * stage 4 (surgery) is current and highest, replaced and surgery.tried are
 * yes. KL: DX4 4. Stage 3 now ends at T8: 2022-09-01 → 2024-03-01 = 487 +
 * 31 + 29 (2024 is a leap year) = 547, and its latest NPRS is N8 0:
 * change 0 - 5 = -5, so some stage responded. pain.best and pain.latest
 * are N8's 0. */
static void later_as_of_sees_the_replacement(void **state)
{
    genu_arena *a = *state;
    facts f = build(history, NHISTORY, GENU_KNEE_LEFT, "2024-06-01", a);
    num_is(&f, "stage.current", 4);
    assert_true(from(&f, "stage.current", "T8"));
    num_is(&f, "stage.highest", 4);
    num_is(&f, "stages.tried", 3); /* stages 1-3 only */
    bool_is(&f, "surgery.tried", true);
    kinds_are(&f, "surgery.kinds", "total_knee_replacement");
    bool_is(&f, "replaced", true);
    assert_true(from(&f, "replaced", "T8"));
    num_is(&f, "kl", 4);
    num_is(&f, "stage3.days", 547);
    num_is(&f, "stage3.pain_change", -5);
    bool_is(&f, "stages.any_response", true);
    num_is(&f, "pain.best", 0);
    num_is(&f, "pain.latest", 0);
    num_is(&f, "pain.baseline", 6); /* the index has not moved */
}

/* The right knee alone: the arthroscopy (surgery, stage 4, not a
 * replacement), KL 4, one NPRS; nothing regenerative. */
static void the_other_knee_has_its_own_facts(void **state)
{
    genu_arena *a = *state;
    facts f = build(history, NHISTORY, GENU_KNEE_RIGHT, "2024-01-01", a);
    num_is(&f, "kl", 4);
    num_is(&f, "stage.current", 4);
    num_is(&f, "stage.highest", 4);
    num_is(&f, "stages.tried", 0);
    bool_is(&f, "stage1.tried", false);
    bool_is(&f, "surgery.tried", true);
    kinds_are(&f, "surgery.kinds", "arthroscopy");
    bool_is(&f, "replaced", false);
    num_is(&f, "pain.latest", 1);
    bool_is(&f, "regen.tried", false);
    unknown(&f, "pain.baseline");
    unknown(&f, "pain.best");
}

/* As of a day before anything: no treatments (stage 0), no KL, no NPRS. */
static void nothing_yet(void **state)
{
    genu_arena *a = *state;
    facts f = build(history, NHISTORY, GENU_KNEE_LEFT, "2021-12-01", a);
    num_is(&f, "stage.current", 0);
    num_is(&f, "stage.highest", 0);
    num_is(&f, "stages.tried", 0);
    bool_is(&f, "stage1.tried", false);
    bool_is(&f, "surgery.tried", false);
    bool_is(&f, "replaced", false);
    unknown(&f, "kl");
    unknown(&f, "stage1.kinds");
    unknown(&f, "stage1.days");
    unknown(&f, "stage1.pain_change");
    unknown(&f, "pain.latest");
    unknown(&f, "pain.baseline");
}

/* The baseline window is 90 days up to and including the treatment day
 * (docs/design.md, Baseline and follow-up: "from 90 days before the index
 * date up to the index date itself"). prp on 2023-04-01; 2023-01-01 is
 * 31 + 28 + 31 = 90 days before (in), 2022-12-31 is 91 (out). */
static void baseline_window_is_90_days(void **state)
{
    genu_arena *a = *state;
    const char *in[] = {PAT, NPRS("B", "left", "2023-01-01", 8),
                        TX("T", "left", "2023-04-01", "prp"), NPRS("F", "left", "2023-06-01", 3)};
    facts f = build(in, 4, GENU_KNEE_LEFT, "2024-01-01", a);
    num_is(&f, "pain.baseline", 8);
    num_is(&f, "pain.best", 3);
    num_is(&f, "stage3.pain_change", -5); /* 3 - 8 */
    bool_is(&f, "stages.any_response", true);

    const char *out[] = {PAT, NPRS("B", "left", "2022-12-31", 8),
                         TX("T", "left", "2023-04-01", "prp"), NPRS("F", "left", "2023-06-01", 3)};
    f = build(out, 4, GENU_KNEE_LEFT, "2024-01-01", a);
    unknown(&f, "pain.baseline");
    unknown(&f, "pain.best_improvement_pct"); /* needs the baseline */
    unknown(&f, "pain.latest_improvement_pct");
    unknown(&f, "stage3.pain_change");
    unknown(&f, "stages.any_response"); /* a tried stage with no known change */
    num_is(&f, "pain.latest", 3);

    /* an NPRS on the treatment day itself is the baseline, not the response */
    const char *same[] = {PAT, NPRS("B", "left", "2023-04-01", 7),
                          TX("T", "left", "2023-04-01", "prp"), NPRS("F", "left", "2023-05-01", 6)};
    f = build(same, 4, GENU_KNEE_LEFT, "2024-01-01", a);
    num_is(&f, "pain.baseline", 7);
    num_is(&f, "pain.best", 6);
    num_is(&f, "stage3.pain_change", -1);
}

/* pain.best is "the lowest NPRS after the first regenerative treatment"
 * (docs/advice.md, Facts): it does not need a baseline. Here the only NPRS
 * before the prp is 91 days before it (no baseline); after it 5 then 3 →
 * best 3, latest 3. */
static void pain_best_needs_no_baseline(void **state)
{
    genu_arena *a = *state;
    const char *lines[] = {
        PAT, NPRS("B", "left", "2022-12-31", 8), TX("T", "left", "2023-04-01", "prp"),
        NPRS("F1", "left", "2023-05-01", 5), NPRS("F2", "left", "2023-06-01", 3)};
    facts f = build(lines, 5, GENU_KNEE_LEFT, "2024-01-01", a);
    unknown(&f, "pain.baseline");
    num_is(&f, "pain.latest", 3);
    num_is(&f, "pain.best", 3);
    assert_true(from(&f, "pain.best", "F2"));
}

/* Several KL grades: the latest date wins even when an earlier date had a
 * higher grade (KL 4 in 2022, KL 2 in 2023 → 2). */
static void kl_latest_date_wins_over_a_higher_earlier_grade(void **state)
{
    genu_arena *a = *state;
    const char *lines[] = {PAT, DX("D1", "left", "2022-01-01", 4),
                           DX("D2", "left", "2023-01-01", 2),
                           REC("diagnosis", "D3", "left", "2023-06-01", "\"condition\":\"gout\"")};
    facts f = build(lines, 4, GENU_KNEE_LEFT, "2024-01-01", a);
    num_is(&f, "kl", 2); /* D3 has no grade and does not hide D2 */
    assert_true(from(&f, "kl", "D2"));
}

/* A partial knee replacement is a replacement too; arthroscopy is not. */
static void replaced_means_a_partial_or_total_replacement(void **state)
{
    genu_arena *a = *state;
    const char *partial[] = {PAT, TX("S", "left", "2023-01-01", "partial_knee_replacement")};
    facts f = build(partial, 2, GENU_KNEE_LEFT, "2024-01-01", a);
    bool_is(&f, "replaced", true);
    bool_is(&f, "surgery.tried", true);
    const char *scope[] = {PAT, TX("S", "left", "2023-01-01", "meniscectomy")};
    f = build(scope, 2, GENU_KNEE_LEFT, "2024-01-01", a);
    bool_is(&f, "replaced", false);
    bool_is(&f, "surgery.tried", true);
    num_is(&f, "stage.highest", 4);
}

/* Two treatments on one day, the stage 3 one entered first: stage 1's
 * first treatment is 2023-03-01 and the first treatment of a higher stage
 * on or after it is physical therapy the same day, so stage 1 lasted 0
 * days (not the 306 to as-of). stage.current is the one recorded last on
 * that day: otc_nsaid, stage 1. */
static void higher_stage_on_the_same_day_ends_the_stage(void **state)
{
    genu_arena *a = *state;
    const char *lines[] = {PAT, TX("PT", "left", "2023-03-01", "physical_therapy"),
                           TX("NS", "left", "2023-03-01", "otc_nsaid")};
    facts f = build(lines, 3, GENU_KNEE_LEFT, "2024-01-01", a);
    num_is(&f, "stage.current", 1);
    num_is(&f, "stage.highest", 3);
    num_is(&f, "stage3.days", 306); /* 2023-03-01 → 2024-01-01 */
    num_is(&f, "stage1.days", 0);
}

/* facts_format: text for people, by the fact's unit */
static void format_in_words(void **state)
{
    genu_arena *a = *state;
    const facts_def *days = facts_at((size_t)facts_find("stage3.days", 11));
    const facts_def *change = facts_at((size_t)facts_find("stage3.pain_change", 18));
    const facts_def *kinds = facts_at((size_t)facts_find("stage3.kinds", 12));
    const facts_def *sites = facts_at((size_t)facts_find("plan.sites", 10));
    const facts_def *kl = facts_at((size_t)facts_find("kl", 2));
    facts_value v = {.known = true, .d = 6878};
    assert_string_equal(facts_format(days, &v, a), "19 years");
    v.d = 21;
    assert_string_equal(facts_format(days, &v, a), "3 weeks");
    v.d = -4;
    assert_string_equal(facts_format(change, &v, a), "4 points better");
    v.d = 3;
    assert_string_equal(facts_format(change, &v, a), "3 points worse");
    assert_string_equal(facts_format(kl, &v, a), "3");
    v.s = "bone_marrow_aspirate, dextrose_prolotherapy";
    assert_string_equal(facts_format(kinds, &v, a), "bone marrow aspirate, dextrose prolotherapy");
    v.s = "intra_articular_only";
    assert_string_equal(facts_format(sites, &v, a), "intra-articular only");
    v.known = false;
    assert_string_equal(facts_format(days, &v, a), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(kl_is_the_latest_grade_highest_on_its_day),
        T(stage_current_and_highest),
        T(stage_kinds),
        T(stage_days),
        T(stage_pain_change),
        T(pain_trajectory),
        T(a_record_on_the_as_of_day_counts),
        T(later_as_of_sees_the_replacement),
        T(the_other_knee_has_its_own_facts),
        T(nothing_yet),
        T(baseline_window_is_90_days),
        T(pain_best_needs_no_baseline),
        T(kl_latest_date_wins_over_a_higher_earlier_grade),
        T(replaced_means_a_partial_or_total_replacement),
        T(higher_stage_on_the_same_day_ends_the_stage),
        T(format_in_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
