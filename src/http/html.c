/* html: escaping is the only defence these pages need; every value that
 * came from outside (instrument labels included) goes through it. */
#include "http/html.h"

int html_escape(genu_buf *b, const char *s)
{
    for (; s && *s; s++) {
        int r;
        switch (*s) {
        case '&': r = genu_buf_puts(b, "&amp;"); break;
        case '<': r = genu_buf_puts(b, "&lt;"); break;
        case '>': r = genu_buf_puts(b, "&gt;"); break;
        case '"': r = genu_buf_puts(b, "&quot;"); break;
        case '\'': r = genu_buf_puts(b, "&#39;"); break;
        default: r = genu_buf_putc(b, *s); break;
        }
        if (r < 0)
            return -1;
    }
    return 0;
}

void html_begin(genu_buf *b, const char *title)
{
    genu_buf_puts(b, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                     "<title>");
    html_escape(b, title);
    genu_buf_puts(b, "</title><style>body{font-family:system-ui,sans-serif;max-width:40rem;"
                     "margin:auto;padding:1rem;line-height:1.5}fieldset{margin:1rem 0}"
                     "label{display:inline-block;margin:.2rem .8rem .2rem 0;padding:.3rem}"
                     "button{font-size:1.1rem;padding:.5rem 1.5rem}"
                     ".error{color:#a00;font-weight:bold}</style></head><body><main><h1>");
    html_escape(b, title);
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
    html_escape(b, text);
    genu_buf_puts(b, "</p>\n");
    html_end(b);
}
