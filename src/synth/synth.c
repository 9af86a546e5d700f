/* synth: the synthetic registry model (docs/synth.md). One patient at a time:
 * demographics, knees and diagnoses, the staged-pathway history, one
 * regenerative series, outcome trajectories sampled at scheduled follow-ups
 * with attrition, conversions, adverse events, a first-visit exam and an
 * age-dependent death. Each patient has its own RNG stream so the output of
 * patient k never depends on the others. Every record passes through
 * rec_begin, which drops anything dated after the as-of date or the
 * patient's death, so no later branch can leak a future record. */
#include "synth/synth.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"

/* ---- the parameter table ---------------------------------------------- */

enum {
    SP_FEMALE, SP_AGE_MEAN, SP_AGE_SD, SP_AGE_MIN, SP_AGE_MAX,
    SP_HEIGHT_M, SP_HEIGHT_M_SD, SP_HEIGHT_F, SP_HEIGHT_F_SD,
    SP_BMI_MEAN, SP_BMI_SD, SP_BMI_MIN, SP_BMI_MAX, SP_SITE2, SP_BILATERAL,
    SP_KL0, SP_KL1, SP_KL2, SP_KL3, SP_KL4, SP_KL_AGE_STEP, SP_KL_SAME,
    SP_MENISCUS, SP_LAXITY, SP_INSTABILITY, SP_MCL, SP_TENDON, SP_PFS,
    SP_SYMPTOM_YEARS, SP_SYMPTOM_SIGMA,
    SP_OTC, SP_EXERCISE, SP_WEIGHT_LOSS, SP_DIET, SP_RX_NSAID, SP_SUPPLEMENT, SP_ACUPUNCTURE,
    SP_PT, SP_CORTICO, SP_HA, SP_BRACE, SP_ARTHROSCOPY, SP_MENISCECTOMY,
    SP_SHARE_PROLO, SP_SHARE_PRP, SP_SHARE_BMA, SP_SHARE_BMC, SP_SHARE_ADIPOSE, SP_SHARE_CEXP,
    SP_SESS_PROLO, SP_SESS_PRP, SP_SESS_BMA, SP_SESS_BMC, SP_SESS_ADIPOSE, SP_SESS_CEXP,
    SP_INTERVAL_MIN, SP_INTERVAL_MAX, SP_INDEX_LEAD,
    SP_WK_PROLO, SP_WK_PRP, SP_WK_BMA, SP_WK_BMC, SP_WK_ADIPOSE, SP_WK_CEXP,
    SP_COST_PROLO, SP_COST_PRP, SP_COST_BMA, SP_COST_BMC, SP_COST_ADIPOSE, SP_COST_CEXP,
    SP_COST_JITTER,
    SP_NPRS_MEAN, SP_NPRS_SD, SP_NPRS_KL,
    SP_PEAK_KL02, SP_PEAK_KL3, SP_PEAK_KL4, SP_WHOLE_KNEE_BONUS, SP_PEAK_SD_PATIENT,
    SP_PEAK_SD_KNEE, SP_RAMP_DAYS, SP_WANE_MIN, SP_WANE_MAX, SP_WANE_TAU, SP_WANE_FLOOR,
    SP_PROGRESSION,
    SP_NPRS_NOISE, SP_FREQ_MID, SP_FREQ_SLOPE, SP_FREQ_NOISE, SP_KOOS_NOISE, SP_GI_NOISE,
    SP_PG_NOISE, SP_SLEEP_MID, SP_SLEEP_SLOPE,
    SP_JITTER_FRAC, SP_JITTER_MIN,
    SP_DROP_6W, SP_DROP_3M, SP_DROP_6M, SP_DROP_12M, SP_DROP_24M, SP_DROP_36M, SP_DROP_48M,
    SP_MISS_VISIT,
    SP_TKR_KL02, SP_TKR_KL3, SP_TKR_KL4, SP_NONRESP_PEAK, SP_NONRESP_RR, SP_PARTIAL_SHARE,
    SP_SCOPE_RATE,
    SP_FLARE, SP_HARVEST_RR, SP_FLARE_G2, SP_HARVEST_PAIN, SP_SERIOUS,
    SP_VARUS, SP_VALGUS, SP_SWELL_MARKED, SP_SWELL_MILD, SP_LOCKING,
    SP_MORT_A_M, SP_MORT_B_M, SP_MORT_A_F, SP_MORT_B_F, SP_MORT_SCALE,
    SP_N
};

/* "file NNN" in a reason names the article docs/sources.md#NNN. */
static const synth_param params[SP_N] = {
    [SP_FEMALE] = {"female_share", 0.60, "share", "knee OA clinics and OA registries see about 3 women to 2 men (OA is more prevalent and more often symptomatic in women)"},
    [SP_AGE_MEAN] = {"age_mean", 58, "years", "regenerative-injection series report mean ages in the mid-50s to low 60s (file 002 cases: 56, 69, 69)"},
    [SP_AGE_SD] = {"age_sd", 11, "years", "case series span roughly 35 to 85"},
    [SP_AGE_MIN] = {"age_min", 30, "years", "younger knees are sports injuries, not an arthritis clinic's cohort"},
    [SP_AGE_MAX] = {"age_max", 88, "years", "upper tail of injection cohorts"},
    [SP_HEIGHT_M] = {"height_male_mean", 176, "cm", "adult male height, North America/Europe"},
    [SP_HEIGHT_M_SD] = {"height_male_sd", 7, "cm", "population spread"},
    [SP_HEIGHT_F] = {"height_female_mean", 162, "cm", "adult female height, North America/Europe"},
    [SP_HEIGHT_F_SD] = {"height_female_sd", 6.5, "cm", "population spread"},
    [SP_BMI_MEAN] = {"bmi_mean", 29.5, "kg/m2", "knee OA cohorts are on average overweight, near the obesity threshold"},
    [SP_BMI_SD] = {"bmi_sd", 5, "kg/m2", "typical spread in OA cohorts"},
    [SP_BMI_MIN] = {"bmi_min", 18.5, "kg/m2", "clamp: underweight patients are rare"},
    [SP_BMI_MAX] = {"bmi_max", 50, "kg/m2", "clamp: injection clinics rarely treat BMI above 50"},
    [SP_SITE2] = {"second_site_share", 0.40, "share", "two clinic sites (oak-park, fort-myers, the offices of file 002); the second is smaller"},
    [SP_BILATERAL] = {"bilateral_share", 0.30, "share", "about a third of patients have both knees treated (all three case histories of file 002 are bilateral)"},
    [SP_KL0] = {"kl0_share", 0.05, "share", "KL 0 knees come for meniscus, ligament or tendon pain"},
    [SP_KL1] = {"kl1_share", 0.15, "share", "doubtful OA"},
    [SP_KL2] = {"kl2_share", 0.30, "share", "early OA, the group file 003 says benefits most"},
    [SP_KL3] = {"kl3_share", 0.32, "share", "moderate OA is the commonest grade in injection series"},
    [SP_KL4] = {"kl4_share", 0.18, "share", "severe OA patients seeking to avoid replacement (file 001)"},
    [SP_KL_AGE_STEP] = {"kl_age_step", 0.30, "probability", "chance of one grade worse over 65, one better under 45: OA grade rises with age"},
    [SP_KL_SAME] = {"kl_other_knee_same", 0.60, "probability", "the second knee of a bilateral patient has the same grade, else one grade apart"},
    [SP_MENISCUS] = {"meniscus_tear_share", 0.25, "share", "degenerative meniscus tears accompany a quarter or more of OA knees"},
    [SP_LAXITY] = {"ligament_laxity_share", 0.12, "share", "file 000: ligament laxity as a pain source the whole-knee approach treats"},
    [SP_INSTABILITY] = {"instability_share", 0.08, "share", "instability complaints (case history 2)"},
    [SP_MCL] = {"mcl_sprain_share", 0.04, "share", "collateral ligament sprains in the conditions list of file 001"},
    [SP_TENDON] = {"patellar_tendinopathy_share", 0.05, "share", "tendon conditions (file 001)"},
    [SP_PFS] = {"patellofemoral_share", 0.08, "share", "patellofemoral pain is common in knee clinics"},
    [SP_SYMPTOM_YEARS] = {"symptom_years_median", 4, "years", "time from the first symptoms to the regenerative clinic; case history 1: four years of worse pain"},
    [SP_SYMPTOM_SIGMA] = {"symptom_years_sigma", 0.6, "log scale", "lognormal spread: some come after 1 year, some after 15"},
    [SP_OTC] = {"p_otc_nsaid", 0.85, "probability", "stage 1 of the staged pathway (file 001): nearly everyone tried over-the-counter NSAIDs"},
    [SP_EXERCISE] = {"p_exercise", 0.65, "probability", "stage 1 exercise advice"},
    [SP_WEIGHT_LOSS] = {"p_weight_loss_if_obese", 0.50, "probability", "stage 1 weight loss, only when BMI >= 30"},
    [SP_DIET] = {"p_anti_inflammatory_diet", 0.10, "probability", "stage 1 diet, a minority"},
    [SP_RX_NSAID] = {"p_rx_nsaid", 0.50, "probability", "stage 2 prescription NSAIDs"},
    [SP_SUPPLEMENT] = {"p_supplement", 0.40, "probability", "stage 2 glucosamine/chondroitin and similar"},
    [SP_ACUPUNCTURE] = {"p_acupuncture", 0.10, "probability", "stage 2, a minority"},
    [SP_PT] = {"p_physical_therapy", 0.55, "probability", "stage 3 physical therapy"},
    [SP_CORTICO] = {"p_corticosteroid", 0.55, "probability", "stage 3 corticosteroid injections, the usual step before regenerative ones"},
    [SP_HA] = {"p_hyaluronic_acid", 0.25, "probability", "stage 3 hyaluronic injections, less often covered"},
    [SP_BRACE] = {"p_brace", 0.12, "probability", "stage 3 unloading brace"},
    [SP_ARTHROSCOPY] = {"p_prior_arthroscopy", 0.10, "probability", "prior arthroscopy years earlier (case history 3); doubled with a meniscus tear"},
    [SP_MENISCECTOMY] = {"p_prior_meniscectomy_if_tear", 0.35, "probability", "prior meniscus surgery in knees with a tear (case history 3)"},
    [SP_SHARE_PROLO] = {"share_dextrose_prolotherapy", 0.30, "share", "the cheapest regenerative option and the clinics' mainstay (files 000, 002)"},
    [SP_SHARE_PRP] = {"share_prp", 0.30, "share", "PRP is as common as prolotherapy in US practice"},
    [SP_SHARE_BMA] = {"share_bone_marrow_aspirate", 0.15, "share", "whole bone marrow aspirate with dextrose (file 002)"},
    [SP_SHARE_BMC] = {"share_bone_marrow_concentrate", 0.12, "share", "bone marrow concentrate (file 003)"},
    [SP_SHARE_ADIPOSE] = {"share_adipose_msc", 0.08, "share", "adipose-derived cells, less common"},
    [SP_SHARE_CEXP] = {"share_culture_expanded_msc", 0.05, "share", "culture-expanded MSC, mostly outside the US"},
    [SP_SESS_PROLO] = {"sessions_max_dextrose_prolotherapy", 6, "sessions", "prolotherapy series of 3-6 (case history 3: six); minimum 3"},
    [SP_SESS_PRP] = {"sessions_max_prp", 3, "sessions", "PRP series of 1-3"},
    [SP_SESS_BMA] = {"sessions_max_bone_marrow_aspirate", 5, "sessions", "case history 1: five; case 2: three; case 3: two"},
    [SP_SESS_BMC] = {"sessions_max_bone_marrow_concentrate", 2, "sessions", "concentrate usually once, sometimes repeated"},
    [SP_SESS_ADIPOSE] = {"sessions_max_adipose_msc", 2, "sessions", "harvest limits repetition"},
    [SP_SESS_CEXP] = {"sessions_max_culture_expanded_msc", 1, "sessions", "single expanded-cell dose"},
    [SP_INTERVAL_MIN] = {"interval_min_days", 14, "days", "sessions 2-8 weeks apart (files 000, 002)"},
    [SP_INTERVAL_MAX] = {"interval_max_days", 56, "days", "upper end of the usual interval"},
    [SP_INDEX_LEAD] = {"index_lead_max_days", 28, "days", "first session on the first visit (half) or up to four weeks later"},
    [SP_WK_PROLO] = {"whole_knee_dextrose_prolotherapy", 0.85, "probability", "prolotherapy treats ligaments and tendons around the joint (file 000)"},
    [SP_WK_PRP] = {"whole_knee_prp", 0.25, "probability", "PRP is mostly intra-articular"},
    [SP_WK_BMA] = {"whole_knee_bone_marrow_aspirate", 0.60, "probability", "marrow intra-articular with dextrose around the joint (file 002)"},
    [SP_WK_BMC] = {"whole_knee_bone_marrow_concentrate", 0.30, "probability", "concentrate mostly intra-articular"},
    [SP_WK_ADIPOSE] = {"whole_knee_adipose_msc", 0.20, "probability", "mostly intra-articular"},
    [SP_WK_CEXP] = {"whole_knee_culture_expanded_msc", 0.10, "probability", "intra-articular by protocol"},
    [SP_COST_PROLO] = {"cost_dextrose_prolotherapy", 400, "USD/session", "typical US prolotherapy fee per knee session"},
    [SP_COST_PRP] = {"cost_prp", 900, "USD/session", "typical US PRP fee"},
    [SP_COST_BMA] = {"cost_bone_marrow_aspirate", 2500, "USD/session", "docs/design.md example record"},
    [SP_COST_BMC] = {"cost_bone_marrow_concentrate", 4500, "USD/session", "file 003: stem-cell treatments cost several thousand dollars"},
    [SP_COST_ADIPOSE] = {"cost_adipose_msc", 5500, "USD/session", "file 003 price range"},
    [SP_COST_CEXP] = {"cost_culture_expanded_msc", 9000, "USD/session", "expanded cells cost most"},
    [SP_COST_JITTER] = {"cost_jitter", 0.15, "fraction", "fees vary by clinic and year, +/-15%, rounded to 10"},
    [SP_NPRS_MEAN] = {"baseline_nprs_mean", 5.6, "points", "baseline pain 5-7/10 in injection trials (case histories: 4-7)"},
    [SP_NPRS_SD] = {"baseline_nprs_sd", 1.6, "points", "spread of baseline pain"},
    [SP_NPRS_KL] = {"baseline_nprs_per_kl", 0.35, "points/grade", "pain rises modestly with radiographic grade (around KL 2)"},
    [SP_PEAK_KL02] = {"peak_relief_kl0_2", 0.50, "fraction", "file 003: early arthritis benefits; claims of 70-80% relief"},
    [SP_PEAK_KL3] = {"peak_relief_kl3", 0.35, "fraction", "moderate OA: smaller effect"},
    [SP_PEAK_KL4] = {"peak_relief_kl4", 0.15, "fraction", "file 003: no significant efficacy in late stages"},
    [SP_WHOLE_KNEE_BONUS] = {"whole_knee_bonus", 0.12, "fraction", "file 000: treating the whole knee adds relief from ligaments and tendons"},
    [SP_PEAK_SD_PATIENT] = {"peak_sd_patient", 0.15, "fraction", "patient-level random effect shared by both knees"},
    [SP_PEAK_SD_KNEE] = {"peak_sd_knee", 0.22, "fraction", "knee-level spread: some knees do not respond or worsen"},
    [SP_RAMP_DAYS] = {"ramp_days", 45, "days", "relief builds over the first weeks to months (case 3: 50% at one month)"},
    [SP_WANE_MIN] = {"wane_onset_min_days", 365, "days", "effects wane after 1-3 years (file 000; case 3: pain back after a year)"},
    [SP_WANE_MAX] = {"wane_onset_max_days", 1095, "days", "latest waning onset"},
    [SP_WANE_TAU] = {"wane_tau_days", 365, "days", "time constant of the decay once waning starts"},
    [SP_WANE_FLOOR] = {"wane_floor", 0.55, "fraction", "part of the peak relief that lasts (file 004: long-term patients who stay improved)"},
    [SP_PROGRESSION] = {"progression_per_year", 0.08, "points/year", "slow rise of underlying pain as OA progresses"},
    [SP_NPRS_NOISE] = {"nprs_noise_sd", 0.9, "points", "test-retest variation of the 0-10 scale (MCID is about 2)"},
    [SP_FREQ_MID] = {"freq_mid_nprs", 4.5, "points", "pain of 4-5/10 is present about half the waking time (case 1: 4/10 30%, 7/10 90%)"},
    [SP_FREQ_SLOPE] = {"freq_slope", 0.9, "1/point", "logistic slope linking intensity and frequency"},
    [SP_FREQ_NOISE] = {"freq_noise_sd", 10, "percent", "frequency is reported in steps of 5-10%"},
    [SP_KOOS_NOISE] = {"koos_item_noise_sd", 0.55, "answer steps", "KOOS items scatter around the latent severity; internal consistency ~0.9"},
    [SP_GI_NOISE] = {"global_improvement_noise_sd", 12, "percent", "patients' overall-improvement ratings are coarse (case 3: 50-55%)"},
    [SP_PG_NOISE] = {"patient_global_noise_sd", 10, "points", "patient global tracks pain loosely"},
    [SP_SLEEP_MID] = {"sleep_mid_nprs", 5.0, "points", "knee pain above about 5/10 interrupts sleep (all three case histories)"},
    [SP_SLEEP_SLOPE] = {"sleep_slope", 1.0, "1/point", "logistic slope of sleep interruption on the worse knee's pain"},
    [SP_JITTER_FRAC] = {"visit_jitter_frac", 0.05, "fraction", "follow-up visits scatter around the nominal day by 5% of it (sd)"},
    [SP_JITTER_MIN] = {"visit_jitter_min_days", 4, "days", "minimum scatter of early visits"},
    [SP_DROP_6W] = {"dropout_before_6w", 0.05, "probability", "attrition grows over time; about half lost by 2 years"},
    [SP_DROP_3M] = {"dropout_before_3m", 0.07, "probability", "(cumulative retention 0.95*0.93*0.90*0.85*0.75 = 0.51 at 24m)"},
    [SP_DROP_6M] = {"dropout_before_6m", 0.10, "probability", "self-pay patients stop coming when they feel well or give up"},
    [SP_DROP_12M] = {"dropout_before_12m", 0.15, "probability", "one-year visit missed by many"},
    [SP_DROP_24M] = {"dropout_before_24m", 0.25, "probability", "the biggest loss falls in the second year"},
    [SP_DROP_36M] = {"dropout_before_36m", 0.20, "probability", "long-term follow-up of the remaining core"},
    [SP_DROP_48M] = {"dropout_before_48m", 0.20, "probability", "48-month claims rest on few patients"},
    [SP_MISS_VISIT] = {"missed_visit", 0.08, "probability", "an active patient skips a visit and returns at the next"},
    [SP_TKR_KL02] = {"replacement_rate_kl0_2", 0.004, "1/year", "knee replacement hazard in early OA"},
    [SP_TKR_KL3] = {"replacement_rate_kl3", 0.025, "1/year", "moderate OA"},
    [SP_TKR_KL4] = {"replacement_rate_kl4", 0.07, "1/year", "severe OA: replacement within a few years is common"},
    [SP_NONRESP_PEAK] = {"nonresponse_peak", 0.30, "fraction", "a knee whose peak relief is below 30% counts as a non-responder for the hazard"},
    [SP_NONRESP_RR] = {"nonresponse_rr", 2.5, "ratio", "non-responders go on to surgery more often"},
    [SP_PARTIAL_SHARE] = {"partial_replacement_share", 0.15, "share", "unicompartmental replacements among replacements"},
    [SP_SCOPE_RATE] = {"arthroscopy_rate_with_tear", 0.015, "1/year", "later arthroscopy of knees with a meniscus tear"},
    [SP_FLARE] = {"flare_per_session", 0.10, "probability", "post-injection flares of pain and swelling for 1-3 days are the usual adverse event"},
    [SP_HARVEST_RR] = {"flare_rr_marrow_adipose", 1.6, "ratio", "cell harvests and larger volumes flare more"},
    [SP_FLARE_G2] = {"flare_grade2_share", 0.20, "share", "most flares are grade 1"},
    [SP_HARVEST_PAIN] = {"harvest_site_pain", 0.05, "probability", "donor-site pain after marrow or fat harvest"},
    [SP_SERIOUS] = {"serious_per_session", 0.0005, "probability", "septic arthritis and other serious events are rare (about 1 in 2000 injections)"},
    [SP_VARUS] = {"varus_kl3_4", 0.35, "probability", "medial OA bows the knee (varus) in KL 3-4"},
    [SP_VALGUS] = {"valgus_kl3_4", 0.10, "probability", "lateral OA, valgus"},
    [SP_SWELL_MARKED] = {"marked_swelling_kl4", 0.30, "probability", "effusions in severe OA"},
    [SP_SWELL_MILD] = {"mild_swelling", 0.35, "probability", "mild effusion at the first visit"},
    [SP_LOCKING] = {"locking_with_tear", 0.20, "probability", "mechanical locking with a meniscus tear"},
    [SP_MORT_A_M] = {"mortality_gompertz_a_male", 6.10459e-05, "1/year", "Gompertz h(age) = a exp(b age) fitted to US male mortality, ages 50-90, 2012 (R survival's survexp.us; docs/synth.md gives the fit)"},
    [SP_MORT_B_M] = {"mortality_gompertz_b_male", 0.0866051, "1/year of age", "male mortality doubles every 8.0 years of age"},
    [SP_MORT_A_F] = {"mortality_gompertz_a_female", 2.39892e-05, "1/year", "the same fit to US female mortality"},
    [SP_MORT_B_F] = {"mortality_gompertz_b_female", 0.0941606, "1/year of age", "female mortality doubles every 7.4 years of age"},
    [SP_MORT_SCALE] = {"mortality_scale", 1.0, "fraction", "the life table's hazard applied to the patients: 1 = the general population of their age and sex (ambulatory self-pay patients); 0 = no deaths"},
};

/* The parameters in force for the generation running on this thread: the
 * table's values, or the run's own (synth_opts.values). */
static _Thread_local double values[SP_N];
_Static_assert(SP_N <= SYNTH_MAX_PARAMS, "synth_opts.values holds every parameter");
#define P(x) (values[SP_##x])

size_t synth_param_count(void)
{
    return SP_N;
}

const synth_param *synth_param_at(size_t i)
{
    return i < SP_N ? &params[i] : NULL;
}

int synth_param_find(const char *name, double *out, genu_err *err)
{
    for (size_t i = 0; i < SP_N; i++)
        if (strcmp(params[i].name, name) == 0) {
            *out = params[i].value;
            return GENU_OK;
        }
    return GENU_FAIL(err, GENU_ENOTFOUND, "no synth parameter \"%s\"", name);
}

int synth_param_index(const char *name)
{
    for (size_t i = 0; i < SP_N; i++)
        if (strcmp(params[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* ---- RNG ---------------------------------------------------------------- */

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

void synth_rng_seed(synth_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t synth_rng_next(synth_rng *r)
{
    uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

double synth_rng_uniform(synth_rng *r)
{
    return (double)(synth_rng_next(r) >> 11) * 0x1.0p-53;
}

double synth_rng_normal(synth_rng *r)
{
    double u = 1.0 - synth_rng_uniform(r), v = synth_rng_uniform(r);
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

static bool chance(synth_rng *r, double p)
{
    return synth_rng_uniform(r) < p;
}

/* Uniform integer in [lo, hi]. */
static int uniform_int(synth_rng *r, int lo, int hi)
{
    return lo + (int)(synth_rng_uniform(r) * (hi - lo + 1));
}

static double clamp(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

static int iround(double x)
{
    return (int)floor(x + 0.5);
}

/* Index drawn from weights w[0..n). */
static int pick(synth_rng *r, const double *w, int n)
{
    double sum = 0, u;
    for (int i = 0; i < n; i++)
        sum += w[i];
    u = synth_rng_uniform(r) * sum;
    for (int i = 0; i < n; i++) {
        if (u < w[i])
            return i;
        u -= w[i];
    }
    return n - 1;
}

/* ---- record writer ------------------------------------------------------ */

typedef struct gen {
    const synth_opts *o;
    synth_emit_fn emit;
    void *ctx;
    genu_buf b;
    int rc;
    char pid[64];
    unsigned nrec;   /* per patient, for record ids */
    genu_date death; /* the patient's death; GENU_DATE_NONE: none by the as-of */
} gen;

static const char *const knee_names[] = {"left", "right"};

/* Starts a record unless it is dated after the as-of date or the patient's
 * death (then returns false and writes nothing). knee < 0: patient-level. */
static bool rec_begin(gen *g, const char *type, char idc, int knee, genu_date date)
{
    char ds[GENU_DATE_STRLEN], id[80];
    if (g->rc || date > g->o->as_of || (g->death != GENU_DATE_NONE && date > g->death))
        return false;
    genu_buf_clear(&g->b);
    snprintf(id, sizeof id, "%s-%c%u", g->pid, idc, ++g->nrec);
    genu_date_format(date, ds);
    genu_buf_printf(&g->b, "{\"type\":\"%s\",\"id\":", type);
    genu_buf_json_str(&g->b, id);
    genu_buf_puts(&g->b, ",\"patient\":");
    genu_buf_json_str(&g->b, g->pid);
    if (knee >= 0)
        genu_buf_printf(&g->b, ",\"knee\":\"%s\"", knee_names[knee]);
    genu_buf_printf(&g->b, ",\"date\":\"%s\"", ds);
    return true;
}

static void rec_end(gen *g)
{
    genu_buf_putc(&g->b, '}');
    if (g->b.oom) {
        g->rc = GENU_ENOMEM;
        return;
    }
    g->rc = g->emit(g->b.p, g->b.len, g->ctx);
}

/* The id of the record just begun ("S000001-t7"). */
static void last_id(const gen *g, char idc, char *out, size_t n)
{
    snprintf(out, n, "%s-%c%u", g->pid, idc, g->nrec);
}

/* ---- the patient model -------------------------------------------------- */

enum { K_PROLO, K_PRP, K_BMA, K_BMC, K_ADIPOSE, K_CEXP, K_N };

static const char *const kind_names[K_N] = {"dextrose_prolotherapy", "prp",
                                            "bone_marrow_aspirate", "bone_marrow_concentrate",
                                            "adipose_msc", "culture_expanded_msc"};
static const int kind_min_sessions[K_N] = {3, 1, 1, 1, 1, 1};

static const char *const peri_sites[] = {"mcl", "lcl", "patellar_tendon", "quadriceps_tendon",
                                         "pes_anserine", "coronary_ligaments",
                                         "medial_retinaculum", "lateral_retinaculum"};
#define NPERI (sizeof peri_sites / sizeof peri_sites[0])

/* The scheduled follow-ups (days after the index session). */
static const int visit_days[] = {42, 91, 183, 365, 731, 1096, 1461};
#define NVISIT (sizeof visit_days / sizeof visit_days[0])

typedef struct knee_state {
    int side; /* 0 left, 1 right */
    int kl;
    bool tear, laxity, instability;
    double baseline; /* latent NPRS at index */
    double peak;     /* peak relief, fraction of baseline */
    double wane_onset;
    genu_date replaced; /* GENU_DATE_NONE: never (or not known) */
} knee_state;

#define SESS_MAX 8 /* sessions of one series; the sessions_max_* parameters stay below */

typedef struct patient_state {
    int female, age, birth_year;
    double height, weight, bmi;
    genu_date first_visit, index;
    int nknee;
    knee_state k[2];
    int kind;
    bool whole_knee;
    uint32_t sites; /* bits of peri_sites */
    int nsess; /* at most SESS_MAX */
    genu_date sess[SESS_MAX];
    char sess_id[2][SESS_MAX][80];
} patient_state;

static void put_str_field(gen *g, const char *name, const char *v)
{
    genu_buf_printf(&g->b, ",\"%s\":", name);
    genu_buf_json_str(&g->b, v);
}

static void put_num_field(gen *g, const char *name, double v)
{
    genu_buf_printf(&g->b, ",\"%s\":", name);
    genu_buf_json_num(&g->b, v);
}

static void demographics(gen *g, synth_rng *r, patient_state *p)
{
    const synth_opts *o = g->o;
    genu_date lo = genu_date_from_ymd(o->start_year, 1, 1);
    p->female = chance(r, P(FEMALE));
    p->age = iround(clamp(P(AGE_MEAN) + P(AGE_SD) * synth_rng_normal(r), P(AGE_MIN), P(AGE_MAX)));
    p->height = p->female ? P(HEIGHT_F) + P(HEIGHT_F_SD) * synth_rng_normal(r)
                          : P(HEIGHT_M) + P(HEIGHT_M_SD) * synth_rng_normal(r);
    p->height = iround(clamp(p->height, 140, 205));
    p->bmi = clamp(P(BMI_MEAN) + P(BMI_SD) * synth_rng_normal(r), P(BMI_MIN), P(BMI_MAX));
    p->weight = iround(p->bmi * p->height * p->height / 10000.0);
    p->first_visit = lo + (genu_date)(synth_rng_uniform(r) * (double)(o->as_of - lo + 1));
    p->birth_year = genu_date_year(p->first_visit) - p->age;

    genu_buf_clear(&g->b);
    genu_buf_puts(&g->b, "{\"type\":\"patient\",\"id\":");
    genu_buf_json_str(&g->b, g->pid);
    put_str_field(g, "site", chance(r, P(SITE2)) ? "fort-myers" : "oak-park");
    put_str_field(g, "sex", p->female ? "female" : "male");
    put_num_field(g, "birth_year", p->birth_year);
    put_num_field(g, "height_cm", p->height);
    put_num_field(g, "weight_kg", p->weight);
    rec_end(g);
}

static int draw_kl(synth_rng *r, int age)
{
    const double w[5] = {P(KL0), P(KL1), P(KL2), P(KL3), P(KL4)};
    int kl = pick(r, w, 5);
    if (age > 65 && kl < 4 && chance(r, P(KL_AGE_STEP)))
        kl++;
    else if (age < 45 && kl > 0 && chance(r, P(KL_AGE_STEP)))
        kl--;
    return kl;
}

static void knees(synth_rng *r, patient_state *p)
{
    p->nknee = chance(r, P(BILATERAL)) ? 2 : 1;
    p->k[0].side = p->nknee == 2 ? 0 : (int)(synth_rng_next(r) >> 63);
    p->k[1].side = 1;
    p->k[0].kl = draw_kl(r, p->age);
    if (p->nknee == 2) {
        int kl = p->k[0].kl;
        if (!chance(r, P(KL_SAME)))
            kl += (kl == 0 || (kl < 4 && chance(r, 0.5))) ? 1 : -1;
        p->k[1].kl = kl;
    }
    for (int i = 0; i < p->nknee; i++) {
        knee_state *k = &p->k[i];
        k->tear = chance(r, P(MENISCUS));
        k->laxity = chance(r, P(LAXITY));
        k->instability = chance(r, P(INSTABILITY));
        k->replaced = GENU_DATE_NONE;
    }
}

static void diagnosis(gen *g, int side, genu_date d, const char *cond, int kl)
{
    if (!rec_begin(g, "diagnosis", 'd', side, d))
        return;
    put_str_field(g, "condition", cond);
    if (kl >= 0)
        put_num_field(g, "kl_grade", kl);
    rec_end(g);
}

static void diagnoses(gen *g, synth_rng *r, const patient_state *p)
{
    for (int i = 0; i < p->nknee; i++) {
        const knee_state *k = &p->k[i];
        genu_date d = p->first_visit;
        if (k->kl >= 1)
            diagnosis(g, k->side, d, "osteoarthritis", k->kl);
        else
            diagnosis(g, k->side, d, k->tear ? "meniscus_tear" : "chondral_defect", 0);
        if (k->tear && k->kl >= 1)
            diagnosis(g, k->side, d, "meniscus_tear", -1);
        if (k->laxity)
            diagnosis(g, k->side, d, "ligament_laxity", -1);
        if (k->instability)
            diagnosis(g, k->side, d, "instability", -1);
        if (chance(r, P(MCL)))
            diagnosis(g, k->side, d, "mcl_sprain", -1);
        if (chance(r, P(TENDON)))
            diagnosis(g, k->side, d, "patellar_tendinopathy", -1);
        if (chance(r, P(PFS)))
            diagnosis(g, k->side, d, "patellofemoral_syndrome", -1);
    }
}

/* A prior treatment with its course length in weeks (kept under extra). */
static void prior(gen *g, int side, genu_date d, const char *kind, int weeks)
{
    if (!rec_begin(g, "treatment", 't', side, d))
        return;
    put_str_field(g, "kind", kind);
    if (weeks > 0)
        genu_buf_printf(&g->b, ",\"extra\":{\"duration_weeks\":%d}", weeks);
    rec_end(g);
}

/* A treatment of stages 1 to 3 before the first visit: with probability
 * param (for obese_only, only at a BMI of 30 or more), begun span/after
 * days after symptom onset (0: at onset) plus up to span/within days (0:
 * up to 60), lasting weeks_lo to weeks_hi weeks. */
typedef struct stage_prior {
    int param;
    const char *kind;
    bool obese_only;
    int after, within, weeks_lo, weeks_hi;
} stage_prior;

static const stage_prior stages[] = {
    {SP_OTC, "otc_nsaid", false, 0, 0, 8, 104},
    {SP_EXERCISE, "exercise", false, 0, 4, 6, 52},
    {SP_WEIGHT_LOSS, "weight_loss", true, 0, 4, 12, 52},
    {SP_DIET, "anti_inflammatory_diet", false, 0, 3, 8, 52},
    {SP_RX_NSAID, "rx_nsaid", false, 4, 4, 4, 52},
    {SP_SUPPLEMENT, "supplement", false, 4, 4, 12, 104},
    {SP_ACUPUNCTURE, "acupuncture", false, 3, 4, 4, 12},
    {SP_PT, "physical_therapy", false, 2, 4, 6, 12},
    {SP_BRACE, "brace", false, 2, 4, 12, 52},
};

/* The staged pathway before the first visit: stage 1 from symptom onset,
 * stage 2 a quarter of the way, stage 3 in the second half; old surgery. */
static void pathway(gen *g, synth_rng *r, const patient_state *p)
{
    double years = P(SYMPTOM_YEARS) * exp(P(SYMPTOM_SIGMA) * synth_rng_normal(r));
    int span = iround(clamp(years, 0.5, 20) * 365.25);
    genu_date onset = p->first_visit - span;
    for (int i = 0; i < p->nknee; i++) {
        const knee_state *k = &p->k[i];
        int s = k->side;
        for (size_t j = 0; j < sizeof stages / sizeof stages[0]; j++) {
            const stage_prior *x = &stages[j];
            if ((x->obese_only && p->bmi < 30) || !chance(r, values[x->param]))
                continue;
            /* the duration is drawn before the start, the order a gcc build
             * has always drawn them in (a synthetic registry stays the same) */
            int weeks = uniform_int(r, x->weeks_lo, x->weeks_hi);
            int from = x->after ? span / x->after : 0;
            int width = x->within ? span / x->within : 60;
            prior(g, s, onset + from + uniform_int(r, 0, width), x->kind, weeks);
        }
        if (chance(r, P(CORTICO))) {
            int n = uniform_int(r, 1, 3);
            genu_date d = p->first_visit - uniform_int(r, 120, 120 + span / 3);
            for (int j = 0; j < n && d < p->first_visit - 30; j++, d += uniform_int(r, 90, 180))
                prior(g, s, d, "corticosteroid_injection", 0);
        }
        if (chance(r, P(HA)))
            prior(g, s, p->first_visit - uniform_int(r, 60, 60 + span / 3),
                  "hyaluronic_acid_injection", 3);
        if (chance(r, P(ARTHROSCOPY) * (k->tear ? 2 : 1)))
            prior(g, s, p->first_visit - uniform_int(r, 365 * 2, 365 * 15), "arthroscopy", 0);
        if (k->tear && chance(r, P(MENISCECTOMY)))
            prior(g, s, p->first_visit - uniform_int(r, 365, 365 * 15), "meniscectomy", 0);
    }
}

static void plan_series(synth_rng *r, patient_state *p)
{
    const double share[K_N] = {P(SHARE_PROLO), P(SHARE_PRP), P(SHARE_BMA),
                               P(SHARE_BMC), P(SHARE_ADIPOSE), P(SHARE_CEXP)};
    const double maxs[K_N] = {P(SESS_PROLO), P(SESS_PRP), P(SESS_BMA),
                              P(SESS_BMC), P(SESS_ADIPOSE), P(SESS_CEXP)};
    const double wk[K_N] = {P(WK_PROLO), P(WK_PRP), P(WK_BMA), P(WK_BMC), P(WK_ADIPOSE), P(WK_CEXP)};
    p->kind = pick(r, share, K_N);
    p->whole_knee = chance(r, wk[p->kind]);
    p->sites = 0;
    if (p->whole_knee) {
        int n = uniform_int(r, 2, 5);
        for (int i = 0; i < n; i++)
            p->sites |= 1u << (synth_rng_next(r) % NPERI);
    }
    p->nsess = uniform_int(r, kind_min_sessions[p->kind], (int)maxs[p->kind]);
    if (p->nsess > SESS_MAX)
        p->nsess = SESS_MAX;
    p->index = p->first_visit + (chance(r, 0.5) ? 0 : uniform_int(r, 1, (int)P(INDEX_LEAD)));
    p->sess[0] = p->index;
    for (int i = 1; i < p->nsess; i++)
        p->sess[i] = p->sess[i - 1] + uniform_int(r, (int)P(INTERVAL_MIN), (int)P(INTERVAL_MAX));
}

static const char *protocol_name(const patient_state *p)
{
    static const char *const wk[K_N] = {"prolo-whole-knee", "prp-whole-knee", "bma+dextrose",
                                        "bmc-whole-knee", "adipose-whole-knee", "cexp-whole-knee"};
    static const char *const ia[K_N] = {"prolo-ia", "prp-ia", "bma-ia",
                                        "bmc-ia", "adipose-ia", "cexp-ia"};
    return p->whole_knee ? wk[p->kind] : ia[p->kind];
}

static void product(gen *g, synth_rng *r, const patient_state *p)
{
    genu_buf *b = &g->b;
    genu_buf_puts(b, ",\"product\":{");
    switch (p->kind) {
    /* the draws of one product go last to first, the order a gcc build has
     * always drawn these once unordered arguments in (the same registry
     * from the same seed, whatever the compiler) */
    case K_PROLO: {
        int volume = uniform_int(r, 10, 40);
        const char *pct = chance(r, 0.7) ? "12.5" : "15";
        genu_buf_printf(b, "\"dextrose_pct\":%s,\"volume_ml\":%d,\"guidance\":\"palpation\"",
                        pct, volume);
        break;
    }
    case K_PRP: {
        int volume = uniform_int(r, 4, 8);
        const char *leuko = chance(r, 0.6) ? "poor" : "rich";
        const char *spin = chance(r, 0.5) ? "single_spin" : "double_spin";
        genu_buf_printf(b, "\"processing\":\"%s\",\"leukocytes\":\"%s\",\"volume_ml\":%d,"
                           "\"guidance\":\"ultrasound\"",
                        spin, leuko, volume);
        break;
    }
    case K_BMA:
        genu_buf_printf(b, "\"source\":\"iliac_crest\",\"processing\":\"whole_aspirate\","
                           "\"volume_ml\":%d,\"guidance\":\"ultrasound\"",
                        uniform_int(r, 5, 20));
        if (p->whole_knee)
            genu_buf_puts(b, ",\"dextrose_pct\":12.5");
        break;
    case K_BMC: {
        int tnc = uniform_int(r, 50, 600), factor = uniform_int(r, 4, 8);
        int volume = uniform_int(r, 3, 8);
        genu_buf_printf(b, "\"source\":\"iliac_crest\",\"processing\":\"centrifuged\","
                           "\"volume_ml\":%d,\"concentration_factor\":%d,\"tnc_million\":%d,"
                           "\"guidance\":\"fluoroscopy\"",
                        volume, factor, tnc);
        break;
    }
    case K_ADIPOSE:
        genu_buf_printf(b, "\"source\":\"abdomen\",\"processing\":\"microfragmented\","
                           "\"volume_ml\":%d,\"guidance\":\"ultrasound\"",
                        uniform_int(r, 6, 12));
        break;
    default:
        genu_buf_printf(b, "\"source\":\"iliac_crest\",\"processing\":\"culture_expanded\","
                           "\"cell_count\":%d,\"guidance\":\"ultrasound\"",
                        uniform_int(r, 10, 100) * 1000000);
        break;
    }
    genu_buf_putc(b, '}');
}

static void series(gen *g, synth_rng *r, patient_state *p)
{
    const double cost[K_N] = {P(COST_PROLO), P(COST_PRP), P(COST_BMA),
                              P(COST_BMC), P(COST_ADIPOSE), P(COST_CEXP)};
    for (int s = 0; s < p->nsess && s < SESS_MAX; s++)
        for (int i = 0; i < p->nknee && i < 2; i++) {
            p->sess_id[i][s][0] = '\0';
            if (!rec_begin(g, "treatment", 't', p->k[i].side, p->sess[s]))
                continue;
            last_id(g, 't', p->sess_id[i][s], sizeof p->sess_id[i][s]);
            put_str_field(g, "kind", kind_names[p->kind]);
            put_str_field(g, "protocol", protocol_name(p));
            genu_buf_puts(&g->b, ",\"sites\":[\"intra_articular\"");
            for (size_t j = 0; j < NPERI; j++)
                if (p->sites & (1u << j))
                    genu_buf_printf(&g->b, ",\"%s\"", peri_sites[j]);
            genu_buf_putc(&g->b, ']');
            product(g, r, p);
            double c = cost[p->kind] * (1 + P(COST_JITTER) * (2 * synth_rng_uniform(r) - 1));
            genu_buf_printf(&g->b, ",\"cost\":{\"amount\":%d,\"currency\":\"USD\"}",
                            iround(c / 10) * 10);
            rec_end(g);
        }
}

/* ---- outcomes ----------------------------------------------------------- */

static void plan_effects(synth_rng *r, patient_state *p)
{
    double patient_re = P(PEAK_SD_PATIENT) * synth_rng_normal(r);
    for (int i = 0; i < p->nknee; i++) {
        knee_state *k = &p->k[i];
        double mu = k->kl <= 2 ? P(PEAK_KL02) : k->kl == 3 ? P(PEAK_KL3) : P(PEAK_KL4);
        if (p->whole_knee)
            mu += P(WHOLE_KNEE_BONUS);
        k->peak = clamp(mu + patient_re + P(PEAK_SD_KNEE) * synth_rng_normal(r), -0.3, 0.95);
        k->baseline = clamp(P(NPRS_MEAN) + P(NPRS_KL) * (k->kl - 2) +
                                P(NPRS_SD) * synth_rng_normal(r),
                            2, 10);
        k->wane_onset = P(WANE_MIN) + (P(WANE_MAX) - P(WANE_MIN)) * synth_rng_uniform(r);
    }
}

/* Relief (fraction of baseline pain) t days after the index session. */
static double relief(const knee_state *k, double t)
{
    double e = k->peak * (1 - exp(-t / P(RAMP_DAYS)));
    if (t > k->wane_onset)
        e *= P(WANE_FLOOR) + (1 - P(WANE_FLOOR)) * exp(-(t - k->wane_onset) / P(WANE_TAU));
    return e;
}

static double logistic(double x)
{
    return 1 / (1 + exp(-x));
}

static void response_begin(gen *g, const char *instrument)
{
    genu_buf_printf(&g->b, ",\"instrument\":\"%s\",\"items\":{", instrument);
}

static void knee_int(gen *g, int side, genu_date d, const char *instrument, const char *item,
                     int v)
{
    if (!rec_begin(g, "response", 'r', side, d))
        return;
    response_begin(g, instrument);
    genu_buf_printf(&g->b, "\"%s\":%d}", item, v);
    rec_end(g);
}

/* KOOS items from a latent severity s in [0, 1]: subscales differ in how
 * hard they are (sport hardest), items scatter around the latent value. */
static void koos(gen *g, synth_rng *r, int side, genu_date d, double s)
{
    static const struct {
        const char *prefix;
        int n;
        double slope, offset;
    } sub[] = {{"P", 9, 1.0, 0.0}, {"S", 7, 0.8, 0.05}, {"A", 17, 0.85, 0.0},
               {"SP", 5, 0.9, 0.25}, {"Q", 4, 0.9, 0.15}};
    if (!rec_begin(g, "response", 'r', side, d))
        return;
    response_begin(g, "koos");
    const char *sep = "";
    for (size_t i = 0; i < sizeof sub / sizeof sub[0]; i++)
        for (int j = 1; j <= sub[i].n; j++) {
            double x = 4 * (s * sub[i].slope + sub[i].offset) + P(KOOS_NOISE) * synth_rng_normal(r);
            genu_buf_printf(&g->b, "%s\"%s%d\":%d", sep, sub[i].prefix, j,
                            iround(clamp(x, 0, 4)));
            sep = ",";
        }
    genu_buf_putc(&g->b, '}');
    rec_end(g);
}

static void patient_level(gen *g, synth_rng *r, genu_date d, double worst)
{
    if (rec_begin(g, "response", 'r', -1, d)) {
        double pg = 9 * worst + P(PG_NOISE) * synth_rng_normal(r);
        genu_buf_printf(&g->b, ",\"instrument\":\"patient_global\",\"items\":{\"score\":%d}",
                        iround(clamp(pg, 0, 100)));
        rec_end(g);
    }
    bool interrupted = chance(r, logistic(P(SLEEP_SLOPE) * (worst - P(SLEEP_MID))));
    int nights = interrupted ? iround(clamp(0.6 * worst + synth_rng_normal(r), 1, 7)) : 0;
    if (rec_begin(g, "response", 'r', -1, d)) {
        genu_buf_printf(&g->b,
                        ",\"instrument\":\"sleep\",\"items\":{\"interrupted\":%s,"
                        "\"nights_per_week\":%d}",
                        interrupted ? "true" : "false", nights);
        rec_end(g);
    }
}

/* One visit's responses, t days after the index (0 = baseline). */
static void visit(gen *g, synth_rng *r, const patient_state *p, genu_date d, double t, bool full)
{
    double worst = 0;
    for (int i = 0; i < p->nknee; i++) {
        const knee_state *k = &p->k[i];
        if (k->replaced != GENU_DATE_NONE && d >= k->replaced)
            continue;
        double e = t > 0 ? relief(k, t) : 0;
        double pain = k->baseline * (1 - e) + P(PROGRESSION) * t / 365.25 +
                      (t > 0 ? P(NPRS_NOISE) * synth_rng_normal(r) : 0);
        pain = clamp(pain, 0, 10);
        if (pain > worst)
            worst = pain;
        int s = k->side;
        knee_int(g, s, d, "nprs", "intensity", iround(pain));
        double f = 100 * logistic(P(FREQ_SLOPE) * (pain - P(FREQ_MID))) +
                   P(FREQ_NOISE) * synth_rng_normal(r);
        knee_int(g, s, d, "pain_frequency", "percent", 5 * iround(clamp(f, 0, 100) / 5));
        if (full)
            koos(g, r, s, d, pain / 10);
        if (t > 0) {
            double gi = 100 * e + P(GI_NOISE) * synth_rng_normal(r);
            knee_int(g, s, d, "global_improvement", "percent", 5 * iround(clamp(gi, 0, 100) / 5));
        }
    }
    patient_level(g, r, d, worst);
}

/* Conversion to replacement (or arthroscopy) as an exponential hazard from
 * the index date; recorded only while the patient is in contact. */
static void conversions(gen *g, synth_rng *r, patient_state *p, genu_date contact_end)
{
    for (int i = 0; i < p->nknee; i++) {
        knee_state *k = &p->k[i];
        double rate = k->kl <= 2 ? P(TKR_KL02) : k->kl == 3 ? P(TKR_KL3) : P(TKR_KL4);
        if (k->peak < P(NONRESP_PEAK))
            rate *= P(NONRESP_RR);
        double u = 1.0 - synth_rng_uniform(r);
        double tdays = -log(u) / rate * 365.25;
        bool partial = chance(r, P(PARTIAL_SHARE));
        double u2 = 1.0 - synth_rng_uniform(r);
        double tscope = k->tear ? -log(u2) / P(SCOPE_RATE) * 365.25 : 1e9;
        if (tscope < tdays && tscope < 1e6) {
            genu_date d = p->sess[p->nsess - 1] + 30 + iround(tscope);
            if (d <= contact_end && rec_begin(g, "treatment", 't', k->side, d)) {
                put_str_field(g, "kind", "arthroscopy");
                rec_end(g);
            }
        }
        if (tdays > 1e6)
            continue;
        genu_date d = p->sess[p->nsess - 1] + 60 + iround(tdays);
        if (d > contact_end || !rec_begin(g, "treatment", 't', k->side, d))
            continue;
        put_str_field(g, "kind", partial ? "partial_knee_replacement" : "total_knee_replacement");
        rec_end(g);
        k->replaced = d;
    }
}

static void follow_ups(gen *g, synth_rng *r, patient_state *p)
{
    const double drop[NVISIT] = {P(DROP_6W), P(DROP_3M), P(DROP_6M), P(DROP_12M),
                                 P(DROP_24M), P(DROP_36M), P(DROP_48M)};
    genu_date dates[NVISIT];
    size_t last = NVISIT;
    for (size_t v = 0; v < NVISIT; v++) {
        double sd = fmax(P(JITTER_MIN), P(JITTER_FRAC) * visit_days[v]);
        dates[v] = p->index + visit_days[v] + iround(sd * synth_rng_normal(r));
        if (last == NVISIT && chance(r, drop[v]))
            last = v;
    }
    /* In contact until the first visit missed for good (or the as-of). */
    genu_date contact_end = last < NVISIT ? dates[last] : g->o->as_of;
    if (contact_end > g->o->as_of)
        contact_end = g->o->as_of;
    conversions(g, r, p, contact_end);
    visit(g, r, p, p->index, 0, true);
    for (size_t v = 0; v < last; v++) {
        bool missed = chance(r, P(MISS_VISIT));
        if (!missed)
            visit(g, r, p, dates[v], dates[v] - p->index, v > 0);
    }
}

static void adverse_events(gen *g, synth_rng *r, const patient_state *p)
{
    bool harvest = p->kind == K_BMA || p->kind == K_BMC || p->kind == K_ADIPOSE;
    double flare = P(FLARE) * (harvest ? P(HARVEST_RR) : 1);
    for (int s = 0; s < p->nsess; s++) {
        for (int i = 0; i < p->nknee; i++) {
            const char *tid = p->sess_id[i][s];
            if (!tid[0])
                continue;
            bool serious = chance(r, P(SERIOUS));
            bool fl = chance(r, flare);
            int grade = chance(r, P(FLARE_G2)) ? 2 : 1;
            if (fl && rec_begin(g, "adverse_event", 'a', p->k[i].side,
                                p->sess[s] + uniform_int(r, 0, 2))) {
                genu_buf_printf(&g->b, ",\"kind\":\"post_injection_flare\",\"severity\":%d,"
                                       "\"serious\":false",
                                grade);
                put_str_field(g, "treatment", tid);
                rec_end(g);
            }
            if (serious && rec_begin(g, "adverse_event", 'a', p->k[i].side,
                                     p->sess[s] + uniform_int(r, 2, 10))) {
                genu_buf_puts(&g->b, ",\"kind\":\"septic_arthritis\",\"severity\":4,"
                                     "\"serious\":true");
                put_str_field(g, "treatment", tid);
                rec_end(g);
            }
        }
        if (harvest && p->sess_id[0][s][0] && chance(r, P(HARVEST_PAIN)) &&
            rec_begin(g, "adverse_event", 'a', -1, p->sess[s] + 1)) {
            genu_buf_puts(&g->b, ",\"kind\":\"harvest_site_pain\",\"severity\":1,"
                                 "\"serious\":false");
            put_str_field(g, "treatment", p->sess_id[0][s]);
            rec_end(g);
        }
    }
}

static void exams(gen *g, synth_rng *r, const patient_state *p)
{
    static const char *const rest[] = {"none", "mild", "moderate", "severe"};
    for (int i = 0; i < p->nknee; i++) {
        const knee_state *k = &p->k[i];
        const char *swelling = "none", *deformity = "none";
        if (k->kl == 4 && chance(r, P(SWELL_MARKED)))
            swelling = "marked";
        else if (chance(r, P(SWELL_MILD)))
            swelling = "mild";
        if (k->kl >= 3) {
            double u = synth_rng_uniform(r);
            deformity = u < P(VARUS) ? "varus" : u < P(VARUS) + P(VALGUS) ? "valgus" : "none";
        }
        int restlvl = iround(clamp((k->baseline - 3) / 2.3 + 0.5 * synth_rng_normal(r), 0, 3));
        bool locking = k->tear && chance(r, P(LOCKING));
        if (!rec_begin(g, "exam", 'e', k->side, p->first_visit))
            continue;
        genu_buf_printf(&g->b,
                        ",\"findings\":{\"swelling\":\"%s\",\"locking\":%s,"
                        "\"unable_to_straighten\":false,\"unable_to_bend\":false,"
                        "\"instability\":%s,\"deformity\":\"%s\",\"recent_trauma_pop\":false,"
                        "\"pain_at_rest\":\"%s\"}",
                        swelling, locking ? "true" : "false",
                        k->laxity || k->instability ? "true" : "false", deformity, rest[restlvl]);
        rec_end(g);
    }
}

/* The patient's death: a Gompertz time from the age at the first visit,
 * drawn from a stream of its own so that the other records of a patient who
 * does not die are those of a model without mortality. Sets g->death when
 * the death falls on or before the as-of date; every later record of the
 * patient is then left out (rec_begin). */
static void mortality(gen *g, uint64_t seed, const patient_state *p)
{
    synth_rng r;
    synth_rng_seed(&r, seed ^ 0x6d6f7274616c6974u); /* "mortalit" */
    double a = (p->female ? P(MORT_A_F) : P(MORT_A_M)) * P(MORT_SCALE);
    double b = p->female ? P(MORT_B_F) : P(MORT_B_M);
    double e = -log(1.0 - synth_rng_uniform(&r)); /* unit exponential */
    g->death = GENU_DATE_NONE;
    if (a <= 0 || b <= 0)
        return;
    /* H(t) = a/b e^(b age) (e^(b t) - 1) = e, solved for t in years */
    double years = log1p(e * b / (a * exp(b * p->age))) / b;
    double when = (double)p->first_visit + years * 365.25;
    if (when <= (double)g->o->as_of)
        g->death = p->first_visit + (genu_date)floor(years * 365.25);
}

static void death_record(gen *g)
{
    if (g->death != GENU_DATE_NONE && rec_begin(g, "death", 'x', -1, g->death))
        rec_end(g);
}

static int one_patient(gen *g, size_t n)
{
    synth_rng r;
    uint64_t mix = g->o->seed;
    uint64_t s = splitmix64(&mix) ^ (0x9e3779b97f4a7c15u * (uint64_t)(n + 1));
    synth_rng_seed(&r, s);
    patient_state p;
    memset(&p, 0, sizeof p);
    snprintf(g->pid, sizeof g->pid, "%s%06zu", g->o->id_prefix ? g->o->id_prefix : "S", n + 1);
    g->nrec = 0;
    g->death = GENU_DATE_NONE;
    demographics(g, &r, &p);
    mortality(g, s, &p);
    knees(&r, &p);
    diagnoses(g, &r, &p);
    exams(g, &r, &p);
    pathway(g, &r, &p);
    plan_series(&r, &p);
    plan_effects(&r, &p);
    series(g, &r, &p);
    follow_ups(g, &r, &p);
    adverse_events(g, &r, &p);
    death_record(g);
    return g->rc;
}

int synth_generate(const synth_opts *o, synth_emit_fn emit, void *ctx, genu_err *err)
{
    int as_of_year = genu_date_year(o->as_of);
    if (o->start_year < 1900 || o->start_year > as_of_year)
        return GENU_FAIL(err, GENU_EINVAL, "start year %d: expected 1900 to %d (the as-of year)",
                         o->start_year, as_of_year);
    for (size_t i = 0; i < SP_N; i++)
        values[i] = o->values && !isnan(o->values[i]) ? o->values[i] : params[i].value;
    gen g = {o, emit, ctx, GENU_BUF_INIT, 0, "", 0, GENU_DATE_NONE};
    for (size_t n = 0; n < o->patients && !g.rc; n++)
        one_patient(&g, n);
    genu_buf_free(&g.b);
    if (g.rc == GENU_ENOMEM)
        return GENU_FAIL(err, GENU_ENOMEM, "synth: out of memory");
    return g.rc;
}
