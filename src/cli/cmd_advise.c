/* cmd_advise: `genu advise PATIENT` runs the decision-support rules
 * (docs/design.md, Decision support; docs/advice.md) over each knee of a
 * patient as of a date and prints the findings with the facts that fired
 * them, as text or JSON: one object with --knee, else an array with one
 * object per knee. The text is for people: each finding under its rule's
 * title, each fact by its description with its value in words; the JSON
 * keeps rule ids and fact names. */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "advice/advice.h"
#include "advice/facts.h"
#include "advice/rules.h"
#include "cli/cli.h"
#include "core/buf.h"
#include "io/advice_json.h"
#include "io/advice_kept.h"
#include "model/vocab.h"
#include "store/store.h"

static const char usage[] =
    "usage: genu advise PATIENT [--knee left|right] [--as-of DATE] [--rules FILE]\n"
    "                   [--format text|json]\n\n"
    "Decision support for clinicians, not a diagnosis: where the knee stands on the\n"
    "staged pathway, red flags, indications to discuss surgery, injection candidacy\n"
    "with the registry's responder rate for similar knees, the whole-knee check,\n"
    "waning response and expected cost. Each finding names the facts that fired it.\n\n"
    "  --knee K      left or right (default: every knee with records)\n"
    "  --as-of DATE  data cut-off YYYY-MM-DD (default today)\n"
    "  --rules FILE  a site's rules file (default: the rules shipped with genu)\n"
    "  --format F    text (default) or json (an object with --knee, else an array)\n";

typedef struct advise_opts {
    const char *patient, *rules;
    genu_knee knee; /* GENU_KNEE_NONE: every knee */
    genu_date as_of;
    bool json;
} advise_opts;

static int parse_args(int argc, char **argv, advise_opts *o)
{
    genu_err err = {0};
    memset(o, 0, sizeof *o);
    o->as_of = genu_date_today();
    for (int i = 1; i < argc;) {
        const char *v, *a = argv[i];
        int r;
        if ((r = cli_opt(argc, argv, &i, "--knee", &v)) != 0) {
            if (r < 0)
                return CLI_EUSAGE;
            int k = vocab_knee(v);
            if (k < 0) {
                cli_error("--knee: expected left or right, not \"%s\"", v);
                return CLI_EUSAGE;
            }
            o->knee = (genu_knee)k;
        } else if ((r = cli_opt(argc, argv, &i, "--as-of", &v)) != 0) {
            if (r < 0)
                return CLI_EUSAGE;
            if (genu_date_parse(v, strlen(v), &o->as_of, &err)) {
                cli_error("--as-of: expected a date YYYY-MM-DD, not \"%s\"", v);
                return CLI_EUSAGE;
            }
        } else if ((r = cli_opt(argc, argv, &i, "--rules", &v)) != 0) {
            if (r < 0)
                return CLI_EUSAGE;
            o->rules = v;
        } else if ((r = cli_opt(argc, argv, &i, "--format", &v)) != 0) {
            if (r < 0)
                return CLI_EUSAGE;
            if (strcmp(v, "json") != 0 && strcmp(v, "text") != 0) {
                cli_error("--format: expected json or text, not \"%s\"", v);
                return CLI_EUSAGE;
            }
            o->json = strcmp(v, "json") == 0;
        } else if (a[0] == '-' && a[1] != '\0') {
            cli_error("unknown option %s (see genu advise --help)", a);
            return CLI_EUSAGE;
        } else if (o->patient) {
            cli_error("unexpected argument \"%s\": one patient at a time", a);
            return CLI_EUSAGE;
        } else {
            o->patient = a;
            i++;
        }
    }
    if (!o->patient) {
        cli_error("PATIENT is required (see genu advise --help)");
        return CLI_EUSAGE;
    }
    return CLI_OK;
}

/* ---- text ---------------------------------------------------------------- */

static void text_knee(genu_buf *b, const advice_knee *k, genu_arena *a)
{
    char date[GENU_DATE_STRLEN];
    genu_date_format(k->f.as_of, date);
    genu_buf_printf(b, "%s, %s knee, as of %s\n\n", k->f.patient, vocab_knee_name(k->f.knee),
                    date);
    if (k->n == 0)
        genu_buf_puts(b, "  no findings\n");
    for (size_t i = 0; i < k->n; i++) {
        const advice_finding *x = &k->finding[i];
        static const char *const tag[] = {"INFO", "CAUTION", "URGENT"};
        genu_buf_printf(b, "%-8s %s\n         %s\n", tag[x->rule->level], x->rule->title,
                        x->message);
        genu_buf_puts(b, "         because:");
        for (size_t j = 0; j < x->nfacts; j++) {
            const facts_def *d = facts_at((size_t)x->facts[j]);
            const facts_value *v = &k->f.v[x->facts[j]];
            genu_buf_printf(b, "%s %s: %s", j ? ";" : "", d->doc, facts_format(d, v, a));
            if (v->nrec) {
                genu_buf_puts(b, " [");
                for (size_t r = 0; r < v->nrec; r++)
                    genu_buf_printf(b, "%s%s", r ? ", " : "", v->recs[r]);
                genu_buf_putc(b, ']');
            }
        }
        genu_buf_printf(b, "\n         source: %s\n\n", x->rule->source);
    }
    genu_buf_printf(b, "%s.\n", k->f.similar.summary);
}

/* ---- the command --------------------------------------------------------- */

static int load_rules(const advise_opts *o, genu_arena *a, rules *rs)
{
    genu_err err = {0};
    int rc = o->rules ? rules_load(o->rules, a, rs, &err) : rules_load_default(a, rs, &err);
    if (rc == GENU_OK)
        return CLI_OK;
    cli_error("%s", err.msg);
    return rc == GENU_ENOMEM ? CLI_ESTORE : CLI_EFAIL;
}

static int run(const advise_opts *o, const rules *rs, const genu_dataset *ds, const summary *sum,
               genu_arena *a, genu_buf *out)
{
    genu_err err = {0};
    long pat = facts_find_patient(ds, o->patient);
    if (pat < 0) {
        cli_error("unknown patient \"%s\"", o->patient);
        return CLI_EFAIL;
    }
    unsigned knees = o->knee == GENU_KNEE_LEFT    ? 1u
                     : o->knee == GENU_KNEE_RIGHT ? 2u
                                                  : facts_knees(ds, (size_t)pat, o->as_of);
    if (!knees)
        knees = 3u; /* nothing knee-level on record yet: advise on both */
    bool array = o->json && o->knee == GENU_KNEE_NONE;
    genu_jw w; /* the knees' array */
    genu_jw_init(&w, out);
    if (array)
        genu_jw_arr(&w);
    if (!o->json)
        genu_buf_printf(out, "genu advise: %s\n\n", ADVICE_DISCLAIMER);
    int n = 0;
    for (int k = 1; k <= 2; k++) {
        if (!(knees & (unsigned)k))
            continue;
        advice_knee ak;
        if (advice_knee_eval_from(rs, ds, (size_t)pat, (genu_knee)k, o->as_of, sum, a, &ak, &err))
            return cli_fail(&err);
        if (o->json) {
            advice_json_knee(genu_jw_val(&w), rs, &ak, a);
        } else {
            if (n)
                genu_buf_puts(out, "\n");
            text_knee(out, &ak, a);
        }
        n++;
    }
    if (array)
        genu_jw_end(&w);
    if (o->json)
        genu_buf_putc(out, '\n');
    return CLI_OK;
}

/* ---- the registry summary ------------------------------------------------ */

/* What similar knees and the next step read of the other patients (facts.h):
 * patients, diagnoses, treatments, deaths, the responses of the similar
 * knees' definition and NPRS, every day; and the patient whole. */
static int load_lean(genu_store *s, const char *patient, const rules *rs, genu_arena *a,
                     genu_dataset *ds, genu_err *err)
{
    const char *ins[32] = {"nprs"};
    size_t nins = 1 + responder_instruments(&rs->similar.def, 1, ins + 1, 31);
    assert(nins <= 32); /* there are fewer instruments */
    store_scope scope = {
        .patient = patient,
        .every = 1u << GENU_REC_PATIENT | 1u << GENU_REC_DIAGNOSIS | 1u << GENU_REC_TREATMENT |
                 1u << GENU_REC_DEATH,
        .instruments = ins,
        .ninstruments = nins,
        .contacts = true,
    };
    return cli_load(s, &scope, a, ds, err);
}

/* The advice from the patient's own records and the registry's summary
 * (docs/advice.md "The registry summary"): the kept one when it is current,
 * else one built now from a lean load, kept, and read with the patient's
 * records of that load. When the registry changes meanwhile, the advice
 * comes from a lean load alone. Returns run's exit status, or a genu error
 * code with err set. */
static int advise_summary(genu_store *s, const advise_opts *o, const rules *rs, genu_arena *a,
                          genu_buf *out, genu_err *err)
{
    const char *head, *label, *after, *warn;
    const summary *sum;
    genu_dataset ds, lean;
    store_scope own = {.patient = o->patient};
    if (advice_kept_head(s, a, &head, err) ||
        !(label = advice_kept_label(rs, head, o->as_of, a)))
        return err->code ? err->code : GENU_OOM(err);
    if (store_load_scope(s, &own, a, &ds, err))
        return err->code;
    if (!ds.n[GENU_REC_PATIENT])
        return run(o, rs, &ds, NULL, a, out); /* unknown patient */
    if (advice_kept_get(s, label, a, &sum, err))
        return err->code;
    if (!sum) {
        /* built from the lean load it answers from; none when the registry
         * moved during the load */
        if (load_lean(s, o->patient, rs, a, &lean, err) || advice_kept_head(s, a, &after, err))
            return err->code;
        if (strcmp(after, head) != 0)
            return run(o, rs, &lean, NULL, a, out);
        if (advice_kept_build(s, &lean, rs, o->as_of, label, a, &sum, &warn, err))
            return err->code;
        if (warn)
            fprintf(stderr, "genu: warning: the advice summary was not kept: %s\n", warn);
        return run(o, rs, &lean, sum, a, out);
    }
    /* the patient's records, read after the head, belong to the kept
     * summary's state when the head has not moved since */
    if (advice_kept_head(s, a, &after, err))
        return err->code;
    if (strcmp(after, head) != 0) {
        if (load_lean(s, o->patient, rs, a, &lean, err))
            return err->code;
        return run(o, rs, &lean, NULL, a, out);
    }
    return run(o, rs, &ds, sum, a, out);
}

int cmd_advise(int argc, char **argv, const cli_env *env)
{
    if (cli_help(argc, argv, usage))
        return CLI_OK;
    advise_opts o;
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc;
    genu_err err = {0};
    genu_store *s = NULL;
    genu_buf out = GENU_BUF_INIT;
    genu_arena *a = genu_arena_create();
    if (!a) {
        GENU_OOM(&err);
        return cli_fail(&err);
    }
    rules rs;
    genu_dataset ds;
    if ((rc = load_rules(&o, a, &rs)))
        goto out;
    if (store_open(env->db, false, &s, &err)) {
        rc = cli_fail(&err);
        goto out;
    }
    if (cli_load_full()) {
        /* the whole registry, no summary: what the summary must agree with */
        if (store_load(s, a, &ds, &err)) {
            rc = cli_fail(&err);
            goto out;
        }
        rc = run(&o, &rs, &ds, NULL, a, &out);
    } else {
        rc = advise_summary(s, &o, &rs, a, &out, &err);
        if (err.code)
            rc = cli_fail(&err);
    }
    if (rc)
        goto out;
    if (out.oom) {
        GENU_OOM(&err);
        rc = cli_fail(&err);
        goto out;
    }
    fwrite(out.p, 1, out.len, stdout);
out:
    genu_buf_free(&out);
    genu_arena_destroy(a);
    store_close(s);
    return rc;
}
