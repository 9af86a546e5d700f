#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>

#include "model/record.h"
#include "model/vocab.h"

static void scores_text_round_trips_nulls_and_doubles(void **state)
{
    (void)state;
    genu_score in[] = {{"pain", 63.888888888888886}, {"womac.pain_norm", NAN}, {"koos_jr", 0.1}};
    char *text = record_scores_encode(in, 3);
    genu_arena *a = genu_arena_create();
    genu_score *out;
    size_t n;
    genu_err err = {0};
    assert_int_equal(record_scores_decode(text, NULL, 0, a, &out, &n, &err), GENU_OK);
    assert_int_equal(n, 3);
    assert_string_equal(out[1].key, "womac.pain_norm");
    assert_true(isnan(out[1].value));
    assert_true(out[0].value == in[0].value);
    assert_true(out[2].value == 0.1);
    static const char *const keys[] = {"koos_jr", "pain"};
    assert_int_equal(record_scores_decode(text, keys, 2, a, &out, &n, &err), GENU_OK);
    assert_ptr_equal(out[0].key, keys[1]); /* interned, not copied */
    assert_ptr_equal(out[2].key, keys[0]);
    assert_string_equal(out[1].key, "womac.pain_norm");
    assert_int_equal(record_scores_decode("pain x\n", NULL, 0, a, &out, &n, &err), GENU_EIO);
    free(text);
    genu_arena_destroy(a);
}

static void record_score_reads_by_key(void **state)
{
    (void)state;
    genu_score s[] = {{"intensity", 4}, {"other", NAN}};
    genu_record r = {.type = GENU_REC_RESPONSE};
    r.u.response.scores = s;
    r.u.response.nscores = 2;
    assert_true(record_score(&r, "intensity") == 4);
    assert_true(record_has_score(&r, "intensity"));
    assert_false(record_has_score(&r, "other"));
    assert_false(record_has_score(&r, "absent"));
}

static void vocabularies_know_the_design_codes(void **state)
{
    (void)state;
    assert_int_equal(vocab_ncondition(), 16);
    assert_true(vocab_condition("patellar_dislocation") >= 0);
    assert_int_equal(vocab_condition("arthritis"), -1);
    const vocab_kind *k = vocab_kind_at(vocab_kind_find("bone_marrow_aspirate"));
    assert_int_equal(k->stage, GENU_STAGE_3);
    assert_true(k->flags & VOCAB_REGENERATIVE);
    assert_false(vocab_kind_at(vocab_kind_find("corticosteroid_injection"))->flags &
                 VOCAB_REGENERATIVE);
    assert_true(vocab_kind_at(vocab_kind_find("partial_knee_replacement"))->flags &
                VOCAB_REPLACEMENT);
    assert_false(vocab_kind_at(vocab_kind_find("arthroscopy"))->flags & VOCAB_REPLACEMENT);
    assert_int_equal(vocab_kind_at(vocab_kind_find("supplement"))->stage, GENU_STAGE_2);
    int n_regen = 0;
    for (size_t i = 0; i < vocab_nkind(); i++)
        n_regen += (vocab_kind_at((int)i)->flags & VOCAB_REGENERATIVE) != 0;
    assert_int_equal(n_regen, 6);
}

static void sites_classify_whole_knee(void **state)
{
    (void)state;
    uint32_t ia = 1u << vocab_site("intra_articular"), mcl = 1u << vocab_site("mcl");
    assert_int_equal(vocab_sites_classify(ia), VOCAB_SITES_IA_ONLY);
    assert_int_equal(vocab_sites_classify(ia | mcl), VOCAB_SITES_WHOLE_KNEE);
    assert_int_equal(vocab_sites_classify(mcl), VOCAB_SITES_OTHER);
    assert_int_equal(vocab_sites_classify(0), VOCAB_SITES_NONE);
    assert_string_equal(vocab_sites_class_name(VOCAB_SITES_WHOLE_KNEE), "whole_knee");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scores_text_round_trips_nulls_and_doubles),
        cmocka_unit_test(record_score_reads_by_key),
        cmocka_unit_test(vocabularies_know_the_design_codes),
        cmocka_unit_test(sites_classify_whole_knee),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
