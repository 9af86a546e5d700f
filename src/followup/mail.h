/* mail: one e-mail to a patient through the clinic's SMTP server (libcurl):
 * the RFC 5322 message (a text part and optionally an HTML alternative,
 * List-Unsubscribe for one-click opt-out), its delivery, and the SMTP
 * credentials, which live in a file or the environment, never in the
 * registry. Thread-safe after mail_global_init: each send has its own
 * connection. Nothing here prints. */
#ifndef GENU_FOLLOWUP_MAIL_H
#define GENU_FOLLOWUP_MAIL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"

#define MAIL_DETAIL_LEN 256

typedef struct mail_config {
    /* "smtps://mail.example.org:465" (TLS from the start) or
     * "smtp://127.0.0.1:2525" (upgraded with STARTTLS when the server offers
     * it; required when user is set, except on 127.0.0.1, [::1] and
     * localhost). No credentials in the URL. Its path, if any, is the EHLO
     * name (libcurl's default: this machine's host name). */
    const char *url;
    /* "Oak Park Knee Clinic <followup@example.org>" or a bare address; the
     * display name may be UTF-8 */
    const char *from;
    const char *user, *password; /* NULL user: no AUTH */
    long timeout_s;              /* the whole transfer; 0 = 30 */
} mail_config;

typedef struct mail_message {
    const char *to;              /* one ASCII address, bare or "Name <addr>" */
    const char *subject;         /* UTF-8; RFC 2047 encoded when not plain ASCII */
    const char *text;            /* the text/plain body, UTF-8, any line ends */
    const char *html;            /* a text/html alternative, UTF-8; NULL = text only */
    const char *unsubscribe_url; /* List-Unsubscribe (RFC 2369, RFC 8058 one-click); NULL = none */
    const char *message_id_domain; /* Message-ID: <random@domain>; NULL = from's domain */
} mail_message;

typedef struct mail_result {
    /* 250 on success; on failure the server's refusal (4xx: try again later,
     * 5xx: permanent), or 0 when the failure was not a refusal (connection,
     * TLS, timeout) */
    long smtp_code;
    /* the server's last reply on success ("250 2.0.0 Ok: queued as 4F2A");
     * on failure what went wrong, for the log and the registry: "550 no such
     * user", "connection refused (smtp://127.0.0.1:2525)" */
    char detail[MAIL_DETAIL_LEN];
} mail_result;

/* Once per process, before any thread starts (curl_global_init and
 * libsodium). GENU_ENOTSUP when libcurl was built without SMTP. */
int mail_global_init(genu_err *err);

/* Sends m with a fresh random Message-ID. GENU_OK only when the server
 * accepted the message (the final 250 after DATA). GENU_EIO when it was not
 * delivered, with *result filled and the same text in err. GENU_EINVAL for a
 * bad config or message (mail_format's checks, the URL's scheme, credentials
 * in the URL): nothing is sent. *result is always written. Blocks for at
 * most about cfg->timeout_s. */
int mail_send(const mail_config *cfg, const mail_message *m, mail_result *result, genu_err *err);

/* Appends the RFC 5322 message mail_send sends (headers; a text/plain
 * part, or a multipart/alternative of text and HTML with a boundary derived
 * from message_id) to out: CRLF line ends, lines of at most 998 bytes (78 in
 * headers where they can be folded), no line starting with a dot, 7bit
 * bodies when they are plain ASCII with short lines, quoted-printable or
 * base64 otherwise. now_us (microseconds since the epoch, UTC) is the Date;
 * message_id is "local@domain" without brackets. GENU_EINVAL names the field
 * for a CR or LF in a header field (from, to, subject, unsubscribe_url,
 * message_id), a missing field, or an address that is not a plain ASCII
 * addr-spec; out is then unchanged. GENU_ENOMEM. Pure. */
int mail_format(const mail_config *cfg, const mail_message *m, int64_t now_us,
                const char *message_id, genu_buf *out, genu_err *err);

/* Whether address is one mail_send can send to (a plain ASCII addr-spec,
 * bare or as "Name <addr>"). */
bool mail_address_ok(const char *address);

/* The SMTP credentials. With a path: the file holds two lines, user then
 * password, or one line "user:password"; a file that group or others may
 * read or write (mode & 077) is refused (GENU_EINVAL saying chmod 600), a
 * missing or unreadable one is GENU_EIO. With path NULL: the environment
 * variables GENU_SMTP_USER and GENU_SMTP_PASSWORD; both unset (or empty)
 * gives *user = *password = NULL, one without the other is GENU_EINVAL.
 * Strings in a. Reads the environment: call before threads start. */
int mail_credentials(const char *path, genu_arena *a, const char **user, const char **password,
                     genu_err *err);

#endif
