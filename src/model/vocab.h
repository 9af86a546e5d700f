/* vocab: the controlled vocabularies (docs/design.md, Domain) — conditions,
 * treatment kinds with their stage of the staged pathway, injection sites,
 * sexes, exam finding levels. Lookups return -1 for an unknown code; names
 * are static. */
#ifndef GENU_MODEL_VOCAB_H
#define GENU_MODEL_VOCAB_H

#include <stddef.h>
#include <stdint.h>

typedef enum { GENU_KNEE_NONE = 0, GENU_KNEE_LEFT = 1, GENU_KNEE_RIGHT = 2 } genu_knee;

typedef enum {
    GENU_STAGE_1 = 1,
    GENU_STAGE_2 = 2,
    GENU_STAGE_3 = 3,
    GENU_STAGE_SURGERY = 4
} genu_stage;

/* Treatment kind flags. */
#define VOCAB_REGENERATIVE 1u
#define VOCAB_SURGERY      2u
#define VOCAB_REPLACEMENT  4u /* partial or total knee replacement */
#define VOCAB_INJECTION    8u

/* A code and its label: the code is what records and machine JSON carry,
 * the label what people read (advice, case histories, the web interface:
 * "bone marrow aspirate" for bone_marrow_aspirate, "ACL tear" for acl_tear). */
typedef struct vocab_entry {
    const char *name;
    const char *label;
} vocab_entry;

typedef struct vocab_kind {
    const char *name;
    const char *label;
    genu_stage stage;
    unsigned flags;
} vocab_kind;

/* Treatment kinds are bits of an unsigned mask where a set of them is
 * kept (advice/facts.c); vocab.c asserts that they fit. */
#define VOCAB_MAX_KINDS 32

/* Injection sites are bits of a uint32_t mask, in vocabulary order. */
#define VOCAB_SITE_INTRA_ARTICULAR 1u

typedef enum {
    VOCAB_SITES_NONE = 0,        /* no sites recorded */
    VOCAB_SITES_WHOLE_KNEE,      /* intra_articular + at least one periarticular */
    VOCAB_SITES_IA_ONLY,         /* just intra_articular */
    VOCAB_SITES_OTHER            /* periarticular only */
} vocab_sites_class;

int vocab_knee(const char *s); /* "left"/"right" → genu_knee, else -1 */
const char *vocab_knee_name(genu_knee k);

/* Condition flags: what advice and analyses group conditions by. */
#define VOCAB_LIGAMENT 1u /* a ligament or tendon condition */
#define VOCAB_MENISCAL 2u /* a meniscal condition */

/* The conditions, X(code, label, flags) each, in vocabulary order: the one
 * list the table, the list in messages, the per-condition facts of advice
 * and the VOCAB_COND_* indices are made from. Adding a condition is adding
 * a line here. */
#define VOCAB_CONDITIONS(X)                                                                    \
    X(osteoarthritis, "osteoarthritis", 0)                                                     \
    X(meniscus_tear, "meniscus tear", VOCAB_MENISCAL)                                          \
    X(acl_tear, "ACL tear", VOCAB_LIGAMENT)                                                    \
    X(acl_sprain, "ACL sprain", VOCAB_LIGAMENT)                                                \
    X(mcl_sprain, "MCL sprain", VOCAB_LIGAMENT)                                                \
    X(mcl_tear, "MCL tear", VOCAB_LIGAMENT)                                                    \
    X(lcl_sprain, "LCL sprain", VOCAB_LIGAMENT)                                                \
    X(pcl_tear, "PCL tear", VOCAB_LIGAMENT)                                                    \
    X(patellofemoral_syndrome, "patellofemoral pain syndrome", 0)                              \
    X(patellar_tendinopathy, "patellar tendinopathy", VOCAB_LIGAMENT)                          \
    X(chondral_defect, "chondral defect", 0)                                                   \
    X(ligament_laxity, "ligament laxity", VOCAB_LIGAMENT)                                      \
    X(instability, "instability", VOCAB_LIGAMENT)                                              \
    X(gout, "gout", 0)                                                                         \
    X(patellar_dislocation, "patellar dislocation", VOCAB_LIGAMENT)                            \
    X(other, "other condition", 0)

/* VOCAB_COND_osteoarthritis, ...: each condition's index; VOCAB_NCONDITION. */
enum {
#define VOCAB_COND_INDEX(code, label, flags) VOCAB_COND_##code,
    VOCAB_CONDITIONS(VOCAB_COND_INDEX)
#undef VOCAB_COND_INDEX
    VOCAB_NCONDITION
};

size_t vocab_ncondition(void);
int vocab_condition(const char *s);
/* VOCAB_LIGAMENT, VOCAB_MENISCAL of condition c; 0 for an unknown c. */
unsigned vocab_condition_flags(int c);
const char *vocab_condition_name(int c);
const char *vocab_condition_label(int c);

size_t vocab_nkind(void);
int vocab_kind_find(const char *s);
const vocab_kind *vocab_kind_at(int k);

size_t vocab_nsite(void);
int vocab_site(const char *s);
const char *vocab_site_name(int i);
const char *vocab_site_label(int i);
vocab_sites_class vocab_sites_classify(uint32_t mask);
const char *vocab_sites_class_name(vocab_sites_class c); /* "whole_knee", ... */
const char *vocab_sites_class_label(vocab_sites_class c); /* "whole knee", ... */

/* sex: male, female, other, unknown. */
int vocab_sex(const char *s);
const char *vocab_sex_name(int s);

/* Exam levels: swelling none|mild|marked, deformity none|varus|valgus,
 * pain_at_rest none|mild|moderate|severe. */
int vocab_swelling(const char *s);
const char *vocab_swelling_name(int v);
int vocab_deformity(const char *s);
const char *vocab_deformity_name(int v);
int vocab_pain_level(const char *s);
const char *vocab_pain_level_name(int v);

/* Follow-up messages (model/record.h genu_message): kind invitation|
 * reminder|opt_out, channel email|sms|web|staff, status pending|sending|
 * sent|failed|abandoned|recorded; contact (identity) email|sms|none. */
enum { MSG_INVITATION, MSG_REMINDER, MSG_OPT_OUT };
enum { MSG_EMAIL, MSG_SMS, MSG_WEB, MSG_STAFF };
enum { MSG_PENDING, MSG_SENDING, MSG_SENT, MSG_FAILED, MSG_ABANDONED, MSG_RECORDED };
enum { CONTACT_EMAIL, CONTACT_SMS, CONTACT_NONE };
int vocab_message_kind(const char *s);
const char *vocab_message_kind_name(int v);
const char *vocab_message_kind_label(int v);
int vocab_message_channel(const char *s);
const char *vocab_message_channel_name(int v);
const char *vocab_message_channel_label(int v);
int vocab_message_status(const char *s);
const char *vocab_message_status_name(int v);
const char *vocab_message_status_label(int v);
int vocab_contact(const char *s);
const char *vocab_contact_name(int v);
const char *vocab_contact_label(int v);

/* Every table with its labels (kinds first, then conditions, sites, the
 * site classes, sexes, exam levels, message kinds, channels, statuses and
 * contacts): vocab_table(t, &nrows) names table t < vocab_ntable() ("kind",
 * "condition", ...), vocab_table_row(t, i) is its row i. */
size_t vocab_ntable(void);
const char *vocab_table(size_t t, size_t *nrows);
vocab_entry vocab_table_row(size_t t, size_t i);
/* The label of a code of any table (the first table that has it), else NULL. */
const char *vocab_label(const char *code);

/* The allowed names of a vocabulary joined for messages ("osteoarthritis,
 * meniscus_tear, ..."), made from the tables when compiled. */
const char *vocab_list_conditions(void);
const char *vocab_list_kinds(void);
const char *vocab_list_sites(void);

#endif
