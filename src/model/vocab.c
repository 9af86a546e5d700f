/* vocab: the tables of docs/design.md, Domain. Adding a code is adding a row
 * here. */
#include "model/vocab.h"

#include <string.h>

/* Each table: the code (what records and JSON carry) and its label (what
 * people read: advice, case histories, the web interface). */
static const vocab_entry conditions[] = {
    {"osteoarthritis", "osteoarthritis"},
    {"meniscus_tear", "meniscus tear"},
    {"acl_tear", "ACL tear"},
    {"acl_sprain", "ACL sprain"},
    {"mcl_sprain", "MCL sprain"},
    {"mcl_tear", "MCL tear"},
    {"lcl_sprain", "LCL sprain"},
    {"pcl_tear", "PCL tear"},
    {"patellofemoral_syndrome", "patellofemoral pain syndrome"},
    {"patellar_tendinopathy", "patellar tendinopathy"},
    {"chondral_defect", "chondral defect"},
    {"ligament_laxity", "ligament laxity"},
    {"instability", "instability"},
    {"gout", "gout"},
    {"patellar_dislocation", "patellar dislocation"},
    {"other", "other condition"},
};

#define R VOCAB_REGENERATIVE
#define I VOCAB_INJECTION
#define S VOCAB_SURGERY
static const vocab_kind kinds[] = {
    {"otc_nsaid", "over-the-counter NSAID", GENU_STAGE_1, 0},
    {"anti_inflammatory_diet", "anti-inflammatory diet", GENU_STAGE_1, 0},
    {"exercise", "exercise", GENU_STAGE_1, 0},
    {"weight_loss", "weight loss", GENU_STAGE_1, 0},
    {"rx_nsaid", "prescription NSAID", GENU_STAGE_2, 0},
    {"supplement", "supplements", GENU_STAGE_2, 0},
    {"acupuncture", "acupuncture", GENU_STAGE_2, 0},
    {"physical_therapy", "physical therapy", GENU_STAGE_3, 0},
    {"brace", "brace", GENU_STAGE_3, 0},
    {"cane", "cane", GENU_STAGE_3, 0},
    {"corticosteroid_injection", "corticosteroid injection", GENU_STAGE_3, I},
    {"hyaluronic_acid_injection", "hyaluronic acid injection", GENU_STAGE_3, I},
    {"dextrose_prolotherapy", "dextrose prolotherapy", GENU_STAGE_3, I | R},
    {"prp", "PRP", GENU_STAGE_3, I | R},
    {"bone_marrow_aspirate", "bone marrow aspirate", GENU_STAGE_3, I | R},
    {"bone_marrow_concentrate", "bone marrow concentrate", GENU_STAGE_3, I | R},
    {"adipose_msc", "adipose-derived stem cells", GENU_STAGE_3, I | R},
    {"culture_expanded_msc", "culture-expanded stem cells", GENU_STAGE_3, I | R},
    {"arthroscopy", "arthroscopy", GENU_STAGE_SURGERY, S},
    {"meniscectomy", "meniscectomy", GENU_STAGE_SURGERY, S},
    {"meniscus_repair", "meniscus repair", GENU_STAGE_SURGERY, S},
    {"acl_reconstruction", "ACL reconstruction", GENU_STAGE_SURGERY, S},
    {"partial_knee_replacement", "partial knee replacement", GENU_STAGE_SURGERY,
     S | VOCAB_REPLACEMENT},
    {"total_knee_replacement", "total knee replacement", GENU_STAGE_SURGERY, S | VOCAB_REPLACEMENT},
};
#undef R
#undef I
#undef S

static const vocab_entry sites[] = {
    {"intra_articular", "intra-articular"},
    {"mcl", "MCL"},
    {"lcl", "LCL"},
    {"patellar_tendon", "patellar tendon"},
    {"quadriceps_tendon", "quadriceps tendon"},
    {"pes_anserine", "pes anserine"},
    {"coronary_ligaments", "coronary ligaments"},
    {"iliotibial_band", "iliotibial band"},
    {"medial_retinaculum", "medial retinaculum"},
    {"lateral_retinaculum", "lateral retinaculum"},
    {"hamstring_insertions", "hamstring insertions"},
    {"fibular_head", "fibular head"},
};

/* the whole-knee classification of a set of sites */
static const vocab_entry site_classes[] = {
    {"none", "no sites recorded"},
    {"whole_knee", "whole knee"},
    {"intra_articular_only", "intra-articular only"},
    {"periarticular_only", "periarticular only"},
};

static const vocab_entry sexes[] = {
    {"male", "male"}, {"female", "female"}, {"other", "other"}, {"unknown", "unknown"}};
static const vocab_entry swelling[] = {{"none", "none"}, {"mild", "mild"}, {"marked", "marked"}};
static const vocab_entry deformity[] = {{"none", "none"}, {"varus", "varus"}, {"valgus", "valgus"}};
static const vocab_entry pain_levels[] = {
    {"none", "none"}, {"mild", "mild"}, {"moderate", "moderate"}, {"severe", "severe"}};
static const vocab_entry msg_kinds[] = {
    {"invitation", "invitation"}, {"reminder", "reminder"}, {"opt_out", "opt-out"}};
static const vocab_entry msg_channels[] = {{"email", "e-mail"},
                                           {"sms", "text message"},
                                           {"web", "web"},
                                           {"staff", "staff (phone or paper)"}};
static const vocab_entry msg_statuses[] = {{"pending", "pending"},     {"sending", "sending"},
                                           {"sent", "sent"},           {"failed", "failed"},
                                           {"abandoned", "abandoned"}, {"recorded", "recorded"}};
static const vocab_entry contacts[] = {
    {"email", "e-mail"}, {"sms", "text message"}, {"none", "none"}};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int find(const vocab_entry *t, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i].name, s) == 0)
            return (int)i;
    return -1;
}

static const char *at(const vocab_entry *t, size_t n, int i)
{
    return i >= 0 && (size_t)i < n ? t[i].name : NULL;
}

static const char *label_at(const vocab_entry *t, size_t n, int i)
{
    return i >= 0 && (size_t)i < n ? t[i].label : NULL;
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

const char *vocab_condition_label(int c)
{
    return label_at(conditions, N(conditions), c);
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

const char *vocab_site_label(int i)
{
    return label_at(sites, N(sites), i);
}

const char *vocab_sites_class_label(vocab_sites_class c)
{
    return label_at(site_classes, N(site_classes), (int)c);
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
    const char *fn##_name(int v) { return at(table, N(table), v); }                            \
    const char *fn##_label(int v) { return label_at(table, N(table), v); }
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

/* ---- every table, for labels by code and the vocabulary endpoint -------- */

static const struct {
    const char *name;
    const vocab_entry *rows;
    size_t n;
} tables[] = {
    {"condition", conditions, N(conditions)},
    {"site", sites, N(sites)},
    {"sites_class", site_classes, N(site_classes)},
    {"sex", sexes, N(sexes)},
    {"swelling", swelling, N(swelling)},
    {"deformity", deformity, N(deformity)},
    {"pain_at_rest", pain_levels, N(pain_levels)},
    {"message_kind", msg_kinds, N(msg_kinds)},
    {"message_channel", msg_channels, N(msg_channels)},
    {"message_status", msg_statuses, N(msg_statuses)},
    {"contact", contacts, N(contacts)},
};

size_t vocab_ntable(void)
{
    return N(tables) + 1;
}

const char *vocab_table(size_t t, size_t *nrows)
{
    if (t == 0) {
        *nrows = N(kinds);
        return "kind";
    }
    if (t > N(tables))
        return NULL;
    *nrows = tables[t - 1].n;
    return tables[t - 1].name;
}

vocab_entry vocab_table_row(size_t t, size_t i)
{
    vocab_entry e = {NULL, NULL};
    if (t == 0 && i < N(kinds)) {
        e.name = kinds[i].name;
        e.label = kinds[i].label;
    } else if (t >= 1 && t <= N(tables) && i < tables[t - 1].n) {
        e = tables[t - 1].rows[i];
    }
    return e;
}

const char *vocab_label(const char *code)
{
    if (!code)
        return NULL;
    for (size_t t = 0; t < vocab_ntable(); t++) {
        size_t n = 0;
        vocab_table(t, &n);
        for (size_t i = 0; i < n; i++) {
            vocab_entry e = vocab_table_row(t, i);
            if (strcmp(e.name, code) == 0)
                return e.label;
        }
    }
    return NULL;
}
