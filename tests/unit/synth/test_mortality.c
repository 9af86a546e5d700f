/* Unit tests for the synthetic generator's mortality (docs/synth.md): deaths
 * come at the rate the Gompertz law of the parameter table predicts for each
 * patient's age, sex and time in the registry (computed here from the law,
 * not from the generator's inversion of it), nothing of a patient is dated
 * after the death, and mortality_scale 0 gives the registry without deaths,
 * the patients who do not die being the same either way. */
#include <jansson.h>
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
#include "core/date.h"
#include "synth/synth.h"

#define AS_OF_Y 2024
#define NPAT 4000

typedef struct pat {
    char id[16];
    bool female;
    int birth_year;
    genu_date visit;       /* the first visit: the date of the diagnoses */
    genu_date first, last, death; /* first and last dated record but the death */
    int ndeath;
    genu_buf lines; /* the patient's lines but the death, in order */
} pat;

static int collect(const char *line, size_t n, void *ctx)
{
    genu_buf *b = ctx;
    genu_buf_append(b, line, n);
    genu_buf_putc(b, '\n');
    return 0;
}

static void generate(double scale, genu_buf *b)
{
    double v[SYNTH_MAX_PARAMS];
    for (size_t i = 0; i < SYNTH_MAX_PARAMS; i++)
        v[i] = NAN;
    int k = synth_param_index("mortality_scale");
    assert_true(k >= 0);
    v[k] = scale;
    synth_opts o = {11, NPAT, 2012, genu_date_from_ymd(AS_OF_Y, 6, 30), NULL, v};
    genu_err err = {0};
    assert_int_equal(synth_generate(&o, collect, b, &err), GENU_OK);
    assert_false(b->oom);
}

static genu_date date_of(json_t *o)
{
    const char *s = json_string_value(json_object_get(o, "date"));
    genu_date d;
    genu_err err = {0};
    assert_non_null(s);
    assert_int_equal(genu_date_parse(s, strlen(s), &d, &err), GENU_OK);
    return d;
}

/* The patients of a generated registry, in order (patient numbers 1..NPAT). */
static pat *patients(const genu_buf *b)
{
    pat *v = calloc(NPAT, sizeof *v);
    assert_non_null(v);
    size_t cur = 0;
    for (const char *p = b->p, *e; p < b->p + b->len; p = e + 1) {
        e = strchr(p, '\n');
        json_error_t je;
        json_t *o = json_loadb(p, (size_t)(e - p), 0, &je);
        assert_non_null(o);
        const char *type = json_string_value(json_object_get(o, "type"));
        if (strcmp(type, "patient") == 0) {
            const char *id = json_string_value(json_object_get(o, "id"));
            cur = (size_t)atoi(id + 1) - 1;
            assert_true(cur < NPAT);
            snprintf(v[cur].id, sizeof v[cur].id, "%s", id);
            v[cur].female = strcmp(json_string_value(json_object_get(o, "sex")), "female") == 0;
            v[cur].birth_year = (int)json_integer_value(json_object_get(o, "birth_year"));
            v[cur].visit = v[cur].first = v[cur].last = v[cur].death = GENU_DATE_NONE;
        } else {
            assert_string_equal(json_string_value(json_object_get(o, "patient")), v[cur].id);
            genu_date d = date_of(o);
            if (strcmp(type, "death") == 0) {
                assert_null(json_object_get(o, "knee"));
                v[cur].death = d;
                v[cur].ndeath++;
                json_decref(o);
                continue;
            }
            if (strcmp(type, "diagnosis") == 0)
                v[cur].visit = d;
            if (v[cur].first == GENU_DATE_NONE || d < v[cur].first)
                v[cur].first = d;
            if (v[cur].last == GENU_DATE_NONE || d > v[cur].last)
                v[cur].last = d;
        }
        genu_buf_append(&v[cur].lines, p, (size_t)(e - p) + 1);
        json_decref(o);
    }
    return v;
}

static void free_patients(pat *v)
{
    for (size_t i = 0; i < NPAT; i++)
        genu_buf_free(&v[i].lines);
    free(v);
}

/* The probability that a patient of this sex, aged `age` at the first visit,
 * dies within `years`: 1 - exp(-H), H = a/b e^(b age) (e^(b years) - 1). */
static double p_death(bool female, int age, double years)
{
    double a, b;
    genu_err err = {0};
    assert_int_equal(synth_param_find(female ? "mortality_gompertz_a_female"
                                             : "mortality_gompertz_a_male", &a, &err), GENU_OK);
    assert_int_equal(synth_param_find(female ? "mortality_gompertz_b_female"
                                             : "mortality_gompertz_b_male", &b, &err), GENU_OK);
    return 1 - exp(-a / b * exp(b * age) * expm1(b * years));
}

/* Observed deaths against the law's expectation, overall and in three age
 * bands: within four binomial standard deviations. */
static void deaths_follow_the_gompertz_law(void **state)
{
    (void)state;
    genu_buf b = GENU_BUF_INIT;
    generate(1.0, &b);
    pat *v = patients(&b);
    double e[4] = {0}, var[4] = {0};
    int obs[4] = {0};
    genu_date as_of = genu_date_from_ymd(AS_OF_Y, 6, 30);
    for (size_t i = 0; i < NPAT; i++) {
        /* every patient has a diagnosis at the first visit, dated before any death */
        assert_true(v[i].visit != GENU_DATE_NONE);
        int age = genu_date_year(v[i].visit) - v[i].birth_year;
        double p = p_death(v[i].female, age, (double)(as_of - v[i].visit + 1) / 365.25);
        int band = 1 + (age >= 55) + (age >= 70);
        for (int k = 0; k < 4; k += k ? 4 : band) {
            e[k] += p;
            var[k] += p * (1 - p);
            obs[k] += v[i].ndeath;
        }
    }
    for (int k = 0; k < 4; k++) {
        print_message("band %d: %d deaths, %.1f expected (sd %.1f)\n", k, obs[k], e[k],
                      sqrt(var[k]));
        assert_true(fabs(obs[k] - e[k]) < 4 * sqrt(var[k]));
    }
    /* the law is age-dependent: the old die more often than the young */
    assert_true(obs[3] > obs[1]);
    assert_true(obs[0] > 100); /* a 4000-patient registry has deaths to analyse */
    free_patients(v);
    genu_buf_free(&b);
}

static void nothing_after_a_death(void **state)
{
    (void)state;
    genu_buf b = GENU_BUF_INIT;
    generate(1.0, &b);
    pat *v = patients(&b);
    for (size_t i = 0; i < NPAT; i++) {
        assert_true(v[i].ndeath <= 1);
        if (v[i].ndeath)
            assert_true(v[i].last <= v[i].death && v[i].visit <= v[i].death);
    }
    free_patients(v);
    genu_buf_free(&b);
}

static void scale_zero_is_the_registry_without_deaths(void **state)
{
    (void)state;
    genu_buf with = GENU_BUF_INIT, without = GENU_BUF_INIT;
    generate(1.0, &with);
    generate(0.0, &without);
    pat *a = patients(&with), *z = patients(&without);
    size_t dead = 0;
    for (size_t i = 0; i < NPAT; i++) {
        assert_int_equal(z[i].ndeath, 0);
        if (a[i].ndeath) {
            dead++;
            continue;
        }
        assert_int_equal(a[i].lines.len, z[i].lines.len);
        assert_memory_equal(a[i].lines.p, z[i].lines.p, a[i].lines.len);
    }
    assert_true(dead > 0);
    free_patients(a);
    free_patients(z);
    genu_buf_free(&with);
    genu_buf_free(&without);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(deaths_follow_the_gompertz_law),
        cmocka_unit_test(nothing_after_a_death),
        cmocka_unit_test(scale_zero_is_the_registry_without_deaths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
