/* list: the windows and the response rates as JSON, for genu followup list,
 * the who-to-call list and the dashboard. */
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

static void date_or_null(genu_buf *b, const char *key, genu_date d)
{
    char s[GENU_DATE_STRLEN];
    if (d == GENU_DATE_NONE) {
        genu_buf_printf(b, ",\"%s\":null", key);
        return;
    }
    genu_date_format(d, s);
    genu_buf_printf(b, ",\"%s\":\"%s\"", key, s);
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
    char date[GENU_DATE_STRLEN], f[GENU_DATE_STRLEN], l[GENU_DATE_STRLEN];
    size_t count = 0;
    genu_date_format(as_of, date);
    genu_buf_printf(b, "{\"as_of\":\"%s\",\"windows\":[", date);
    for (size_t i = 0; i < n; i++) {
        bool phone = false;
        const char *st = followup_window_status(cfg, &w[i], as_of);
        if ((keep && !keep(&w[i], arg, &phone)) || (status && strcmp(status, st) != 0))
            continue;
        genu_buf_puts(b, count++ ? ",{\"patient\":" : "{\"patient\":");
        genu_buf_json_str(b, w[i].patient);
        genu_buf_puts(b, ",\"site\":");
        genu_buf_json_str(b, w[i].site);
        if (knee_name(w[i].knee))
            genu_buf_printf(b, ",\"knee\":\"%s\"", knee_name(w[i].knee));
        genu_date_format(w[i].first, f);
        genu_date_format(w[i].last, l);
        char label[WORDS_MAX];
        genu_buf_printf(b, ",\"timepoint\":\"%s\",\"label\":\"%s\"", w[i].tp.text,
                        words_timepoint_text(w[i].tp.text, label, sizeof label));
        date_or_null(b, "index_date", w[i].index);
        genu_buf_printf(b, ",\"window\":[\"%s\",\"%s\"],\"status\":\"%s\"", f, l, st);
        date_or_null(b, "answered", w[i].answered);
        date_or_null(b, "invited", w[i].invited);
        genu_buf_printf(b, ",\"reminders\":%d", w[i].reminders);
        date_or_null(b, "last_message", w[i].last_message);
        if (skips[w[i].skip])
            genu_buf_printf(b, ",\"skipped\":\"%s\"", skips[w[i].skip]);
        if (phone) {
            genu_buf_puts(b, ",\"phone\":");
            if (w[i].phone)
                genu_buf_json_str(b, w[i].phone);
            else
                genu_buf_puts(b, "null");
        }
        genu_buf_putc(b, '}');
    }
    genu_buf_printf(b, "],\"count\":%zu}\n", count);
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
    char date[GENU_DATE_STRLEN];
    genu_date_format(as_of, date);
    genu_buf_printf(b, "{\"as_of\":\"%s\",\"rates\":[", date);
    for (size_t k = 0; k < nr; k++) {
        genu_buf_puts(b, k ? ",{\"timepoint\":" : "{\"timepoint\":");
        genu_buf_json_str(b, r[k].tp);
        char label[WORDS_MAX];
        genu_buf_puts(b, ",\"label\":");
        genu_buf_json_str(b, words_timepoint_text(r[k].tp, label, sizeof label));
        genu_buf_puts(b, ",\"site\":");
        genu_buf_json_str(b, r[k].site);
        genu_buf_printf(b, ",\"closed\":%zu,\"invited\":%zu,\"answered\":%zu,"
                           "\"answered_invited\":%zu,\"rate\":",
                        r[k].closed, r[k].invited, r[k].answered, r[k].answered_invited);
        genu_buf_json_num(b, (double)r[k].answered / (double)r[k].closed);
        genu_buf_puts(b, ",\"rate_invited\":");
        if (r[k].invited)
            genu_buf_json_num(b, (double)r[k].answered_invited / (double)r[k].invited);
        else
            genu_buf_puts(b, "null");
        genu_buf_putc(b, '}');
    }
    genu_buf_puts(b, "]}\n");
    free(r);
}
