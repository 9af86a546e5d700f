/* server: libmicrohttpd glue. Handlers never see MHD: the body is gathered
 * here (bounded), the request copied into a ctx, api_handle fills the
 * response, and this file turns it into an MHD response with the security
 * headers every response carries. libmicrohttpd 0.9.75 has only an
 * inactivity timeout, so the deadline for a request's head (request line
 * and headers) is kept here: each connection is noted when it opens, and a
 * sweeper thread shuts down the socket of one whose head is late. */
#include "http/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "advice/rules.h"
#include "http/api.h"
#include "http/auth.h"
#include "http/ctx.h"
#include "http/tls.h"
#include "http/writer.h"
#include "io/deid.h"
#include "store/store.h"

#define DEFAULT_BODY_LIMIT ((size_t)1 << 20)
#define DEFAULT_TIMEOUT_S 30
#define DEFAULT_HEADER_TIMEOUT_S 30
/* how often the sweeper looks for late request heads */
#define SWEEP_MS 500
#define ARENA_POOL 256
/* Each worker's page cache: a request reads a patient's rows or a page of a
 * list, and the operating system caches the file anyway; without a cap each
 * handle keeps up to 64 MiB of whatever pages its requests happened to scan
 * (docs/benchmarks.md, the server's memory). */
#define WORKER_PAGE_CACHE ((size_t)1 << 20)
#define SESSION_US ((int64_t)12 * 3600 * 1000000)
/* JSON answers and the server's own pages load nothing but inline style. */
#define CSP_API                                                                                   \
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; " \
    "base-uri 'none'"
/* Under TLS: browsers keep to HTTPS for a year (not includeSubDomains: the
 * clinic's other hosts are not ours to decide). */
#define HSTS "max-age=31536000"

/* One open connection, for the header deadline: its socket and the time
 * (CLOCK_MONOTONIC, microseconds) by which the head of its next request
 * must be complete; 0 while a request is handled or answered. The list
 * links are under the server's hmu; deadline_us is written by the
 * connection's worker and read by the sweeper. */
typedef struct hconn {
    MHD_socket fd;
    _Atomic int64_t deadline_us;
    bool cut; /* shut down by the sweeper (under hmu) */
    struct hconn *prev, *next;
} hconn;

struct server {
    struct MHD_Daemon *d;
    /* the header deadline: open connections (under hmu) and their sweeper */
    int64_t header_us;
    pthread_mutex_t hmu;
    pthread_cond_t hcv; /* CLOCK_MONOTONIC; signalled to stop the sweeper */
    hconn *hconns;
    _Atomic bool hstop;
    bool sweeping; /* the sweeper thread runs */
    pthread_t sweeper;
    size_t body_limit;
    ctx_env env;
    char dummy[AUTH_HASH_LEN];
    genu_arena *rules_arena; /* the parsed rule set (env.rules) lives here */
    tls *tls;                /* NULL: plain HTTP */
    char trust_proxy[INET6_ADDRSTRLEN + 1]; /* "" unless --trust-proxy */
    rules rules;
    /* store handles, one per worker, and with a read replica as many
     * read-only handles on it (the same slot goes with the same worker) */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t nstore;
    genu_store **stores;
    genu_store **reads; /* NULL without a replica */
    bool *busy;
    size_t active;    /* requests in flight */
    size_t suspended; /* of which waiting for the writer */
    /* arenas kept for the next requests (reset), under amu */
    pthread_mutex_t amu;
    genu_arena *arenas[ARENA_POOL];
    size_t narenas;
};

typedef struct conn_state {
    genu_buf body;
    bool too_large;
    bool refused; /* answered at the headers: whatever body follows is dropped */
    /* the request once handled; it outlives a wait for the writer */
    ctx c;
    char addr[INET6_ADDRSTRLEN + 1];
    server *srv;
    struct MHD_Connection *conn;
    bool written; /* the write it waited for is done: rc */
    int rc;
} conn_state;

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The time ms from now on clock clk, for pthread_cond_timedwait. */
static struct timespec clock_after(clockid_t clk, unsigned ms)
{
    struct timespec t;
    clock_gettime(clk, &t);
    t.tv_sec += ms / 1000;
    t.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- the header deadline ---- */

/* MHD_OPTION_NOTIFY_CONNECTION: a connection opened (its head is due
 * header_us from now, TLS handshake included) or closed. CLOSED comes
 * before libmicrohttpd closes the socket, so under hmu the sweeper never
 * shuts down a descriptor that was closed and reused. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    server *s = cls;
    hconn *h = *socket_context;
    if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
        if (!h)
            return;
        pthread_mutex_lock(&s->hmu);
        if (h->prev)
            h->prev->next = h->next;
        else
            s->hconns = h->next;
        if (h->next)
            h->next->prev = h->prev;
        pthread_mutex_unlock(&s->hmu);
        free(h);
        *socket_context = NULL;
        return;
    }
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (!ci)
        return;
    if (!(h = calloc(1, sizeof *h))) {
        shutdown(ci->connect_fd, SHUT_RDWR); /* a connection without a deadline is refused */
        return;
    }
    h->fd = ci->connect_fd;
    atomic_store(&h->deadline_us, mono_us() + s->header_us);
    pthread_mutex_lock(&s->hmu);
    h->next = s->hconns;
    if (h->next)
        h->next->prev = h;
    s->hconns = h;
    pthread_mutex_unlock(&s->hmu);
    *socket_context = h;
}

/* The head of conn's request is in (deadline 0), or, at the end of a
 * request, the head of the next one on a kept-alive connection is due
 * header_us from now. */
static void head_due(server *s, struct MHD_Connection *conn, bool next)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    hconn *h = ci ? ci->socket_context : NULL;
    if (h)
        atomic_store(&h->deadline_us, next ? mono_us() + s->header_us : 0);
}

/* The sweeper: every SWEEP_MS, shuts down the socket of each connection
 * whose head is late. libmicrohttpd then sees the socket end and closes
 * the connection on its own thread: no answer is sent (there is no
 * request to answer). */
static void *sweep(void *arg)
{
    server *s = arg;
    pthread_mutex_lock(&s->hmu);
    while (!atomic_load(&s->hstop)) {
        int64_t now = mono_us();
        for (hconn *h = s->hconns; h; h = h->next) {
            int64_t due = atomic_load(&h->deadline_us);
            if (due && due <= now && !h->cut) {
                shutdown(h->fd, SHUT_RDWR);
                h->cut = true;
            }
        }
        struct timespec until = clock_after(CLOCK_MONOTONIC, SWEEP_MS);
        pthread_cond_timedwait(&s->hcv, &s->hmu, &until);
    }
    pthread_mutex_unlock(&s->hmu);
    return NULL;
}

static genu_store *acquire(server *s, size_t *slot)
{
    pthread_mutex_lock(&s->mu);
    for (;;) {
        for (size_t i = 0; i < s->nstore; i++)
            if (!s->busy[i]) {
                s->busy[i] = true;
                *slot = i;
                pthread_mutex_unlock(&s->mu);
                return s->stores[i];
            }
        pthread_cond_wait(&s->cv, &s->mu);
    }
}

static void release(server *s, size_t slot)
{
    pthread_mutex_lock(&s->mu);
    s->busy[slot] = false;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

/* A request's arena: one kept from an earlier request (its first block
 * already mapped), else a new one. */
static genu_arena *arena_get(server *s)
{
    genu_arena *a = NULL;
    pthread_mutex_lock(&s->amu);
    if (s->narenas)
        a = s->arenas[--s->narenas];
    pthread_mutex_unlock(&s->amu);
    return a ? a : genu_arena_create();
}

static void arena_put(server *s, genu_arena *a)
{
    if (!a)
        return;
    genu_arena_reset(a);
    pthread_mutex_lock(&s->amu);
    if (s->narenas < ARENA_POOL) {
        s->arenas[s->narenas++] = a;
        a = NULL;
    }
    pthread_mutex_unlock(&s->amu);
    genu_arena_destroy(a);
}

/* Queues c's response with the security headers; closing: the connection
 * ends after it (a request whose body cannot be framed). */
static enum MHD_Result send_ctx(struct MHD_Connection *conn, const ctx *c, bool closing)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        c->out.len, c->out.len ? c->out.p : (void *)"", MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                            c->ctype ? c->ctype : "application/json");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, c->cache ? c->cache : "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Content-Security-Policy", c->csp ? c->csp : CSP_API);
    if (c->set_cookie)
        MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, c->set_cookie);
    if (c->allow)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, c->allow);
    if (MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION))
        MHD_add_response_header(r, "Strict-Transport-Security", HSTS);
    if (closing)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)c->status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_error_close(struct MHD_Connection *conn, int status,
                                        const char *code, const char *msg, bool closing)
{
    ctx c = {0};
    c.method = c.path = "";
    ctx_error(&c, status, code, NULL, "%s", msg);
    enum MHD_Result r = c.out.oom ? MHD_NO : send_ctx(conn, &c, closing);
    genu_buf_free(&c.out);
    return r;
}

static enum MHD_Result send_error(struct MHD_Connection *conn, int status, const char *code,
                                  const char *msg)
{
    return send_error_close(conn, status, code, msg, false);
}

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    ctx *c = cls;
    (void)kind;
    if (c->nquery == CTX_MAXQUERY) {
        c->query_overflow = true;
        return MHD_NO;
    }
    c->qkey[c->nquery] = key;
    c->qval[c->nquery++] = value ? value : "";
    return MHD_YES;
}

/* The last address of a proxy's X-Forwarded-For ("a, b, c": c, the one
 * the proxy itself added) into buf; false when there is none or it is not
 * an address, so that a client cannot choose its own. */
static bool forwarded_addr(struct MHD_Connection *conn, char *buf, size_t n)
{
    const char *xff = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Forwarded-For");
    if (!xff)
        return false;
    const char *last = strrchr(xff, ',');
    last = last ? last + 1 : xff;
    while (*last == ' ' || *last == '\t')
        last++;
    size_t len = strcspn(last, " \t");
    if (len == 0 || len >= n || last[len] != '\0')
        return false;
    unsigned char bin[sizeof(struct in6_addr)];
    memcpy(buf, last, len);
    buf[len] = '\0';
    return inet_pton(AF_INET, buf, bin) == 1 || inet_pton(AF_INET6, buf, bin) == 1;
}

/* The socket's peer, or with --trust-proxy and a request from the proxy,
 * the address it forwarded for. */
static const char *client_addr(const server *s, struct MHD_Connection *conn, char *buf,
                               size_t n)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(buf, n, "?");
    if (!ci || !ci->client_addr)
        return buf;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, buf,
                  (socklen_t)n);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, buf,
                  (socklen_t)n);
    char fwd[INET6_ADDRSTRLEN + 1];
    if (s->trust_proxy[0] && strcmp(buf, s->trust_proxy) == 0 &&
        forwarded_addr(conn, fwd, sizeof fwd))
        snprintf(buf, n, "%s", fwd);
    return buf;
}

/* Whether every query argument and the path are UTF-8. */
static bool request_text_ok(const ctx *c)
{
    if (!ctx_utf8_valid(c->path, strlen(c->path)))
        return false;
    for (size_t i = 0; i < c->nquery; i++)
        if (!ctx_utf8_valid(c->qkey[i], strlen(c->qkey[i])) ||
            !ctx_utf8_valid(c->qval[i], strlen(c->qval[i])))
            return false;
    return true;
}

/* The writer is done with a suspended request's write (on the writer
 * thread): the request goes on in on_request. st may be gone once the
 * connection is resumed. */
static void write_done(void *arg, int rc)
{
    conn_state *st = arg;
    server *s = st->srv;
    st->rc = rc;
    st->written = true;
    MHD_resume_connection(st->conn);
    pthread_mutex_lock(&s->mu);
    s->suspended--;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

/* Sends c's response and frees what the request held. */
static enum MHD_Result finish(server *s, struct MHD_Connection *conn, ctx *c)
{
    enum MHD_Result r;
    if (c->out.oom) {
        r = send_error(conn, 500, "internal", "out of memory");
    } else {
        if (!c->status)
            c->status = 500;
        r = send_ctx(conn, c, false);
    }
    genu_buf_free(&c->out);
    dscache_release(s->env.datasets, c->dataset);
    c->dataset = NULL;
    arena_put(s, c->arena);
    c->arena = NULL;
    return r;
}

static enum MHD_Result handle(server *s, struct MHD_Connection *conn, const char *url,
                              const char *method, conn_state *st)
{
    ctx *c = &st->c;
    size_t slot;
    if (st->written) { /* back from the writer: the page after the write */
        st->written = false;
        c->store = c->read = acquire(s, &slot);
        c->pending.then(c, c->pending.arg, st->rc, &c->pending.err);
        release(s, slot);
        c->store = c->read = NULL;
        return finish(s, conn, c);
    }
    c->method = method;
    c->path = url;
    c->body = st->body.p;
    c->body_len = st->body.len;
    c->env = &s->env;
    c->now_us = now_us();
    c->addr = client_addr(s, conn, st->addr, sizeof st->addr);
    c->cookie = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, "genu_session");
    c->csrf_header = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-CSRF-Token");
    c->content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                  MHD_HTTP_HEADER_CONTENT_TYPE);
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_arg, c);
    if (!request_text_ok(c))
        return send_error(conn, 400, "bad_request", "the URL is not valid UTF-8");
    /* a patient's survey form answers its own bad bodies with a page */
    if (c->body_len && strncmp(url, "/s/", 3) != 0 && !ctx_utf8_valid(c->body, c->body_len))
        return send_error(conn, 400, "bad_request", "body: not valid UTF-8");
    c->arena = arena_get(s);
    if (!c->arena)
        return send_error(conn, 503, "unavailable", "out of memory");
    c->store = acquire(s, &slot);
    c->replica = s->reads ? &s->reads[slot] : NULL;
    c->read = c->store;
    api_handle(c);
    if (c->pending.fn) {
        /* the write waits for its commit without holding this thread */
        st->srv = s;
        st->conn = conn;
        pthread_mutex_lock(&s->mu);
        s->suspended++;
        pthread_mutex_unlock(&s->mu);
        MHD_suspend_connection(conn);
        if (writer_submit(s->env.writer, c->pending.actor, c->pending.fn, c->pending.arg,
                          &c->pending.err, write_done, st) == GENU_OK) {
            release(s, slot);
            c->store = c->read = NULL;
            c->replica = NULL;
            return MHD_YES;
        }
        MHD_resume_connection(conn);
        pthread_mutex_lock(&s->mu);
        s->suspended--;
        pthread_mutex_unlock(&s->mu);
        c->pending.then(c, c->pending.arg, c->pending.err.code, &c->pending.err);
    }
    release(s, slot);
    c->store = c->read = NULL;
    c->replica = NULL;
    return finish(s, conn, c);
}

/* The headers that frame a request: Content-Length, Transfer-Encoding and
 * Host counted, header names holding white space, and whether the one
 * Transfer-Encoding is "chunked". */
typedef struct framing {
    int content_length, spaced, transfer_encoding, host;
    bool chunked;
} framing;

static enum MHD_Result count_framing(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    framing *f = cls;
    (void)kind;
    if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
        f->content_length++;
    if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
        f->transfer_encoding++;
        f->chunked = value && strcasecmp(value, "chunked") == 0;
    }
    if (strcasecmp(key, MHD_HTTP_HEADER_HOST) == 0)
        f->host++;
    for (const char *p = key; *p; p++)
        if (*p == ' ' || *p == '\t')
            f->spaced++;
    return MHD_YES;
}

/* Why a request's head must be refused (RFC 9112), or NULL. libmicrohttpd
 * 0.9.75 passes these on to the handler (in its default, lenient mode; its
 * pedantic mode would answer some of them itself, with its own HTML page),
 * so genu answers them, with its JSON error and headers:
 * - two Content-Lengths, or a header name with white space before its
 *   colon ("Transfer-Encoding : chunked"), which a proxy may read one way
 *   and this server another (§6.3, §5.1);
 * - a Transfer-Encoding other than one "chunked": the body's length cannot
 *   be known, and libmicrohttpd would wait for it until the timeout (§6.3);
 * - Transfer-Encoding with Content-Length, the request-smuggling pair
 *   (§6.1 allows refusing it);
 * - an HTTP/1.1 request with no Host, or any with more than one (§3.2). */
static const char *bad_framing(struct MHD_Connection *conn, const char *version)
{
    framing f = {0, 0, 0, 0, false};
    MHD_get_connection_values(conn, MHD_HEADER_KIND, count_framing, &f);
    if (f.content_length > 1)
        return "more than one Content-Length header";
    if (f.spaced)
        return "a header name holds white space";
    if (f.transfer_encoding > 1 || (f.transfer_encoding && !f.chunked))
        return "Transfer-Encoding: only one, \"chunked\", is understood";
    if (f.transfer_encoding && f.content_length)
        return "both Transfer-Encoding and Content-Length";
    if (f.host > 1)
        return "more than one Host header";
    if (!f.host && strcmp(version, MHD_HTTP_VERSION_1_0) != 0)
        return "an HTTP/1.1 request needs a Host header";
    return NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    server *s = cls;
    conn_state *st = *con_cls;
    if (!st) {
        head_due(s, conn, false); /* the request line and headers are in */
        if (!(st = calloc(1, sizeof *st)))
            return MHD_NO;
        *con_cls = st;
        pthread_mutex_lock(&s->mu);
        s->active++;
        pthread_mutex_unlock(&s->mu);
        /* a head that cannot be framed safely is refused before any body is read */
        const char *why = bad_framing(conn, version);
        if (why) {
            st->refused = true;
            return send_error_close(conn, 400, "bad_request", why, true);
        }
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && (strlen(cl) > 15 || strtoull(cl, NULL, 10) > s->body_limit)) {
            st->too_large = true;
            return send_error(conn, 413, "too_large", "the request body is too large");
        }
        return MHD_YES;
    }
    if (st->refused) {
        *upload_size = 0;
        return MHD_YES;
    }
    if (*upload_size) {
        if (!st->too_large && st->body.len + *upload_size > s->body_limit)
            st->too_large = true;
        if (!st->too_large && genu_buf_append(&st->body, upload, *upload_size) < 0)
            st->too_large = true;
        *upload_size = 0;
        return MHD_YES;
    }
    if (st->too_large)
        return send_error(conn, 413, "too_large", "the request body is too large");
    return handle(s, conn, url, method, st);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode why)
{
    server *s = cls;
    conn_state *st = *con_cls;
    (void)why;
    head_due(s, conn, true); /* a kept-alive connection's next request */
    if (!st)
        return;
    genu_buf_free(&st->body);
    genu_buf_free(&st->c.out);
    dscache_release(s->env.datasets, st->c.dataset);
    arena_put(s, st->c.arena);
    free(st);
    *con_cls = NULL;
    pthread_mutex_lock(&s->mu);
    s->active--;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

int server_parse_listen(const char *s, char *host, size_t hostlen, unsigned *port, bool *v6,
                        genu_err *err)
{
    const char *colon;
    size_t hn;
    *v6 = s[0] == '[';
    if (*v6) {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':')
            return GENU_FAIL(err, GENU_EINVAL, "--listen: expected [ADDR]:PORT, not \"%s\"", s);
        hn = (size_t)(close - s - 1);
        colon = close + 1;
        s++;
    } else {
        colon = strrchr(s, ':');
        if (!colon)
            return GENU_FAIL(err, GENU_EINVAL, "--listen: expected ADDR:PORT, not \"%s\"", s);
        hn = (size_t)(colon - s);
    }
    if (hn == 0 || hn >= hostlen)
        return GENU_FAIL(err, GENU_EINVAL, "--listen: missing or too long address");
    memcpy(host, s, hn);
    host[hn] = '\0';
    const char *p = colon + 1;
    unsigned long v = 0;
    if (!*p || strlen(p) > 5)
        return GENU_FAIL(err, GENU_EINVAL, "--listen: expected a port from 1 to 65535");
    for (; *p; p++) {
        if (*p < '0' || *p > '9')
            return GENU_FAIL(err, GENU_EINVAL, "--listen: expected a port from 1 to 65535");
        v = v * 10 + (unsigned long)(*p - '0');
    }
    if (v == 0 || v > 65535)
        return GENU_FAIL(err, GENU_EINVAL, "--listen: expected a port from 1 to 65535");
    *port = (unsigned)v;
    return GENU_OK;
}

static void free_server(server *s)
{
    if (s->sweeping) { /* a wake-up lost here costs at most SWEEP_MS */
        atomic_store(&s->hstop, true);
        pthread_cond_signal(&s->hcv);
        pthread_join(s->sweeper, NULL);
    }
    writer_destroy(s->env.writer);
    dscache_destroy(s->env.datasets);
    for (size_t i = 0; i < s->nstore; i++) {
        store_close(s->stores[i]);
        store_close(s->reads ? s->reads[i] : NULL);
    }
    ratelimit_destroy(s->env.signin);
    ratelimit_destroy(s->env.signin_addr);
    auth_gate_destroy(s->env.pwgate);
    genu_arena_destroy(s->rules_arena);
    tls_destroy(s->tls);
    for (size_t i = 0; i < s->narenas; i++)
        genu_arena_destroy(s->arenas[i]);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    pthread_mutex_destroy(&s->amu);
    pthread_cond_destroy(&s->hcv);
    pthread_mutex_destroy(&s->hmu);
    free(s->stores);
    free(s->reads);
    free(s->busy);
    free(s);
}

/* The options every daemon gets, HTTP or HTTPS. */
#define DAEMON_OPTIONS(s, cfg, sa, threads)                                                       \
    MHD_OPTION_SOCK_ADDR, sa, MHD_OPTION_THREAD_POOL_SIZE, threads,                               \
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024, MHD_OPTION_CONNECTION_LIMIT, 1000u, \
        MHD_OPTION_PER_IP_CONNECTION_LIMIT,                                                       \
        (cfg)->per_address ? (cfg)->per_address : SERVER_PER_ADDRESS,                             \
        MHD_OPTION_CONNECTION_TIMEOUT, (cfg)->timeout_s ? (cfg)->timeout_s : DEFAULT_TIMEOUT_S,   \
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_NOTIFY_CONNECTION,              \
        on_connection, s, MHD_OPTION_END

static struct MHD_Daemon *start_daemon(server *s, const server_config *cfg, unsigned flags,
                                       unsigned port, const struct sockaddr *sa,
                                       unsigned threads)
{
    if (s->tls)
        return MHD_start_daemon(flags | MHD_USE_TLS, (uint16_t)port, NULL, NULL, on_request, s,
                                MHD_OPTION_HTTPS_CERT_CALLBACK, &tls_retrieve,
                                DAEMON_OPTIONS(s, cfg, sa, threads));
    return MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request, s,
                            DAEMON_OPTIONS(s, cfg, sa, threads));
}

/* --trust-proxy and the TLS files into s. */
static int setup_edge(server *s, const server_config *cfg, genu_err *err)
{
    unsigned char bin[sizeof(struct in6_addr)];
    if (cfg->trust_proxy) {
        if (strlen(cfg->trust_proxy) >= sizeof s->trust_proxy ||
            (inet_pton(AF_INET, cfg->trust_proxy, bin) != 1 &&
             inet_pton(AF_INET6, cfg->trust_proxy, bin) != 1))
            return GENU_FAIL(err, GENU_EINVAL, "--trust-proxy: \"%s\" is not an IP address",
                             cfg->trust_proxy);
        snprintf(s->trust_proxy, sizeof s->trust_proxy, "%s", cfg->trust_proxy);
    }
    if (!cfg->tls_cert != !cfg->tls_key)
        return GENU_FAIL(err, GENU_EINVAL, "%s without %s",
                         cfg->tls_cert ? "--tls-cert" : "--tls-key",
                         cfg->tls_cert ? "--tls-key" : "--tls-cert");
    if (cfg->tls_cert && tls_create(cfg->tls_cert, cfg->tls_key, &s->tls, err))
        return err->code;
    return GENU_OK;
}

int server_reload_tls(server *s, genu_err *err)
{
    if (!s->tls)
        return GENU_FAIL(err, GENU_ENOTSUP, "not serving HTTPS: no certificate to reload");
    return tls_reload(s->tls, err);
}

/* A read-only handle on the replica for every worker slot. A replica that
 * cannot be reached now does not stop the server (writes do not need it):
 * its slots stay empty and api_handle opens them when it answers. One that
 * answers but is not a current genu registry (or a database that does not
 * exist) is a mistake in the configuration and does. The primary's
 * de-identification key is made first when it is missing (a researcher's
 * export reads it on the replica, which cannot make it). */
static int open_replica(server *s, const char *url, genu_err *err)
{
    unsigned char key[DEID_KEY_BYTES];
    if (deid_key(s->stores[0], key, err))
        return err->code;
    sodium_memzero(key, sizeof key);
    for (size_t i = 0; i < s->nstore; i++) {
        genu_err e = {0};
        if (store_open_read(url, &s->reads[i], &e) == GENU_OK)
            continue;
        if (e.code != GENU_EIO) {
            *err = e;
            genu_err_prefix(err, "--read-db: ");
            return err->code;
        }
        fprintf(stderr, "genu: serve: --read-db: %s; its reads answer 503 until it can be "
                        "reached\n", e.msg);
        break;
    }
    s->env.replica = url;
    return GENU_OK;
}

int server_start(const server_config *cfg, server **out, char *url, size_t urllen,
                 genu_err *err)
{
    char host[64];
    unsigned port;
    bool v6;
    struct sockaddr_in sa4 = {0};
    struct sockaddr_in6 sa6 = {0};
    if (server_parse_listen(cfg->listen, host, sizeof host, &port, &v6, err))
        return err->code;
    if (v6) {
        sa6.sin6_family = AF_INET6;
        sa6.sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host, &sa6.sin6_addr) != 1)
            return GENU_FAIL(err, GENU_EINVAL, "--listen: \"%s\" is not an IPv6 address", host);
    } else {
        sa4.sin_family = AF_INET;
        sa4.sin_port = htons((uint16_t)port);
        if (inet_pton(AF_INET, host, &sa4.sin_addr) != 1)
            return GENU_FAIL(err, GENU_EINVAL, "--listen: \"%s\" is not an IPv4 address", host);
    }
    if (cfg->read_db && !store_url_is_pg(cfg->read_db))
        return GENU_FAIL(err, GENU_EINVAL,
                         "--read-db: expected the postgresql:// URL of a PostgreSQL standby, "
                         "not \"%s\"",
                         cfg->read_db);
    if (auth_init(err))
        return err->code;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = cfg->threads ? cfg->threads
                                    : SERVER_THREADS_PER_CORE * (unsigned)(cores > 0 ? cores : 1);
    server *s = calloc(1, sizeof *s);
    if (!s)
        return GENU_OOM(err);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    pthread_mutex_init(&s->amu, NULL);
    pthread_mutex_init(&s->hmu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->hcv, &ca);
    pthread_condattr_destroy(&ca);
    s->header_us = (int64_t)(cfg->header_timeout_s ? cfg->header_timeout_s
                                                   : DEFAULT_HEADER_TIMEOUT_S) *
                   1000000;
    s->body_limit = cfg->body_limit ? cfg->body_limit : DEFAULT_BODY_LIMIT;
    if (setup_edge(s, cfg, err)) {
        free_server(s);
        return err->code;
    }
    s->stores = calloc(threads, sizeof *s->stores);
    s->busy = calloc(threads, sizeof *s->busy);
    s->reads = cfg->read_db ? calloc(threads, sizeof *s->reads) : NULL;
    s->env.signin = ratelimit_create(5, (int64_t)15 * 60 * 1000000, 4096);
    s->env.signin_addr = ratelimit_create(20, (int64_t)15 * 60 * 1000000, 4096);
    s->env.datasets = dscache_create();
    s->env.pwgate = auth_gate_create(AUTH_VERIFY_AT_ONCE);
    if (!s->stores || !s->busy || (cfg->read_db && !s->reads) || !s->env.signin ||
        !s->env.signin_addr || !s->env.datasets || !s->env.pwgate) {
        free_server(s);
        return GENU_OOM(err);
    }
    for (; s->nstore < threads; s->nstore++)
        if (store_open(cfg->db, false, &s->stores[s->nstore], err) ||
            store_cache_limit(s->stores[s->nstore], WORKER_PAGE_CACHE, err)) {
            s->nstore += s->stores[s->nstore] != NULL;
            free_server(s);
            return err->code;
        }
    if (cfg->read_db && open_replica(s, cfg->read_db, err)) {
        free_server(s);
        return err->code;
    }
    if (auth_password_hash("genu: no such user, constant time", s->dummy, err)) {
        free_server(s);
        return err->code;
    }
    s->env.dummy_hash = s->dummy;
    if (!(s->rules_arena = genu_arena_create())) {
        free_server(s);
        return GENU_OOM(err);
    }
    if (cfg->rules ? rules_load(cfg->rules, s->rules_arena, &s->rules, err)
                   : rules_load_default(s->rules_arena, &s->rules, err)) {
        free_server(s);
        return err->code;
    }
    if (writer_create(cfg->db, 0, &s->env.writer, err)) {
        free_server(s);
        return err->code;
    }
    s->env.rules = &s->rules;
    s->env.write_later = true;
    s->env.secure_cookies = cfg->secure_cookies || s->tls;
    s->env.session_us = SESSION_US;
    s->env.idle_us = (int64_t)cfg->idle_s * 1000000;
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME |
                     (v6 ? MHD_USE_IPv6 : 0);
    const struct sockaddr *sa = v6 ? (const struct sockaddr *)(const void *)&sa6
                                   : (const struct sockaddr *)(const void *)&sa4;
    if (pthread_create(&s->sweeper, NULL, sweep, s) != 0) {
        free_server(s);
        return GENU_FAIL(err, GENU_ENOMEM, "cannot start the header-deadline thread");
    }
    s->sweeping = true;
    s->d = start_daemon(s, cfg, flags, port, sa, threads);
    if (!s->d) {
        free_server(s);
        return GENU_FAIL(err, GENU_EIO, "cannot listen on %s (in use, or not an address here)",
                         cfg->listen);
    }
    snprintf(url, urllen, v6 ? "%s://[%s]:%u/" : "%s://%s:%u/", s->tls ? "https" : "http", host,
             port);
    *out = s;
    return GENU_OK;
}

void server_stats(server *s, size_t *writes, size_t *commits)
{
    writer_stats(s->env.writer, writes, commits);
}

void server_stop(server *s, unsigned drain_ms)
{
    if (!s)
        return;
    MHD_socket ls = MHD_quiesce_daemon(s->d);
    if (ls != MHD_INVALID_SOCKET)
        close(ls);
    struct timespec until = clock_after(CLOCK_REALTIME, drain_ms);
    pthread_mutex_lock(&s->mu);
    while (s->active > 0)
        if (pthread_cond_timedwait(&s->cv, &s->mu, &until) != 0)
            break;
    /* a write queued is always answered; the daemon must outlive that */
    while (s->suspended > 0)
        pthread_cond_wait(&s->cv, &s->mu);
    pthread_mutex_unlock(&s->mu);
    MHD_stop_daemon(s->d);
    free_server(s);
}
