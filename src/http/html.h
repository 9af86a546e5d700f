/* html: the few HTML pages the server writes itself (index, survey pages):
 * a minimal accessible page frame; text is escaped with genu_buf_html. */
#ifndef GENU_HTTP_HTML_H
#define GENU_HTTP_HTML_H

#include "core/buf.h"

/* Opens a page: doctype, lang, viewport, a tiny stylesheet, <main>, and the
 * title as <title> and <h1> (escaped). */
void html_begin(genu_buf *b, const char *title);
/* Closes <main> and the page. */
void html_end(genu_buf *b);
/* A whole page with one paragraph (escaped). */
void html_message(genu_buf *b, const char *title, const char *text);

#endif
