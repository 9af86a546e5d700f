/* Unit tests for the default advice rules: for each rule a hand-written
 * knee that fires it and a near miss that does not, the facts that explain
 * a finding (names, values, record ids), the as-of cut-off, and the
 * "patients like this knee" counts with their Wilson interval. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "advice/advice.h"
#include "analysis/stats.h"
#include "jsonl_fixture.h"

#define PAT "{\"type\":\"patient\",\"id\":\"P\",\"site\":\"s\",\"sex\":\"female\",\"birth_year\":1960}"
#define AS_OF "2024-01-01"

static genu_date day(const char *s)
{
    genu_date d = 0;
    genu_err err = {0};
    assert_int_equal(genu_date_parse(s, strlen(s), &d, &err), GENU_OK);
    return d;
}

/* Evaluates the default rules for P's left knee as of `as_of`. */
static void eval_at(const char *const *lines, size_t n, const char *as_of, genu_arena *a,
                    advice_knee *out)
{
    genu_err err = {0};
    rules rs;
    assert_int_equal(rules_load_default(a, &rs, &err), GENU_OK);
    genu_dataset *ds = jf_load(lines, n, a);
    assert_non_null(ds);
    long pat = facts_find_patient(ds, "P");
    assert_true(pat >= 0);
    int rc = advice_knee_eval(&rs, ds, (size_t)pat, GENU_KNEE_LEFT, day(as_of), a, out, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, GENU_OK);
}

static const advice_finding *finding(const advice_knee *k, const char *rule)
{
    for (size_t i = 0; i < k->n; i++)
        if (strcmp(k->finding[i].rule->id, rule) == 0)
            return &k->finding[i];
    return NULL;
}

static void check(const char *rule, bool want, const char *const *lines, size_t n)
{
    genu_arena *a = genu_arena_create();
    advice_knee k;
    eval_at(lines, n, AS_OF, a, &k);
    const advice_finding *f = finding(&k, rule);
    if ((f != NULL) != want) {
        fprintf(stderr, "rule %s: wanted %s; findings:", rule, want ? "fired" : "not fired");
        for (size_t i = 0; i < k.n; i++)
            fprintf(stderr, " %s", k.finding[i].rule->id);
        fprintf(stderr, "\n");
    }
    assert_true((f != NULL) == want);
    genu_arena_destroy(a);
}

#define LINES(...) ((const char *const[]){PAT, __VA_ARGS__})
#define NLINES(...) (sizeof LINES(__VA_ARGS__) / sizeof(const char *))
#define FIRES(rule, ...) check(rule, true, LINES(__VA_ARGS__), NLINES(__VA_ARGS__))
#define MISSES(rule, ...) check(rule, false, LINES(__VA_ARGS__), NLINES(__VA_ARGS__))

/* A fact of finding f, or NULL. */
static const facts_value *fact(const advice_knee *k, const advice_finding *f, const char *name)
{
    for (size_t i = 0; i < f->nfacts; i++)
        if (strcmp(facts_at((size_t)f->facts[i])->name, name) == 0)
            return &k->f.v[f->facts[i]];
    return NULL;
}

static bool has_record(const facts_value *v, const char *id)
{
    for (size_t i = 0; v && i < v->nrec; i++)
        if (strcmp(v->recs[i], id) == 0)
            return true;
    return false;
}

#define EXAM(findings)                                                                           \
    "{\"type\":\"exam\",\"id\":\"E1\",\"patient\":\"P\",\"knee\":\"left\",\"date\":\"2023-06-01\"," \
    "\"findings\":{" findings "}}"
#define TREAT(id, date, kind)                                                                    \
    "{\"type\":\"treatment\",\"id\":\"" id "\",\"patient\":\"P\",\"knee\":\"left\",\"date\":\"" date \
    "\",\"kind\":\"" kind "\"}"
#define INJ(id, date, kind, sites)                                                               \
    "{\"type\":\"treatment\",\"id\":\"" id "\",\"patient\":\"P\",\"knee\":\"left\",\"date\":\"" date \
    "\",\"kind\":\"" kind "\",\"sites\":[" sites "]}"
#define NPRS(id, date, v)                                                                        \
    "{\"type\":\"response\",\"id\":\"" id "\",\"patient\":\"P\",\"knee\":\"left\",\"date\":\"" date \
    "\",\"instrument\":\"nprs\",\"items\":{\"intensity\":" #v "}}"
#define DX(id, cond, kl)                                                                         \
    "{\"type\":\"diagnosis\",\"id\":\"" id "\",\"patient\":\"P\",\"knee\":\"left\",\"date\":"      \
    "\"2023-01-01\",\"condition\":\"" cond "\",\"kl_grade\":" #kl "}"
#define IA "\"intra_articular\""

/* ---- red flags ---------------------------------------------------------- */

static void red_flag_severe_pain_with_marked_swelling(void **state)
{
    (void)state;
    FIRES("red_flag_severe_pain_swelling", EXAM("\"swelling\":\"marked\",\"pain_at_rest\":\"severe\""));
    FIRES("red_flag_severe_pain_swelling", EXAM("\"swelling\":\"marked\""), NPRS("R1", "2023-06-01", 9));
    MISSES("red_flag_severe_pain_swelling", EXAM("\"swelling\":\"mild\",\"pain_at_rest\":\"severe\""));
    MISSES("red_flag_severe_pain_swelling", EXAM("\"swelling\":\"marked\",\"pain_at_rest\":\"moderate\""),
           NPRS("R1", "2023-06-01", 7));
}

static void red_flag_unable_to_straighten(void **state)
{
    (void)state;
    FIRES("red_flag_unable_to_straighten", EXAM("\"unable_to_straighten\":true"));
    MISSES("red_flag_unable_to_straighten", EXAM("\"unable_to_straighten\":false"));
}

static void red_flag_locked_knee_names_the_exam(void **state)
{
    (void)state;
    FIRES("red_flag_locked_knee", EXAM("\"locking\":true"));
    /* not examined is unknown, not "not locked": the rule does not fire */
    MISSES("red_flag_locked_knee", EXAM("\"swelling\":\"none\""));
    MISSES("red_flag_locked_knee", EXAM("\"locking\":false"));
    genu_arena *a = genu_arena_create();
    advice_knee k;
    eval_at(LINES(EXAM("\"locking\":true")), NLINES(EXAM("\"locking\":true")), AS_OF, a, &k);
    const advice_finding *f = finding(&k, "red_flag_locked_knee");
    assert_non_null(f);
    assert_int_equal(f->rule->level, RULES_URGENT);
    assert_ptr_equal(f, &k.finding[0]); /* urgent findings come first */
    const facts_value *v = fact(&k, f, "exam.locking");
    assert_non_null(v);
    assert_true(v->known && v->b);
    assert_true(has_record(v, "E1"));
    assert_int_equal(v->date, day("2023-06-01"));
    assert_string_equal(f->message, "Locked knee (exam 2023-06-01): urgent clinical evaluation.");
    genu_arena_destroy(a);
}

static void red_flag_trauma_with_a_pop(void **state)
{
    (void)state;
    FIRES("red_flag_trauma_pop", EXAM("\"recent_trauma_pop\":true"));
    MISSES("red_flag_trauma_pop", EXAM("\"recent_trauma_pop\":false"));
}

static void records_after_as_of_are_invisible(void **state)
{
    (void)state;
    const char *const lines[] = {
        PAT, "{\"type\":\"exam\",\"id\":\"E9\",\"patient\":\"P\",\"knee\":\"left\",\"date\":"
             "\"2024-02-01\",\"findings\":{\"locking\":true}}"};
    check("red_flag_locked_knee", false, lines, 2);
    genu_arena *a = genu_arena_create();
    advice_knee k;
    eval_at(lines, 2, "2024-02-01", a, &k);
    assert_non_null(finding(&k, "red_flag_locked_knee"));
    genu_arena_destroy(a);
}

/* ---- surgery indications ------------------------------------------------ */

static void surgery_when_injections_failed(void **state)
{
    (void)state;
    /* 6 -> 5 after 365 days: 16.7% better */
    FIRES("surgery_treatments_failed", NPRS("R1", "2023-01-01", 6), INJ("T1", "2023-01-01", "prp", IA),
          NPRS("R2", "2023-09-01", 5));
    /* 6 -> 4: 33% better */
    MISSES("surgery_treatments_failed", NPRS("R1", "2023-01-01", 6),
           INJ("T1", "2023-01-01", "prp", IA), NPRS("R2", "2023-09-01", 4));
    /* too early to call: 153 days */
    const char *const early[] = {PAT, NPRS("R1", "2023-08-01", 6), INJ("T1", "2023-08-01", "prp", IA),
                                 NPRS("R2", "2023-12-01", 6)};
    check("surgery_treatments_failed", false, early, 4);
}

static void surgery_when_pain_persists_through_stages(void **state)
{
    (void)state;
    FIRES("surgery_persistent_pain", TREAT("T1", "2022-01-01", "exercise"), NPRS("R1", "2022-01-01", 7),
          NPRS("R2", "2022-06-01", 7), TREAT("T2", "2022-07-01", "rx_nsaid"),
          NPRS("R3", "2022-07-01", 7), NPRS("R4", "2022-12-01", 6));
    /* stage 2 brought NPRS down by 2: a response */
    MISSES("surgery_persistent_pain", TREAT("T1", "2022-01-01", "exercise"), NPRS("R1", "2022-01-01", 7),
           NPRS("R2", "2022-06-01", 7), TREAT("T2", "2022-07-01", "rx_nsaid"),
           NPRS("R3", "2022-07-01", 7), NPRS("R4", "2022-12-01", 5));
}

#define KOOS_ADL(v)                                                                              \
    "{\"type\":\"response\",\"id\":\"K1\",\"patient\":\"P\",\"knee\":\"left\",\"date\":"           \
    "\"2023-05-01\",\"instrument\":\"koos\",\"items\":{\"A1\":" #v ",\"A2\":" #v ",\"A3\":" #v   \
    ",\"A4\":" #v ",\"A5\":" #v ",\"A6\":" #v ",\"A7\":" #v ",\"A8\":" #v ",\"A9\":" #v "}}"

static void surgery_when_daily_life_is_limited(void **state)
{
    (void)state;
    FIRES("surgery_daily_life_limited", KOOS_ADL(3)); /* ADL 25 */
    MISSES("surgery_daily_life_limited", KOOS_ADL(2)); /* ADL 50 */
}

static void surgery_when_swelling_outlasts_medication(void **state)
{
    (void)state;
    FIRES("surgery_swelling_despite_medication", TREAT("T1", "2023-04-01", "otc_nsaid"),
          EXAM("\"swelling\":\"mild\""));
    /* medication began 9 days before the exam */
    MISSES("surgery_swelling_despite_medication", TREAT("T1", "2023-05-23", "otc_nsaid"),
           EXAM("\"swelling\":\"mild\""));
    MISSES("surgery_swelling_despite_medication", TREAT("T1", "2023-04-01", "otc_nsaid"),
           EXAM("\"swelling\":\"none\""));
}

static void surgery_when_deformed(void **state)
{
    (void)state;
    FIRES("surgery_deformity", EXAM("\"deformity\":\"valgus\""));
    MISSES("surgery_deformity", EXAM("\"deformity\":\"none\""));
    /* a replaced knee is past these indications */
    MISSES("surgery_deformity", EXAM("\"deformity\":\"valgus\""),
           TREAT("T1", "2023-07-01", "total_knee_replacement"));
}

static void surgery_when_unable_to_bend(void **state)
{
    (void)state;
    FIRES("surgery_motion_loss", EXAM("\"unable_to_bend\":true,\"unable_to_straighten\":false"));
    MISSES("surgery_motion_loss", EXAM("\"unable_to_bend\":false,\"unable_to_straighten\":false"));
}

/* ---- injection candidacy ------------------------------------------------- */

static void candidacy_follows_the_kl_grade(void **state)
{
    (void)state;
    FIRES("injection_kl_favourable", DX("D1", "osteoarthritis", 2));
    MISSES("injection_kl_favourable", DX("D1", "osteoarthritis", 3));
    FIRES("injection_kl_uncertain", DX("D1", "osteoarthritis", 3));
    MISSES("injection_kl_uncertain", DX("D1", "osteoarthritis", 2));
    FIRES("injection_kl_low_benefit", DX("D1", "osteoarthritis", 4));
    MISSES("injection_kl_low_benefit", DX("D1", "osteoarthritis", 3));
    /* no radiograph: no candidacy finding at all */
    MISSES("injection_kl_favourable", DX("D1", "osteoarthritis", null));
}

static void kl_is_the_highest_grade_of_the_latest_date(void **state)
{
    (void)state;
    const char *const lines[] = {
        PAT,
        "{\"type\":\"diagnosis\",\"id\":\"D1\",\"patient\":\"P\",\"knee\":\"left\",\"date\":"
        "\"2020-01-01\",\"condition\":\"osteoarthritis\",\"kl_grade\":4}",
        "{\"type\":\"diagnosis\",\"id\":\"D2\",\"patient\":\"P\",\"knee\":\"left\",\"date\":"
        "\"2022-01-01\",\"condition\":\"osteoarthritis\",\"kl_grade\":2}",
        "{\"type\":\"diagnosis\",\"id\":\"D3\",\"patient\":\"P\",\"knee\":\"left\",\"date\":"
        "\"2022-01-01\",\"condition\":\"chondral_defect\",\"kl_grade\":3}"};
    genu_arena *a = genu_arena_create();
    advice_knee k;
    eval_at(lines, 4, AS_OF, a, &k);
    const advice_finding *f = finding(&k, "injection_kl_uncertain");
    assert_non_null(f);
    const facts_value *v = fact(&k, f, "kl");
    assert_true(v && v->known && v->d == 3);
    assert_true(has_record(v, "D3"));
    assert_false(has_record(v, "D1"));
    genu_arena_destroy(a);
}

/* Other patients "Q01".. with KL 2 and a PRP index, NPRS 8 at index and `after`
 * at 6 months: responders when after <= 4. */
static size_t cohort_lines(const char **lines, size_t nq, size_t nresp, genu_arena *a)
{
    size_t n = 0;
    lines[n++] = PAT;
    lines[n++] = DX("D1", "osteoarthritis", 1);
    lines[n++] = INJ("T1", "2022-01-01", "prp", IA);
    for (size_t q = 0; q < nq; q++) {
        lines[n++] = genu_arena_printf(a, "{\"type\":\"patient\",\"id\":\"Q%02zu\",\"site\":\"s\","
                                          "\"sex\":\"male\",\"birth_year\":1950}", q);
        lines[n++] = genu_arena_printf(
            a, "{\"type\":\"diagnosis\",\"patient\":\"Q%02zu\",\"knee\":\"right\",\"date\":"
               "\"2021-12-01\",\"condition\":\"osteoarthritis\",\"kl_grade\":2}", q);
        lines[n++] = genu_arena_printf(
            a, "{\"type\":\"treatment\",\"patient\":\"Q%02zu\",\"knee\":\"right\",\"date\":"
               "\"2022-01-01\",\"kind\":\"prp\",\"sites\":[\"intra_articular\"]}", q);
        lines[n++] = genu_arena_printf(
            a, "{\"type\":\"response\",\"patient\":\"Q%02zu\",\"knee\":\"right\",\"date\":"
               "\"2022-01-01\",\"instrument\":\"nprs\",\"items\":{\"intensity\":8}}", q);
        lines[n++] = genu_arena_printf(
            a, "{\"type\":\"response\",\"patient\":\"Q%02zu\",\"knee\":\"right\",\"date\":"
               "\"2022-07-02\",\"instrument\":\"nprs\",\"items\":{\"intensity\":%d}}", q,
            q < nresp ? 3 : 7);
    }
    /* a KL 3 knee and a cell-therapy knee: not similar */
    lines[n++] = "{\"type\":\"patient\",\"id\":\"Z1\",\"site\":\"s\",\"sex\":\"male\",\"birth_year\":1950}";
    lines[n++] = "{\"type\":\"diagnosis\",\"patient\":\"Z1\",\"knee\":\"left\",\"date\":\"2021-12-01\","
                 "\"condition\":\"osteoarthritis\",\"kl_grade\":3}";
    lines[n++] = "{\"type\":\"diagnosis\",\"patient\":\"Z1\",\"knee\":\"right\",\"date\":\"2021-12-01\","
                 "\"condition\":\"osteoarthritis\",\"kl_grade\":1}";
    lines[n++] = "{\"type\":\"treatment\",\"patient\":\"Z1\",\"knee\":\"left\",\"date\":\"2022-01-01\","
                 "\"kind\":\"prp\"}";
    lines[n++] = "{\"type\":\"treatment\",\"patient\":\"Z1\",\"knee\":\"right\",\"date\":\"2022-01-01\","
                 "\"kind\":\"adipose_msc\"}";
    for (int k = 0; k < 2; k++) {
        lines[n++] = genu_arena_printf(
            a, "{\"type\":\"response\",\"patient\":\"Z1\",\"knee\":\"%s\",\"date\":"
               "\"2022-01-01\",\"instrument\":\"nprs\",\"items\":{\"intensity\":8}}", k ? "right" : "left");
        lines[n++] = genu_arena_printf(
            a, "{\"type\":\"response\",\"patient\":\"Z1\",\"knee\":\"%s\",\"date\":"
               "\"2022-07-02\",\"instrument\":\"nprs\",\"items\":{\"intensity\":1}}", k ? "right" : "left");
    }
    return n;
}

static void similar_knees_give_n_rate_and_wilson_interval(void **state)
{
    (void)state;
    genu_arena *a = genu_arena_create();
    const char *lines[128];
    size_t n = cohort_lines(lines, 12, 9, a);
    advice_knee k;
    eval_at(lines, n, AS_OF, a, &k);
    const facts_similar *s = &k.f.similar;
    assert_true(s->computed);
    assert_string_equal(s->band, "0-2");
    assert_string_equal(s->family, "prp");
    assert_int_equal(s->analysed, 12);
    assert_int_equal(s->responders, 9);
    assert_true(s->enough);
    double lo, hi;
    stats_wilson(9, 12, STATS_Z95, &lo, &hi);
    assert_true(fabs(s->rate - 0.75) < 1e-12);
    assert_true(fabs(s->lo - lo) < 1e-12 && fabs(s->hi - hi) < 1e-12);
    const advice_finding *f = finding(&k, "injection_kl_favourable");
    assert_non_null(f);
    assert_non_null(strstr(f->message, "9 of 12 responded"));
    assert_non_null(fact(&k, f, "similar.summary"));
    genu_arena_destroy(a);
}

static void fewer_than_ten_similar_knees_are_too_few(void **state)
{
    (void)state;
    genu_arena *a = genu_arena_create();
    const char *lines[128];
    size_t n = cohort_lines(lines, 9, 9, a);
    advice_knee k;
    eval_at(lines, n, AS_OF, a, &k);
    assert_int_equal(k.f.similar.analysed, 9);
    assert_false(k.f.similar.enough);
    const advice_finding *f = finding(&k, "injection_kl_favourable");
    assert_non_null(f);
    assert_non_null(strstr(f->message, "Too few similar knees"));
    genu_arena_destroy(a);
}

/* ---- whole knee, waning, cost ------------------------------------------- */

static void whole_knee_check_names_the_ligament_diagnosis(void **state)
{
    (void)state;
    FIRES("whole_knee_check", DX("D1", "mcl_sprain", null), INJ("T1", "2023-02-01", "prp", IA));
    MISSES("whole_knee_check", DX("D1", "mcl_sprain", null),
           INJ("T1", "2023-02-01", "prp", IA ",\"mcl\""));
    MISSES("whole_knee_check", DX("D1", "osteoarthritis", 2), INJ("T1", "2023-02-01", "prp", IA));
    FIRES("whole_knee_check", EXAM("\"instability\":true"), INJ("T1", "2023-02-01", "prp", IA));

    genu_arena *a = genu_arena_create();
    advice_knee k;
    const char *const lines[] = {PAT, DX("D1", "mcl_sprain", null), INJ("T1", "2023-02-01", "prp", IA)};
    eval_at(lines, 3, AS_OF, a, &k);
    const advice_finding *f = finding(&k, "whole_knee_check");
    assert_non_null(f);
    assert_true(has_record(fact(&k, f, "ligament_condition"), "D1"));
    assert_true(has_record(fact(&k, f, "plan.sites"), "T1"));
    assert_string_equal(fact(&k, f, "plan.sites")->s, "intra_articular_only");
    /* exam.instability was not examined: the true branch of the "or" decided */
    assert_int_equal(f->facts[0], facts_find("replaced", 8));
    for (size_t i = 0; i < 3; i++)
        assert_string_not_equal(facts_at((size_t)f->facts[i])->name, "exam.instability");
    genu_arena_destroy(a);
}

static void waning_response_within_twenty_percent_of_baseline(void **state)
{
    (void)state;
    FIRES("waning_response", NPRS("R1", "2022-12-20", 6), INJ("T1", "2023-01-01", "prp", IA),
          NPRS("R2", "2023-03-01", 3), NPRS("R3", "2023-10-01", 5));
    /* 6 -> 4 is still 33% better */
    MISSES("waning_response", NPRS("R1", "2022-12-20", 6), INJ("T1", "2023-01-01", "prp", IA),
           NPRS("R2", "2023-03-01", 3), NPRS("R3", "2023-10-01", 4));
    /* never responded: 6 -> 5 at best */
    MISSES("waning_response", NPRS("R1", "2022-12-20", 6), INJ("T1", "2023-01-01", "prp", IA),
           NPRS("R2", "2023-03-01", 5), NPRS("R3", "2023-10-01", 6));

    genu_arena *a = genu_arena_create();
    advice_knee k;
    const char *const lines[] = {PAT, NPRS("R1", "2022-12-20", 6), INJ("T1", "2023-01-01", "prp", IA),
                                 NPRS("R2", "2023-03-01", 3), NPRS("R3", "2023-10-01", 5)};
    eval_at(lines, 5, AS_OF, a, &k);
    const advice_finding *f = finding(&k, "waning_response");
    assert_non_null(f);
    const facts_value *waned = fact(&k, f, "last_series.waned");
    assert_true(waned && waned->b);
    assert_true(has_record(waned, "R1") && has_record(waned, "R2") && has_record(waned, "R3"));
    /* 6 before, 3 at best on 2023-03-01 (50% better), back to 5 on 2023-10-01
     * (17% better), 273 days after the only session: 9 months */
    assert_string_equal(f->message,
                        "Response waning after PRP (from 2023-01-01): pain improved from 6/10 to "
                        "3/10 by 2023-03-01 and was back to 5/10 on 2023-10-01, 9 months after its "
                        "last treatment. No other knee in the registry had a series after its "
                        "response to PRP waned.");
    genu_arena_destroy(a);
}

/* Other patients' knees "W01".. whose response to PRP waned, then a next
 * series of `kind` that helped or not. */
#define WKNEE(p, kind, after)                                                                    \
    "{\"type\":\"patient\",\"id\":\"" p "\",\"site\":\"s\",\"sex\":\"female\",\"birth_year\":1960}",  \
        NPRSP(p, "a", "2022-01-01", 6), INJP(p, "a", "2022-01-01", "prp"),                           \
        NPRSP(p, "b", "2022-03-01", 2), NPRSP(p, "c", "2022-09-01", 6),                            \
        INJP(p, "b", "2022-09-01", kind), NPRSP(p, "d", "2022-12-01", after)
#define NPRSP(p, s, date, v)                                                                     \
    "{\"type\":\"response\",\"id\":\"" p s "\",\"patient\":\"" p "\",\"knee\":\"left\",\"date\":\"" \
    date "\",\"instrument\":\"nprs\",\"items\":{\"intensity\":" #v "}}"
#define INJP(p, s, date, kind)                                                                   \
    "{\"type\":\"treatment\",\"id\":\"" p "t" s "\",\"patient\":\"" p "\",\"knee\":\"left\",\"date\":\"" \
    date "\",\"kind\":\"" kind "\",\"sites\":[\"intra_articular\"]}"

static void waning_response_says_what_similar_knees_did_next(void **state)
{
    (void)state;
    genu_arena *a = genu_arena_create();
    advice_knee k;
    /* three repeated PRP (two helped: 6 -> 2 is 67% better; 6 -> 5 is not),
     * one escalated to bone marrow aspirate and helped, one to a
     * corticosteroid (neither repeat nor escalation) */
    const char *const lines[] = {PAT, NPRS("R1", "2022-12-20", 6), INJ("T1", "2023-01-01", "prp", IA),
                                 NPRS("R2", "2023-03-01", 3), NPRS("R3", "2023-10-01", 5),
                                 WKNEE("W01", "prp", 2), WKNEE("W02", "prp", 2),
                                 WKNEE("W03", "prp", 5), WKNEE("W04", "bone_marrow_aspirate", 1),
                                 WKNEE("W05", "corticosteroid_injection", 1)};
    eval_at(lines, sizeof lines / sizeof lines[0], AS_OF, a, &k);
    const advice_finding *f = finding(&k, "waning_response");
    assert_non_null(f);
    assert_non_null(strstr(f->message, "Of 5 other knees in the registry whose response to PRP "
                                       "waned, 3 had PRP again and 2 of them (67%) were helped; 1 "
                                       "escalated to a stronger injection and 1 of them (100%) "
                                       "was helped."));
    assert_true(k.f.v[facts_find("next_step.repeat", 16)].d == 3);
    assert_true(k.f.v[facts_find("next_step.escalate_helped", 25)].d == 1);
    genu_arena_destroy(a);
}

static void series_helped_and_never_helped(void **state)
{
    (void)state;
    /* 8 -> 4 (50% better) and still 4: helped, not waned */
    FIRES("series_helped", NPRS("R1", "2022-12-20", 8), INJ("T1", "2023-01-01", "prp", IA),
          NPRS("R2", "2023-04-01", 4));
    MISSES("series_never_helped", NPRS("R1", "2022-12-20", 8), INJ("T1", "2023-01-01", "prp", IA),
           NPRS("R2", "2023-04-01", 4));
    /* 8 -> 7 at best after 5 months: never helped */
    FIRES("series_never_helped", NPRS("R1", "2022-12-20", 8), INJ("T1", "2023-01-01", "prp", IA),
          NPRS("R2", "2023-02-01", 7), NPRS("R3", "2023-06-01", 8));
    /* too early to call: 1 month */
    MISSES("series_never_helped", NPRS("R1", "2022-12-20", 8), INJ("T1", "2023-01-01", "prp", IA),
           NPRS("R2", "2023-02-01", 7));
    MISSES("series_helped", NPRS("R1", "2022-12-20", 8), INJ("T1", "2023-01-01", "prp", IA),
           NPRS("R2", "2023-02-01", 7), NPRS("R3", "2023-06-01", 8));

    /* relief, return of pain, escalation, relief again (docs/sources.md#002
     * case history 3) */
    genu_arena *a = genu_arena_create();
    advice_knee k;
    const char *const lines[] = {PAT,
                                 NPRS("R1", "2021-01-01", 4),
                                 INJ("T1", "2021-01-01", "dextrose_prolotherapy", IA),
                                 NPRS("R2", "2021-02-01", 2),
                                 INJ("T2", "2021-03-01", "dextrose_prolotherapy", IA),
                                 NPRS("R3", "2022-03-01", 4),
                                 INJ("T3", "2022-03-01", "bone_marrow_aspirate", IA),
                                 NPRS("R4", "2022-11-01", 0)};
    eval_at(lines, sizeof lines / sizeof lines[0], AS_OF, a, &k);
    assert_null(finding(&k, "series_helped"));
    assert_null(finding(&k, "waning_response"));
    const advice_finding *f = finding(&k, "series_helped_again");
    assert_non_null(f);
    /* 365 days after the last prolotherapy; 245 days after the first marrow */
    assert_string_equal(f->message,
                        "Pain came back after dextrose prolotherapy (pain improved from 4/10 to "
                        "2/10 by 2021-02-01 and was back to 4/10 on 2022-03-01, 12 months after "
                        "its last treatment); the next series, bone marrow aspirate from "
                        "2022-03-01, helped again: pain improved from 4/10 to 0/10 by 2022-11-01, "
                        "8 months after the series began.");
    const facts_value *relief = &k.f.v[facts_find("prev_series.relief_days", 23)];
    assert_true(relief->known && relief->d == 424); /* 2021-01-01 to 2022-03-01 */
    genu_arena_destroy(a);
}

#define PAID(id, date, amount)                                                                   \
    "{\"type\":\"treatment\",\"id\":\"" id "\",\"patient\":\"P\",\"knee\":\"left\",\"date\":\"" date \
    "\",\"kind\":\"prp\",\"protocol\":\"prp-3\",\"sites\":[\"intra_articular\"],\"cost\":"        \
    "{\"amount\":" #amount ",\"currency\":\"USD\"}}"

static void series_cost_from_protocol_and_session_costs(void **state)
{
    (void)state;
    FIRES("series_cost", PAID("T1", "2023-01-01", 400), PAID("T2", "2023-02-01", 600));
    MISSES("series_cost", INJ("T1", "2023-01-01", "prp", IA));
    /* not regenerative */
    MISSES("series_cost", "{\"type\":\"treatment\",\"patient\":\"P\",\"knee\":\"left\",\"date\":"
                          "\"2023-01-01\",\"kind\":\"corticosteroid_injection\",\"sites\":"
                          "[\"intra_articular\"],\"cost\":{\"amount\":90,\"currency\":\"USD\"}}");
    genu_arena *a = genu_arena_create();
    advice_knee k;
    const char *const lines[] = {PAT, PAID("T1", "2023-01-01", 400), PAID("T2", "2023-02-01", 600)};
    eval_at(lines, 3, AS_OF, a, &k);
    const advice_finding *f = finding(&k, "series_cost");
    assert_non_null(f);
    assert_true(fact(&k, f, "series.expected_cost")->d == 1000); /* 2 sessions x 500 */
    assert_non_null(strstr(f->message, "rarely covered by insurance"));
    genu_arena_destroy(a);
}

/* ---- the staged pathway --------------------------------------------------- */

static void pathway_names_the_stage_and_the_next_options(void **state)
{
    (void)state;
    FIRES("pathway_none", DX("D1", "osteoarthritis", 2));
    MISSES("pathway_none", TREAT("T1", "2023-01-01", "exercise"));
    FIRES("pathway_stage1", TREAT("T1", "2023-01-01", "exercise"));
    MISSES("pathway_stage1", TREAT("T1", "2023-01-01", "exercise"), TREAT("T2", "2023-06-01", "supplement"));
    FIRES("pathway_stage2", TREAT("T1", "2023-01-01", "exercise"), TREAT("T2", "2023-06-01", "supplement"));
    MISSES("pathway_stage2", TREAT("T2", "2023-06-01", "supplement"), TREAT("T3", "2023-07-01", "brace"));
    FIRES("pathway_stage3", TREAT("T2", "2023-06-01", "supplement"), TREAT("T3", "2023-07-01", "brace"));
    MISSES("pathway_stage3", TREAT("T3", "2023-07-01", "brace"), TREAT("T4", "2023-08-01", "arthroscopy"));
    FIRES("pathway_surgery", TREAT("T4", "2010-08-01", "meniscectomy"), TREAT("T3", "2023-07-01", "brace"));
    MISSES("pathway_surgery", TREAT("T3", "2023-07-01", "brace"));
    FIRES("pathway_conservative_skipped", INJ("T1", "2023-01-01", "prp", IA));
    MISSES("pathway_conservative_skipped", TREAT("T0", "2022-01-01", "weight_loss"),
           INJ("T1", "2023-01-01", "prp", IA));
    /* not news after two years of stage 3 treatment, nor after a surgery */
    MISSES("pathway_conservative_skipped", INJ("T1", "2021-12-01", "prp", IA),
           INJ("T2", "2023-01-01", "prp", IA));
    MISSES("pathway_conservative_skipped", TREAT("T0", "2015-01-01", "arthroscopy"),
           INJ("T1", "2023-01-01", "prp", IA));

    genu_arena *a = genu_arena_create();
    advice_knee k;
    const char *const lines[] = {PAT, TREAT("T1", "2023-01-01", "exercise"), NPRS("R1", "2023-01-01", 6),
                                 NPRS("R2", "2023-04-01", 4)};
    eval_at(lines, 4, AS_OF, a, &k);
    const advice_finding *f = finding(&k, "pathway_stage1");
    assert_non_null(f);
    assert_string_equal(fact(&k, f, "stage1.kinds")->s, "exercise");
    assert_string_equal(fact(&k, f, "stage1.first")->s, "2023-01-01");
    assert_true(fact(&k, f, "stage1.pain_text") != NULL);
    assert_true(k.f.v[facts_find("stage1.days", 11)].d == 365);
    assert_true(k.f.v[facts_find("stage1.pain_change", 18)].d == -2);
    assert_non_null(strstr(f->message, "Stage 1 (self-care) from 2023-01-01 to 2023-01-01: "
                                       "exercise; pain improved from 6/10 to 4/10. Stage 2 options"));
    genu_arena_destroy(a);
}

static void the_catalogue_has_a_fact_per_condition(void **state)
{
    (void)state;
    for (size_t c = 0; c < vocab_ncondition(); c++) {
        char name[64];
        snprintf(name, sizeof name, "condition.%s", vocab_condition_name((int)c));
        int f = facts_find(name, strlen(name));
        assert_true(f >= 0);
        assert_int_equal(facts_at((size_t)f)->type, FACTS_BOOL);
    }
    for (size_t i = 0; i < facts_count(); i++) {
        const char *n = facts_at(i)->name;
        assert_non_null(n);
        assert_int_equal(facts_find(n, strlen(n)), (int)i);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(red_flag_severe_pain_with_marked_swelling),
        cmocka_unit_test(red_flag_unable_to_straighten),
        cmocka_unit_test(red_flag_locked_knee_names_the_exam),
        cmocka_unit_test(red_flag_trauma_with_a_pop),
        cmocka_unit_test(records_after_as_of_are_invisible),
        cmocka_unit_test(surgery_when_injections_failed),
        cmocka_unit_test(surgery_when_pain_persists_through_stages),
        cmocka_unit_test(surgery_when_daily_life_is_limited),
        cmocka_unit_test(surgery_when_swelling_outlasts_medication),
        cmocka_unit_test(surgery_when_deformed),
        cmocka_unit_test(surgery_when_unable_to_bend),
        cmocka_unit_test(candidacy_follows_the_kl_grade),
        cmocka_unit_test(kl_is_the_highest_grade_of_the_latest_date),
        cmocka_unit_test(similar_knees_give_n_rate_and_wilson_interval),
        cmocka_unit_test(fewer_than_ten_similar_knees_are_too_few),
        cmocka_unit_test(whole_knee_check_names_the_ligament_diagnosis),
        cmocka_unit_test(waning_response_within_twenty_percent_of_baseline),
        cmocka_unit_test(waning_response_says_what_similar_knees_did_next),
        cmocka_unit_test(series_helped_and_never_helped),
        cmocka_unit_test(series_cost_from_protocol_and_session_costs),
        cmocka_unit_test(pathway_names_the_stage_and_the_next_options),
        cmocka_unit_test(the_catalogue_has_a_fact_per_condition),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
