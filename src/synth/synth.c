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
#include "synth/synth_params.h"

/* ---- the parameters in force ------------------------------------------ */

/* The parameters in force for the generation running on this thread: the
 * table's values, or the run's own (synth_opts.values). */
static _Thread_local double values[SP_N];
_Static_assert(SP_N <= SYNTH_MAX_PARAMS, "synth_opts.values holds every parameter");
#define P(x) (values[SP_##x])

/* ---- draws -------------------------------------------------------------- */

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
    uint64_t s = synth_rng_mix(&mix) ^ (0x9e3779b97f4a7c15u * (uint64_t)(n + 1));
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
        values[i] = o->values && !isnan(o->values[i]) ? o->values[i] : synth_param_at(i)->value;
    gen g = {o, emit, ctx, GENU_BUF_INIT, 0, "", 0, GENU_DATE_NONE};
    for (size_t n = 0; n < o->patients && !g.rc; n++)
        one_patient(&g, n);
    genu_buf_free(&g.b);
    if (g.rc == GENU_ENOMEM)
        return GENU_FAIL(err, GENU_ENOMEM, "synth: out of memory");
    return g.rc;
}
