/* compose: the words of a follow-up message (subject, text, HTML, text
 * message) from the template of the patient's language
 * (data/templates/followup.LANG.json, or the file of that name in the
 * setting wording.dir). A message names the clinic and carries the links
 * and the unsubscribe link; never a diagnosis, treatment or score.
 * Private to src/followup. */
#ifndef GENU_FOLLOWUP_COMPOSE_H
#define GENU_FOLLOWUP_COMPOSE_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/err.h"
#include "model/record.h"

typedef struct compose_link {
    genu_knee knee;
    const char *url;
    const char *until; /* "2024-06-30" */
} compose_link;

typedef struct composed {
    const char *subject, *text, *html, *sms;
} composed;

/* Composes a message of kind MSG_INVITATION or MSG_REMINDER. clinic may be
 * "" (the template's own word for it). GENU_EINVAL names a template that
 * does not parse. */
int compose_message(const char *dir, const char *lang, int kind, const char *clinic,
                    const compose_link *links, size_t nlinks, const char *unsubscribe_url,
                    genu_arena *a, composed *out, genu_err *err);

#endif
