/* bench_server: the server figures (docs/design.md, Performance;
 * docs/benchmarks.md "Server") on loopback.
 *
 *  (a) durable survey submissions per second: a fresh registry with one
 *      patient and one real survey link per submission (made through the
 *      store API before the server starts), `genu serve` started on it, and
 *      many keep-alive connections (one client thread each) posting answers;
 *      a submission counts when it was answered 200, which the server sends
 *      only after the commit that holds it;
 *  (b) a read endpoint (GET /api/v1/instruments with a session) against a
 *      bare libmicrohttpd daemon in this process answering the same bytes,
 *      the same client, in the same run.
 *
 * usage: bench_server GENU WORKDIR [SECONDS]    (default 5 s per phase)
 * env:   BENCH_LINKS (200000) links made, BENCH_CONNS (64) write connections,
 *        BENCH_READ_CONNS (8) read connections, BENCH_THREADS (genu's default)
 *        genu serve --threads */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "core/arena.h"
#include "http/auth.h"
#include "io/record_json.h"
#include "store/store.h"

#define TOKEN_LEN (AUTH_TOKEN_LEN - 1)

typedef struct phase {
    unsigned port;
    const char *request; /* a fixed request, or NULL for the survey posts */
    const char *tokens;  /* nlinks tokens of TOKEN_LEN bytes */
    size_t nlinks;
    atomic_size_t next;
    atomic_size_t ok, bad;
    double until;
} phase;

static void die(const char *what, const genu_err *err)
{
    fprintf(stderr, "bench_server: %s: %s\n", what, err ? err->msg : strerror(errno));
    exit(1);
}

static int dial(unsigned port)
{
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    if (fd < 0)
        return -1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (const struct sockaddr *)(const void *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Reads one response; returns its status, or -1 when the connection broke. */
static int read_response(int fd, char *buf, size_t cap)
{
    size_t have = 0;
    char *end = NULL;
    while (!end) {
        if (have + 1 >= cap)
            return -1;
        ssize_t r = recv(fd, buf + have, cap - 1 - have, 0);
        if (r <= 0)
            return -1;
        have += (size_t)r;
        buf[have] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    int status = atoi(buf + 9);
    size_t body = 0;
    for (const char *h = buf; h && h < end; h = strstr(h + 1, "\r\n"))
        if (strncasecmp(h, "\r\ncontent-length:", 17) == 0)
            body = strtoul(h + 17, NULL, 10);
    size_t got = have - (size_t)(end + 4 - buf);
    while (got < body) {
        ssize_t r = recv(fd, buf, cap - 1 < body - got ? cap - 1 : body - got, 0);
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return status;
}

static void *client(void *arg)
{
    phase *p = arg;
    char req[512], *buf = malloc(1 << 20);
    int fd = dial(p->port);
    if (fd < 0 || !buf) {
        free(buf);
        return NULL;
    }
    while (bench_now() < p->until) {
        const char *r = p->request;
        size_t n;
        if (!r) {
            size_t i = atomic_fetch_add(&p->next, 1);
            if (i >= p->nlinks)
                break;
            static const char body[] = "nprs.intensity=3";
            n = (size_t)snprintf(req, sizeof req,
                                 "POST /s/%.*s HTTP/1.1\r\nHost: bench\r\nContent-Type: "
                                 "application/x-www-form-urlencoded\r\nContent-Length: %zu\r\n\r\n%s",
                                 TOKEN_LEN, p->tokens + i * TOKEN_LEN, sizeof body - 1, body);
            r = req;
        } else {
            n = strlen(r);
        }
        int st = send_all(fd, r, n) ? -1 : read_response(fd, buf, 1 << 20);
        if (st == 200) {
            atomic_fetch_add(&p->ok, 1);
            continue;
        }
        atomic_fetch_add(&p->bad, 1);
        if (st < 0) { /* reconnect */
            close(fd);
            if ((fd = dial(p->port)) < 0)
                break;
        }
    }
    if (fd >= 0)
        close(fd);
    free(buf);
    return NULL;
}

/* Runs conns clients until the phase ends; returns answers 200 per second. */
static double run_phase(phase *p, size_t conns, double seconds)
{
    pthread_t *t = calloc(conns, sizeof *t);
    double t0 = bench_now();
    p->until = t0 + seconds;
    for (size_t i = 0; i < conns; i++)
        pthread_create(&t[i], NULL, client, p);
    for (size_t i = 0; i < conns; i++)
        pthread_join(t[i], NULL);
    double dt = bench_now() - t0;
    free(t);
    return (double)atomic_load(&p->ok) / dt;
}

static unsigned free_port(void)
{
    struct sockaddr_in sa = {0};
    socklen_t len = sizeof sa;
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    bind(fd, (struct sockaddr *)(void *)&sa, sizeof sa);
    getsockname(fd, (struct sockaddr *)(void *)&sa, &len);
    close(fd);
    return ntohs(sa.sin_port);
}

/* A registry with one patient and one link per submission, an admin and a
 * session whose token is *session. */
static char *make_registry(const char *db, size_t nlinks, char session[AUTH_TOKEN_LEN])
{
    genu_err err = {0};
    genu_store *s;
    genu_arena *a = genu_arena_create();
    char *tokens = malloc(nlinks * TOKEN_LEN);
    if (!a || !tokens || auth_init(&err))
        die("setup", &err);
    if (store_open(db, true, &s, &err))
        die("store_open", &err);
    store_user u = {0, "bench", "admin", "", NULL, false};
    char pw[AUTH_HASH_LEN], th[AUTH_HEX_LEN];
    int64_t uid;
    if (auth_password_hash("bench-password", pw, &err))
        die("password", &err);
    u.pwhash = pw;
    auth_token_new(session);
    auth_sha256_hex(session, th);
    if (store_user_put(s, &u, &uid, &err) ||
        store_session_put(s, th, uid, "csrf", (int64_t)time(NULL) * 1000000 + 86400000000LL,
                          (int64_t)time(NULL) * 1000000 + 86400000000LL, &err))
        die("user", &err);
    if (store_begin(s, &err))
        die("begin", &err);
    for (size_t i = 0; i < nlinks; i++) {
        char line[160], id[32], tok[AUTH_TOKEN_LEN];
        genu_record r;
        store_put_result res;
        snprintf(id, sizeof id, "B%07zu", i);
        int n = snprintf(line, sizeof line,
                         "{\"type\":\"patient\",\"id\":\"%s\",\"site\":\"bench\",\"sex\":\"female\","
                         "\"birth_year\":1960}",
                         id);
        if (record_json_parse(line, (size_t)n, a, &r, &err) || store_put(s, &r, &res, &err))
            die("patient", &err);
        auth_token_new(tok);
        memcpy(tokens + i * TOKEN_LEN, tok, TOKEN_LEN);
        auth_sha256_hex(tok, th);
        store_survey v = {th, id, GENU_KNEE_LEFT, "nprs", "3m", 0, INT64_MAX / 2, 0, uid};
        v.created_us = (int64_t)time(NULL) * 1000000;
        if (store_survey_put(s, &v, &err))
            die("link", &err);
        if (i % 4096 == 4095)
            genu_arena_reset(a);
    }
    if (store_commit(s, &err))
        die("commit", &err);
    store_close(s);
    genu_arena_destroy(a);
    return tokens;
}

static pid_t start_server(const char *genu, const char *db, unsigned port)
{
    char listen[64];
    snprintf(listen, sizeof listen, "127.0.0.1:%u", port);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout))
            _exit(127);
        const char *threads = getenv("BENCH_THREADS");
        if (threads && *threads)
            execl(genu, genu, "--db", db, "serve", "--listen", listen, "--threads", threads,
                  (char *)NULL);
        else
            execl(genu, genu, "--db", db, "serve", "--listen", listen, (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 200; i++) {
        int fd = dial(port);
        if (fd >= 0) {
            close(fd);
            return pid;
        }
        nanosleep(&(struct timespec){0, 50000000}, NULL);
    }
    fprintf(stderr, "bench_server: genu serve did not start\n");
    kill(pid, SIGKILL);
    exit(1);
}

typedef struct bare {
    const char *body;
    size_t len;
} bare;

static enum MHD_Result bare_reply(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *up,
                                  size_t *upsize, void **state)
{
    const bare *b = cls;
    (void)url, (void)method, (void)version, (void)up, (void)upsize, (void)state;
    struct MHD_Response *r =
        MHD_create_response_from_buffer(b->len, (void *)b->body, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    enum MHD_Result ret = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ret;
}

/* The body of one GET, into a malloc'd string. */
static char *fetch_body(unsigned port, const char *req, size_t *len)
{
    char *buf = malloc(1 << 20);
    int fd = dial(port);
    size_t have = 0;
    if (fd < 0 || !buf || send_all(fd, req, strlen(req)))
        die("fetch", NULL);
    shutdown(fd, SHUT_WR);
    for (ssize_t r; (r = recv(fd, buf + have, (1 << 20) - 1 - have, 0)) > 0;)
        have += (size_t)r;
    close(fd);
    buf[have] = '\0';
    char *body = strstr(buf, "\r\n\r\n");
    if (!body)
        die("fetch: no response", NULL);
    *len = have - (size_t)(body + 4 - buf);
    memmove(buf, body + 4, *len + 1);
    return buf;
}

static size_t env_size(const char *name, size_t def)
{
    const char *v = getenv(name);
    return v && *v ? strtoul(v, NULL, 10) : def;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_server GENU WORKDIR [SECONDS]\n");
        return 2;
    }
    double secs = argc > 3 ? atof(argv[3]) : 5;
    size_t nlinks = env_size("BENCH_LINKS", 200000), conns = env_size("BENCH_CONNS", 64),
           rconns = env_size("BENCH_READ_CONNS", 8);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    char db[4096], session[AUTH_TOKEN_LEN];
    snprintf(db, sizeof db, "%s/bench-server.db", argv[2]);
    for (const char *sfx = ""; sfx; sfx = *sfx ? (sfx[1] == 'w' ? "-shm" : NULL) : "-wal") {
        char p[4200];
        snprintf(p, sizeof p, "%s%s", db, sfx);
        unlink(p);
    }
    double t0 = bench_now();
    char *tokens = make_registry(db, nlinks, session);
    printf("registry: %zu patients with a survey link each, made in %.1f s\n", nlinks,
           bench_now() - t0);
    unsigned port = free_port();
    pid_t pid = start_server(argv[1], db, port);

    phase w = {.port = port, .tokens = tokens, .nlinks = nlinks};
    double wrate = run_phase(&w, conns, secs);
    printf("(a) durable survey submissions: %.0f/s (%zu answered 200, %zu not) over %zu "
           "connections, %ld cores; target >= 20000/s\n",
           wrate, atomic_load(&w.ok), atomic_load(&w.bad), conns, cores);

    char req[512];
    snprintf(req, sizeof req,
             "GET /api/v1/instruments HTTP/1.1\r\nHost: bench\r\nCookie: genu_session=%s\r\n\r\n",
             session);
    size_t blen;
    char *body = fetch_body(port, req, &blen);
    phase rg = {.port = port, .request = req};
    double grate = run_phase(&rg, rconns, secs);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);

    bare b = {body, blen};
    unsigned bport = free_port();
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_EPOLL_INTERNAL_THREAD, (uint16_t)bport, NULL, NULL, bare_reply, &b,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(cores > 0 ? cores : 1), MHD_OPTION_END);
    if (!d)
        die("bare libmicrohttpd", NULL);
    phase rb = {.port = bport, .request = req};
    double brate = run_phase(&rb, rconns, secs);
    MHD_stop_daemon(d);
    printf("(b) GET /api/v1/instruments (%zu bytes): genu %.0f/s (%zu not 200), bare "
           "libmicrohttpd %.0f/s; ratio %.2f, target >= 0.50\n",
           blen, grate, atomic_load(&rg.bad), brate, brate > 0 ? grate / brate : 0.0);
    free(body);
    free(tokens);
    return 0;
}
