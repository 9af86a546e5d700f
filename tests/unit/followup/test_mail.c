/* test_mail: the message mail_format builds (headers, encodings, line
 * rules, injection refused), then real deliveries with libcurl to Debian's
 * aiosmtpd (python3-aiosmtpd) started on loopback by the test: one that
 * stores into a Maildir, one that refuses every recipient, a closed port, a
 * server that never speaks. Then the SMTP credentials from a file and from
 * the environment. Servers run under timeout(1), in process groups of their
 * own, so that none outlives a crashed test for long. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the four above first */
#include <arpa/inet.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "followup/mail.h"

#include "rmtree.h"

extern char **environ;

#define PYTHON "/usr/bin/python3"        /* Debian's, with python3-aiosmtpd */
#define NOW_US INT64_C(1700000000000000) /* Tue, 14 Nov 2023 22:13:20 UTC */
#define LINK   "https://genu.example.org/s/Zm9sbG93LXVw"
#define UNSUB  "https://genu.example.org/unsubscribe/dW5zdWJzY3JpYmU"

/* ---- the temporary directory and the servers ---- */

typedef struct server {
    pid_t pid; /* of timeout(1), leader of the server's process group */
    char url[64];
} server;

static char dir[64];
static server box, refuser;

static void write_file(const char *name, const char *text, mode_t mode)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    assert_int_equal(fchmod(fd, mode), 0);
    close(fd);
}

/* A TCP port on host that nothing listens on now. */
static int free_port(const char *host)
{
    struct sockaddr_in sa = {.sin_family = AF_INET};
    socklen_t len = sizeof sa;
    int s = socket(AF_INET, SOCK_STREAM, 0), port = -1;
    inet_pton(AF_INET, host, &sa.sin_addr);
    if (s >= 0 && bind(s, (struct sockaddr *)&sa, sizeof sa) == 0 &&
        getsockname(s, (struct sockaddr *)&sa, &len) == 0)
        port = ntohs(sa.sin_port);
    if (s >= 0)
        close(s);
    return port;
}

static bool accepts(const char *host, int port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, host, &sa.sin_addr);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    bool ok = s >= 0 && connect(s, (struct sockaddr *)&sa, sizeof sa) == 0;
    if (s >= 0)
        close(s);
    return ok;
}

static void stop_server(server *s)
{
    if (s->pid <= 0)
        return;
    kill(-s->pid, SIGTERM);
    int status;
    for (int i = 0; i < 300 && waitpid(s->pid, &status, WNOHANG) == 0; i++)
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    if (waitpid(s->pid, &status, WNOHANG) == 0) {
        kill(-s->pid, SIGKILL);
        waitpid(s->pid, &status, 0);
    }
    s->pid = 0;
}

/* aiosmtpd on host with handler class (and its argument, or NULL), output
 * into the file log; waits until it accepts connections. */
static int start_server(server *s, const char *host, const char *handler, const char *arg,
                        const char *log)
{
    int port = free_port(host);
    char listen[32], logp[256];
    snprintf(listen, sizeof listen, "%s:%d", host, port);
    snprintf(logp, sizeof logp, "%s/%s", dir, log);
    char *argv[] = {"timeout", "120", PYTHON,          "-m",        "aiosmtpd", "-n", "-l",
                    listen,    "-c",  (char *)handler, (char *)arg, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, logp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    int rc = port > 0 ? posix_spawnp(&s->pid, "timeout", &fa, &attr, argv, environ) : -1;
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
        fprintf(stderr, "cannot start %s on %s\n", PYTHON, listen);
        return -1;
    }
    snprintf(s->url, sizeof s->url, "smtp://%s", listen);
    for (int i = 0; i < 2000; i++) { /* 20 s */
        int status;
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            s->pid = 0;
            fprintf(stderr, "%s -m aiosmtpd exited; see %s (is python3-aiosmtpd installed?)\n",
                    PYTHON, logp);
            return -1;
        }
        if (accepts(host, port))
            return 0;
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    fprintf(stderr, "aiosmtpd on %s did not start listening\n", listen);
    stop_server(s);
    return -1;
}

static void cleanup(void)
{
    stop_server(&box);
    stop_server(&refuser);
    if (dir[0])
        rm_rf(dir);
    dir[0] = '\0';
}

static int setup(void **state)
{
    (void)state;
    genu_err err = {0};
    if (mail_global_init(&err)) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    snprintf(dir, sizeof dir, "/tmp/genu-test-mail-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    atexit(cleanup);
    char p[256];
    static const char *const sub[] = {"box", "box/new", "box/cur", "box/tmp"};
    for (size_t i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, sub[i]);
        if (mkdir(p, 0700) != 0)
            return -1;
    }
    write_file("refuse.py",
               "class Refuse:\n"
               "    async def handle_RCPT(self, server, session, envelope, address, options):\n"
               "        return '550 no such user'\n",
               0600);
    setenv("PYTHONPATH", dir, 1);
    setenv("PYTHONDONTWRITEBYTECODE", "1", 1);
    snprintf(p, sizeof p, "%s/box", dir);
    /* the refuser on 127.0.0.2: loopback, but not a name under which a
     * password may travel without TLS */
    if (start_server(&box, "127.0.0.1", "aiosmtpd.handlers.Mailbox", p, "box.log") ||
        start_server(&refuser, "127.0.0.2", "refuse.Refuse", NULL, "refuse.log")) {
        cleanup();
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    cleanup();
    return 0;
}

/* ---- formatting ---- */

static const mail_config cfg = {"smtps://mail.example.org:465",
                                "Oak Park Knee Clinic <followup@example.org>", NULL, NULL, 0};

static mail_message message(void)
{
    return (mail_message){"ann.smith@example.com",
                          "Your 6-week knee questionnaire",
                          "Dear Ann,\n\nplease answer a few questions: " LINK "\n\nOak Park\n",
                          "<p>Dear Ann,</p><p><a href=\"" LINK "\">Answer</a></p>",
                          UNSUB,
                          NULL};
}

/* Formats m; fails the test unless it is GENU_OK. The text is in b. */
static const char *format_ok(const mail_config *c, const mail_message *m, genu_buf *b)
{
    genu_err err = {0};
    genu_buf_clear(b);
    if (mail_format(c, m, NOW_US, "0123abcd@example.org", b, &err))
        fail_msg("mail_format: %s", err.msg);
    return b->p;
}

/* The header section (up to the blank line), unfolded, into out. */
static void headers_of(const char *msg, char *out, size_t cap)
{
    const char *end = strstr(msg, "\r\n\r\n");
    assert_non_null(end);
    size_t n = 0;
    for (const char *p = msg; p < end + 2 && n + 1 < cap; p++) {
        if (p[0] == '\r' && p[1] == '\n' && (p[2] == ' ' || p[2] == '\t')) {
            p++; /* unfold: drop the CRLF, keep the white space */
            continue;
        }
        out[n++] = *p;
    }
    out[n] = '\0';
}

/* CRLF only, lines within 998 bytes, none starting with a dot; headers
 * within header_max. */
static void check_lines(const char *msg, size_t header_max)
{
    bool in_headers = true;
    for (const char *p = msg; *p;) {
        const char *eol = strstr(p, "\r\n");
        assert_non_null(eol); /* ends with CRLF */
        size_t n = (size_t)(eol - p);
        assert_null(memchr(p, '\n', n));
        assert_null(memchr(p, '\r', n));
        assert_true(n <= 998);
        if (n && p[0] == '.')
            fail_msg("a line starts with a dot: %.40s", p);
        if (in_headers && n > header_max)
            fail_msg("a header line of %zu bytes: %.60s", n, p);
        if (!n)
            in_headers = false;
        p = eol + 2;
    }
}

/* s[0..n) ends with a whole UTF-8 character. */
static bool whole_utf8(const unsigned char *s, size_t n)
{
    size_t k = n;
    while (k && (s[k - 1] & 0xC0) == 0x80)
        k--;
    if (!k)
        return n == 0;
    size_t len = s[k - 1] >= 0xF0 ? 4 : s[k - 1] >= 0xE0 ? 3 : s[k - 1] >= 0xC0 ? 2 : 1;
    return n - (k - 1) == len;
}

/* Decodes the unfolded header value of encoded-words; each must hold whole
 * characters (RFC 2047 5 (3)). */
static void decode_words(const char *value, char *out, size_t cap)
{
    size_t n = 0;
    const char *p = value;
    while (*p) {
        while (*p == ' ')
            p++;
        assert_int_equal(strncmp(p, "=?UTF-8?B?", 10), 0);
        const char *end = strstr(p + 10, "?=");
        assert_non_null(end);
        assert_true(end + 2 - p <= 75);
        size_t got;
        assert_int_equal(sodium_base642bin((unsigned char *)out + n, cap - n - 1, p + 10,
                                           (size_t)(end - p - 10), NULL, &got, NULL,
                                           sodium_base64_VARIANT_ORIGINAL),
                         0);
        assert_true(whole_utf8((unsigned char *)out + n, got));
        n += got;
        p = end + 2;
        if (*p && *p != ' ')
            break;
    }
    out[n] = '\0';
}

/* The value of header name in the unfolded headers h, into out. */
static void header_value(const char *h, const char *name, char *out, size_t cap)
{
    char key[64];
    snprintf(key, sizeof key, "\r\n%s: ", name);
    const char *p = h + strlen(key + 2); /* the first header has no CRLF before it */
    if (strncmp(h, key + 2, strlen(key + 2)) != 0) {
        if (!(p = strstr(h, key)))
            fail_msg("no %s header in:\n%s", name, h);
        p += strlen(key);
    }
    size_t n = strcspn(p, "\r");
    assert_true(n < cap);
    memcpy(out, p, n);
    out[n] = '\0';
}

static void format_has_the_headers(void **state)
{
    (void)state;
    genu_buf b = GENU_BUF_INIT;
    mail_message m = message();
    const char *msg = format_ok(&cfg, &m, &b);
    check_lines(msg, 78);
    char h[4096];
    headers_of(msg, h, sizeof h);
    assert_int_equal(strncmp(h, "From: Oak Park Knee Clinic <followup@example.org>\r\n", 51), 0);
    assert_non_null(strstr(h, "\r\nTo: ann.smith@example.com\r\n"));
    assert_non_null(strstr(h, "\r\nSubject: Your 6-week knee questionnaire\r\n"));
    assert_non_null(strstr(h, "\r\nDate: Tue, 14 Nov 2023 22:13:20 +0000\r\n"));
    assert_non_null(strstr(h, "\r\nMessage-ID: <0123abcd@example.org>\r\n"));
    assert_non_null(strstr(h, "\r\nMIME-Version: 1.0\r\n"));
    assert_non_null(strstr(h, "\r\nAuto-Submitted: auto-generated\r\n"));
    char ct[200], delim[120];
    header_value(h, "Content-Type", ct, sizeof ct);
    assert_int_equal(strncmp(ct, "multipart/alternative; boundary=\"=_", 35), 0);
    /* the body: the text part, then the HTML part, then the closing delimiter */
    snprintf(delim, sizeof delim, "--%.*s", (int)(strlen(ct) - 34), ct + 33);
    const char *body = strstr(msg, "\r\n\r\n") + 4;
    assert_int_equal(strncmp(body, delim, strlen(delim)), 0);
    const char *text = strstr(body, "Content-Type: text/plain; charset=UTF-8\r\n");
    const char *html = strstr(body, "Content-Type: text/html; charset=UTF-8\r\n");
    assert_non_null(text);
    assert_non_null(html);
    assert_true(text < html);
    assert_non_null(strstr(text, "please answer a few questions: " LINK "\r\n"));
    strcat(delim, "--\r\n");
    assert_string_equal(msg + b.len - strlen(delim), delim);
    genu_buf_free(&b);
}

static void format_encodes_a_utf8_subject(void **state)
{
    (void)state;
    static const char subject[] =
        "Ihre Nachkontrolle nach 6 Wochen – bitte füllen Sie den Fragebogen aus, Frau Müller; "
        "Ελληνικά κείμενα και 日本語のテキスト";
    genu_buf b = GENU_BUF_INIT;
    mail_message m = message();
    m.subject = subject;
    const char *msg = format_ok(&cfg, &m, &b);
    check_lines(msg, 78);
    char h[4096], v[2048], decoded[1024];
    headers_of(msg, h, sizeof h);
    header_value(h, "Subject", v, sizeof v);
    decode_words(v, decoded, sizeof decoded);
    assert_string_equal(decoded, subject);
    assert_non_null(strstr(msg, "\r\nSubject: =?UTF-8?B?"));

    /* "=?" in plain ASCII would read as an encoded-word: encoded too */
    m.subject = "a =?x?= b";
    msg = format_ok(&cfg, &m, &b);
    headers_of(msg, h, sizeof h);
    header_value(h, "Subject", v, sizeof v);
    decode_words(v, decoded, sizeof decoded);
    assert_string_equal(decoded, "a =?x?= b");
    genu_buf_free(&b);
}

static void format_folds_a_long_ascii_subject(void **state)
{
    (void)state;
    char subject[600] = "";
    for (int i = 0; i < 40; i++)
        strcat(subject, i ? " questionnaire" : "Your");
    genu_buf b = GENU_BUF_INIT;
    mail_message m = message();
    m.subject = subject;
    const char *msg = format_ok(&cfg, &m, &b);
    check_lines(msg, 78);
    char h[4096], v[2048];
    headers_of(msg, h, sizeof h);
    header_value(h, "Subject", v, sizeof v);
    assert_string_equal(v, subject);
    genu_buf_free(&b);
}

static void format_encodes_display_names(void **state)
{
    (void)state;
    genu_buf b = GENU_BUF_INIT;
    char h[4096], v[512], decoded[256];
    mail_message m = message();
    mail_config c = cfg;
    c.from = "Clinique du Genou Émile-Zola <suivi@example.fr>";
    headers_of(format_ok(&c, &m, &b), h, sizeof h);
    header_value(h, "From", v, sizeof v);
    char *lt = strstr(v, " <suivi@example.fr>");
    assert_non_null(lt);
    *lt = '\0';
    decode_words(v, decoded, sizeof decoded);
    assert_string_equal(decoded, "Clinique du Genou Émile-Zola");

    c.from = "\"Dr. O'Neil, Knee \\ Clinic\" <a@example.org>";
    headers_of(format_ok(&c, &m, &b), h, sizeof h);
    header_value(h, "From", v, sizeof v);
    assert_string_equal(v, "\"Dr. O'Neil, Knee \\\\ Clinic\" <a@example.org>");

    c.from = "followup@example.org";
    m.to = "Ann Smith <ann@example.com>";
    headers_of(format_ok(&c, &m, &b), h, sizeof h);
    header_value(h, "From", v, sizeof v);
    assert_string_equal(v, "followup@example.org");
    header_value(h, "To", v, sizeof v);
    assert_string_equal(v, "Ann Smith <ann@example.com>");
    genu_buf_free(&b);
}

static void format_refuses_header_injection(void **state)
{
    (void)state;
    static const struct {
        const char *field, *value;
    } cases[] = {
        {"to", "ann@example.com\r\nBcc: everyone@example.com"},
        {"to", "ann@example.com\nBcc: everyone@example.com"},
        {"subject", "Hello\r\nBcc: everyone@example.com"},
        {"subject", "Hello\rX: y"},
        {"from", "Clinic <a@example.org>\nBcc: x@example.com"},
        {"unsubscribe_url", "https://x.example/u\r\nBcc: x@example.com"},
    };
    genu_buf b = GENU_BUF_INIT;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mail_message m = message();
        mail_config c = cfg;
        if (strcmp(cases[i].field, "to") == 0)
            m.to = cases[i].value;
        else if (strcmp(cases[i].field, "subject") == 0)
            m.subject = cases[i].value;
        else if (strcmp(cases[i].field, "from") == 0)
            c.from = cases[i].value;
        else
            m.unsubscribe_url = cases[i].value;
        genu_err err = {0};
        assert_int_equal(mail_format(&c, &m, NOW_US, "x@example.org", &b, &err), GENU_EINVAL);
        char expect[128];
        snprintf(expect, sizeof expect, "%s: a line break is not allowed in a header field",
                 cases[i].field);
        assert_string_equal(err.msg, expect);
        assert_int_equal(b.len, 0);
    }
    genu_err err = {0};
    mail_message m = message();
    assert_int_equal(mail_format(&cfg, &m, NOW_US, "x@example.org>\r\nBcc: y", &b, &err),
                     GENU_EINVAL);
    assert_int_equal(b.len, 0);
    genu_buf_free(&b);
}

static void format_refuses_bad_addresses(void **state)
{
    (void)state;
    static const char *const bad[] = {"",
                                      "ann",
                                      "ann@",
                                      "@example.com",
                                      "ann@@example.com",
                                      "ann@exa mple.com",
                                      "ann..smith@example.com",
                                      "ann@example..com",
                                      "anné@example.com",
                                      "Ann <ann@example.com> extra",
                                      "ann@example.com, bob@example.com",
                                      "<ann@example.com"};
    genu_buf b = GENU_BUF_INIT;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mail_message m = message();
        m.to = bad[i];
        genu_err err = {0};
        if (mail_format(&cfg, &m, NOW_US, "x@example.org", &b, &err) != GENU_EINVAL)
            fail_msg("\"%s\" was taken for an address", bad[i]);
        assert_int_equal(strncmp(err.msg, "to: ", 4), 0);
    }
    mail_message m = message();
    m.text = NULL;
    genu_err err = {0};
    assert_int_equal(mail_format(&cfg, &m, NOW_US, "x@example.org", &b, &err), GENU_EINVAL);
    assert_string_equal(err.msg, "text: missing");
    assert_int_equal(b.len, 0);
    genu_buf_free(&b);
}

static void format_adds_list_unsubscribe(void **state)
{
    (void)state;
    genu_buf b = GENU_BUF_INIT;
    char h[4096];
    mail_message m = message();
    headers_of(format_ok(&cfg, &m, &b), h, sizeof h);
    assert_non_null(strstr(h, "\r\nList-Unsubscribe: <" UNSUB ">\r\n"));
    assert_non_null(strstr(h, "\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"));
    m.unsubscribe_url = NULL;
    headers_of(format_ok(&cfg, &m, &b), h, sizeof h);
    assert_null(strstr(h, "List-Unsubscribe"));
    genu_err err = {0};
    m.unsubscribe_url = "https://x.example/u?a=<b>";
    assert_int_equal(mail_format(&cfg, &m, NOW_US, "x@example.org", &b, &err), GENU_EINVAL);
    genu_buf_free(&b);
}

/* The body of a text-only message (html NULL), after the headers. */
static const char *text_body(const char *msg, const char *cte)
{
    char want[128];
    snprintf(want, sizeof want,
             "\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: %s\r\n\r\n",
             cte);
    const char *p = strstr(msg, want);
    if (!p)
        fail_msg("no %s text part in:\n%s", cte, msg);
    return p + strlen(want);
}

static void format_encodes_bodies(void **state)
{
    (void)state;
    genu_buf b = GENU_BUF_INIT;
    mail_message m = message();
    m.html = NULL;

    /* plain ASCII: 7bit with CRLF, whatever the line ends given */
    m.text = "one\ntwo\r\nthree\rfour";
    const char *msg = format_ok(&cfg, &m, &b);
    check_lines(msg, 998);
    assert_null(strstr(msg, "multipart"));
    assert_string_equal(text_body(msg, "7bit"), "one\r\ntwo\r\nthree\r\nfour\r\n");

    /* mostly ASCII: quoted-printable; a leading dot and trailing space encoded */
    m.text = "Grüße, Ann = ok \n.\n..end\n";
    msg = format_ok(&cfg, &m, &b);
    check_lines(msg, 998);
    assert_string_equal(text_body(msg, "quoted-printable"),
                        "Gr=C3=BC=C3=9Fe, Ann =3D ok=20\r\n=2E\r\n=2E.end\r\n");

    /* a line too long for 7bit: soft breaks within 76, never before a dot */
    char longline[2100];
    memset(longline, 'a', 2000);
    for (int i = 75; i < 2000; i += 75)
        longline[i] = '.';
    longline[2000] = '\0';
    m.text = longline;
    msg = format_ok(&cfg, &m, &b);
    check_lines(msg, 998);
    const char *qp = text_body(msg, "quoted-printable");
    size_t total = 0;
    for (const char *p = qp; *p;) {
        const char *eol = strstr(p, "\r\n");
        assert_true(eol - p <= 76);
        for (const char *q = p; q < eol; q++)
            total += *q == '=' ? (q + 1 == eol ? 0 : (q += 2, 1)) : 1;
        p = eol + 2;
    }
    assert_int_equal(total, 2000);

    /* mostly not ASCII: base64 of the CRLF text */
    static const char greek[] = "Γειά σας,\nπαρακαλούμε απαντήστε στο ερωτηματολόγιο.\n";
    m.text = greek;
    msg = format_ok(&cfg, &m, &b);
    check_lines(msg, 76);
    const char *b64 = text_body(msg, "base64");
    char joined[512] = "", decoded[512];
    for (const char *p = b64; *p;) {
        const char *eol = strstr(p, "\r\n");
        assert_true(eol - p <= 76);
        strncat(joined, p, (size_t)(eol - p));
        p = eol + 2;
    }
    size_t n;
    assert_int_equal(sodium_base642bin((unsigned char *)decoded, sizeof decoded, joined,
                                       strlen(joined), NULL, &n, NULL,
                                       sodium_base64_VARIANT_ORIGINAL),
                     0);
    decoded[n] = '\0';
    assert_string_equal(decoded, "Γειά σας,\r\nπαρακαλούμε απαντήστε στο ερωτηματολόγιο.\r\n");
    genu_buf_free(&b);
}

/* ---- delivery ---- */

/* The messages the Maildir holds in new/: their number, and when there is
 * just one its text into out. Empties new/ when told to. */
static int delivered(char *out, size_t cap, bool empty)
{
    char p[256], f[512];
    snprintf(p, sizeof p, "%s/box/new", dir);
    DIR *d = opendir(p);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        n++;
        snprintf(f, sizeof f, "%s/%s", p, e->d_name);
        if (empty)
            unlink(f);
    }
    closedir(d);
    if (n == 1 && out && !empty) {
        FILE *fp = fopen(f, "rb");
        assert_non_null(fp);
        size_t len = fread(out, 1, cap - 1, fp);
        fclose(fp);
        out[len] = '\0';
    }
    return n;
}

/* got has "Message-ID: <32 hex digits@domain>". */
static void has_random_message_id(const char *got, const char *domain)
{
    const char *p = strstr(got, "\nMessage-ID: <");
    assert_non_null(p);
    p += strlen("\nMessage-ID: <");
    for (int i = 0; i < 32; i++)
        assert_non_null(strchr("0123456789abcdef", p[i]));
    assert_int_equal(p[32], '@');
    assert_int_equal(strncmp(p + 33, domain, strlen(domain)), 0);
    assert_int_equal(p[33 + strlen(domain)], '>');
}

static void send_delivers_to_a_real_server(void **state)
{
    (void)state;
    mail_config c = cfg;
    c.url = box.url;
    c.timeout_s = 20;
    mail_message m = message();
    mail_result r;
    genu_err err = {0};
    char got[8192];
    delivered(NULL, 0, true);
    if (mail_send(&c, &m, &r, &err) != GENU_OK)
        fail_msg("mail_send: %s", err.msg);
    assert_int_equal(r.smtp_code, 250);
    assert_int_equal(strncmp(r.detail, "250", 3), 0);
    assert_int_equal(delivered(got, sizeof got, false), 1);
    assert_non_null(strstr(got, "Dear Ann,"));
    assert_non_null(strstr(got, "please answer a few questions: " LINK));
    assert_non_null(strstr(got, "<a href=\"" LINK "\">"));
    assert_non_null(strstr(got, "\nList-Unsubscribe: <" UNSUB ">"));
    assert_non_null(strstr(got, "\nList-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    assert_non_null(strstr(got, "\nX-RcptTo: ann.smith@example.com"));
    assert_non_null(strstr(got, "\nX-MailFrom: followup@example.org"));
    has_random_message_id(got, "example.org"); /* from's domain */

    /* a UTF-8 text and subject, the Message-ID domain given */
    m.subject = "Grüße aus der Klinik";
    m.text = "Grüße!\n" LINK "\n";
    m.html = NULL;
    m.message_id_domain = "mail.example.net";
    err = (genu_err){0};
    delivered(NULL, 0, true);
    if (mail_send(&c, &m, &r, &err) != GENU_OK)
        fail_msg("mail_send: %s", err.msg);
    assert_int_equal(delivered(got, sizeof got, false), 1);
    assert_non_null(strstr(got, "Gr=C3=BC=C3=9Fe!"));
    assert_non_null(strstr(got, "\nSubject: =?UTF-8?B?"));
    has_random_message_id(got, "mail.example.net");
}

static void send_reports_a_closed_port(void **state)
{
    (void)state;
    char url[64];
    snprintf(url, sizeof url, "smtp://127.0.0.1:%d", free_port("127.0.0.1"));
    mail_config c = cfg;
    c.url = url;
    mail_message m = message();
    mail_result r;
    genu_err err = {0};
    assert_int_equal(mail_send(&c, &m, &r, &err), GENU_EIO);
    assert_int_equal(r.smtp_code, 0);
    char expect[128];
    snprintf(expect, sizeof expect, "connection refused (%s)", url);
    assert_string_equal(r.detail, expect);
    assert_non_null(strstr(err.msg, expect));
}

static void send_reports_a_refusal(void **state)
{
    (void)state;
    mail_config c = cfg;
    c.url = refuser.url;
    mail_message m = message();
    mail_result r;
    genu_err err = {0};
    assert_int_equal(mail_send(&c, &m, &r, &err), GENU_EIO);
    assert_int_equal(r.smtp_code, 550);
    assert_string_equal(r.detail, "550 no such user");
    assert_string_equal(err.msg, "e-mail not delivered: 550 no such user");
}

static void send_keeps_a_password_off_plain_connections(void **state)
{
    (void)state;
    mail_config c = cfg;
    c.url = refuser.url; /* 127.0.0.2, no STARTTLS */
    c.user = "followup";
    c.password = "secret";
    mail_message m = message();
    mail_result r;
    genu_err err = {0};
    assert_int_equal(mail_send(&c, &m, &r, &err), GENU_EIO);
    assert_int_equal(r.smtp_code, 0);
    assert_non_null(strstr(r.detail, "does not offer STARTTLS"));
    assert_non_null(strstr(r.detail, refuser.url));
}

static void send_times_out_on_a_silent_server(void **state)
{
    (void)state;
    /* a socket that listens but never answers: the kernel completes the
     * handshake, the SMTP greeting never comes */
    struct sockaddr_in sa = {.sin_family = AF_INET};
    socklen_t len = sizeof sa;
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(s >= 0);
    assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(s, 4), 0);
    getsockname(s, (struct sockaddr *)&sa, &len);
    char url[64], expect[128];
    snprintf(url, sizeof url, "smtp://127.0.0.1:%d", ntohs(sa.sin_port));
    mail_config c = cfg;
    c.url = url;
    c.timeout_s = 1;
    mail_message m = message();
    mail_result r;
    genu_err err = {0};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = mail_send(&c, &m, &r, &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    close(s);
    assert_int_equal(rc, GENU_EIO);
    assert_int_equal(r.smtp_code, 0);
    snprintf(expect, sizeof expect, "timed out after 1 s (%s)", url);
    assert_string_equal(r.detail, expect);
    assert_true(t1.tv_sec - t0.tv_sec < 5);
}

static void send_refuses_bad_configs(void **state)
{
    (void)state;
    static const char *const urls[] = {"http://127.0.0.1:25", "smtp://user:pw@127.0.0.1:25",
                                       "smtp://127.0.0.1:25\r\nX", "not a url"};
    mail_message m = message();
    mail_result r;
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
        mail_config c = cfg;
        c.url = urls[i];
        genu_err err = {0};
        assert_int_equal(mail_send(&c, &m, &r, &err), GENU_EINVAL);
        assert_int_equal(r.smtp_code, 0);
        assert_string_equal(r.detail, err.msg);
        assert_int_equal(strncmp(err.msg, "url", 3), 0);
    }
    mail_config c = cfg;
    c.user = "followup";
    genu_err err = {0};
    assert_int_equal(mail_send(&c, &m, &r, &err), GENU_EINVAL);
    assert_string_equal(err.msg, "password: missing for user \"followup\"");
    m.to = "x@example.com\r\nBcc: y@example.com";
    err = (genu_err){0};
    assert_int_equal(mail_send(&cfg, &m, &r, &err), GENU_EINVAL);
    assert_string_equal(r.detail, "to: a line break is not allowed in a header field");
}

/* ---- credentials ---- */

static void credentials_come_from_a_private_file(void **state)
{
    (void)state;
    genu_arena *a = genu_arena_create();
    const char *user = NULL, *password = NULL;
    char p[256];
    genu_err err = {0};
    snprintf(p, sizeof p, "%s/smtp-credentials", dir);

    write_file("smtp-credentials", "followup@example.org\npass:word with spaces \n", 0600);
    assert_int_equal(mail_credentials(p, a, &user, &password, &err), GENU_OK);
    assert_string_equal(user, "followup@example.org");
    assert_string_equal(password, "pass:word with spaces ");

    write_file("smtp-credentials", "followup:pa:ss\r\n", 0400);
    assert_int_equal(mail_credentials(p, a, &user, &password, &err), GENU_OK);
    assert_string_equal(user, "followup");
    assert_string_equal(password, "pa:ss");

    write_file("smtp-credentials", "followup\r\nsecret", 0600);
    assert_int_equal(mail_credentials(p, a, &user, &password, &err), GENU_OK);
    assert_string_equal(user, "followup");
    assert_string_equal(password, "secret");

    static const char *const bad[] = {"followup\n", "followup:\n", ":secret\n",
                                      "a\nb\nc\n",  "\nsecret\n",  ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_file("smtp-credentials", bad[i], 0600);
        err = (genu_err){0};
        user = password = "unchanged";
        assert_int_equal(mail_credentials(p, a, &user, &password, &err), GENU_EINVAL);
        assert_int_equal(strncmp(err.msg, p, strlen(p)), 0);
        assert_string_equal(user, "unchanged");
    }
    genu_arena_destroy(a);
}

static void credentials_file_must_be_private(void **state)
{
    (void)state;
    genu_arena *a = genu_arena_create();
    const char *user = NULL, *password = NULL;
    char p[256], expect[512];
    genu_err err = {0};
    snprintf(p, sizeof p, "%s/smtp-credentials", dir);
    write_file("smtp-credentials", "followup:secret\n", 0640);
    assert_int_equal(mail_credentials(p, a, &user, &password, &err), GENU_EINVAL);
    snprintf(expect, sizeof expect,
             "%s: the SMTP credentials file may be read or changed by others (mode 0640); make "
             "it private with chmod 600",
             p);
    assert_string_equal(err.msg, expect);
    assert_null(user);

    write_file("smtp-credentials", "followup:secret\n", 0602);
    err = (genu_err){0};
    assert_int_equal(mail_credentials(p, a, &user, &password, &err), GENU_EINVAL);

    snprintf(p, sizeof p, "%s/no-such-file", dir);
    err = (genu_err){0};
    assert_int_equal(mail_credentials(p, a, &user, &password, &err), GENU_EIO);
    assert_non_null(strstr(err.msg, "no such file"));
    genu_arena_destroy(a);
}

static void credentials_come_from_the_environment(void **state)
{
    (void)state;
    genu_arena *a = genu_arena_create();
    const char *user = "x", *password = "x";
    genu_err err = {0};
    unsetenv("GENU_SMTP_USER");
    unsetenv("GENU_SMTP_PASSWORD");
    assert_int_equal(mail_credentials(NULL, a, &user, &password, &err), GENU_OK);
    assert_null(user);
    assert_null(password);

    setenv("GENU_SMTP_USER", "followup", 1);
    setenv("GENU_SMTP_PASSWORD", "secret", 1);
    assert_int_equal(mail_credentials(NULL, a, &user, &password, &err), GENU_OK);
    assert_string_equal(user, "followup");
    assert_string_equal(password, "secret");

    unsetenv("GENU_SMTP_PASSWORD");
    assert_int_equal(mail_credentials(NULL, a, &user, &password, &err), GENU_EINVAL);
    assert_string_equal(err.msg, "GENU_SMTP_USER is set but GENU_SMTP_PASSWORD is not");
    unsetenv("GENU_SMTP_USER");
    genu_arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(format_has_the_headers),
        cmocka_unit_test(format_encodes_a_utf8_subject),
        cmocka_unit_test(format_folds_a_long_ascii_subject),
        cmocka_unit_test(format_encodes_display_names),
        cmocka_unit_test(format_refuses_header_injection),
        cmocka_unit_test(format_refuses_bad_addresses),
        cmocka_unit_test(format_adds_list_unsubscribe),
        cmocka_unit_test(format_encodes_bodies),
        cmocka_unit_test(send_delivers_to_a_real_server),
        cmocka_unit_test(send_reports_a_closed_port),
        cmocka_unit_test(send_reports_a_refusal),
        cmocka_unit_test(send_keeps_a_password_off_plain_connections),
        cmocka_unit_test(send_times_out_on_a_silent_server),
        cmocka_unit_test(send_refuses_bad_configs),
        cmocka_unit_test(credentials_come_from_a_private_file),
        cmocka_unit_test(credentials_file_must_be_private),
        cmocka_unit_test(credentials_come_from_the_environment),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
