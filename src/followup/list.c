/* list: the windows and the response rates as JSON, for genu followup list,
 * the who-to-call list and the dashboard. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vec.h"
#include "followup/followup.h"
#include "model/words.h"

const char *followup_window_status(const followup_config *cfg, const followup_window *w,
                                   genu_date as_of)
{
    if (w->answered != GENU_DATE_NONE || w->link_used)
        return "answered";
    if (followup_to_call(cfg, w, as_of))
        return "to_call";
    if (w->last < as_of)
        return "missed";
    if (w->skip != FU_SKIP_NONE)
        return "skipped";
    if (w->invited == GENU_DATE_NONE)
        return "due";
    return w->reminders ? "reminded" : "invited";
}

static const char *knee_name(genu_knee k)
{
    return k == GENU_KNEE_LEFT ? "left" : k == GENU_KNEE_RIGHT ? "right" : NULL;
}

void followup_windows_json(genu_buf *b, const followup_config *cfg, genu_date as_of,
                           const followup_window *w, size_t n, const char *status,
                           followup_keep_fn keep, void *arg)
{
    static const char *const skips[FU_NSKIP] = {NULL, "no_address", "opted_out", "deceased"};
    size_t count = 0;
    genu_jw j;
    genu_jw_doc(&j, b);
    genu_jw_kdate(&j, "as_of", as_of);
    genu_jw_karr(&j, "windows");
    for (size_t i = 0; i < n; i++) {
        bool phone = false;
        const char *st = followup_window_status(cfg, &w[i], as_of);
        if ((keep && !keep(&w[i], arg, &phone)) || (status && strcmp(status, st) != 0))
            continue;
        count++;
        genu_jw_obj(&j);
        genu_jw_kstr(&j, "patient", w[i].patient);
        genu_jw_kstr(&j, "site", w[i].site);
        if (knee_name(w[i].knee))
            genu_jw_kstr(&j, "knee", knee_name(w[i].knee));
        char label[WORDS_MAX];
        genu_jw_kstr(&j, "timepoint", w[i].tp.text);
        genu_jw_kstr(&j, "label", words_timepoint_text(w[i].tp.text, label, sizeof label));
        genu_jw_kdate(&j, "index_date", w[i].index);
        genu_jw_karr(&j, "window");
        genu_jw_date(&j, w[i].first);
        genu_jw_date(&j, w[i].last);
        genu_jw_end(&j);
        genu_jw_kstr(&j, "status", st);
        genu_jw_kdate(&j, "answered", w[i].answered);
        genu_jw_kdate(&j, "invited", w[i].invited);
        genu_jw_kint(&j, "reminders", w[i].reminders);
        genu_jw_kdate(&j, "last_message", w[i].last_message);
        if (skips[w[i].skip])
            genu_jw_kstr(&j, "skipped", skips[w[i].skip]);
        if (phone)
            genu_jw_kstr(&j, "phone", w[i].phone);
        genu_jw_end(&j);
    }
    genu_jw_end(&j);
    genu_jw_ksize(&j, "count", count);
    genu_jw_doc_end(&j);
}

typedef struct rate {
    const char *tp, *site;
    int nominal;
    size_t closed, invited, answered, answered_invited;
} rate;

void followup_rates_json(genu_buf *b, genu_date as_of, const followup_window *w, size_t n,
                         followup_keep_fn keep, void *arg)
{
    rate *r = NULL;
    size_t nr = 0, cap = 0;
    for (size_t i = 0; i < n; i++) {
        bool phone;
        if (w[i].last >= as_of || (keep && !keep(&w[i], arg, &phone)))
            continue;
        size_t k = 0;
        while (k < nr && (strcmp(r[k].tp, w[i].tp.text) || strcmp(r[k].site, w[i].site)))
            k++;
        if (k == nr) { /* a new timepoint and site: no cell is ever dropped */
            rate *more = genu_vec_room(r, &cap, nr, sizeof *r, 64);
            if (!more) {
                free(r);
                b->oom = true;
                return;
            }
            r = more;
            r[nr++] = (rate){w[i].tp.text, w[i].site, w[i].tp.nominal, 0, 0, 0, 0};
        }
        bool answered = w[i].answered != GENU_DATE_NONE || w[i].link_used;
        bool invited = w[i].invited != GENU_DATE_NONE;
        r[k].closed++;
        r[k].invited += invited;
        r[k].answered += answered;
        r[k].answered_invited += answered && invited;
    }
    /* by timepoint, then site */
    for (size_t i = 1; i < nr; i++)
        for (size_t j = i; j > 0 && (r[j - 1].nominal > r[j].nominal ||
                                     (r[j - 1].nominal == r[j].nominal &&
                                      strcmp(r[j - 1].site, r[j].site) > 0));
             j--) {
            rate t = r[j];
            r[j] = r[j - 1];
            r[j - 1] = t;
        }
    genu_jw j;
    genu_jw_doc(&j, b);
    genu_jw_kdate(&j, "as_of", as_of);
    genu_jw_karr(&j, "rates");
    for (size_t k = 0; k < nr; k++) {
        char label[WORDS_MAX];
        genu_jw_obj(&j);
        genu_jw_kstr(&j, "timepoint", r[k].tp);
        genu_jw_kstr(&j, "label", words_timepoint_text(r[k].tp, label, sizeof label));
        genu_jw_kstr(&j, "site", r[k].site);
        genu_jw_ksize(&j, "closed", r[k].closed);
        genu_jw_ksize(&j, "invited", r[k].invited);
        genu_jw_ksize(&j, "answered", r[k].answered);
        genu_jw_ksize(&j, "answered_invited", r[k].answered_invited);
        genu_jw_knum(&j, "rate", (double)r[k].answered / (double)r[k].closed);
        genu_jw_knum(&j, "rate_invited",
                     r[k].invited ? (double)r[k].answered_invited / (double)r[k].invited : NAN);
        genu_jw_end(&j);
    }
    genu_jw_end(&j);
    genu_jw_doc_end(&j);
    free(r);
}
