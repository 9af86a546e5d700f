/* mail: formats one follow-up e-mail as an RFC 5322 / MIME message and hands
 * it to the clinic's SMTP server through libcurl; reads the SMTP
 * credentials. */
#include "followup/mail.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define HEADER_FOLD       78  /* RFC 5322 2.1.1: lines SHOULD stay within 78 */
#define LINE_MAX_BYTES    998 /* ... and MUST stay within 998 */
#define QP_LINE           76  /* RFC 2045 6.7 (5) */
#define B64_CHUNK         57  /* 57 bytes are one 76-character base64 line */
#define WORD_CHUNK        36  /* bytes per encoded-word: 48 base64 characters, 60 in all */
#define ADDR_MAX          254 /* RFC 5321 4.5.3.1.3, without the brackets */
#define LOCAL_MAX         64  /* RFC 5321 4.5.3.1.1 */
#define MSGID_MAX         250
#define URL_MAX           900 /* "List-Unsubscribe: <url>" within 998 */
#define DISPLAY_RAW_MAX   60  /* longer display names are encoded, hence folded */
#define CRED_FILE_MAX     4096
#define CONNECT_TIMEOUT_S 10L

/* ---- checks ---- */

static bool has_line_break(const char *s)
{
    return strpbrk(s, "\r\n") != NULL;
}

/* A header field's value: present and on one line. */
static int check_field(const char *field, const char *v, genu_err *err)
{
    if (!v)
        return GENU_FAIL(err, GENU_EINVAL, "%s: missing", field);
    if (has_line_break(v))
        return GENU_FAIL(err, GENU_EINVAL, "%s: a line break is not allowed in a header field",
                         field);
    return GENU_OK;
}

/* RFC 5322 atext. */
static bool is_atext(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

static bool is_domain_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.';
}

/* Dot-separated runs of ok characters: no empty run. */
static bool dotted(genu_str s, bool (*ok)(unsigned char))
{
    if (!s.n || s.p[0] == '.' || s.p[s.n - 1] == '.')
        return false;
    for (size_t i = 0; i < s.n; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (c == '.' ? s.p[i + 1] == '.' : !ok(c))
            return false;
    }
    return true;
}

/* local@domain in plain ASCII (no quoted local parts, no address literals). */
static bool is_addr_spec(genu_str s)
{
    const char *at = memchr(s.p, '@', s.n);
    if (!at || s.n > ADDR_MAX)
        return false;
    genu_str local = {s.p, (size_t)(at - s.p)};
    genu_str domain = {at + 1, s.n - local.n - 1};
    return local.n <= LOCAL_MAX && dotted(local, is_atext) && dotted(domain, is_domain_char);
}

/* An address as written in a header: an optional display name and the
 * addr-spec. */
typedef struct addr {
    genu_str display; /* without surrounding quotes; may be empty */
    genu_str spec;
} addr;

static genu_str trim(const char *p, size_t n)
{
    while (n && (*p == ' ' || *p == '\t'))
        p++, n--;
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    return (genu_str){p, n};
}

/* "Name <local@domain>", "\"Name\" <local@domain>" or "local@domain". */
static int parse_addr(const char *field, const char *s, addr *out, genu_err *err)
{
    if (check_field(field, s, err))
        return err->code;
    genu_str all = trim(s, strlen(s));
    const char *lt = memchr(all.p, '<', all.n);
    addr a = {{"", 0}, all};
    if (lt) {
        if (all.p[all.n - 1] != '>')
            return GENU_FAIL(err, GENU_EINVAL, "%s: \"%.80s\": text after the address", field, s);
        a.display = trim(all.p, (size_t)(lt - all.p));
        if (a.display.n >= 2 && a.display.p[0] == '"' && a.display.p[a.display.n - 1] == '"')
            a.display = (genu_str){a.display.p + 1, a.display.n - 2};
        a.spec = (genu_str){lt + 1, (size_t)(all.p + all.n - 1 - lt - 1)};
    }
    if (!is_addr_spec(a.spec))
        return GENU_FAIL(err, GENU_EINVAL,
                         "%s: \"%.80s\" is not an e-mail address (plain ASCII local@domain)", field,
                         s);
    *out = a;
    return GENU_OK;
}

bool mail_address_ok(const char *address)
{
    addr a;
    genu_err err = {0};
    return address && parse_addr("to", address, &a, &err) == GENU_OK;
}

static int check_message_id(const char *id, genu_err *err)
{
    if (check_field("message_id", id, err))
        return err->code;
    size_t n = strlen(id);
    bool ok = n > 2 && n <= MSGID_MAX && strchr(id, '@');
    for (size_t i = 0; ok && i < n; i++)
        ok = id[i] > ' ' && id[i] < 0x7f && id[i] != '<' && id[i] != '>';
    if (!ok)
        return GENU_FAIL(err, GENU_EINVAL,
                         "message_id: \"%.80s\" is not local@domain in printable ASCII", id);
    return GENU_OK;
}

static int check_url(const char *url, genu_err *err)
{
    if (check_field("unsubscribe_url", url, err))
        return err->code;
    size_t n = strlen(url);
    bool ok = n > 0 && n <= URL_MAX;
    for (size_t i = 0; ok && i < n; i++)
        ok = url[i] > ' ' && url[i] < 0x7f && url[i] != '<' && url[i] != '>';
    if (!ok)
        return GENU_FAIL(err, GENU_EINVAL,
                         "unsubscribe_url: \"%.80s\" is not a URL (printable ASCII without "
                         "spaces or angle brackets, at most %d bytes)",
                         url, URL_MAX);
    return GENU_OK;
}

/* ---- header fields ---- */

/* Needs RFC 2047 encoding: not printable ASCII, or looks like an
 * encoded-word already. */
static bool needs_encoding(genu_str s)
{
    for (size_t i = 0; i < s.n; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (c < 0x20 || c >= 0x7f || (c == '=' && i + 1 < s.n && s.p[i + 1] == '?'))
            return true;
    }
    return false;
}

/* s as RFC 2047 "B" encoded-words of whole UTF-8 characters, one per line
 * after the first; *col is the current column. */
static void put_encoded(genu_buf *b, genu_str s, size_t *col)
{
    char b64[sodium_base64_ENCODED_LEN(WORD_CHUNK, sodium_base64_VARIANT_ORIGINAL)];
    size_t i = 0;
    do {
        size_t n = s.n - i < WORD_CHUNK ? s.n - i : WORD_CHUNK;
        while (n && i + n < s.n && ((unsigned char)s.p[i + n] & 0xC0) == 0x80)
            n--; /* do not split a character (RFC 2047 5 (3)) */
        if (!n)  /* not UTF-8: a run of continuation bytes */
            n = s.n - i < WORD_CHUNK ? s.n - i : WORD_CHUNK;
        sodium_bin2base64(b64, sizeof b64, (const unsigned char *)s.p + i, n,
                          sodium_base64_VARIANT_ORIGINAL);
        if (i) {
            genu_buf_puts(b, "\r\n ");
            *col = 1;
        }
        genu_buf_printf(b, "=?UTF-8?B?%s?=", b64);
        *col += 12 + strlen(b64);
        i += n;
    } while (i < s.n);
}

/* Plain ASCII text folded at spaces to stay within 78 columns where it can;
 * false when a word would not fit in 998. */
static bool put_folded(genu_buf *b, genu_str s, size_t *col)
{
    size_t i = 0;
    while (i < s.n) {
        size_t j = i + 1; /* a segment: one character, then up to the next space */
        while (j < s.n && s.p[j] != ' ')
            j++;
        if (*col + (j - i) > HEADER_FOLD && s.p[i] == ' ' && i > 0) {
            genu_buf_puts(b, "\r\n");
            *col = 0;
        }
        if (*col + (j - i) > LINE_MAX_BYTES)
            return false;
        genu_buf_append(b, s.p + i, j - i);
        *col += j - i;
        i = j;
    }
    return true;
}

static void put_subject(genu_buf *b, const char *subject)
{
    genu_str s = {subject, strlen(subject)};
    size_t col = strlen("Subject: ");
    genu_buf_puts(b, "Subject: ");
    if (needs_encoding(s)) {
        put_encoded(b, s, &col);
    } else {
        genu_buf scratch = GENU_BUF_INIT;
        size_t c2 = col;
        if (put_folded(&scratch, s, &c2))
            genu_buf_append(b, scratch.p ? scratch.p : "", scratch.len);
        else
            put_encoded(b, s, &col);
        if (scratch.oom)
            b->oom = true;
        genu_buf_free(&scratch);
    }
    genu_buf_puts(b, "\r\n");
}

/* "Name: display <spec>" with the display name as atoms, a quoted-string or
 * encoded-words; "Name: spec" without one. */
static void put_addr(genu_buf *b, const char *name, const addr *a)
{
    size_t col = strlen(name) + 2;
    genu_buf_printf(b, "%s: ", name);
    if (a->display.n) {
        bool atoms = true;
        for (size_t i = 0; i < a->display.n && atoms; i++)
            atoms = a->display.p[i] == ' ' || is_atext((unsigned char)a->display.p[i]);
        if (needs_encoding(a->display) || a->display.n > DISPLAY_RAW_MAX) {
            put_encoded(b, a->display, &col);
        } else if (atoms) {
            genu_buf_append(b, a->display.p, a->display.n);
            col += a->display.n;
        } else {
            genu_buf_putc(b, '"');
            for (size_t i = 0; i < a->display.n; i++) {
                char c = a->display.p[i];
                if (c == '"' || c == '\\')
                    genu_buf_putc(b, '\\'), col++;
                genu_buf_putc(b, c);
            }
            genu_buf_putc(b, '"');
            col += a->display.n + 2;
        }
        if (col + a->spec.n + 3 > HEADER_FOLD) {
            genu_buf_puts(b, "\r\n");
            col = 0;
        }
        genu_buf_putc(b, ' ');
        genu_buf_printf(b, "<%.*s>\r\n", (int)a->spec.n, a->spec.p);
    } else {
        genu_buf_printf(b, "%.*s\r\n", (int)a->spec.n, a->spec.p);
    }
}

/* RFC 5322 3.3 date-time in UTC, without locale. */
static void put_date(genu_buf *b, int64_t now_us)
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int64_t s = now_us / 1000000 - (now_us % 1000000 < 0);
    time_t t = (time_t)s;
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        t = 0;
        gmtime_r(&t, &tm);
    }
    genu_buf_printf(b, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday],
                    tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                    tm.tm_sec);
}

/* ---- bodies ---- */

typedef enum cte { CTE_7BIT, CTE_QP, CTE_BASE64 } cte;
static const char *const cte_names[] = {"7bit", "quoted-printable", "base64"};

/* The length of the line break at p (CRLF, LF or a lone CR), 0 if none. */
static size_t line_break(const char *p)
{
    return *p == '\r' ? 1 + (p[1] == '\n') : *p == '\n';
}

/* 7bit when the text is printable ASCII in lines of at most 998 bytes that
 * neither start with a dot nor look like a boundary; otherwise
 * quoted-printable, or base64 when more than a third of it is not ASCII. */
static cte choose_cte(const char *s)
{
    size_t n = 0, high = 0, col = 0;
    bool plain = true;
    for (const char *p = s; *p;) {
        size_t lb = line_break(p);
        if (lb) {
            p += lb, n += lb, col = 0;
            continue;
        }
        unsigned char c = (unsigned char)*p;
        high += c >= 0x80;
        if ((c < 0x20 && c != '\t') || c >= 0x7f || ++col > LINE_MAX_BYTES ||
            (col == 1 && (c == '.' || strncmp(p, "--=_", 4) == 0)))
            plain = false;
        p++, n++;
    }
    if (plain)
        return CTE_7BIT;
    return high * 3 > n ? CTE_BASE64 : CTE_QP;
}

/* The text with CRLF line ends and a final line break. */
static void put_7bit(genu_buf *b, const char *s)
{
    while (*s) {
        size_t n = strcspn(s, "\r\n");
        genu_buf_append(b, s, n);
        genu_buf_puts(b, "\r\n");
        s += n;
        s += line_break(s);
    }
}

/* RFC 2045 6.7; a dot that would start a line is encoded too, so the
 * message never depends on the transport's dot-stuffing. */
static void put_qp(genu_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    while (*s) {
        size_t col = 0;
        for (; *s && !line_break(s); s++) {
            unsigned char c = (unsigned char)*s;
            bool at_end = !s[1] || line_break(s + 1);
            char tok[3] = {(char)c, 0, 0};
            size_t tn;
            for (int pass = 0; pass < 2; pass++) {
                bool lit = (c >= 33 && c <= 126 && c != '=' && !(c == '.' && col == 0)) ||
                           ((c == ' ' || c == '\t') && !at_end);
                tn = lit ? 1 : 3;
                if (!lit)
                    tok[0] = '=', tok[1] = hex[c >> 4], tok[2] = hex[c & 15];
                /* room for the token and a soft break's '=' unless it ends the line */
                if (col + tn + (at_end ? 0 : 1) <= QP_LINE)
                    break;
                genu_buf_puts(b, "=\r\n");
                col = 0;
                tok[0] = (char)c;
            }
            genu_buf_append(b, tok, tn);
            col += tn;
        }
        genu_buf_puts(b, "\r\n");
        s += line_break(s);
    }
}

static void put_base64(genu_buf *b, const char *s)
{
    genu_buf canon = GENU_BUF_INIT;
    put_7bit(&canon, s); /* the canonical form of text is CRLF (RFC 2046 4.1.1) */
    char line[sodium_base64_ENCODED_LEN(B64_CHUNK, sodium_base64_VARIANT_ORIGINAL)];
    for (size_t i = 0; i < canon.len; i += B64_CHUNK) {
        size_t n = canon.len - i < B64_CHUNK ? canon.len - i : B64_CHUNK;
        sodium_bin2base64(line, sizeof line, (const unsigned char *)canon.p + i, n,
                          sodium_base64_VARIANT_ORIGINAL);
        genu_buf_puts(b, line);
        genu_buf_puts(b, "\r\n");
    }
    if (canon.oom)
        b->oom = true;
    genu_buf_free(&canon);
}

/* Content-Type, Content-Transfer-Encoding, a blank line and the body. */
static void put_body(genu_buf *b, const char *type, const char *body)
{
    cte e = choose_cte(body);
    genu_buf_printf(b, "Content-Type: %s; charset=UTF-8\r\nContent-Transfer-Encoding: %s\r\n\r\n",
                    type, cte_names[e]);
    if (e == CTE_7BIT)
        put_7bit(b, body);
    else if (e == CTE_QP)
        put_qp(b, body);
    else
        put_base64(b, body);
}

/* A boundary no encoded body can contain: "=_" never occurs in
 * quoted-printable or base64, and 7bit bodies have no line starting with
 * "--=_" (choose_cte). The rest is an FNV-1a hash of the random Message-ID,
 * so formatting stays pure. */
static void make_boundary(const char *message_id, int64_t now_us, char out[40])
{
    uint64_t h = 0xcbf29ce484222325u;
    for (const char *p = message_id; *p; p++)
        h = (h ^ (unsigned char)*p) * 0x100000001b3u;
    for (int i = 0; i < 8; i++)
        h = (h ^ (((uint64_t)now_us >> (8 * i)) & 0xff)) * 0x100000001b3u;
    snprintf(out, 40, "=_genu_%016llx", (unsigned long long)h);
}

int mail_format(const mail_config *cfg, const mail_message *m, int64_t now_us,
                const char *message_id, genu_buf *out, genu_err *err)
{
    addr from, to;
    if (parse_addr("from", cfg->from, &from, err) || parse_addr("to", m->to, &to, err) ||
        check_field("subject", m->subject, err) || check_message_id(message_id, err) ||
        (m->unsubscribe_url && check_url(m->unsubscribe_url, err)))
        return err->code;
    if (!m->text)
        return GENU_FAIL(err, GENU_EINVAL, "text: missing");

    genu_buf b = GENU_BUF_INIT;
    put_addr(&b, "From", &from);
    put_addr(&b, "To", &to);
    put_subject(&b, m->subject);
    put_date(&b, now_us);
    genu_buf_printf(&b, "Message-ID: <%s>\r\n", message_id);
    genu_buf_puts(&b, "Auto-Submitted: auto-generated\r\n");
    if (m->unsubscribe_url)
        genu_buf_printf(&b,
                        "List-Unsubscribe: <%s>\r\n"
                        "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
                        m->unsubscribe_url);
    genu_buf_puts(&b, "MIME-Version: 1.0\r\n");
    if (!m->html) {
        put_body(&b, "text/plain", m->text);
    } else {
        char bd[40];
        make_boundary(message_id, now_us, bd);
        genu_buf_printf(&b, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n", bd);
        genu_buf_printf(&b, "--%s\r\n", bd);
        put_body(&b, "text/plain", m->text);
        genu_buf_printf(&b, "--%s\r\n", bd);
        put_body(&b, "text/html", m->html);
        genu_buf_printf(&b, "--%s--\r\n", bd);
    }
    int rc = b.oom || genu_buf_append(out, b.p, b.len)
                 ? GENU_OOM(err)
                 : GENU_OK;
    genu_buf_free(&b);
    return rc;
}

/* ---- sending ---- */

int mail_global_init(genu_err *err)
{
    if (sodium_init() < 0)
        return GENU_FAIL(err, GENU_EIO, "libsodium failed to initialise");
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return GENU_FAIL(err, GENU_EIO, "libcurl failed to initialise");
    const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
    for (const char *const *p = v->protocols; p && *p; p++)
        if (strcmp(*p, "smtp") == 0)
            return GENU_OK;
    return GENU_FAIL(err, GENU_ENOTSUP, "this libcurl (%s) cannot send e-mail: no SMTP support",
                     v->version);
}

/* The message being uploaded. */
typedef struct upload {
    const char *p;
    size_t n, off;
} upload;

static size_t read_cb(char *dst, size_t size, size_t nitems, void *ud)
{
    upload *u = ud;
    size_t n = size * nitems;
    if (n > u->n - u->off)
        n = u->n - u->off;
    memcpy(dst, u->p + u->off, n);
    u->off += n;
    return n;
}

/* Copies s (n bytes) into out as one printable line: control characters
 * become spaces, trailing line breaks and spaces go. */
static void printable(char *out, size_t cap, const char *s, size_t n)
{
    while (n && (s[n - 1] == '\r' || s[n - 1] == '\n' || s[n - 1] == ' '))
        n--;
    if (n >= cap)
        n = cap - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? ' ' : s[i];
    out[n] = '\0';
}

/* The server's replies: the last one, and the last refusal (libcurl goes on
 * to QUIT after a refusal, so the last reply is then "221 Bye"). */
typedef struct replies {
    char last[MAIL_DETAIL_LEN];
    char refusal[MAIL_DETAIL_LEN];
} replies;

/* libcurl hands every SMTP reply line to the header callback. */
static size_t header_cb(char *s, size_t size, size_t nitems, void *ud)
{
    replies *r = ud;
    size_t n = size * nitems;
    if (n < 4 || s[3] == '-') /* "250-..." continues a multiline reply */
        return n;
    printable(r->last, sizeof r->last, s, n);
    if (s[0] == '4' || s[0] == '5')
        printable(r->refusal, sizeof r->refusal, s, n);
    return n;
}

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The domain of cfg->from (already checked by parse_addr). */
static genu_str from_domain(const char *from)
{
    addr a;
    genu_err e = {0};
    if (parse_addr("from", from, &a, &e))
        return (genu_str){"localhost", 9};
    const char *at = memchr(a.spec.p, '@', a.spec.n);
    return (genu_str){at + 1, (size_t)(a.spec.p + a.spec.n - at - 1)};
}

/* The server's URL, checked: smtp or smtps, no credentials in it. *local:
 * the host is this machine by name, where a password may go without TLS. */
static int parse_url(const mail_config *cfg, CURLU **out, bool *local, genu_err *err)
{
    if (check_field("url", cfg->url, err))
        return err->code;
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *user = NULL;
    int rc = GENU_OK;
    CURLUcode uc;
    if (!u)
        return GENU_OOM(err);
    if ((uc = curl_url_set(u, CURLUPART_URL, cfg->url, 0)) != CURLUE_OK ||
        (uc = curl_url_get(u, CURLUPART_SCHEME, &scheme, 0)) != CURLUE_OK ||
        (uc = curl_url_get(u, CURLUPART_HOST, &host, 0)) != CURLUE_OK) {
        rc = GENU_FAIL(err, GENU_EINVAL, "url \"%.100s\": %s", cfg->url, curl_url_strerror(uc));
        goto out;
    }
    if (strcmp(scheme, "smtp") != 0 && strcmp(scheme, "smtps") != 0) {
        rc = GENU_FAIL(err, GENU_EINVAL, "url \"%.100s\": the scheme must be smtp or smtps",
                       cfg->url);
        goto out;
    }
    if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK) {
        rc = GENU_FAIL(err, GENU_EINVAL,
                       "url: credentials belong in the credentials file or the environment, "
                       "not in the URL");
        goto out;
    }
    *local = strcasecmp(host, "localhost") == 0 || strcmp(host, "127.0.0.1") == 0 ||
             strcmp(host, "[::1]") == 0;
out:
    curl_free(scheme);
    curl_free(host);
    curl_free(user);
    if (rc)
        curl_url_cleanup(u);
    else
        *out = u;
    return rc;
}

/* Why a transfer that the server did not refuse failed. */
static void describe(CURLcode rc, CURL *h, const char *errbuf, const mail_config *cfg,
                     long timeout_s, char *out)
{
    char what[160];
    long os = 0;
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
        snprintf(what, sizeof what, "cannot resolve the host name");
        break;
    case CURLE_COULDNT_CONNECT:
        curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os);
        snprintf(what, sizeof what, "%s",
                 os == ECONNREFUSED   ? "connection refused"
                 : os == ETIMEDOUT    ? "connection timed out"
                 : os == EHOSTUNREACH ? "host unreachable"
                 : os == ENETUNREACH  ? "network unreachable"
                                      : "cannot connect");
        break;
    case CURLE_OPERATION_TIMEDOUT:
        snprintf(what, sizeof what, "timed out after %ld s", timeout_s);
        break;
    case CURLE_USE_SSL_FAILED:
        snprintf(what, sizeof what,
                 "the server does not offer STARTTLS, and the password is not sent in clear");
        break;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
        snprintf(what, sizeof what, "TLS: %.140s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
        break;
    default:
        snprintf(what, sizeof what, "%.150s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
    }
    snprintf(out, MAIL_DETAIL_LEN, "%s (%.*s)", what, (int)(MAIL_DETAIL_LEN - 4 - strlen(what)),
             cfg->url);
}

/* One SMTP transaction over an easy handle set up for it. */
static int transfer(const mail_config *cfg, const mail_message *m, CURLU *url, bool local,
                    const upload *msg, mail_result *result, genu_err *err)
{
    addr from, to;
    parse_addr("from", cfg->from, &from, err);
    parse_addr("to", m->to, &to, err);
    char from_path[ADDR_MAX + 3], rcpt_path[ADDR_MAX + 3], errbuf[CURL_ERROR_SIZE] = "";
    snprintf(from_path, sizeof from_path, "<%.*s>", (int)from.spec.n, from.spec.p);
    snprintf(rcpt_path, sizeof rcpt_path, "<%.*s>", (int)to.spec.n, to.spec.p);
    long timeout = cfg->timeout_s ? cfg->timeout_s : 30;
    upload up = *msg;
    replies rep = {"", ""};

    CURL *h = curl_easy_init();
    struct curl_slist *rcpt = curl_slist_append(NULL, rcpt_path);
    if (!h || !rcpt) {
        curl_slist_free_all(rcpt);
        curl_easy_cleanup(h);
        return GENU_OOM(err);
    }
    curl_easy_setopt(h, CURLOPT_CURLU, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT,
                     timeout < CONNECT_TIMEOUT_S ? timeout : CONNECT_TIMEOUT_S);
    /* a password only over TLS, except to this machine by name */
    curl_easy_setopt(h, CURLOPT_USE_SSL,
                     cfg->user && !local ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY);
    if (cfg->user) {
        curl_easy_setopt(h, CURLOPT_USERNAME, cfg->user);
        curl_easy_setopt(h, CURLOPT_PASSWORD, cfg->password);
    }
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, from_path);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(h, CURLOPT_READDATA, &up);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &rep);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);

    CURLcode rc = curl_easy_perform(h);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    int out = GENU_OK;
    if (rc == CURLE_OK && code == 250) {
        result->smtp_code = code;
        snprintf(result->detail, sizeof result->detail, "%s", rep.last);
    } else if (code >= 400 && rep.refusal[0]) {
        result->smtp_code = code;
        snprintf(result->detail, sizeof result->detail, "%s", rep.refusal);
    } else {
        describe(rc, h, errbuf, cfg, timeout, result->detail);
    }
    if (result->smtp_code != 250)
        out = GENU_FAIL(err, GENU_EIO, "e-mail not delivered: %s", result->detail);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(h);
    return out;
}

int mail_send(const mail_config *cfg, const mail_message *m, mail_result *result, genu_err *err)
{
    genu_err local = {0};
    genu_err *e = err ? err : &local;
    *result = (mail_result){0, ""};
    CURLU *url = NULL;
    bool is_local = false;
    genu_buf msg = GENU_BUF_INIT;
    unsigned char raw[16];
    char hex[2 * sizeof raw + 1], id[MSGID_MAX + 1];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
    genu_str d = {m->message_id_domain, m->message_id_domain ? strlen(m->message_id_domain) : 0};
    if (!d.p && cfg->from)
        d = from_domain(cfg->from);
    snprintf(id, sizeof id, "%s@%.*s", hex, (int)d.n, d.p ? d.p : "");

    int rc = mail_format(cfg, m, now_us(), id, &msg, e);
    if (!rc && (rc = parse_url(cfg, &url, &is_local, e)) == GENU_OK) {
        if (cfg->user && !cfg->password)
            rc = GENU_FAIL(e, GENU_EINVAL, "password: missing for user \"%.60s\"", cfg->user);
        else if (cfg->timeout_s < 0)
            rc = GENU_FAIL(e, GENU_EINVAL, "timeout: %ld s is negative", cfg->timeout_s);
    }
    if (rc)
        snprintf(result->detail, sizeof result->detail, "%.*s", MAIL_DETAIL_LEN - 1, e->msg);
    else
        rc = transfer(cfg, m, url, is_local, &(upload){msg.p, msg.len, 0}, result, e);
    curl_url_cleanup(url);
    genu_buf_free(&msg);
    return rc;
}

/* ---- credentials ---- */

/* Splits the file's text into user and password. */
static int split_credentials(const char *path, char *text, size_t n, genu_arena *a,
                             const char **user, const char **password, genu_err *err)
{
    while (n && (text[n - 1] == '\n' || text[n - 1] == '\r'))
        text[--n] = '\0';
    char *nl = memchr(text, '\n', n);
    char *u = text, *p;
    if (nl) {
        *nl = '\0';
        p = nl + 1;
        if (nl > text && nl[-1] == '\r')
            nl[-1] = '\0';
        if (strpbrk(p, "\r\n"))
            return GENU_FAIL(err, GENU_EINVAL,
                             "%s: more than two lines (expected user, then password)", path);
    } else {
        char *colon = strchr(text, ':');
        if (!colon)
            return GENU_FAIL(err, GENU_EINVAL,
                             "%s: expected two lines (user, then password) or one line "
                             "user:password",
                             path);
        *colon = '\0';
        p = colon + 1;
    }
    if (!*u || !*p)
        return GENU_FAIL(err, GENU_EINVAL, "%s: the %s is empty", path, *u ? "password" : "user");
    const char *du = genu_arena_strdup(a, u), *dp = genu_arena_strdup(a, p);
    if (!du || !dp)
        return GENU_OOM(err);
    *user = du;
    *password = dp;
    return GENU_OK;
}

static int credentials_file(const char *path, genu_arena *a, const char **user,
                            const char **password, genu_err *err)
{
    char text[CRED_FILE_MAX + 1];
    size_t n = 0;
    int rc = GENU_OK;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0)
        return GENU_FAIL(err, GENU_EIO, "%s: cannot open the SMTP credentials: %s", path,
                         errno == ENOENT   ? "no such file"
                         : errno == EACCES ? "permission denied"
                                           : "unreadable");
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = GENU_FAIL(err, GENU_EIO, "%s: the SMTP credentials are not a regular file", path);
        goto out;
    }
    if (st.st_mode & 077) {
        rc = GENU_FAIL(err, GENU_EINVAL,
                       "%s: the SMTP credentials file may be read or changed by others (mode "
                       "%04o); make it private with chmod 600",
                       path, (unsigned)(st.st_mode & 07777));
        goto out;
    }
    ssize_t r;
    while (n < sizeof text && (r = read(fd, text + n, sizeof text - n)) != 0) {
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = GENU_FAIL(err, GENU_EIO, "%s: cannot read the SMTP credentials", path);
            goto out;
        }
        n += (size_t)r;
    }
    if (n > CRED_FILE_MAX) {
        rc = GENU_FAIL(err, GENU_EINVAL, "%s: more than %d bytes; not a credentials file", path,
                       CRED_FILE_MAX);
        goto out;
    }
    text[n] = '\0';
    if (strlen(text) != n)
        rc = GENU_FAIL(err, GENU_EINVAL, "%s: a NUL byte; not a credentials file", path);
    else
        rc = split_credentials(path, text, n, a, user, password, err);
out:
    sodium_memzero(text, sizeof text);
    close(fd);
    return rc;
}

int mail_credentials(const char *path, genu_arena *a, const char **user, const char **password,
                     genu_err *err)
{
    if (path)
        return credentials_file(path, a, user, password, err);
    const char *u = getenv("GENU_SMTP_USER"), *p = getenv("GENU_SMTP_PASSWORD");
    u = u && *u ? u : NULL;
    p = p && *p ? p : NULL;
    if (!u != !p)
        return GENU_FAIL(err, GENU_EINVAL, "%s is set but %s is not",
                         u ? "GENU_SMTP_USER" : "GENU_SMTP_PASSWORD",
                         u ? "GENU_SMTP_PASSWORD" : "GENU_SMTP_USER");
    const char *du = u ? genu_arena_strdup(a, u) : NULL, *dp = p ? genu_arena_strdup(a, p) : NULL;
    if ((u && !du) || (p && !dp))
        return GENU_OOM(err);
    *user = du;
    *password = dp;
    return GENU_OK;
}
