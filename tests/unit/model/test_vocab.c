/* test_vocab: the lists for messages made from the tables, the condition
 * flags, and lookups by code; expected texts written by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "model/vocab.h"

static void lists_name_every_code_in_order(void **state)
{
    (void)state;
    assert_string_equal(
        vocab_list_conditions(),
        "osteoarthritis, meniscus_tear, acl_tear, acl_sprain, mcl_sprain, mcl_tear, "
        "lcl_sprain, pcl_tear, patellofemoral_syndrome, patellar_tendinopathy, "
        "chondral_defect, ligament_laxity, instability, gout, patellar_dislocation, other");
    assert_string_equal(
        vocab_list_kinds(),
        "otc_nsaid, anti_inflammatory_diet, exercise, weight_loss, rx_nsaid, supplement, "
        "acupuncture, physical_therapy, brace, cane, corticosteroid_injection, "
        "hyaluronic_acid_injection, dextrose_prolotherapy, prp, bone_marrow_aspirate, "
        "bone_marrow_concentrate, adipose_msc, culture_expanded_msc, arthroscopy, "
        "meniscectomy, meniscus_repair, acl_reconstruction, partial_knee_replacement, "
        "total_knee_replacement");
    assert_string_equal(vocab_list_sites(),
                        "intra_articular, mcl, lcl, patellar_tendon, quadriceps_tendon, "
                        "pes_anserine, coronary_ligaments, iliotibial_band, medial_retinaculum, "
                        "lateral_retinaculum, hamstring_insertions, fibular_head");
}

static void conditions_carry_their_flags(void **state)
{
    (void)state;
    const char *ligament[] = {"acl_tear",        "acl_sprain",  "mcl_sprain",
                              "mcl_tear",        "lcl_sprain",  "pcl_tear",
                              "patellar_tendinopathy", "ligament_laxity", "instability",
                              "patellar_dislocation"};
    size_t nlig = 0;
    for (int c = 0; c < VOCAB_NCONDITION; c++)
        nlig += (vocab_condition_flags(c) & VOCAB_LIGAMENT) != 0;
    assert_int_equal(nlig, sizeof ligament / sizeof ligament[0]);
    for (size_t i = 0; i < sizeof ligament / sizeof ligament[0]; i++)
        assert_true(vocab_condition_flags(vocab_condition(ligament[i])) & VOCAB_LIGAMENT);
    assert_int_equal(vocab_condition_flags(vocab_condition("meniscus_tear")), VOCAB_MENISCAL);
    assert_int_equal(vocab_condition_flags(vocab_condition("osteoarthritis")), 0);
    assert_int_equal(vocab_condition_flags(-1), 0);
    assert_int_equal(vocab_condition_flags(VOCAB_NCONDITION), 0);
}

static void indices_follow_the_table(void **state)
{
    (void)state;
    assert_int_equal(vocab_ncondition(), VOCAB_NCONDITION);
    assert_int_equal(vocab_condition("osteoarthritis"), VOCAB_COND_osteoarthritis);
    assert_int_equal(vocab_condition("other"), VOCAB_COND_other);
    assert_string_equal(vocab_condition_name(VOCAB_COND_gout), "gout");
    assert_string_equal(vocab_condition_label(VOCAB_COND_acl_tear), "ACL tear");
    assert_int_equal(vocab_condition("sprain"), -1);
    assert_string_equal(vocab_kind_at(vocab_kind_find("prp"))->label, "PRP");
    assert_string_equal(vocab_site_label(vocab_site("mcl")), "MCL");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lists_name_every_code_in_order),
        cmocka_unit_test(conditions_carry_their_flags),
        cmocka_unit_test(indices_follow_the_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
