/* sms: one text message to a patient through the clinic's own command (the
 * setting followup.sms_command), so that a clinic plugs in whatever SMS
 * gateway it uses. The command is run directly, never through a shell.
 * Thread-safe; nothing here prints. */
#ifndef GENU_FOLLOWUP_SMS_H
#define GENU_FOLLOWUP_SMS_H

#include <stddef.h>

#include "core/err.h"

#define SMS_DETAIL_LEN  256
#define SMS_DIGITS_MIN  6
#define SMS_DIGITS_MAX  16
#define SMS_ARGS_MAX    32  /* words in the command */
#define SMS_STDERR_KEEP 200 /* bytes of the command's stderr kept */

/* Writes number with spaces and dashes removed into out: "+44 7700-900123"
 * is "+447700900123". A leading '+' is kept; 6 to 16 digits. GENU_EINVAL
 * names the fault otherwise. Pure. */
int sms_number(const char *number, char out[SMS_DIGITS_MAX + 2], genu_err *err);

/* Runs command (words separated by spaces: a program, found on PATH when it
 * has no slash, and fixed arguments; no quoting, no shell) with two more
 * arguments: the number as sms_number writes it and text, both passed
 * literally. stdin is /dev/null, stdout is discarded, the first 200 bytes of
 * stderr are kept; the command gets no other descriptor of this process and
 * not GENU_SMTP_PASSWORD or PGPASSWORD from its environment. Waits at most timeout_s
 * (0 = 30), then kills the command's process group. GENU_OK when it exits
 * with status 0. GENU_EIO otherwise, with detail (and err) saying why:
 * "sms command exited with status 3: <first line of its stderr>", "sms
 * command timed out after 30 s", "sms command not found: /opt/sms/send".
 * GENU_EINVAL (nothing run) for a bad number (sms_number), an empty text or
 * command, or more than SMS_ARGS_MAX words. detail is always written (empty
 * on success). The child is always reaped. */
int sms_send(const char *command, const char *number, const char *text, long timeout_s,
             char detail[SMS_DETAIL_LEN], genu_err *err);

#endif
