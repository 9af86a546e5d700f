/* vocab: the tables of docs/design.md, Domain. Adding a code is adding a row
 * here. */
#include "model/vocab.h"

#include <stdbool.h>
#include <string.h>

/* Each table: the code (what records and JSON carry) and its label (what
 * people read: advice, case histories, the web interface). Conditions,
 * kinds and sites are X-macro lists, so that each table and its list for
 * messages (", code" of each row, after the first two bytes) are one. */
static const vocab_entry conditions[] = {
#define ROW(code, label, flags) {#code, label},
    VOCAB_CONDITIONS(ROW)
#undef ROW
};
static const unsigned condition_flags[] = {
#define ROW(code, label, flags) flags,
    VOCAB_CONDITIONS(ROW)
#undef ROW
};
#define ROW(code, label, flags) ", " #code
static const char condition_list[] = VOCAB_CONDITIONS(ROW);
#undef ROW

#define R VOCAB_REGENERATIVE
#define I VOCAB_INJECTION
#define S VOCAB_SURGERY
#define P (S | VOCAB_REPLACEMENT)
#define KINDS(X)                                                                               \
    X(otc_nsaid, "over-the-counter NSAID", GENU_STAGE_1, 0)                                    \
    X(anti_inflammatory_diet, "anti-inflammatory diet", GENU_STAGE_1, 0)                       \
    X(exercise, "exercise", GENU_STAGE_1, 0)                                                   \
    X(weight_loss, "weight loss", GENU_STAGE_1, 0)                                             \
    X(rx_nsaid, "prescription NSAID", GENU_STAGE_2, 0)                                         \
    X(supplement, "supplements", GENU_STAGE_2, 0)                                              \
    X(acupuncture, "acupuncture", GENU_STAGE_2, 0)                                             \
    X(physical_therapy, "physical therapy", GENU_STAGE_3, 0)                                   \
    X(brace, "brace", GENU_STAGE_3, 0)                                                         \
    X(cane, "cane", GENU_STAGE_3, 0)                                                           \
    X(corticosteroid_injection, "corticosteroid injection", GENU_STAGE_3, I)                   \
    X(hyaluronic_acid_injection, "hyaluronic acid injection", GENU_STAGE_3, I)                 \
    X(dextrose_prolotherapy, "dextrose prolotherapy", GENU_STAGE_3, I | R)                     \
    X(prp, "PRP", GENU_STAGE_3, I | R)                                                         \
    X(bone_marrow_aspirate, "bone marrow aspirate", GENU_STAGE_3, I | R)                       \
    X(bone_marrow_concentrate, "bone marrow concentrate", GENU_STAGE_3, I | R)                 \
    X(adipose_msc, "adipose-derived stem cells", GENU_STAGE_3, I | R)                          \
    X(culture_expanded_msc, "culture-expanded stem cells", GENU_STAGE_3, I | R)                \
    X(arthroscopy, "arthroscopy", GENU_STAGE_SURGERY, S)                                       \
    X(meniscectomy, "meniscectomy", GENU_STAGE_SURGERY, S)                                     \
    X(meniscus_repair, "meniscus repair", GENU_STAGE_SURGERY, S)                               \
    X(acl_reconstruction, "ACL reconstruction", GENU_STAGE_SURGERY, S)                         \
    X(partial_knee_replacement, "partial knee replacement", GENU_STAGE_SURGERY, P)             \
    X(total_knee_replacement, "total knee replacement", GENU_STAGE_SURGERY, P)
static const vocab_kind kinds[] = {
#define ROW(code, label, stage, flags) {#code, label, stage, flags},
    KINDS(ROW)
#undef ROW
};
#define ROW(code, label, stage, flags) ", " #code
static const char kind_list[] = KINDS(ROW);
#undef ROW
#undef R
#undef I
#undef S
#undef P

#define SITES(X)                                                                               \
    X(intra_articular, "intra-articular")                                                      \
    X(mcl, "MCL")                                                                              \
    X(lcl, "LCL")                                                                              \
    X(patellar_tendon, "patellar tendon")                                                      \
    X(quadriceps_tendon, "quadriceps tendon")                                                  \
    X(pes_anserine, "pes anserine")                                                            \
    X(coronary_ligaments, "coronary ligaments")                                                \
    X(iliotibial_band, "iliotibial band")                                                      \
    X(medial_retinaculum, "medial retinaculum")                                                \
    X(lateral_retinaculum, "lateral retinaculum")                                              \
    X(hamstring_insertions, "hamstring insertions")                                            \
    X(fibular_head, "fibular head")
static const vocab_entry sites[] = {
#define ROW(code, label) {#code, label},
    SITES(ROW)
#undef ROW
};
#define ROW(code, label) ", " #code
static const char site_list[] = SITES(ROW);
#undef ROW

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

/* where other code counts on a table's size or order */
_Static_assert(N(conditions) == VOCAB_NCONDITION && N(condition_flags) == VOCAB_NCONDITION,
               "one row per condition");
_Static_assert(N(kinds) <= VOCAB_MAX_KINDS, "kinds are bits of a mask in advice/facts.c");
_Static_assert(N(sites) <= 32, "sites are bits of a uint32_t");
_Static_assert(N(site_classes) == VOCAB_SITES_OTHER + 1, "a row per vocab_sites_class");
_Static_assert(N(msg_kinds) == MSG_OPT_OUT + 1, "a row per MSG_ kind");
_Static_assert(N(msg_channels) == MSG_STAFF + 1, "a row per MSG_ channel");
_Static_assert(N(msg_statuses) == MSG_RECORDED + 1, "a row per MSG_ status");
_Static_assert(N(contacts) == CONTACT_NONE + 1, "a row per CONTACT_");

/* Whether name is s; the first letters compared inline first, because a
 * load looks up a million treatments' kinds and most names differ there. */
static bool same_name(const char *name, const char *s)
{
    return name[0] == s[0] && strcmp(name, s) == 0;
}

static int find(const vocab_entry *t, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (same_name(t[i].name, s))
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

unsigned vocab_condition_flags(int c)
{
    return c >= 0 && c < VOCAB_NCONDITION ? condition_flags[c] : 0;
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
        if (same_name(kinds[i].name, s))
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
    return condition_list + 2;
}

const char *vocab_list_kinds(void)
{
    return kind_list + 2;
}

const char *vocab_list_sites(void)
{
    return site_list + 2;
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
