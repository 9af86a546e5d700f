/* Unit tests for the registry summary advice reads (advice/summary.h): the
 * arithmetic that combines and subtracts counts, the median of sessions per
 * knee from a histogram, mean costs per currency, the keys built from a
 * registry's treatments (worked by hand), the exact text form and its
 * errors, and facts built from a summary equal to facts built from the
 * whole dataset, with the patient's own knees left out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "advice/facts.h"
#include "advice/summary.h"
#include "jsonl_fixture.h"
#include "model/vocab.h"

static genu_date day(const char *s)
{
    genu_date d = 0;
    genu_err err = {0};
    assert_int_equal(genu_date_parse(s, strlen(s), &d, &err), GENU_OK);
    return d;
}

/* ---- arithmetic ---------------------------------------------------------- */

static void claim_and_next_counts_subtract_and_add_field_by_field(void **state)
{
    (void)state;
    summary_claim c = summary_claim_minus((summary_claim){120, 45}, (summary_claim){2, 1});
    assert_int_equal(c.analysed, 118);
    assert_int_equal(c.responders, 44);
    summary_next a = {7, 5, 4, 1, 1}, own = {1, 1, 1, 0, 0};
    summary_next d = summary_next_minus(a, own);
    assert_int_equal(d.waned, 6);
    assert_int_equal(d.repeat, 4);
    assert_int_equal(d.repeat_helped, 3);
    assert_int_equal(d.escalate, 1);
    assert_int_equal(d.escalate_helped, 1);
    summary_next back = summary_next_plus(d, own);
    assert_memory_equal(&back, &a, sizeof a);
}

static void median_of_sessions_from_the_histogram(void **state)
{
    (void)state;
    /* knees with 1, 1, 2, 4, 4, 4 sessions: (2 + 4) / 2 */
    size_t even[] = {0, 2, 1, 0, 3};
    summary_key k = {.nhist = 5, .hist = even};
    assert_true(summary_key_median(&k) == 3.0);
    /* 1, 2, 3: the middle one */
    size_t odd[] = {0, 1, 1, 1};
    k = (summary_key){.nhist = 4, .hist = odd};
    assert_true(summary_key_median(&k) == 2.0);
    /* 5, 6: 5.5 */
    size_t two[] = {0, 0, 0, 0, 0, 1, 1};
    k = (summary_key){.nhist = 7, .hist = two};
    assert_true(summary_key_median(&k) == 5.5);
    k = (summary_key){0};
    assert_true(isnan(summary_key_median(&k)));
}

static void mean_cost_of_every_costed_treatment_or_one_currency(void **state)
{
    (void)state;
    summary_cost cur[] = {{"USD", 300.0, 2}, {"EUR", 90.0, 3}};
    summary_key k = {.cost = 390.0, .ncost = 6, .ncur = 2, .cur = cur};
    assert_true(summary_key_mean_cost(&k, NULL) == 65.0); /* one cost had no currency */
    assert_true(summary_key_mean_cost(&k, "USD") == 150.0);
    assert_true(summary_key_mean_cost(&k, "EUR") == 30.0);
    assert_true(isnan(summary_key_mean_cost(&k, "GBP")));
    k = (summary_key){0};
    assert_true(isnan(summary_key_mean_cost(&k, NULL)));
}

/* ---- keys from treatments ------------------------------------------------ */

#define PATIENT(p)                                                                                \
    "{\"type\":\"patient\",\"id\":\"" p "\",\"site\":\"s\",\"sex\":\"female\",\"birth_year\":1960}"
#define TREAT(p, id, knee, date, kind, extra)                                                     \
    "{\"type\":\"treatment\",\"id\":\"" id "\",\"patient\":\"" p "\",\"knee\":\"" knee            \
    "\",\"date\":\"" date "\",\"kind\":\"" kind "\",\"sites\":[\"intra_articular\"]" extra "}"
#define COST(amount, cur) ",\"cost\":{\"amount\":" #amount ",\"currency\":\"" cur "\"}"
#define PROTO(p) ",\"protocol\":\"" p "\""

static void keys_count_sessions_per_knee_and_costs_in_registry_order(void **state)
{
    (void)state;
    genu_arena *a = genu_arena_create();
    genu_err err = {0};
    /* protocol "p 1": A's left knee on two days (three records), A's right
     * knee on one, B's left on one; B's second day is after as-of. Costs of
     * "p 1": 100 USD, 50 EUR, 30 USD, 20 USD (B) -> all 200 / 4, USD 150 / 3.
     * Days' kinds without regard to protocol: {prp} (A left 2023-01-01 and
     * 2023-02-01, A right, B), {prp, hyaluronic acid} (A left 2023-03-01). */
    const char *const lines[] = {
        PATIENT("A"),
        PATIENT("B"),
        TREAT("A", "a1", "left", "2023-01-01", "prp", PROTO("p 1") COST(100, "USD")),
        TREAT("A", "a2", "left", "2023-01-01", "prp", PROTO("p 1") COST(50, "EUR")),
        TREAT("A", "a3", "right", "2023-01-01", "prp", PROTO("p 1") COST(30, "USD")),
        TREAT("A", "a4", "left", "2023-02-01", "prp", PROTO("p 1")),
        TREAT("A", "a5", "left", "2023-03-01", "prp", ""),
        TREAT("A", "a6", "left", "2023-03-01", "hyaluronic_acid_injection", COST(10, "EUR")),
        TREAT("B", "b1", "left", "2023-01-05", "prp", PROTO("p 1") COST(20, "USD")),
        TREAT("B", "b2", "left", "2024-02-01", "prp", PROTO("p 1") COST(999, "USD")),
    };
    genu_dataset *ds = jf_load(lines, sizeof lines / sizeof lines[0], a);
    assert_non_null(ds);
    summary s = {0};
    assert_int_equal(summary_keys_build(ds, day("2023-12-31"), a, &s, &err), GENU_OK);
    assert_int_equal(s.nkey, 3);

    const summary_key *p = summary_key_find(&s, "p 1", 0);
    assert_non_null(p);
    /* A left 2 days, A right 1, B left 1: 1, 1, 2 -> median 1 */
    assert_int_equal(p->nhist, 3);
    assert_int_equal(p->hist[1], 2);
    assert_int_equal(p->hist[2], 1);
    assert_true(summary_key_median(p) == 1.0);
    assert_true(summary_key_mean_cost(p, NULL) == 50.0);
    assert_true(summary_key_mean_cost(p, "USD") == 50.0);
    assert_true(summary_key_mean_cost(p, "EUR") == 50.0);

    uint32_t prp = 1u << vocab_kind_find("prp"),
             ha = 1u << vocab_kind_find("hyaluronic_acid_injection");
    const summary_key *k1 = summary_key_find(&s, NULL, prp);
    assert_non_null(k1);
    /* prp on a knee: A left on 3 days, A right 1, B left 1 */
    assert_int_equal(k1->hist[1], 2);
    assert_int_equal(k1->hist[3], 1);
    assert_true(summary_key_median(k1) == 1.0);
    /* prp or hyaluronic acid: the same knees and days, and a6's cost */
    const summary_key *k2 = summary_key_find(&s, NULL, prp | ha);
    assert_non_null(k2);
    assert_int_equal(k2->hist[3], 1);
    assert_true(summary_key_mean_cost(k2, "EUR") == 30.0); /* (50 + 10) / 2 */
    assert_null(summary_key_find(&s, NULL, ha));
    assert_null(summary_key_find(&s, "p 2", 0));
    genu_arena_destroy(a);
}

/* ---- the text form ------------------------------------------------------- */

static void text_form_round_trips_exactly(void **state)
{
    (void)state;
    genu_arena *a = genu_arena_create();
    genu_err err = {0};
    size_t hist[] = {0, 3, 0, 7};
    summary_cost cur[] = {{"US D%", 0.1 + 0.2, 2}, {"€", -0.0, 1}};
    summary_key keys[] = {
        {.protocol = "bma ia%20\n", .nhist = 4, .hist = hist, .cost = 1.0 / 3.0, .ncost = 3,
         .ncur = 2, .cur = cur},
        {.kinds = 0x30, .nhist = 2, .hist = hist},
    };
    summary s = {.label = summary_label("7 ab cd", day("2024-06-30"),
                                        "improvement_pct:nprs.intensity>=50", "6m", a),
                 .nkey = 2,
                 .key = keys};
    assert_non_null(s.label);
    s.similar[2][3] = (summary_claim){11, 4};
    s.next[1] = (summary_next){5, 4, 3, 2, 1};
    genu_buf b = GENU_BUF_INIT;
    summary_encode(&s, &b);
    assert_false(b.oom);
    summary d;
    assert_int_equal(summary_decode(b.p, a, &d, &err), GENU_OK);
    assert_string_equal(d.label, s.label);
    assert_memory_equal(d.similar, s.similar, sizeof s.similar);
    assert_memory_equal(d.next, s.next, sizeof s.next);
    assert_int_equal(d.nkey, 2);
    assert_string_equal(d.key[0].protocol, "bma ia%20\n");
    assert_int_equal(d.key[0].nhist, 4);
    assert_memory_equal(d.key[0].hist, hist, sizeof hist);
    assert_true(d.key[0].cost == 1.0 / 3.0 && d.key[0].ncost == 3);
    assert_int_equal(d.key[0].ncur, 2);
    assert_string_equal(d.key[0].cur[0].currency, "US D%");
    assert_true(d.key[0].cur[0].sum == 0.1 + 0.2 && d.key[0].cur[0].n == 2);
    assert_string_equal(d.key[0].cur[1].currency, "€");
    assert_true(signbit(d.key[0].cur[1].sum));
    assert_null(d.key[1].protocol);
    assert_int_equal(d.key[1].kinds, 0x30);
    assert_int_equal(d.key[1].ncur, 0);
    genu_buf b2 = GENU_BUF_INIT;
    summary_encode(&d, &b2);
    assert_int_equal(b2.len, b.len);
    assert_memory_equal(b2.p, b.p, b.len);
    genu_buf_free(&b);
    genu_buf_free(&b2);
    genu_arena_destroy(a);
}

static void label_changes_with_each_input(void **state)
{
    (void)state;
    genu_arena *a = genu_arena_create();
    const char *l = summary_label("1 x", day("2024-06-30"), "d", "6m", a);
    assert_string_equal(l, summary_label("1 x", day("2024-06-30"), "d", "6m", a));
    assert_string_not_equal(l, summary_label("2 y", day("2024-06-30"), "d", "6m", a));
    assert_string_not_equal(l, summary_label("1 x", day("2024-07-01"), "d", "6m", a));
    assert_string_not_equal(l, summary_label("1 x", day("2024-06-30"), "e", "6m", a));
    assert_string_not_equal(l, summary_label("1 x", day("2024-06-30"), "d", "12m", a));
    assert_null(strchr(l, '\n'));
    genu_arena_destroy(a);
}

static void malformed_text_names_its_line(void **state)
{
    (void)state;
    static const struct {
        const char *text, *msg;
    } bad[] = {
        {"genu-advice-summary\nlabel =x\n", "no end line"},
        {"genu-advice\nlabel =x\nend\n", "line 1: malformed"},
        {"genu-advice-summary\nlabel x\nend\n", "line 2: malformed"},
        {"genu-advice-summary\nlabel =x\nsimilar 3 0 1 1\nend\n", "line 3: malformed"},
        {"genu-advice-summary\nlabel =x\nnext 0 1 1 1 1 -1\nend\n", "line 3: malformed"},
        {"genu-advice-summary\nlabel =x\nhist 0 1\nend\n", "line 3: malformed"},
        {"genu-advice-summary\nlabel =x\nkey kinds 0\nend\n", "line 3: malformed"},
        {"genu-advice-summary\nlabel =x\nkey protocol =p\ncost 1 3ff\nend\n", "line 4: malformed"},
        {"genu-advice-summary\nlabel =x\nkey protocol =a%00b\nend\n", "line 3: malformed"},
        {"genu-advice-summary\nlabel =x\nsimilar 0 0 1 1\nbogus\nend\n", "line 4: malformed"},
        {"genu-advice-summary\nlabel =x\nend", "line 3: no end of line"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        genu_arena *a = genu_arena_create();
        genu_err err = {0};
        summary s;
        assert_int_equal(summary_decode(bad[i].text, a, &s, &err), GENU_EINVAL);
        if (!strstr(err.msg, bad[i].msg))
            fail_msg("%zu: \"%s\" lacks \"%s\"", i, err.msg, bad[i].msg);
        genu_arena_destroy(a);
    }
}

/* ---- facts from a summary ------------------------------------------------ */

#define NPRSP(p, s, date, v)                                                                     \
    "{\"type\":\"response\",\"id\":\"" p s "\",\"patient\":\"" p "\",\"knee\":\"left\",\"date\":\"" \
    date "\",\"instrument\":\"nprs\",\"items\":{\"intensity\":" #v "}}"
#define INJP(p, s, date, kind, extra) TREAT(p, p "t" s, "left", date, kind, extra)
#define DXP(p, kl)                                                                               \
    "{\"type\":\"diagnosis\",\"id\":\"" p "dx\",\"patient\":\"" p "\",\"knee\":\"left\","         \
    "\"date\":\"2021-12-01\",\"condition\":\"osteoarthritis\",\"kl_grade\":" #kl "}"
/* A knee whose PRP helped (6 -> 2, a responder at 6 months) and waned
 * (back to 6), then a series of `kind` with pain `after` three months on. */
#define WANED(p, kl, kind, after)                                                                 \
    PATIENT(p), DXP(p, kl), NPRSP(p, "a", "2021-12-20", 6),                                       \
        INJP(p, "a", "2022-01-01", "prp", PROTO("prp-ia") COST(400, "USD")),                     \
        NPRSP(p, "b", "2022-03-01", 2), NPRSP(p, "b2", "2022-07-01", 2),                           \
        NPRSP(p, "c", "2022-09-01", 6),                                                            \
        INJP(p, "b", "2022-09-02", kind, COST(250, "EUR")), NPRSP(p, "d", "2022-12-01", after),    \
        NPRSP(p, "e", "2023-03-02", after)

static void same_facts(const facts *x, const facts *y)
{
    assert_string_equal(x->similar.summary, y->similar.summary);
    for (size_t i = 0; i < facts_count(); i++) {
        const facts_value *u = &x->v[i], *v = &y->v[i];
        const char *name = facts_at(i)->name;
        if (u->known != v->known || u->b != v->b || u->date != v->date || u->nrec != v->nrec ||
            !(u->d == v->d || (isnan(u->d) && isnan(v->d))) ||
            (u->s != v->s && (!u->s || !v->s || strcmp(u->s, v->s) != 0)))
            fail_msg("fact %s differs", name);
        for (size_t r = 0; r < u->nrec; r++)
            assert_string_equal(u->recs[r], v->recs[r]);
    }
}

static void facts_from_a_summary_equal_facts_from_the_whole_dataset(void **state)
{
    (void)state;
    genu_arena *a = genu_arena_create();
    genu_err err = {0};
    facts_similar_cfg cfg;
    facts_similar_defaults(&cfg);
    cfg.min = 2;
    /* P's own PRP series waned twice and was repeated twice: the next step
     * and the similar knees must leave P out */
#define P_KNEE                                                                                   \
    WANED("P", 3, "prp", 2), NPRSP("P", "h", "2023-03-25", 7),                                   \
        INJP("P", "c", "2023-04-01", "prp", PROTO("prp-ia") COST(410, "USD")),                   \
        NPRSP("P", "f", "2023-05-01", 2), NPRSP("P", "g", "2023-11-01", 7)
    const char *const lines[] = {
        P_KNEE,
        WANED("W1", 3, "prp", 2),
        WANED("W2", 3, "prp", 5),
        WANED("W3", 2, "bone_marrow_aspirate", 1),
        WANED("W4", 4, "prp", 3),
        WANED("W5", 3, "corticosteroid_injection", 1),
    };
    const char *const own[] = {P_KNEE};
    genu_dataset *ds = jf_load(lines, sizeof lines / sizeof lines[0], a);
    genu_dataset *one = jf_load(own, sizeof own / sizeof own[0], a);
    assert_non_null(ds);
    assert_non_null(one);
    genu_date as_of = day("2024-01-01");
    summary s;
    assert_int_equal(facts_summarize(ds, as_of, &cfg, "label", a, &s, &err), GENU_OK);
    /* by hand: PRP series that waned and were followed by another: each W's
     * first; P's first (6 -> 2 -> 6) and second (6 -> 2, back to 7 on
     * 2023-03-25), each followed by PRP that helped (6 -> 2, 7 -> 2), P's
     * third waned with nothing after it. Of the W's, PRP again for W1
     * (6 -> 2, helped), W2 (6 -> 5, not) and W4 (6 -> 3, helped); bone
     * marrow aspirate, stronger, for W3 (helped); a corticosteroid for W5
     * (neither). */
    assert_int_equal(s.next[2].waned, 7);
    assert_int_equal(s.next[2].repeat, 5);
    assert_int_equal(s.next[2].repeat_helped, 4);
    assert_int_equal(s.next[2].escalate, 1);
    assert_int_equal(s.next[2].escalate_helped, 1);
    long pat = facts_find_patient(ds, "P");
    assert_true(pat >= 0);
    facts whole, from_sum, from_one;
    assert_int_equal(facts_build(ds, (size_t)pat, GENU_KNEE_LEFT, as_of, &cfg, a, &whole, &err),
                     GENU_OK);
    assert_int_equal(facts_build_from(ds, (size_t)pat, GENU_KNEE_LEFT, as_of, &cfg, &s, a,
                                      &from_sum, &err),
                     GENU_OK);
    assert_int_equal(
        facts_build_from(one, 0, GENU_KNEE_LEFT, as_of, &cfg, &s, a, &from_one, &err), GENU_OK);
    /* the other knees: 5 waned, 3 repeated (2 helped) */
    int waned = facts_find("next_step.waned", strlen("next_step.waned"));
    assert_true(whole.v[waned].known && whole.v[waned].d == 5);
    int rep = facts_find("next_step.repeat_helped", strlen("next_step.repeat_helped"));
    assert_true(whole.v[rep].d == 2);
    same_facts(&whole, &from_sum);
    same_facts(&whole, &from_one);
    /* the similar knees: KL 3, PRP: W1, W2, W5, each 6 -> 2 at 6 months
     * (P's own knee left out) */
    assert_int_equal(whole.similar.analysed, 3);
    assert_int_equal(whole.similar.responders, 3);
    genu_arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(claim_and_next_counts_subtract_and_add_field_by_field),
        cmocka_unit_test(median_of_sessions_from_the_histogram),
        cmocka_unit_test(mean_cost_of_every_costed_treatment_or_one_currency),
        cmocka_unit_test(keys_count_sessions_per_knee_and_costs_in_registry_order),
        cmocka_unit_test(text_form_round_trips_exactly),
        cmocka_unit_test(label_changes_with_each_input),
        cmocka_unit_test(malformed_text_names_its_line),
        cmocka_unit_test(facts_from_a_summary_equal_facts_from_the_whole_dataset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
