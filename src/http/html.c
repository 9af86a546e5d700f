/* html: escaping (genu_buf_html) is the only defence these pages need; every
 * value that came from outside (instrument labels included) goes through it. */
#include "http/html.h"

void html_begin(genu_buf *b, const char *title)
{
    genu_buf_puts(b, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                     "<title>");
    genu_buf_html(b, title);
    genu_buf_puts(b, "</title><style>"
                     "body{font-family:system-ui,sans-serif;font-size:1.1rem;max-width:40rem;"
                     "margin:auto;padding:1rem;line-height:1.5;color:#1b1b1b;background:#fff}"
                     "h1{font-size:1.5rem}fieldset.q{margin:1rem 0;border:1px solid #888;"
                     "border-radius:6px;padding:.5rem .75rem}legend{font-weight:700;padding:0 .25rem}"
                     ".opts{display:flex;flex-wrap:wrap;gap:.4rem}"
                     ".opts label{display:flex;align-items:center;gap:.35rem;min-width:3.2rem;"
                     "min-height:48px;padding:.25rem .6rem;border:2px solid #6b7280;border-radius:6px;"
                     "cursor:pointer}.opts label:has(input:checked){background:#dbe8f7;"
                     "border-color:#1f5fa8}input[type=radio]{width:1.3rem;height:1.3rem;margin:0}"
                     "input[type=number]{font-size:1.1rem;min-height:48px;width:7rem;padding:.3rem}"
                     "button{font-size:1.15rem;font-weight:700;min-height:52px;padding:.5rem 1.5rem;"
                     "background:#1f5fa8;color:#fff;border:0;border-radius:6px;width:100%}"
                     ":focus-visible,label:has(input:focus-visible){outline:3px solid #ffbf47;"
                     "outline-offset:2px;box-shadow:0 0 0 5px #1b1b1b}"
                     "table{border-collapse:collapse;width:100%;margin:1rem 0}caption{text-align:left;"
                     "font-weight:700}td,th{border-bottom:1px solid #ccc;padding:.3rem;text-align:left}"
                     ".error{color:#a3162b;font-weight:bold;border:3px solid #a3162b;padding:.5rem}"
                     "</style></head><body><main><h1>");
    genu_buf_html(b, title);
    genu_buf_puts(b, "</h1>\n");
}

void html_end(genu_buf *b)
{
    genu_buf_puts(b, "</main></body></html>\n");
}

void html_message(genu_buf *b, const char *title, const char *text)
{
    html_begin(b, title);
    genu_buf_puts(b, "<p>");
    genu_buf_html(b, text);
    genu_buf_puts(b, "</p>\n");
    html_end(b);
}
