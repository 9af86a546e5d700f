/* report_html_survival: the HTML report's survival section: the
 * replacement-free Kaplan-Meier curves with their numbers at risk,
 * medians and log-rank test, and with deaths as a competing risk the
 * cumulative incidence of replacement and of death (report_html.c has
 * the rest of the document). */
#include <math.h>

#include "cli/report_html_parts.h"

/* Ticks for a time axis in days: a step of 3, 6, 12, 24 or 60 months. */
static double time_step(double tmax)
{
    static const double months[] = {3, 6, 12, 24, 60, 120};
    for (size_t i = 0; i < sizeof months / sizeof months[0]; i++)
        if (tmax / (months[i] * 30.4375) <= 8.0)
            return months[i] * 30.4375;
    return 120 * 30.4375;
}

static void time_label(genu_buf *b, double t, double step)
{
    if (step >= 365.0)
        genu_buf_printf(b, "%.0f y", t / 365.25);
    else
        genu_buf_printf(b, "%.0f m", t / 30.4375);
}

/* Knees still at risk at time t: those with time >= t. */
static size_t at_risk(const survival_curve *k, double t)
{
    for (size_t i = 0; i < k->nrow; i++)
        if (k->rows[i].time >= t - 1e-9)
            return k->rows[i].n_risk;
    return 0;
}

/* The curve while at least SURVIVAL_CHART_MIN_AT_RISK knees are at risk:
 * it ends, level, at the first time fewer remain. */
static void km_curve(genu_buf *b, const plot *p, double tmax, const survival_curve *k, size_t g)
{
    double sx = (p->x1 - p->x0) / tmax, s = 1.0;
    size_t shown = 0; /* rows drawn */
    genu_buf_printf(b, "<path d=\"M%.1f %.1f", p->x0, rh_py(p, 1.0));
    for (size_t i = 0; i < k->nrow; i++) {
        const survival_row *w = &k->rows[i];
        double x = p->x0 + sx * w->time;
        genu_buf_printf(b, "H%.1f", x);
        if (w->n_risk < SURVIVAL_CHART_MIN_AT_RISK)
            break;
        shown = i + 1;
        if (w->n_event) {
            s = w->surv;
            genu_buf_printf(b, "V%.1f", rh_py(p, s));
        }
    }
    genu_buf_printf(b, "\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"", rh_colour(g));
    if (*rh_dash(g))
        genu_buf_printf(b, " stroke-dasharray=\"%s\"", rh_dash(g));
    genu_buf_puts(b, "/>");
    /* censor marks: a short vertical tick at each censoring time */
    genu_buf_puts(b, "<path d=\"");
    for (size_t i = 0; i < shown; i++)
        if (k->rows[i].n_censor)
            genu_buf_printf(b, "M%.1f %.1fv10", p->x0 + sx * k->rows[i].time,
                            rh_py(p, k->rows[i].surv) - 5);
    genu_buf_printf(b, "\" stroke=\"%s\" stroke-width=\"1.5\"/>", rh_colour(g));
}

/* print.survfit's 0.95LCL to 0.95UCL, "not reached" where a bound is not. */
static void median_ci(genu_buf *b, const survival_curve *k)
{
    if (isnan(k->median_lo))
        genu_buf_puts(b, "not reached");
    else
        genu_buf_printf(b, "%g", k->median_lo);
    if (isnan(k->median_hi))
        genu_buf_puts(b, " to not reached");
    else
        genu_buf_printf(b, " to %g", k->median_hi);
}

/* The time axis of a survival chart: ticks every step up to tmax, labelled. */
static void time_axis(genu_buf *b, const plot *p, double tmax, double step)
{
    for (double t = 0; t <= tmax + 1e-9; t += step) {
        double x = p->x0 + (p->x1 - p->x0) * t / tmax;
        genu_buf_printf(b,
                        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#5c6670\"/>"
                        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
                        x, p->y1, x, p->y1 + 5, x, p->y1 + 19);
        time_label(b, t, step);
        genu_buf_puts(b, "</text>");
    }
    genu_buf_printf(b,
                    "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">time since the index "
                    "treatment</text>",
                    (p->x0 + p->x1) / 2, p->y1 + 42);
}

static void km_chart(genu_buf *b, const report *r, double tmax, double step)
{
    plot p = {56, CHART_W - 16, 12, 250, 0.0, 1.0};
    genu_buf_puts(b, "<figure>");
    rh_svg_open(b, 300, "km-chart", "Replacement-free survival (Kaplan-Meier) per stratum");
    rh_y_grid(b, &p, 0.25, true);
    time_axis(b, &p, tmax, step);
    for (size_t g = 0; g < r->nstrata; g++)
        km_curve(b, &p, tmax, &r->km[g], g);
    genu_buf_puts(b, "</svg>");
    rh_legend(b, r, true);
    genu_buf_printf(b,
                    "<figcaption>Share of knees not replaced; a step down is a replacement, a "
                    "tick is a knee censored at its last contact. Each curve stops where fewer "
                    "than %d knees remain at risk (the tables keep every row).</figcaption>"
                    "</figure>\n",
                    SURVIVAL_CHART_MIN_AT_RISK);
}

/* "<p>NAME: chi-square x on df degrees of freedom, p = y.</p>" */
static void test_sentence(genu_buf *b, const char *name, double chisq, int df, double p)
{
    genu_buf_printf(b, "<p>%s: chi-square %.2f on %d degree%s of freedom, p %s", name, chisq, df,
                    df == 1 ? "" : "s", p < 0.001 ? "" : "= ");
    rh_p_value(b, p);
    genu_buf_puts(b, ".</p>\n");
}

/* The cumulative incidence of stratum g (solid) and 1 − Kaplan–Meier
 * (thin, dotted) in its colour, each while at least
 * SURVIVAL_CHART_MIN_AT_RISK knees are at risk, as km_curve: a curve ends,
 * level, at the first time fewer remain. */
static void cuminc_curves(genu_buf *b, const plot *p, double tmax, const report *r, size_t g)
{
    const cuminc_curve *k = &r->competing->curves[g];
    const survival_curve *km = &r->km[g];
    double sx = (p->x1 - p->x0) / tmax;
    genu_buf_printf(b, "<path d=\"M%.1f %.1f", p->x0, rh_py(p, 0.0));
    for (size_t i = 0; i < k->nrow; i++) {
        genu_buf_printf(b, "H%.1f", p->x0 + sx * k->rows[i].time);
        if (k->rows[i].n_risk < SURVIVAL_CHART_MIN_AT_RISK)
            break;
        genu_buf_printf(b, "V%.1f", rh_py(p, k->rows[i].cuminc));
    }
    genu_buf_printf(b, "\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>", rh_colour(g));
    genu_buf_printf(b, "<path d=\"M%.1f %.1f", p->x0, rh_py(p, 0.0));
    for (size_t i = 0; i < km->nrow; i++) {
        genu_buf_printf(b, "H%.1f", p->x0 + sx * km->rows[i].time);
        if (km->rows[i].n_risk < SURVIVAL_CHART_MIN_AT_RISK)
            break;
        genu_buf_printf(b, "V%.1f", rh_py(p, 1.0 - km->rows[i].surv));
    }
    genu_buf_printf(b, "\" fill=\"none\" stroke=\"%s\" stroke-width=\"1\" stroke-dasharray=\"2 3\"/>",
                    rh_colour(g));
}

/* The value of a step curve at t (the last row at or before t). */
static double cuminc_at(const cuminc_curve *k, double t)
{
    double v = 0.0;
    for (size_t i = 0; i < k->nrow && k->rows[i].time <= t + 1e-9; i++)
        v = k->rows[i].cuminc;
    return v;
}

static double km_at(const survival_curve *k, double t)
{
    double v = 1.0;
    for (size_t i = 0; i < k->nrow && k->rows[i].time <= t + 1e-9; i++)
        v = k->rows[i].surv;
    return v;
}

/* When patients died: replacement with death as a competing risk. */
/* The header cells of times from t0 to tmax by step, and the end of the
 * table's head. */
static void time_headers(genu_buf *b, double t0, double tmax, double step)
{
    for (double t = t0; t <= tmax + 1e-9; t += step) {
        genu_buf_puts(b, "<th scope=\"col\">");
        time_label(b, t, step);
        genu_buf_puts(b, "</th>");
    }
    genu_buf_puts(b, "</tr></thead><tbody>");
}

static void competing_part(genu_buf *b, const report *r, double tmax, double step)
{
    const durability_competing *d = r->competing;
    plot p = {56, CHART_W - 16, 12, 250, 0.0, 0.5};
    double top = 0.0;
    for (size_t g = 0; g < r->nstrata; g++)
        if (r->km[g].nrow)
            top = fmax(top, fmax(1.0 - r->km[g].rows[r->km[g].nrow - 1].surv,
                                 d->curves[g].nrow ? d->curves[g].rows[d->curves[g].nrow - 1].cuminc : 0));
    p.vmax = top > 0.5 ? 1.0 : top > 0.25 ? 0.5 : 0.25;
    genu_buf_puts(b, "<h3>Death as a competing risk</h3>\n<p>Patients who die can no longer "
                     "be replaced, so 1 &minus; Kaplan-Meier, which treats a death as if the knee "
                     "might still be replaced, overstates the risk. The cumulative incidence "
                     "(Aalen-Johansen) counts a death as the end of that knee's risk.</p>\n"
                     "<figure>");
    rh_svg_open(b, 300, "cuminc-chart", "Cumulative incidence of replacement per stratum");
    rh_y_grid(b, &p, p.vmax / 4, true);
    time_axis(b, &p, tmax, step);
    for (size_t g = 0; g < r->nstrata; g++)
        cuminc_curves(b, &p, tmax, r, g);
    genu_buf_puts(b, "</svg>");
    rh_legend(b, r, false);
    genu_buf_printf(b,
                    "<figcaption>Share of knees replaced: cumulative incidence with death as a "
                    "competing event (solid) and 1 &minus; Kaplan-Meier (dotted). Each curve "
                    "stops where fewer than %d knees remain at risk (the table keeps every "
                    "row).</figcaption></figure>\n",
                    SURVIVAL_CHART_MIN_AT_RISK);
    rh_open_table(b, "Cumulative incidence of replacement");
    genu_buf_puts(b, "<caption>Cumulative incidence of replacement (1 &minus; Kaplan-Meier), "
                     "%</caption><thead><tr><th scope=\"col\" class=\"l\">Stratum</th>"
                     "<th scope=\"col\">Deaths first</th>");
    time_headers(b, step, tmax, step);
    for (size_t g = 0; g < r->nstrata; g++) {
        rh_stratum_row(b, r->strata[g]);
        genu_buf_printf(b, "<td>%zu</td>", d->curves[g].competing);
        for (double t = step; t <= tmax + 1e-9; t += step)
            genu_buf_printf(b, "<td>%.1f (%.1f)</td>", 100 * cuminc_at(&d->curves[g], t),
                            100 * (1.0 - km_at(&r->km[g], t)));
        genu_buf_puts(b, "</tr>");
    }
    rh_close_table(b);
    if (d->gray.defined)
        test_sentence(b, "Gray's test", d->gray.statistic, d->gray.df, d->gray.p);
}

void rh_survival_section(genu_buf *b, const report *r)
{
    genu_buf_puts(b, "<section id=\"survival\">\n<h2>Replacement-free survival</h2>\n");
    double tmax = 0.0;
    for (size_t g = 0; g < r->nstrata; g++)
        if (r->km[g].nrow)
            tmax = fmax(tmax, r->km[g].rows[r->km[g].nrow - 1].time);
    if (tmax <= 0.0)
        tmax = 365.25;
    double step = time_step(tmax);
    tmax = ceil(tmax / step - 1e-9) * step;
    if (r->nstrata)
        km_chart(b, r, tmax, step);
    rh_open_table(b, "Numbers at risk");
    genu_buf_puts(b, "<caption>Numbers at risk</caption><thead><tr>"
                     "<th scope=\"col\" class=\"l\">Stratum</th>");
    time_headers(b, 0, tmax, step);
    for (size_t g = 0; g < r->nstrata; g++) {
        rh_stratum_row(b, r->strata[g]);
        for (double t = 0; t <= tmax + 1e-9; t += step)
            genu_buf_printf(b, "<td>%zu</td>", at_risk(&r->km[g], t));
        genu_buf_puts(b, "</tr>");
    }
    rh_close_table(b);
    rh_open_table(b, "Survival summary");
    genu_buf_puts(b, "<caption>Per stratum</caption>");
    rh_table_head(b, "<Stratum|Knees|Replacements|Median (days)|95% CI (days)");
    for (size_t g = 0; g < r->nstrata; g++) {
        rh_stratum_row(b, r->strata[g]);
        genu_buf_printf(b, "<td>%zu</td><td>%zu</td><td>", r->km[g].n, r->km[g].events);
        if (isnan(r->km[g].median))
            genu_buf_puts(b, "not reached");
        else
            genu_buf_printf(b, "%g", r->km[g].median);
        genu_buf_puts(b, "</td><td>");
        median_ci(b, &r->km[g]);
        genu_buf_puts(b, "</td></tr>");
    }
    rh_close_table(b);
    if (r->logrank.defined) {
        test_sentence(b, "Log-rank test", r->logrank.chisq, r->logrank.df, r->logrank.p);
    } else {
        genu_buf_puts(b, "<p>Log-rank test: not defined (fewer than two strata with "
                         "expected replacements).</p>\n");
    }
    if (r->competing && r->nstrata)
        competing_part(b, r, tmax, step);
    genu_buf_puts(b, "</section>\n");
}
