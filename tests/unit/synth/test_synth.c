/* Unit tests for synth: determinism, validity of every generated line, the
 * rates the parameters promise, the as-of cut-off, and the case histories. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "io/record_json.h"
#include "synth/cases.h"
#include "synth/synth.h"

static int collect(const char *line, size_t n, void *ctx)
{
    genu_buf *b = ctx;
    genu_buf_append(b, line, n);
    genu_buf_putc(b, '\n');
    return 0;
}

static synth_opts opts(uint64_t seed, size_t n)
{
    synth_opts o = {seed, n, 2012, genu_date_from_ymd(2024, 6, 30), NULL, NULL};
    return o;
}

static void generate(const synth_opts *o, genu_buf *b)
{
    genu_err err = {0};
    assert_int_equal(synth_generate(o, collect, b, &err), GENU_OK);
    assert_false(b->oom);
}

static void same_seed_same_bytes(void **state)
{
    (void)state;
    genu_buf a = GENU_BUF_INIT, b = GENU_BUF_INIT;
    synth_opts o = opts(42, 200);
    generate(&o, &a);
    generate(&o, &b);
    assert_true(a.len > 0);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.p, b.p, a.len);
    genu_buf_free(&a);
    genu_buf_free(&b);
}

/* Counts the lines holding s. */
static size_t count(const genu_buf *b, const char *s)
{
    size_t n = 0;
    for (const char *p = b->p; (p = strstr(p, s)) != NULL; p++)
        n++;
    return n;
}

static void parameters_can_be_set_for_a_run(void **state)
{
    (void)state;
    genu_buf a = GENU_BUF_INIT, b = GENU_BUF_INIT, c = GENU_BUF_INIT;
    double v[SYNTH_MAX_PARAMS];
    for (size_t i = 0; i < SYNTH_MAX_PARAMS; i++)
        v[i] = NAN;
    synth_opts o = opts(7, 300), same = o, none = o;
    same.values = v; /* every entry NAN: the table's values, the same bytes */
    generate(&o, &a);
    generate(&same, &b);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.p, b.p, a.len);
    /* nobody lost to follow-up and no visit missed: more responses */
    static const char *const drop[] = {"dropout_before_6w",  "dropout_before_3m",
                                       "dropout_before_6m",  "dropout_before_12m",
                                       "dropout_before_24m", "dropout_before_36m",
                                       "dropout_before_48m", "missed_visit"};
    for (size_t i = 0; i < sizeof drop / sizeof drop[0]; i++) {
        int k = synth_param_index(drop[i]);
        assert_true(k >= 0);
        v[k] = 0;
    }
    none.values = v;
    generate(&none, &c);
    assert_true(count(&c, "\"type\":\"response\"") > count(&a, "\"type\":\"response\"") * 5 / 4);
    assert_int_equal(count(&c, "\"type\":\"patient\""), count(&a, "\"type\":\"patient\""));
    assert_int_equal(synth_param_index("no_such_parameter"), -1);
    /* the table itself is untouched for the next run */
    genu_buf_clear(&b);
    generate(&o, &b);
    assert_memory_equal(a.p, b.p, a.len);
    genu_buf_free(&a);
    genu_buf_free(&b);
    genu_buf_free(&c);
}

static void different_seed_different_bytes(void **state)
{
    (void)state;
    genu_buf a = GENU_BUF_INIT, b = GENU_BUF_INIT;
    synth_opts o1 = opts(1, 100), o2 = opts(2, 100);
    generate(&o1, &a);
    generate(&o2, &b);
    assert_true(a.len != b.len || memcmp(a.p, b.p, a.len) != 0);
    genu_buf_free(&a);
    genu_buf_free(&b);
}

static void a_smaller_cohort_is_a_prefix(void **state)
{
    (void)state;
    genu_buf a = GENU_BUF_INIT, b = GENU_BUF_INIT;
    synth_opts o1 = opts(9, 50), o2 = opts(9, 80);
    generate(&o1, &a);
    generate(&o2, &b);
    assert_true(b.len > a.len);
    assert_memory_equal(a.p, b.p, a.len);
    genu_buf_free(&a);
    genu_buf_free(&b);
}

/* Per-run tallies over parsed records. */
typedef struct tally {
    size_t lines, patients, bilateral, after_as_of;
    genu_date as_of;
    /* 24-month attendance among patients whose 24m window has closed */
    size_t due24, seen24;
} tally;

typedef struct pat_acc {
    char id[32];
    int knees;           /* bits */
    genu_date index;     /* first regenerative treatment */
    genu_date resp[512]; /* response dates */
    size_t nresp;
} pat_acc;

static void finish_patient(tally *t, pat_acc *p)
{
    if (!p->id[0])
        return;
    t->patients++;
    if (p->knees == 3)
        t->bilateral++;
    if (p->index != GENU_DATE_NONE && p->index + 731 + 180 <= t->as_of) {
        t->due24++;
        for (size_t i = 0; i < p->nresp; i++)
            if (p->resp[i] >= p->index + 731 - 180 && p->resp[i] <= p->index + 731 + 180) {
                t->seen24++;
                break;
            }
    }
    memset(p, 0, sizeof *p);
    p->index = GENU_DATE_NONE;
}

static void parse_all(const genu_buf *b, tally *t)
{
    genu_arena *a = genu_arena_create();
    pat_acc *p = calloc(1, sizeof *p);
    assert_non_null(a);
    assert_non_null(p);
    p->index = GENU_DATE_NONE;
    const char *s = b->p, *end = b->p + b->len;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        genu_record r;
        genu_err err = {0};
        if (record_json_parse(s, (size_t)(nl - s), a, &r, &err) != GENU_OK)
            fail_msg("line %zu rejected: %s\n%.*s", t->lines + 1, err.msg, (int)(nl - s), s);
        t->lines++;
        if (r.type == GENU_REC_PATIENT) {
            finish_patient(t, p);
            snprintf(p->id, sizeof p->id, "%s", r.id);
        } else if (r.date != GENU_DATE_NONE && r.date > t->as_of) {
            t->after_as_of++;
        }
        if (r.type == GENU_REC_DIAGNOSIS)
            p->knees |= r.knee == GENU_KNEE_LEFT ? 1 : 2;
        if (r.type == GENU_REC_TREATMENT && r.u.treatment.protocol &&
            p->index == GENU_DATE_NONE)
            p->index = r.date; /* regenerative sessions are the only ones with a protocol */
        if (r.type == GENU_REC_RESPONSE && r.date > p->index && p->nresp < 512 &&
            p->index != GENU_DATE_NONE)
            p->resp[p->nresp++] = r.date;
        s = nl + 1;
        genu_arena_reset(a);
    }
    finish_patient(t, p);
    free(p);
    genu_arena_destroy(a);
}

static double param(const char *name)
{
    double v = NAN;
    genu_err err = {0};
    assert_int_equal(synth_param_find(name, &v, &err), GENU_OK);
    return v;
}

static void every_line_parses_and_rates_match(void **state)
{
    (void)state;
    genu_buf b = GENU_BUF_INIT;
    synth_opts o = opts(2024, 3000);
    tally t = {0};
    t.as_of = o.as_of;
    generate(&o, &b);
    parse_all(&b, &t);
    assert_int_equal(t.patients, 3000);
    assert_int_equal(t.after_as_of, 0);
    double bil = (double)t.bilateral / (double)t.patients;
    double want = param("bilateral_share");
    if (fabs(bil - want) > 0.03)
        fail_msg("bilateral share %.3f, parameter %.3f", bil, want);
    /* Retention to 24m: product of the dropout parameters, times attending. */
    double keep = 1;
    const char *drops[] = {"dropout_before_6w", "dropout_before_3m", "dropout_before_6m",
                           "dropout_before_12m", "dropout_before_24m"};
    for (size_t i = 0; i < 5; i++)
        keep *= 1 - param(drops[i]);
    keep *= 1 - param("missed_visit");
    double seen = (double)t.seen24 / (double)t.due24;
    if (t.due24 < 1000 || fabs(seen - keep) > 0.06)
        fail_msg("seen at 24m %.3f of %zu, expected about %.3f", seen, t.due24, keep);
    assert_true(seen > 0.35 && seen < 0.6); /* about half lost by two years */
    genu_buf_free(&b);
}

static void nothing_after_an_early_as_of(void **state)
{
    (void)state;
    genu_buf b = GENU_BUF_INIT;
    synth_opts o = {5, 500, 2019, genu_date_from_ymd(2020, 3, 1), "Q", NULL};
    tally t = {0};
    t.as_of = o.as_of;
    generate(&o, &b);
    parse_all(&b, &t);
    assert_int_equal(t.after_as_of, 0);
    assert_int_equal(t.patients, 500);
    genu_buf_free(&b);
}

static void start_after_as_of_is_rejected(void **state)
{
    (void)state;
    genu_buf b = GENU_BUF_INIT;
    synth_opts o = {5, 10, 2030, genu_date_from_ymd(2020, 3, 1), NULL, NULL};
    genu_err err = {0};
    assert_int_equal(synth_generate(&o, collect, &b, &err), GENU_EINVAL);
    assert_non_null(strstr(err.msg, "start year"));
    genu_buf_free(&b);
}

static void every_parameter_has_a_rationale(void **state)
{
    (void)state;
    assert_true(synth_param_count() > 50);
    for (size_t i = 0; i < synth_param_count(); i++) {
        const synth_param *p = synth_param_at(i);
        assert_non_null(p->name);
        assert_true(strlen(p->rationale) > 10);
        assert_true(isfinite(p->value));
    }
    assert_null(synth_param_at(synth_param_count()));
}

static void rng_is_uniform_enough(void **state)
{
    (void)state;
    synth_rng r;
    synth_rng_seed(&r, 7);
    double sum = 0, sq = 0;
    for (int i = 0; i < 100000; i++) {
        double u = synth_rng_uniform(&r);
        assert_true(u >= 0 && u < 1);
        double z = synth_rng_normal(&r);
        sum += z;
        sq += z * z;
    }
    assert_true(fabs(sum / 100000) < 0.02);
    assert_true(fabs(sq / 100000 - 1) < 0.03);
}

static void case_histories_parse(void **state)
{
    (void)state;
    genu_buf b = GENU_BUF_INIT;
    genu_err err = {0};
    tally t = {0};
    t.as_of = genu_date_from_ymd(2012, 1, 1);
    assert_int_equal(cases_generate(collect, &b, &err), GENU_OK);
    parse_all(&b, &t);
    assert_int_equal(t.patients, 3);
    assert_int_equal(t.bilateral, 3);
    assert_int_equal(t.after_as_of, 0);
    assert_non_null(strstr(b.p, "\"id\":\"CH1\""));
    genu_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_seed_same_bytes),
        cmocka_unit_test(different_seed_different_bytes),
        cmocka_unit_test(parameters_can_be_set_for_a_run),
        cmocka_unit_test(a_smaller_cohort_is_a_prefix),
        cmocka_unit_test(every_line_parses_and_rates_match),
        cmocka_unit_test(nothing_after_an_early_as_of),
        cmocka_unit_test(start_after_as_of_is_rejected),
        cmocka_unit_test(every_parameter_has_a_rationale),
        cmocka_unit_test(rng_is_uniform_enough),
        cmocka_unit_test(case_histories_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
