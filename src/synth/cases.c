/* cases: the case histories of docs/sources.md#002 as a table of records
 * (cases.h). One row is one record, or several: knee "both" writes the left
 * and the right knee, and a treatment row with count > 1 writes a series of
 * sessions `every` days apart. `more` holds further JSON members written as
 * given (product, sites, findings, items, extra). */
#include "synth/cases.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/date.h"

typedef struct case_row {
    const char *type;    /* record type */
    const char *patient; /* patient id */
    const char *knee;    /* "left", "right", "both" or NULL (patient-level) */
    const char *date;    /* YYYY-MM-DD; NULL for patients */
    const char *code;    /* condition, kind or instrument; the sex of a patient */
    int count, every;    /* treatments: sessions and days between them */
    const char *more;    /* further members, JSON, without braces */
    const char *note;    /* NULL: none */
} case_row;

#define BM_SITES "\"sites\":[\"intra_articular\",\"mcl\",\"lcl\",\"coronary_ligaments\"]"
#define BM_PRODUCT "\"product\":{\"source\":\"iliac_crest\",\"processing\":\"whole_aspirate\"}"

static const case_row rows[] = {
    /* Case history 1: 69-year-old man, both knees, rugby, prior prolotherapy
     * elsewhere for two years; five bone marrow/dextrose treatments at
     * two-month intervals; pain-free two months after the last. */
    {"patient", "CH1", NULL, NULL, "male", 0, 0, "\"site\":\"oak-park\",\"birth_year\":1940", NULL},
    {"diagnosis", "CH1", "both", "2009-03-02", "osteoarthritis", 0, 0, NULL,
     "pain began years earlier while playing rugby; more severe for the four years before the "
     "first visit; limits exercise"},
    {"exam", "CH1", "both", "2009-03-02", NULL, 0, 0, "\"findings\":{\"unable_to_bend\":false}",
     "slight flexion limitation"},
    {"treatment", "CH1", "both", "2007-03-05", "dextrose_prolotherapy", 1, 0,
     "\"extra\":{\"duration_weeks\":104}",
     "prolotherapy from another physician for the two years before the first visit; "
     "improvement had ceased"},
    {"response", "CH1", "left", "2009-03-02", "nprs", 0, 0, "\"items\":{\"intensity\":4}", NULL},
    {"response", "CH1", "left", "2009-03-02", "pain_frequency", 0, 0, "\"items\":{\"percent\":30}",
     NULL},
    {"response", "CH1", "right", "2009-03-02", "nprs", 0, 0, "\"items\":{\"intensity\":7}", NULL},
    {"response", "CH1", "right", "2009-03-02", "pain_frequency", 0, 0,
     "\"items\":{\"percent\":90}", NULL},
    {"response", "CH1", NULL, "2009-03-02", "sleep", 0, 0, "\"items\":{\"interrupted\":true}",
     NULL},
    {"treatment", "CH1", "both", "2009-03-02", "bone_marrow_aspirate", 5, 61,
     "\"protocol\":\"bma+dextrose\"," BM_SITES "," BM_PRODUCT,
     "whole bone marrow aspirate with dextrose prolotherapy"},
    {"response", "CH1", "both", "2010-01-04", "nprs", 0, 0, "\"items\":{\"intensity\":0}", NULL},
    {"response", "CH1", "both", "2010-01-04", "pain_frequency", 0, 0, "\"items\":{\"percent\":0}",
     NULL},
    {"response", "CH1", NULL, "2010-01-04", "sleep", 0, 0, "\"items\":{\"interrupted\":false}",
     NULL},
    {"exam", "CH1", "both", "2010-01-04", NULL, 0, 0,
     "\"findings\":{\"unable_to_bend\":false,\"unable_to_straighten\":false}",
     "full range of motion regained; free of pain and stiffness; no longer limited in exercise "
     "or daily life"},

    /* Case history 2: 56-year-old man, former competitive weightlifter,
     * instability and sleep interruption; 29 bilateral dextrose prolotherapy
     * treatments over five years; PRP four months later; three bone marrow
     * injections (no dextrose) at 2-3 month intervals from three months
     * after the PRP; 2/10 and 30% at the third, maintained nine months. */
    {"patient", "CH2", NULL, NULL, "male", 0, 0, "\"site\":\"oak-park\",\"birth_year\":1949", NULL},
    {"diagnosis", "CH2", "both", "2005-01-10", "osteoarthritis", 0, 0, NULL,
     "degenerative joint disease; former competitive weightlifter who continues strength "
     "training"},
    {"diagnosis", "CH2", "both", "2005-01-10", "instability", 0, 0, NULL,
     "instability in both knees during exercise"},
    {"exam", "CH2", "both", "2005-01-10", NULL, 0, 0, "\"findings\":{\"instability\":true}", NULL},
    {"response", "CH2", NULL, "2005-01-10", "sleep", 0, 0, "\"items\":{\"interrupted\":true}",
     NULL},
    {"treatment", "CH2", "both", "2005-01-10", "dextrose_prolotherapy", 29, 65, NULL, NULL},
    {"response", "CH2", "both", "2010-01-04", "nprs", 0, 0, "\"items\":{\"intensity\":4}", NULL},
    {"response", "CH2", "both", "2010-01-04", "pain_frequency", 0, 0,
     "\"items\":{\"percent\":100}", NULL},
    {"response", "CH2", NULL, "2010-01-04", "sleep", 0, 0, "\"items\":{\"interrupted\":true}",
     NULL},
    {"treatment", "CH2", "both", "2010-05-03", "prp", 1, 0,
     "\"sites\":[\"intra_articular\"]", NULL},
    {"treatment", "CH2", "both", "2010-08-02", "bone_marrow_aspirate", 2, 70,
     "\"protocol\":\"bma\",\"sites\":[\"intra_articular\"]," BM_PRODUCT,
     "without dextrose prolotherapy"},
    {"exam", "CH2", "both", "2010-10-11", NULL, 0, 0, "\"findings\":{\"instability\":false}",
     "stability improved"},
    {"treatment", "CH2", "both", "2010-12-27", "bone_marrow_aspirate", 1, 0,
     "\"protocol\":\"bma\",\"sites\":[\"intra_articular\"]," BM_PRODUCT,
     "without dextrose prolotherapy"},
    {"response", "CH2", "both", "2010-12-27", "nprs", 0, 0, "\"items\":{\"intensity\":2}", NULL},
    {"response", "CH2", "both", "2010-12-27", "pain_frequency", 0, 0,
     "\"items\":{\"percent\":30}", NULL},
    {"response", "CH2", NULL, "2010-12-27", "sleep", 0, 0, "\"items\":{\"interrupted\":false}",
     NULL},
    {"response", "CH2", "both", "2011-09-26", "nprs", 0, 0, "\"items\":{\"intensity\":2}", NULL},
    {"response", "CH2", "both", "2011-09-26", "pain_frequency", 0, 0,
     "\"items\":{\"percent\":30}", NULL},
    {"response", "CH2", NULL, "2011-09-26", "sleep", 0, 0, "\"items\":{\"interrupted\":false}",
     NULL},

    /* Case history 3: 69-year-old woman, osteoarthritis, arthroscopy 8 and
     * medial meniscus surgery 15 years earlier; six bilateral prolotherapy
     * treatments over ten months; relapse a year later; two bone marrow +
     * dextrose treatments five months apart; pain-free eight months after. */
    {"patient", "CH3", NULL, NULL, "female", 0, 0, "\"site\":\"oak-park\",\"birth_year\":1939",
     NULL},
    {"diagnosis", "CH3", "both", "2008-02-04", "osteoarthritis", 0, 0, NULL,
     "previously diagnosed; pain climbing or descending stairs and standing or walking for two "
     "hours; limits racquet sports and golf"},
    {"treatment", "CH3", "both", "1993-02-01", "meniscectomy", 1, 0, NULL,
     "bilateral medial meniscus surgery 15 years before the first visit (type not stated)"},
    {"treatment", "CH3", "both", "2000-02-07", "arthroscopy", 1, 0, NULL,
     "arthroscopic surgery 8 years before the first visit"},
    {"response", "CH3", "left", "2008-02-04", "nprs", 0, 0, "\"items\":{\"intensity\":4}", NULL},
    {"response", "CH3", "right", "2008-02-04", "nprs", 0, 0, "\"items\":{\"intensity\":5}", NULL},
    {"response", "CH3", NULL, "2008-02-04", "sleep", 0, 0, "\"items\":{\"interrupted\":true}",
     NULL},
    {"treatment", "CH3", "both", "2008-02-04", "dextrose_prolotherapy", 6, 60, NULL, NULL},
    {"response", "CH3", "both", "2008-03-05", "nprs", 0, 0, "\"items\":{\"intensity\":2}", NULL},
    {"response", "CH3", "both", "2008-03-05", "global_improvement", 0, 0,
     "\"items\":{\"percent\":50},\"extra\":{\"reported\":\"50-55%\"}", NULL},
    {"response", "CH3", NULL, "2008-03-05", "sleep", 0, 0, "\"items\":{\"interrupted\":false}",
     NULL},
    {"response", "CH3", "both", "2009-11-30", "nprs", 0, 0, "\"items\":{\"intensity\":4}", NULL},
    {"response", "CH3", "both", "2009-11-30", "pain_frequency", 0, 0,
     "\"items\":{\"percent\":20}", NULL},
    {"response", "CH3", NULL, "2009-11-30", "sleep", 0, 0, "\"items\":{\"interrupted\":true}",
     NULL},
    {"treatment", "CH3", "both", "2009-11-30", "bone_marrow_aspirate", 2, 151,
     "\"protocol\":\"bma+dextrose\"," BM_SITES "," BM_PRODUCT,
     "whole bone marrow aspirate with dextrose prolotherapy"},
    {"response", "CH3", "both", "2010-04-30", "nprs", 0, 0, "\"items\":{\"intensity\":1}", NULL},
    {"response", "CH3", "both", "2010-04-30", "pain_frequency", 0, 0,
     "\"items\":{\"percent\":20}", NULL},
    {"response", "CH3", "both", "2010-04-30", "global_improvement", 0, 0,
     "\"items\":{\"percent\":90}", NULL},
    {"response", "CH3", NULL, "2010-04-30", "sleep", 0, 0,
     "\"items\":{\"interrupted\":true},\"extra\":{\"reported\":\"sleep interruption reduced by "
     "half\"}",
     NULL},
    {"response", "CH3", "both", "2010-12-30", "nprs", 0, 0, "\"items\":{\"intensity\":0}", NULL},
    {"response", "CH3", "both", "2010-12-30", "pain_frequency", 0, 0, "\"items\":{\"percent\":0}",
     NULL},
    {"exam", "CH3", "both", "2010-12-30", NULL, 0, 0, "\"findings\":{\"pain_at_rest\":\"none\"}",
     "free of pain; full participation in all her usual athletic activities"},
};

static char id_letter(const char *type)
{
    return strcmp(type, "adverse_event") == 0 ? 'a' : type[0];
}

static int write_one(genu_buf *b, const case_row *r, const char *knee, const char *date,
                     unsigned n, synth_emit_fn emit, void *ctx)
{
    char id[64];
    genu_buf_clear(b);
    genu_buf_printf(b, "{\"type\":\"%s\"", r->type);
    if (strcmp(r->type, "patient") == 0) {
        genu_buf_printf(b, ",\"id\":\"%s\",\"sex\":\"%s\"", r->patient, r->code);
    } else {
        snprintf(id, sizeof id, "%s-%c%u", r->patient, id_letter(r->type), n);
        genu_buf_printf(b, ",\"id\":\"%s\",\"patient\":\"%s\"", id, r->patient);
        if (knee)
            genu_buf_printf(b, ",\"knee\":\"%s\"", knee);
        genu_buf_printf(b, ",\"date\":\"%s\"", date);
        if (r->code) {
            const char *field = strcmp(r->type, "diagnosis") == 0   ? "condition"
                                : strcmp(r->type, "response") == 0 ? "instrument"
                                                                   : "kind";
            genu_buf_printf(b, ",\"%s\":\"%s\"", field, r->code);
        }
    }
    if (r->more)
        genu_buf_printf(b, ",%s", r->more);
    if (r->note) {
        genu_buf_puts(b, ",\"note\":");
        genu_buf_json_str(b, r->note);
    }
    genu_buf_putc(b, '}');
    if (b->oom)
        return GENU_ENOMEM;
    return emit(b->p, b->len, ctx);
}

int cases_generate(synth_emit_fn emit, void *ctx, genu_err *err)
{
    genu_buf b = GENU_BUF_INIT;
    unsigned n = 0;
    int rc = 0;
    const char *patient = "";
    for (size_t i = 0; i < sizeof rows / sizeof rows[0] && !rc; i++) {
        const case_row *r = &rows[i];
        if (strcmp(r->patient, patient) != 0) {
            patient = r->patient;
            n = 0;
        }
        genu_date d0 = 0;
        if (r->date && genu_date_parse(r->date, strlen(r->date), &d0, err)) {
            rc = err->code;
            break;
        }
        int count = r->count > 0 ? r->count : 1;
        for (int s = 0; s < count && !rc; s++) {
            char ds[GENU_DATE_STRLEN];
            genu_date_format(d0 + s * r->every, ds);
            if (r->knee && strcmp(r->knee, "both") == 0) {
                rc = write_one(&b, r, "left", ds, ++n, emit, ctx);
                if (!rc)
                    rc = write_one(&b, r, "right", ds, ++n, emit, ctx);
            } else {
                rc = write_one(&b, r, r->knee, ds, ++n, emit, ctx);
            }
        }
    }
    genu_buf_free(&b);
    if (rc == GENU_ENOMEM)
        return GENU_FAIL(err, GENU_ENOMEM, "cases: out of memory");
    return rc;
}
