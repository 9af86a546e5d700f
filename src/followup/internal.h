/* internal: what the follow-up layer's files share. Private to
 * src/followup. */
#ifndef GENU_FOLLOWUP_INTERNAL_H
#define GENU_FOLLOWUP_INTERNAL_H

#include <jansson.h>

#include "followup/followup.h"
#include "io/wording.h"

#define FU_KEY_BYTES 32
#define FU_LINK_LEN 44 /* 32 bytes base64url without padding, and the NUL */
#define FU_HEX_LEN 65

/* The registry's follow-up key (setting "followup_key", a secret never
 * shown or exported); created when create is true and there is none (call
 * inside a write transaction so two processes agree). *have false when
 * absent and not created. */
int fu_key(genu_store *s, bool create, unsigned char key[FU_KEY_BYTES], bool *have,
           genu_err *err);

/* The survey link token of one window and its SHA-256 (the survey_link
 * row's key): derived from the key, so reminders carry the invitation's
 * link while the registry stores only its hash. */
void fu_link_token(const unsigned char key[FU_KEY_BYTES], const char *patient, genu_knee knee,
                   const char *tp, genu_date index, char token[FU_LINK_LEN],
                   char hash[FU_HEX_LEN]);

/* The unsubscribe token of a patient: the patient id sealed with the key
 * (opaque, the same every time). */
int fu_unsubscribe_token(const unsigned char key[FU_KEY_BYTES], const char *patient,
                         genu_arena *a, const char **token, genu_err *err);

/* One stored message, its doc read. */
typedef struct fu_message {
    const genu_record *r;
    json_t *doc; /* owned; fu_messages_free */
    genu_date sent_on; /* the delivery's date (last_attempt), NONE when not sent */
} fu_message;

/* The registry's message records (docs parsed), sorted by patient then
 * date. */
int fu_messages_load(genu_store *s, genu_arena *a, fu_message **out, size_t *n, genu_err *err);
void fu_messages_free(fu_message *m, size_t n);

/* "2024-06-01T10:00:00Z" for a job clock value. */
void fu_timestamp(int64_t us, char out[32]);
/* The date of such a timestamp, or NONE. */
genu_date fu_timestamp_date(const char *s);

#endif
