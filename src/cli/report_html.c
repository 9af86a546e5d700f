/* report_html: the cohort report as one self-contained HTML document: inline
 * CSS, inline SVG charts, no scripts and no external resources, so that it
 * can be e-mailed and opened anywhere. Every chart has a table with the same
 * numbers next to it (the tables are the report; charts are a reading aid).
 * Every string that comes from the data (site names, protocols, filter
 * values, currencies, definitions) goes through genu_buf_html(). */
#include "cli/report_html.h"
#include "cli/report_html_parts.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "model/words.h"

/* Stratum colours: each has at least 4.5:1 contrast on white (text and
 * lines), and strata are told apart by marker shape and dash pattern too. */
static const char *const colours[] = {"#0b5cad", "#b3261e", "#1b7a3d", "#7a4fa3",
                                      "#8a5a00", "#006d77", "#a0336b", "#444444"};
static const char *const dashes[] = {"", "7 4", "2 3", "9 3 2 3"};
#define NCOLOUR (sizeof colours / sizeof colours[0])
#define NDASH (sizeof dashes / sizeof dashes[0])

const char *rh_colour(size_t g)
{
    return colours[g % NCOLOUR];
}

const char *rh_dash(size_t g)
{
    return dashes[g % NDASH];
}

/* ---- numbers ----------------------------------------------------------- */

static void pct(genu_buf *b, double v)
{
    if (isnan(v))
        genu_buf_puts(b, "n/a");
    else
        genu_buf_printf(b, "%.1f%%", 100.0 * v);
}

static void pct_ci(genu_buf *b, double lo, double hi)
{
    if (isnan(lo))
        genu_buf_puts(b, "n/a");
    else
        genu_buf_printf(b, "%.1f&ndash;%.1f%%", 100.0 * lo, 100.0 * hi);
}

static void fixed(genu_buf *b, double v, int decimals)
{
    if (isnan(v))
        genu_buf_puts(b, "n/a");
    else
        genu_buf_printf(b, "%.*f", decimals, v);
}

void rh_p_value(genu_buf *b, double p)
{
    if (isnan(p))
        genu_buf_puts(b, "n/a");
    else if (p < 0.001)
        genu_buf_puts(b, "&lt; 0.001");
    else
        genu_buf_printf(b, "%.3f", p);
}

/* An amount with thousands separators and cents only when there are any. */
static void money(genu_buf *b, double v)
{
    if (isnan(v)) {
        genu_buf_puts(b, "n/a");
        return;
    }
    char digits[64];
    double whole = floor(fabs(v) + 0.005);
    int cents = (int)llround((fabs(v) + 0.005 - whole) * 100.0 - 0.5);
    if (cents < 0)
        cents = 0;
    snprintf(digits, sizeof digits, "%.0f", whole);
    size_t n = strlen(digits);
    if (v < 0)
        genu_buf_putc(b, '-');
    for (size_t i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            genu_buf_putc(b, ',');
        genu_buf_putc(b, digits[i]);
    }
    if (cents)
        genu_buf_printf(b, ".%02d", cents);
}

/* ---- document frame ---------------------------------------------------- */

static const char css[] =
    "*{box-sizing:border-box}"
    "body{margin:0;background:#fff;color:#1a1a1a;font:16px/1.5 system-ui,-apple-system,"
    "'Segoe UI',Roboto,Arial,sans-serif}"
    "header,main,footer{max-width:72rem;margin:0 auto;padding:0 1rem}"
    "header{padding-top:1rem;border-bottom:2px solid #0b5cad}"
    "h1{font-size:1.6rem;margin:.5rem 0}h2{font-size:1.3rem;margin:2rem 0 .5rem;"
    "border-bottom:1px solid #c8ced6;padding-bottom:.2rem}h3{font-size:1.05rem;margin:1.5rem 0 .4rem}"
    "a{color:#0b5cad}p,li{max-width:48rem}.meta{color:#3d4650;margin:.2rem 0 .8rem}"
    "nav ul{display:flex;flex-wrap:wrap;gap:.2rem 1.2rem;list-style:none;padding:0}"
    "dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:.5rem 0}"
    "dt{font-weight:600}dd{margin:0}"
    ".scroll{overflow-x:auto;margin:.5rem 0 1rem;border:1px solid #dde2e8;width:max-content;"
    "max-width:100%}"
    ".scroll:focus{outline:2px solid #0b5cad}"
    "table{border-collapse:collapse;font-variant-numeric:tabular-nums;font-size:.88rem}"
    "caption{text-align:left;font-weight:600;padding:.4rem .5rem;white-space:nowrap}"
    ".pair{display:flex;flex-wrap:wrap;gap:0 1.5rem;align-items:flex-start}"
    "th,td{padding:.3rem .45rem;border-bottom:1px solid #dde2e8;text-align:right;"
    "white-space:nowrap}"
    "thead th{background:#eef2f6;vertical-align:bottom;white-space:normal;min-width:4.2em}"
    "th[scope=row],td.l,th.l{text-align:left}"
    "tbody tr.first td,tbody tr.first th{border-top:2px solid #c8ced6}"
    "figure{margin:.5rem 0 1rem}figcaption{font-size:.9rem;color:#3d4650}"
    "svg{display:block;width:100%;max-width:44rem;height:auto}"
    "svg text{font:12px system-ui,Arial,sans-serif;fill:#1a1a1a}"
    ".legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.2rem 1rem;margin:.3rem 0}"
    ".legend svg{display:inline-block;width:2.2rem;height:1rem;vertical-align:middle}"
    ".foot{font-size:.9rem;color:#3d4650;margin-top:-.6rem}"
    ".note{background:#f6f8fa;border-left:4px solid #0b5cad;padding:.5rem 1rem}"
    ".warn{color:#8a1c14;font-weight:600}"
    "footer{margin-top:2rem;padding-bottom:2rem;color:#3d4650;font-size:.9rem}"
    "h3 code{overflow-wrap:anywhere}"
    "@media (max-width:40rem){body{font-size:15px}dl{grid-template-columns:1fr}"
    "svg text{font-size:19px}"
    "dd{margin-bottom:.4rem}}"
    "@media print{.scroll{overflow:visible;border:0}h2{break-after:avoid}figure,table{break-inside:"
    "avoid}}";

/* before, text escaped, after. */
static void between(genu_buf *b, const char *before, const char *text, const char *after)
{
    genu_buf_puts(b, before);
    genu_buf_html(b, text);
    genu_buf_puts(b, after);
}

void rh_open_table(genu_buf *b, const char *label)
{
    between(b, "<div class=\"scroll\" role=\"region\" tabindex=\"0\" aria-label=\"", label,
            "\"><table>");
}

/* A definition's or measure's heading, its chart (chart(b, r, i), when
 * there is one and there are strata) and its table opened. */
typedef void chart_fn(genu_buf *b, const report *r, size_t i);

static void measure_open(genu_buf *b, const report *r, const char *name, size_t i,
                         chart_fn *chart)
{
    between(b, "<h3><code>", name, "</code></h3>\n");
    if (chart && r->nstrata)
        chart(b, r, i);
    rh_open_table(b, name);
}

/* A row opened: the timepoint at as its header, the stratum's cell begun
 * (the caller closes it); first marks the first row of a timepoint. */
static void row_open(genu_buf *b, bool first, const char *at, const char *stratum)
{
    genu_buf_printf(b, "<tr%s><th scope=\"row\">%s</th><td class=\"l\">",
                    first ? " class=\"first\"" : "", at);
    genu_buf_html(b, stratum);
}

/* A row opened with the stratum as its header. */
void rh_stratum_row(genu_buf *b, const char *stratum)
{
    between(b, "<tr><th scope=\"row\">", stratum, "</th>");
}

/* A table's head from its column labels, '|'-separated; a label that
 * begins with '<' is aligned left (the label follows it). */
void rh_table_head(genu_buf *b, const char *cols)
{
    genu_buf_puts(b, "<thead><tr>");
    while (*cols) {
        size_t n = strcspn(cols, "|");
        bool left = *cols == '<';
        genu_buf_printf(b, "<th scope=\"col\"%s>%.*s</th>", left ? " class=\"l\"" : "",
                        (int)(n - left), cols + left);
        cols += n + (cols[n] == '|');
    }
    genu_buf_puts(b, "</tr></thead><tbody>");
}

void rh_close_table(genu_buf *b)
{
    genu_buf_puts(b, "</tbody></table></div>\n");
}

typedef void row_fn(genu_buf *b, const report *r, size_t i, size_t t, size_t g);

/* The whole table of definition or measure i: measure_open, the head of
 * cols (as table_head takes them), row(b, r, i, t, g) for each timepoint t
 * and stratum g, the end. */
static void measure_table(genu_buf *b, const report *r, const char *name, size_t i,
                          chart_fn *chart, const char *cols, row_fn *row)
{
    measure_open(b, r, name, i, chart);
    rh_table_head(b, cols);
    for (size_t t = 0; t < r->spec.ntp; t++)
        for (size_t g = 0; g < r->nstrata; g++)
            row(b, r, i, t, g);
    rh_close_table(b);
}

static void head(genu_buf *b, const report *r)
{
    char date[GENU_DATE_STRLEN];
    genu_date_format(r->c->as_of, date);
    genu_buf_printf(b,
                    "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                    "<title>genu cohort report as of %s</title>\n<style>%s</style>\n</head>\n"
                    "<body>\n<header>\n<h1>Cohort report</h1>\n"
                    "<p class=\"meta\">Data as of %s &middot; unit: %s &middot; %zu %s entered"
                    "</p>\n",
                    date, css, date, r->c->unit == COHORT_UNIT_PATIENT ? "patient" : "knee",
                    r->c->nknee, r->c->unit == COHORT_UNIT_PATIENT ? "patients" : "knees");
    genu_buf_puts(b, "<nav aria-label=\"Contents\"><ul>"
                     "<li><a href=\"#cohort\">Cohort</a></li>"
                     "<li><a href=\"#reading\">How to read this</a></li>"
                     "<li><a href=\"#followup\">Follow-up</a></li>"
                     "<li><a href=\"#responders\">Responders</a></li>"
                     "<li><a href=\"#comparisons\">Comparisons</a></li>"
                     "<li><a href=\"#change\">Change from baseline</a></li>"
                     "<li><a href=\"#survival\">Survival</a></li>"
                     "<li><a href=\"#cost\">Cost per responder</a></li>"
                     "</ul></nav>\n</header>\n<main>\n");
}

static void marker(genu_buf *b, size_t g, double x, double y);

/* A small legend of the strata (HTML, so it reflows on a phone). */
void rh_legend(genu_buf *b, const report *r, bool lines)
{
    genu_buf_puts(b, "<ul class=\"legend\">");
    for (size_t g = 0; g < r->nstrata; g++) {
        genu_buf_puts(b, "<li><svg viewBox=\"0 0 36 16\" aria-hidden=\"true\">");
        if (lines)
            genu_buf_printf(b,
                            "<line x1=\"2\" y1=\"8\" x2=\"34\" y2=\"8\" stroke=\"%s\" "
                            "stroke-width=\"3\" stroke-dasharray=\"%s\"/>",
                            rh_colour(g), rh_dash(g));
        else
            marker(b, g, 18, 8);
        genu_buf_puts(b, "</svg>");
        genu_buf_html(b, r->strata[g]);
        genu_buf_puts(b, "</li>");
    }
    genu_buf_puts(b, "</ul>\n");
}

/* ---- cohort ------------------------------------------------------------ */

static void enrolment(genu_buf *b, const report *r)
{
    const cohort *c = r->c;
    if (c->nknee == 0)
        return;
    int y0 = genu_date_year(c->knees[0].index), y1 = y0;
    for (size_t i = 0; i < c->nknee; i++) {
        int y = genu_date_year(c->knees[i].index);
        y0 = y < y0 ? y : y0;
        y1 = y > y1 ? y : y1;
    }
    rh_open_table(b, "Enrolment by index year");
    genu_buf_puts(b, "<caption>Enrolment by year of the index treatment</caption>");
    rh_table_head(b, "<Index year|Entered");
    for (int y = y0; y <= y1; y++) {
        size_t n = 0;
        for (size_t i = 0; i < c->nknee; i++)
            n += genu_date_year(c->knees[i].index) == y;
        genu_buf_printf(b, "<tr><th scope=\"row\">%d</th><td>%zu</td></tr>", y, n);
    }
    rh_close_table(b);
}

static void cohort_section(genu_buf *b, const report *r, const cohort_filter *f)
{
    const char *by = cohort_by_name(r->spec.by);
    genu_buf_puts(b, "<section id=\"cohort\">\n<h2>Cohort</h2>\n<dl><dt>Stratified by</dt><dd>");
    genu_buf_puts(b, by ? by : "nothing (one stratum, <q>all</q>)");
    genu_buf_puts(b, "</dd><dt>Filters</dt><dd>");
    if (f->nset == 0)
        genu_buf_puts(b, "none: every knee with an index treatment");
    for (size_t i = 0; i < f->nset; i++) {
        genu_buf_puts(b, i ? ", <code>--" : "<code>--");
        genu_buf_html(b, f->name[i]);
        genu_buf_putc(b, ' ');
        genu_buf_html(b, f->value[i]);
        genu_buf_puts(b, "</code>");
    }
    genu_buf_puts(b, "</dd><dt>Responder definitions</dt><dd><ul>");
    for (size_t d = 0; d < r->spec.ndef; d++) {
        genu_buf_puts(b, "<li><code>");
        genu_buf_html(b, r->spec.defs[d].text);
        genu_buf_puts(b, "</code>");
        if (r->spec.defs[d].kind == RESPONDER_MCID)
            genu_buf_printf(b, " (MCID %g points)", r->spec.defs[d].threshold);
        genu_buf_puts(b, "</li>");
    }
    genu_buf_puts(b, "</ul></dd></dl>\n");
    genu_buf_puts(b, "<div class=\"pair\">");
    rh_open_table(b, "Knees entered per stratum");
    genu_buf_puts(b, "<caption>Entered per stratum</caption>");
    rh_table_head(b, "<Stratum|Entered");
    for (size_t g = 0; g < r->nstrata; g++) {
        rh_stratum_row(b, r->strata[g]);
        genu_buf_printf(b, "<td>%zu</td></tr>", r->entered[g]);
    }
    genu_buf_printf(b, "<tr class=\"first\"><th scope=\"row\">Total</th><td>%zu</td></tr>",
                    r->c->nknee);
    rh_close_table(b);
    enrolment(b, r);
    genu_buf_puts(b, "</div>\n</section>\n");
}

static void reading_section(genu_buf *b)
{
    genu_buf_puts(
        b,
        "<section id=\"reading\">\n<h2>How to read this</h2>\n<div class=\"note\"><ul>"
        "<li><strong>Eligible</strong> knees are those whose follow-up window (the timepoint "
        "&plusmn; a margin) has closed by the as-of date; later knees are not counted yet.</li>"
        "<li><strong>Converted</strong> knees were replaced before the window closed with no "
        "usable follow-up. They are treatment failures: counted in the denominator as "
        "non-responders, never dropped.</li>"
        "<li><strong>Not evaluable</strong> knees have no baseline within 90 days before the "
        "index treatment, so the definition cannot be computed; they are left out.</li>"
        "<li><strong>Missing</strong> knees are lost to follow-up: eligible, but nothing was "
        "recorded in the window. They are left out of the rate, which then assumes they "
        "would have done like the rest.</li>"
        "<li><strong>Rate</strong> = responders &divide; analysed (converted plus knees with a "
        "follow-up), with a 95% Wilson interval. Fewer than 10 analysed knees is too few to "
        "judge.</li>"
        "<li><strong>Worst case</strong> counts every missing knee as a non-responder, "
        "<strong>best case</strong> as a responder. A wide gap between them means the rate "
        "depends on who came back.</li>"
        "<li><strong>Change from baseline</strong> is signed so that positive means better.</li>"
        "<li><strong>Survival</strong> is time to the first knee replacement after the index "
        "treatment; knees without one are censored (tick marks) at their last contact.</li>"
        "<li><strong>Cost per responder</strong> adds up the index treatment and every later "
        "treatment of an index kind up to the timepoint, for analysed knees whose every "
        "treatment has a cost in one currency, and divides by the responders among those "
        "knees. Knees with an uncosted treatment are shown, not treated as free.</li>"
        "<li><strong>Comparisons</strong> give the difference in rates with a Newcombe "
        "interval and a chi-square test (Fisher&rsquo;s exact test when an expected count is "
        "below 5). p values are not adjusted for the many comparisons shown.</li>"
        "</ul></div>\n</section>\n");
}

/* ---- follow-up --------------------------------------------------------- */

static void followup_section(genu_buf *b, const report *r)
{
    genu_buf_puts(b, "<section id=\"followup\">\n<h2>Follow-up completeness</h2>\n"
                     "<p><em>Due</em>: knees whose window has closed. <em>Done</em>: a "
                     "questionnaire of any kind in the window, before any replacement.</p>\n");
    rh_open_table(b, "Follow-up completeness per timepoint");
    rh_table_head(b, "<Timepoint|<Stratum|Due|Done|Missing|Done %");
    for (size_t t = 0; t < r->spec.ntp; t++)
        for (size_t g = 0; g < r->nstrata; g++) {
            const report_followup *f = &r->followup[t * r->nstrata + g];
            row_open(b, g == 0, r->spec.tps[t].text, r->strata[g]);
            genu_buf_printf(b, "</td><td>%zu</td><td>%zu</td><td>%zu</td><td>", f->due, f->done,
                            f->missing);
            pct(b, f->due ? (double)f->done / (double)f->due : NAN);
            genu_buf_puts(b, "</td></tr>");
        }
    rh_close_table(b);
    genu_buf_puts(b, "</section>\n");
}

/* ---- charts ------------------------------------------------------------ */

double rh_py(const plot *p, double v)
{
    return p->y1 - (v - p->vmin) / (p->vmax - p->vmin) * (p->y1 - p->y0);
}

void rh_svg_open(genu_buf *b, double h, const char *id, const char *title)
{
    genu_buf_printf(b,
                    "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-labelledby=\"%s\">"
                    "<title id=\"%s\">",
                    CHART_W, h, id, id);
    genu_buf_html(b, title);
    genu_buf_puts(b, "</title>");
}

/* Marker g (circle, square, diamond, triangle) centred on (x, y). */
static void marker(genu_buf *b, size_t g, double x, double y)
{
    const char *c = rh_colour(g);
    switch (g % 4) {
    case 0:
        genu_buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\" fill=\"%s\"/>", x, y, c);
        break;
    case 1:
        genu_buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"8\" height=\"8\" fill=\"%s\"/>",
                        x - 4, y - 4, c);
        break;
    case 2:
        genu_buf_printf(b, "<path d=\"M%.1f %.1fl5 5-5 5-5-5z\" fill=\"%s\"/>", x, y - 5, c);
        break;
    default:
        genu_buf_printf(b, "<path d=\"M%.1f %.1fl5 9h-10z\" fill=\"%s\"/>", x, y - 5, c);
    }
}

/* Horizontal grid lines and value labels at `step` from vmin to vmax. */
void rh_y_grid(genu_buf *b, const plot *p, double step, bool percent)
{
    for (double v = ceil(p->vmin / step - 1e-9) * step; v <= p->vmax + 1e-9; v += step) {
        double y = rh_py(p, v);
        bool zero = fabs(v) < 1e-9;
        if (zero)
            v = 0.0; /* no "-0%" */
        genu_buf_printf(b,
                        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>"
                        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">",
                        p->x0, y, p->x1, y, zero ? "#5c6670" : "#dde2e8", p->x0 - 6, y + 4);
        if (percent)
            genu_buf_printf(b, "%.0f%%", 100.0 * v);
        else
            genu_buf_printf(b, "%g", v);
        genu_buf_puts(b, "</text>");
    }
}

/* Points with 95% bars per timepoint (categories) and stratum (offsets):
 * est/lo/hi(t, g) through the callback. */
typedef void (*estimate_fn)(const report *r, size_t which, size_t t, size_t g, double *est,
                            double *lo, double *hi);

static void interval_chart(genu_buf *b, const report *r, size_t which, const plot *p,
                           estimate_fn fn)
{
    size_t nt = r->spec.ntp, ns = r->nstrata;
    double band = (p->x1 - p->x0) / (double)nt;
    double gap = ns > 1 ? fmin(16.0, band * 0.7 / (double)(ns - 1)) : 0.0;
    for (size_t t = 0; t < nt; t++) {
        double cx = p->x0 + band * ((double)t + 0.5);
        genu_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>", cx,
                        p->y1 + 18, r->spec.tps[t].text);
        for (size_t g = 0; g < ns; g++) {
            double est, lo, hi, x = cx + gap * ((double)g - (double)(ns - 1) / 2.0);
            fn(r, which, t, g, &est, &lo, &hi);
            if (isnan(est))
                continue;
            if (!isnan(lo))
                genu_buf_printf(b,
                                "<path d=\"M%.1f %.1fV%.1fM%.1f %.1fh6M%.1f %.1fh6\" "
                                "stroke=\"%s\" stroke-width=\"1.6\" fill=\"none\"/>",
                                x, rh_py(p, lo), rh_py(p, hi), x - 3, rh_py(p, lo), x - 3, rh_py(p, hi),
                                rh_colour(g));
            marker(b, g, x, rh_py(p, est));
        }
    }
    genu_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">timepoint</text>",
                    (p->x0 + p->x1) / 2, p->y1 + 40);
}

/* ---- responders -------------------------------------------------------- */

static void rate_of(const report *r, size_t d, size_t t, size_t g, double *est, double *lo,
                    double *hi)
{
    const report_cell *x = report_cell_at(r, d, t, g);
    *est = x->r.rate;
    *lo = x->r.lo;
    *hi = x->r.hi;
}

/* A figure of interval_chart under a y grid of step (percent: 0..1 as
 * 0..100%), with the legend and the caption (HTML). */
static void interval_figure(genu_buf *b, const report *r, size_t which, const plot *p,
                            double step, bool percent, estimate_fn fn, const char *id,
                            const char *title, const char *caption)
{
    genu_buf_puts(b, "<figure>");
    rh_svg_open(b, 280, id, title);
    rh_y_grid(b, p, step, percent);
    interval_chart(b, r, which, p, fn);
    genu_buf_puts(b, "</svg>");
    rh_legend(b, r, false);
    genu_buf_printf(b, "<figcaption>%s</figcaption></figure>\n", caption);
}

static void rate_chart(genu_buf *b, const report *r, size_t d)
{
    plot p = {56, CHART_W - 12, 12, 232, 0.0, 1.0};
    char id[32];
    snprintf(id, sizeof id, "rate-chart-%zu", d);
    interval_figure(b, r, d, &p, 0.25, true, rate_of, id,
                    "Responder rate with 95% interval per timepoint and stratum",
                    "Responder rate (point) and 95% Wilson interval (bar); timepoints with "
                    "nothing analysed have no point.");
}

static void rate_row(genu_buf *b, const report *r, size_t d, size_t t, size_t g)
{
    const report_cell *x = report_cell_at(r, d, t, g);
    const claim_counts *n = &x->n;
    row_open(b, g == 0, r->spec.tps[t].text, r->strata[g]);
    genu_buf_printf(b,
                    "</td><td>%zu</td><td>%zu</td><td>%zu</td><td>%zu</td><td>%zu</td>"
                    "<td>%zu</td><td>%zu</td><td>",
                    n->entered, n->eligible, n->converted, n->not_evaluable, n->missing,
                    n->analysed, n->responders);
    pct(b, x->r.rate);
    if (n->analysed > 0 && n->analysed < 10)
        genu_buf_puts(b, "<sup>*</sup>");
    genu_buf_puts(b, "</td><td>");
    pct_ci(b, x->r.lo, x->r.hi);
    genu_buf_puts(b, "</td><td>");
    pct(b, x->r.worst_case);
    genu_buf_puts(b, "</td><td>");
    pct(b, x->r.best_case);
    genu_buf_puts(b, "</td></tr>");
}

static void responders_section(genu_buf *b, const report *r)
{
    genu_buf_puts(b, "<section id=\"responders\">\n<h2>Responder rates</h2>\n");
    for (size_t d = 0; d < r->spec.ndef; d++) {
        measure_table(b, r, r->spec.defs[d].text, d, rate_chart,
                      "<At|<Stratum|Entered|Eligible|Converted|Not evaluable|Missing|"
                      "Analysed|Responders|Rate|95% CI|Worst case|Best case",
                      rate_row);
        bool few = false;
        for (size_t t = 0; t < r->spec.ntp; t++)
            for (size_t g = 0; g < r->nstrata; g++) {
                size_t n = report_cell_at(r, d, t, g)->n.analysed;
                few |= n > 0 && n < 10;
            }
        if (few)
            genu_buf_puts(b, "<p class=\"foot\"><sup>*</sup> fewer than 10 knees analysed: too "
                             "few to judge.</p>\n");
    }
    genu_buf_puts(b, "</section>\n");
}

/* ---- comparisons ------------------------------------------------------- */

static void comparisons_section(genu_buf *b, const report *r)
{
    genu_buf_puts(b, "<section id=\"comparisons\">\n<h2>Comparisons between strata</h2>\n");
    if (r->npair == 0) {
        genu_buf_puts(b, "<p>One stratum only: nothing to compare. Use <code>--by</code> to "
                         "split the cohort.</p>\n</section>\n");
        return;
    }
    genu_buf_puts(b, "<p>Difference = rate of A &minus; rate of B, in percentage points.</p>\n");
    for (size_t d = 0; d < r->spec.ndef; d++) {
        measure_open(b, r, r->spec.defs[d].text, d, NULL);
        rh_table_head(b, "<At|<A|<B|Difference|95% CI|<Test|Chi-square|p");
        for (size_t t = 0; t < r->spec.ntp; t++)
            for (size_t j = 0; j < r->npair; j++) {
                const report_cmp *c = report_cmp_at(r, d, t, j);
                row_open(b, j == 0, r->spec.tps[t].text, r->strata[c->a]);
                genu_buf_puts(b, "</td><td class=\"l\">");
                genu_buf_html(b, r->strata[c->b]);
                genu_buf_puts(b, "</td><td>");
                fixed(b, 100.0 * c->diff, 1);
                genu_buf_puts(b, "</td><td>");
                if (isnan(c->lo))
                    genu_buf_puts(b, "n/a");
                else
                    genu_buf_printf(b, "%.1f to %.1f", 100.0 * c->lo, 100.0 * c->hi);
                genu_buf_printf(b, "</td><td class=\"l\">%s</td><td>",
                                c->test == REPORT_TEST_CHISQ    ? "chi-square"
                                : c->test == REPORT_TEST_FISHER ? "Fisher exact"
                                                                : "none");
                fixed(b, c->statistic, 2);
                genu_buf_puts(b, "</td><td>");
                rh_p_value(b, c->p);
                genu_buf_puts(b, "</td></tr>");
            }
        rh_close_table(b);
    }
    genu_buf_puts(b, "</section>\n");
}

/* ---- change from baseline ---------------------------------------------- */

static void change_of(const report *r, size_t m, size_t t, size_t g, double *est, double *lo,
                      double *hi)
{
    const stats_mean *s = report_change_at(r, m, t, g);
    *est = s->mean;
    *lo = s->lo;
    *hi = s->hi;
}

/* A tick step of 1, 2 or 5 × 10^k giving at most ~6 lines over span. */
static double nice_step(double span)
{
    double raw = span / 5.0, mag = pow(10.0, floor(log10(raw)));
    double f = raw / mag;
    return (f <= 1.0 ? 1.0 : f <= 2.0 ? 2.0 : f <= 5.0 ? 5.0 : 10.0) * mag;
}

static void change_chart(genu_buf *b, const report *r, size_t m)
{
    double vmin = 0.0, vmax = 0.0;
    for (size_t t = 0; t < r->spec.ntp; t++)
        for (size_t g = 0; g < r->nstrata; g++) {
            double est, lo, hi;
            change_of(r, m, t, g, &est, &lo, &hi);
            if (!isnan(est)) {
                vmin = fmin(vmin, isnan(lo) ? est : lo);
                vmax = fmax(vmax, isnan(hi) ? est : hi);
            }
        }
    if (vmax - vmin < 1e-9)
        vmax = vmin + 1.0;
    double step = nice_step(vmax - vmin);
    plot p = {56, CHART_W - 12, 12, 232, floor(vmin / step) * step, ceil(vmax / step) * step};
    char id[32];
    snprintf(id, sizeof id, "change-chart-%zu", m);
    interval_figure(b, r, m, &p, step, false, change_of, id,
                    "Mean change from baseline with 95% interval",
                    "Mean change (positive = better) and 95% t interval; the darker line is "
                    "no change.");
}

static void change_row(genu_buf *b, const report *r, size_t m, size_t t, size_t g)
{
    const stats_mean *s = report_change_at(r, m, t, g);
    row_open(b, g == 0, r->spec.tps[t].text, r->strata[g]);
    genu_buf_printf(b, "</td><td>%zu</td><td>", s->n);
    fixed(b, s->mean, 2);
    genu_buf_puts(b, "</td><td>");
    fixed(b, s->sd, 2);
    genu_buf_puts(b, "</td><td>");
    if (isnan(s->lo))
        genu_buf_puts(b, "n/a");
    else
        genu_buf_printf(b, "%.2f to %.2f", s->lo, s->hi);
    genu_buf_puts(b, "</td></tr>");
}

static void change_section(genu_buf *b, const report *r)
{
    genu_buf_puts(b, "<section id=\"change\">\n<h2>Change from baseline</h2>\n"
                     "<p>Eligible knees with a baseline and a follow-up; positive means "
                     "better.</p>\n");
    for (size_t m = 0; m < r->spec.nchange; m++)
        measure_table(b, r, r->spec.change[m].name, m, change_chart,
                      "<At|<Stratum|n|Mean|SD|95% CI", change_row);
    genu_buf_puts(b, "</section>\n");
}

/* ---- cost -------------------------------------------------------------- */

static void cost_rows(genu_buf *b, const report *r, size_t d, size_t t, size_t g)
{
    const report_cell *x = report_cell_at(r, d, t, g);
    const cost_tally *c = &x->cost;
    size_t rows = c->ncur ? c->ncur : 1;
    for (size_t i = 0; i < rows; i++) {
        row_open(b, g == 0 && i == 0, r->spec.tps[t].text, r->strata[g]);
        genu_buf_printf(b, "</td><td>%zu</td><td>%zu</td><td%s>%zu</td><td>%zu</td>",
                        x->n.analysed, x->n.responders,
                        c->knees_without_cost ? " class=\"warn\"" : "", c->knees_without_cost,
                        c->knees_mixed_currency);
        if (!c->ncur) {
            genu_buf_puts(b, "<td class=\"l\">none</td><td></td><td></td><td></td><td></td></tr>");
            continue;
        }
        const cost_currency *cu = &c->cur[i];
        genu_buf_puts(b, "<td class=\"l\">");
        genu_buf_html(b, cu->currency);
        genu_buf_printf(b, "</td><td>%zu</td><td>%zu</td><td>", cu->knees, cu->responders);
        money(b, cu->total);
        genu_buf_puts(b, "</td><td><strong>");
        money(b, isnan(cu->per_responder) ? NAN : round(cu->per_responder));
        genu_buf_puts(b, "</strong></td></tr>");
    }
}

static void cost_section(genu_buf *b, const report *r)
{
    genu_buf_puts(b, "<section id=\"cost\">\n<h2>Cost per responder</h2>\n"
                     "<p>Per currency: the summed cost of the series (index treatment and "
                     "repeats of an index kind up to the timepoint) of the analysed knees costed "
                     "in that currency, divided by the responders among them. "
                     "<em>Without cost</em>: analysed knees with a treatment whose cost was not "
                     "recorded; <em>mixed</em>: series paid in more than one currency. Both are "
                     "left out of the sums, not counted as free.</p>\n");
    for (size_t d = 0; d < r->spec.ndef; d++)
        measure_table(b, r, r->spec.defs[d].text, d, NULL,
                      "<At|<Stratum|Analysed|Responders|Without cost|Mixed|<Currency|"
                      "Knees costed|Their responders|Total|Per responder",
                      cost_rows);
    genu_buf_puts(b, "</section>\n");
}

void report_html_write(genu_buf *b, const report *src, const cohort_filter *f)
{
    /* timepoints as people read them ("4 y" for 48m, model/words): a
     * shallow copy of the report whose timepoint texts are the labels */
    report copy = *src;
    for (size_t t = 0; t < copy.spec.ntp; t++)
        words_timepoint_text(src->spec.tps[t].text, copy.spec.tps[t].text,
                             sizeof copy.spec.tps[t].text);
    const report *r = &copy;
    head(b, r);
    cohort_section(b, r, f);
    reading_section(b);
    followup_section(b, r);
    responders_section(b, r);
    comparisons_section(b, r);
    change_section(b, r);
    rh_survival_section(b, r);
    cost_section(b, r);
    genu_buf_puts(b, "</main>\n<footer><p>Generated by genu " GENU_VERSION
                     ". Definitions: docs/analysis.md. This report describes a registry; it is "
                     "not a trial and not medical advice.</p></footer>\n</body>\n</html>\n");
}
