/* vocab: the tables of docs/design.md, Domain. Adding a code is adding a row
 * here. */
#include "model/vocab.h"

#include <string.h>

static const char *const conditions[] = {
    "osteoarthritis", "meniscus_tear", "acl_tear", "acl_sprain", "mcl_sprain", "mcl_tear",
    "lcl_sprain", "pcl_tear", "patellofemoral_syndrome", "patellar_tendinopathy",
    "chondral_defect", "ligament_laxity", "instability", "gout", "patellar_dislocation", "other",
};

#define R VOCAB_REGENERATIVE
#define I VOCAB_INJECTION
#define S VOCAB_SURGERY
static const vocab_kind kinds[] = {
    {"otc_nsaid", GENU_STAGE_1, 0},
    {"anti_inflammatory_diet", GENU_STAGE_1, 0},
    {"exercise", GENU_STAGE_1, 0},
    {"weight_loss", GENU_STAGE_1, 0},
    {"rx_nsaid", GENU_STAGE_2, 0},
    {"supplement", GENU_STAGE_2, 0},
    {"acupuncture", GENU_STAGE_2, 0},
    {"physical_therapy", GENU_STAGE_3, 0},
    {"brace", GENU_STAGE_3, 0},
    {"cane", GENU_STAGE_3, 0},
    {"corticosteroid_injection", GENU_STAGE_3, I},
    {"hyaluronic_acid_injection", GENU_STAGE_3, I},
    {"dextrose_prolotherapy", GENU_STAGE_3, I | R},
    {"prp", GENU_STAGE_3, I | R},
    {"bone_marrow_aspirate", GENU_STAGE_3, I | R},
    {"bone_marrow_concentrate", GENU_STAGE_3, I | R},
    {"adipose_msc", GENU_STAGE_3, I | R},
    {"culture_expanded_msc", GENU_STAGE_3, I | R},
    {"arthroscopy", GENU_STAGE_SURGERY, S},
    {"meniscectomy", GENU_STAGE_SURGERY, S},
    {"meniscus_repair", GENU_STAGE_SURGERY, S},
    {"acl_reconstruction", GENU_STAGE_SURGERY, S},
    {"partial_knee_replacement", GENU_STAGE_SURGERY, S | VOCAB_REPLACEMENT},
    {"total_knee_replacement", GENU_STAGE_SURGERY, S | VOCAB_REPLACEMENT},
};
#undef R
#undef I
#undef S

static const char *const sites[] = {
    "intra_articular", "mcl", "lcl", "patellar_tendon", "quadriceps_tendon", "pes_anserine",
    "coronary_ligaments", "iliotibial_band", "medial_retinaculum", "lateral_retinaculum",
    "hamstring_insertions", "fibular_head",
};

static const char *const sexes[] = {"male", "female", "other", "unknown"};
static const char *const swelling[] = {"none", "mild", "marked"};
static const char *const deformity[] = {"none", "varus", "valgus"};
static const char *const pain_levels[] = {"none", "mild", "moderate", "severe"};
static const char *const msg_kinds[] = {"invitation", "reminder", "opt_out"};
static const char *const msg_channels[] = {"email", "sms", "web", "staff"};
static const char *const msg_statuses[] = {"pending", "sending",   "sent",
                                           "failed",  "abandoned", "recorded"};
static const char *const contacts[] = {"email", "sms", "none"};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int find(const char *const *names, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0)
            return (int)i;
    return -1;
}

static const char *at(const char *const *names, size_t n, int i)
{
    return i >= 0 && (size_t)i < n ? names[i] : NULL;
}

int vocab_knee(const char *s)
{
    if (strcmp(s, "left") == 0)
        return GENU_KNEE_LEFT;
    if (strcmp(s, "right") == 0)
        return GENU_KNEE_RIGHT;
    return -1;
}

const char *vocab_knee_name(genu_knee k)
{
    return k == GENU_KNEE_LEFT ? "left" : k == GENU_KNEE_RIGHT ? "right" : NULL;
}

size_t vocab_ncondition(void)
{
    return N(conditions);
}

int vocab_condition(const char *s)
{
    return find(conditions, N(conditions), s);
}

const char *vocab_condition_name(int c)
{
    return at(conditions, N(conditions), c);
}

size_t vocab_nkind(void)
{
    return N(kinds);
}

int vocab_kind_find(const char *s)
{
    for (size_t i = 0; i < N(kinds); i++)
        if (strcmp(kinds[i].name, s) == 0)
            return (int)i;
    return -1;
}

const vocab_kind *vocab_kind_at(int k)
{
    return k >= 0 && (size_t)k < N(kinds) ? &kinds[k] : NULL;
}

size_t vocab_nsite(void)
{
    return N(sites);
}

int vocab_site(const char *s)
{
    return find(sites, N(sites), s);
}

const char *vocab_site_name(int i)
{
    return at(sites, N(sites), i);
}

vocab_sites_class vocab_sites_classify(uint32_t mask)
{
    if (!mask)
        return VOCAB_SITES_NONE;
    if (mask == VOCAB_SITE_INTRA_ARTICULAR)
        return VOCAB_SITES_IA_ONLY;
    if (mask & VOCAB_SITE_INTRA_ARTICULAR)
        return VOCAB_SITES_WHOLE_KNEE;
    return VOCAB_SITES_OTHER;
}

const char *vocab_sites_class_name(vocab_sites_class c)
{
    switch (c) {
    case VOCAB_SITES_WHOLE_KNEE:
        return "whole_knee";
    case VOCAB_SITES_IA_ONLY:
        return "intra_articular_only";
    default:
        return "other";
    }
}

int vocab_sex(const char *s)
{
    return find(sexes, N(sexes), s);
}

const char *vocab_sex_name(int s)
{
    return at(sexes, N(sexes), s);
}

int vocab_swelling(const char *s)
{
    return find(swelling, N(swelling), s);
}

const char *vocab_swelling_name(int v)
{
    return at(swelling, N(swelling), v);
}

int vocab_deformity(const char *s)
{
    return find(deformity, N(deformity), s);
}

const char *vocab_deformity_name(int v)
{
    return at(deformity, N(deformity), v);
}

int vocab_pain_level(const char *s)
{
    return find(pain_levels, N(pain_levels), s);
}

const char *vocab_pain_level_name(int v)
{
    return at(pain_levels, N(pain_levels), v);
}

/* one lookup pair per vocabulary table */
#define VOCAB_PAIR(fn, table)                                                                  \
    int fn(const char *s) { return find(table, N(table), s); }                                 \
    const char *fn##_name(int v) { return at(table, N(table), v); }
VOCAB_PAIR(vocab_message_kind, msg_kinds)
VOCAB_PAIR(vocab_message_channel, msg_channels)
VOCAB_PAIR(vocab_message_status, msg_statuses)
VOCAB_PAIR(vocab_contact, contacts)
#undef VOCAB_PAIR

const char *vocab_list_conditions(void)
{
    return "osteoarthritis, meniscus_tear, acl_tear, acl_sprain, mcl_sprain, mcl_tear, "
           "lcl_sprain, pcl_tear, patellofemoral_syndrome, patellar_tendinopathy, "
           "chondral_defect, ligament_laxity, instability, gout, patellar_dislocation, other";
}

const char *vocab_list_kinds(void)
{
    return "otc_nsaid, anti_inflammatory_diet, exercise, weight_loss, rx_nsaid, supplement, "
           "acupuncture, physical_therapy, brace, cane, corticosteroid_injection, "
           "hyaluronic_acid_injection, dextrose_prolotherapy, prp, bone_marrow_aspirate, "
           "bone_marrow_concentrate, adipose_msc, culture_expanded_msc, arthroscopy, "
           "meniscectomy, meniscus_repair, acl_reconstruction, partial_knee_replacement, "
           "total_knee_replacement";
}

const char *vocab_list_sites(void)
{
    return "intra_articular, mcl, lcl, patellar_tendon, quadriceps_tendon, pes_anserine, "
           "coronary_ligaments, iliotibial_band, medial_retinaculum, lateral_retinaculum, "
           "hamstring_insertions, fibular_head";
}
