/* rules_default: the default advice rules shipped with genu, the text of
 * src/advice/default_rules.txt compiled in (docs/advice.md "Default rules"). */
#ifndef GENU_ADVICE_RULES_DEFAULT_H
#define GENU_ADVICE_RULES_DEFAULT_H

#include <stddef.h>

/* The rules file, one line per string (each ending in "\n"), in order;
 * *n receives the count. Static. */
const char *const *rules_default_lines(size_t *n);

#endif
