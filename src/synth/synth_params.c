/* synth_params: the synthetic model's parameter table (docs/synth.md):
 * each parameter's name, default, unit and meaning, and the lookups of
 * synth.h. synth.c draws the registry with them. */
#include <string.h>

#include "synth/synth.h"
#include "synth/synth_params.h"

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
