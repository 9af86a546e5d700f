/* server: genu's HTTP server on libmicrohttpd: an epoll thread pool, one
 * store handle per worker (a guarded pool), durable writes through one
 * group-commit writer (writer.h), bounded per-connection memory, request
 * bodies and idle time, a deadline for each request's headers (so slow
 * clients cannot hold connections), and a graceful stop that stops accepting, lets
 * requests in flight finish, then closes. */
#ifndef GENU_HTTP_SERVER_H
#define GENU_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

typedef struct server_config {
    const char *db;        /* registry url (store_open) */
    const char *listen;    /* "127.0.0.1:8080", "[::1]:8080" */
    unsigned threads;      /* worker threads; 0 = SERVER_THREADS_PER_CORE a core */
    bool secure_cookies;   /* add Secure to the session cookie (behind TLS) */
    size_t body_limit;     /* bytes; 0 = 1 MiB. Larger bodies get 413 */
    unsigned timeout_s;    /* a connection idle this long is closed; 0 = 30 s */
    /* A request's line and headers must be complete this long after the
     * connection opened (TLS handshake included) or after the previous
     * response on a kept-alive connection, else the connection is closed
     * without an answer; 0 = 30 s. */
    unsigned header_timeout_s;
    const char *rules;     /* advice rules file; NULL = the default rules */
    unsigned per_address;  /* connections one client address may hold; 0 = SERVER_PER_ADDRESS */
    unsigned idle_s;       /* a session unused this long ends; 0 = 30 minutes */
    /* HTTPS: both set, or neither (plain HTTP). Under TLS the session
     * cookie is Secure and every response carries Strict-Transport-Security. */
    const char *tls_cert;  /* PEM certificate chain file */
    const char *tls_key;   /* PEM private key file */
    /* A reverse proxy's address ("127.0.0.1"): a request from it is taken
     * to come from the last address in its X-Forwarded-For header (the one
     * the proxy added); NULL = the socket's peer is the client. */
    const char *trust_proxy;
    /* A PostgreSQL hot standby of db (postgresql://...): analyses, exports
     * and GET reads of patients and records (ROUTE_REPLICA) are read there,
     * each worker with a read-only handle of its own; everything else goes
     * to db. NULL = everything from db. */
    const char *read_db;
} server_config;

/* Connections one client address may hold at once: a browser opens about
 * six; a thousand slow sockets from one address must not starve the
 * others. A reverse proxy is one address: raise it there (--max-per-address). */
#define SERVER_PER_ADDRESS 64

/* Workers per core when cfg->threads is 0. A survey submission does not
 * hold its worker while it waits for its group commit (the connection is
 * suspended), so the batches grow with the clients, not with the workers;
 * a record write (PUT, POST, DELETE) still holds its worker until then, so
 * a few more workers than cores. */
#define SERVER_THREADS_PER_CORE 4

typedef struct server server;

/* Opens the registry (it must exist) and the read replica (when
 * cfg->read_db; its errors start with "--read-db: "; a replica that cannot
 * be reached is logged and opened later, when it answers), binds and starts
 * serving. *url gets "http://ADDR:PORT/" (https:// under TLS). GENU_EINVAL
 * for a bad listen address, a bad --trust-proxy address, unusable TLS
 * files or a read_db that is not PostgreSQL, GENU_EIO when the port cannot
 * be bound, store errors as they come. */
int server_start(const server_config *cfg, server **out, char *url, size_t urllen,
                 genu_err *err);

/* Reads the TLS certificate and key files again (a renewed certificate):
 * new handshakes use them. On error (GENU_EINVAL naming the file) the
 * certificate in force stays. GENU_ENOTSUP when the server is not HTTPS. */
int server_reload_tls(server *s, genu_err *err);

/* Durable writes committed and commits made since the start (their ratio is
 * the mean group-commit batch). */
void server_stats(server *s, size_t *writes, size_t *commits);

/* Stops accepting, waits up to drain_ms for requests in flight, stops the
 * workers and frees everything. NULL is a no-op. */
void server_stop(server *s, unsigned drain_ms);

/* Parses "ADDR:PORT" or "[ADDR6]:PORT" into host (no brackets) and port.
 * GENU_EINVAL naming the problem. */
int server_parse_listen(const char *s, char *host, size_t hostlen, unsigned *port, bool *v6,
                        genu_err *err);

#endif
