/* cmd_serve: `genu serve` runs the HTTP server (JSON API, survey links)
 * until SIGTERM or SIGINT, then stops accepting, lets requests in flight
 * finish and exits 0; SIGHUP reloads the TLS certificate. The signals are
 * blocked before any worker starts and taken synchronously with sigwait,
 * so no handler runs on a worker. The configuration file's serve keys
 * (io/config.h) are the defaults the flags override. */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "followup/mail.h"
#include "followup/runner.h"
#include "http/route.h"
#include "http/server.h"
#include "io/config.h"

static const char usage[] =
    "usage: genu [--db PATH] serve [--listen ADDR:PORT] [--threads N] [--secure-cookies]\n"
    "                        [--rules FILE] [--timeout SECONDS] [--header-timeout SECONDS]\n"
    "                        [--followup-interval S]\n"
    "                        [--max-per-address N] [--idle-timeout SECONDS]\n"
    "                        [--tls-cert FILE --tls-key FILE] [--trust-proxy ADDR]\n"
    "                        [--read-db URL] [--routes]\n\n"
    "Serves the JSON API under /api/v1 and the patients' survey links (docs/api.md).\n"
    "  --listen ADDR:PORT  address to listen on (default 127.0.0.1:8080; [::1]:8080)\n"
    "  --threads N         worker threads (default: 4 per core; a survey waits for its\n"
    "                      group commit without holding one)\n"
    "  --rules FILE        the site's advice rules (docs/advice.md; default: genu's own)\n"
    "  --timeout SECONDS   close a connection idle or stalled this long (default 30)\n"
    "  --header-timeout SECONDS\n"
    "                      close a connection whose request line and headers are not\n"
    "                      all in this long after it opened, or after the previous\n"
    "                      answer on it (default 30)\n"
    "  --idle-timeout SECONDS  a session unused this long ends (default 1800)\n"
    "  --max-per-address N connections one client address may hold (default 64;\n"
    "                      raise it behind a reverse proxy, which is one address)\n"
    "  --followup-interval SECONDS\n"
    "                      run genu followup send this often while smtp.url or\n"
    "                      followup.sms_command is set (default 3600; 0: never)\n"
    "  --secure-cookies    mark the session cookie Secure (serve behind TLS)\n"
    "  --tls-cert FILE     serve HTTPS with this PEM certificate (chain) ...\n"
    "  --tls-key FILE      ... and this PEM private key; the session cookie is then\n"
    "                      Secure and responses carry Strict-Transport-Security\n"
    "  --trust-proxy ADDR  a reverse proxy at ADDR: its requests come from the last\n"
    "                      address of its X-Forwarded-For header (rate limits, audit)\n"
    "  --read-db URL       a PostgreSQL hot standby of the registry (postgresql://...;\n"
    "                      else $GENU_READ_DB): analyses, exports and reads of patients\n"
    "                      and records are served from it, writes go to --db; a read\n"
    "                      may lag a write by the replication delay (docs/scaling.md)\n"
    "  --routes            print the routes and exit\n"
    "SIGTERM or SIGINT stops the server gracefully (exit 0); SIGHUP reloads the\n"
    "certificate and key (a renewed certificate; on error the old one stays).\n"
    "The configuration file (genu --help) gives defaults: listen, threads, timeout,\n"
    "header_timeout, idle_timeout, max_per_address, followup_interval, rules, tls_cert,\n"
    "tls_key, secure_cookies, trust_proxy, read_db.\n";

static int print_routes(void)
{
    for (size_t i = 0; i < route_count(); i++)
        printf("%s %s\n", route_at(i)->method, route_at(i)->pattern);
    return CLI_OK;
}

static int parse_count(const char *opt, const char *v, unsigned long max, unsigned *out)
{
    char *end;
    unsigned long n = strtoul(v, &end, 10);
    if (!*v || *end || n < 1 || n > max || v[0] == '-') {
        cli_error("%s: expected a number from 1 to %lu, not \"%s\"", opt, max, v);
        return CLI_EUSAGE;
    }
    *out = (unsigned)n;
    return CLI_OK;
}

/* The configuration file's serve keys as defaults (checked by config_parse). */
static void from_config(const config *c, server_config *cfg, unsigned *followup_s)
{
    if (c->value[CONFIG_LISTEN])
        cfg->listen = c->value[CONFIG_LISTEN];
    cfg->threads = config_count(c, CONFIG_THREADS);
    cfg->timeout_s = config_count(c, CONFIG_TIMEOUT);
    cfg->header_timeout_s = config_count(c, CONFIG_HEADER_TIMEOUT);
    cfg->idle_s = config_count(c, CONFIG_IDLE_TIMEOUT);
    cfg->per_address = config_count(c, CONFIG_MAX_PER_ADDRESS);
    if (c->value[CONFIG_FOLLOWUP_INTERVAL])
        *followup_s = config_count(c, CONFIG_FOLLOWUP_INTERVAL);
    cfg->rules = c->value[CONFIG_RULES];
    cfg->tls_cert = c->value[CONFIG_TLS_CERT];
    cfg->tls_key = c->value[CONFIG_TLS_KEY];
    cfg->trust_proxy = c->value[CONFIG_TRUST_PROXY];
    const char *rd = getenv("GENU_READ_DB");
    cfg->read_db = rd && *rd ? rd : c->value[CONFIG_READ_DB];
    const char *sc = c->value[CONFIG_SECURE_COOKIES];
    cfg->secure_cookies = sc && strcmp(sc, "yes") == 0;
}

static void reload(server *s)
{
    genu_err err = {0};
    if (server_reload_tls(s, &err) == GENU_ENOTSUP)
        fprintf(stderr, "genu: SIGHUP: %s\n", err.msg);
    else if (err.code)
        fprintf(stderr, "genu: SIGHUP: %s (the certificate in force stays)\n", err.msg);
    else
        fprintf(stderr, "genu: SIGHUP: reloaded the certificate and key\n");
}

int cmd_serve(int argc, char **argv, const cli_env *env)
{
    if (cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    server_config cfg = {.db = env->db, .listen = "127.0.0.1:8080"};
    unsigned followup_s = 3600;
    from_config(env->conf, &cfg, &followup_s);
    for (int i = 1; i < argc;) {
        const char *v;
        int r = cli_opt(argc, argv, &i, "--listen", &v);
        if (r > 0) {
            cfg.listen = v;
            continue;
        }
        if (!r && (r = cli_opt(argc, argv, &i, "--threads", &v)) > 0) {
            if (parse_count("--threads", v, 256, &cfg.threads))
                return CLI_EUSAGE;
            continue;
        }
        if (!r && (r = cli_opt(argc, argv, &i, "--timeout", &v)) > 0) {
            if (parse_count("--timeout", v, 3600, &cfg.timeout_s))
                return CLI_EUSAGE;
            continue;
        }
        if (!r && (r = cli_opt(argc, argv, &i, "--header-timeout", &v)) > 0) {
            if (parse_count("--header-timeout", v, 3600, &cfg.header_timeout_s))
                return CLI_EUSAGE;
            continue;
        }
        if (!r && (r = cli_opt(argc, argv, &i, "--idle-timeout", &v)) > 0) {
            if (parse_count("--idle-timeout", v, 43200, &cfg.idle_s))
                return CLI_EUSAGE;
            continue;
        }
        if (!r && (r = cli_opt(argc, argv, &i, "--max-per-address", &v)) > 0) {
            if (parse_count("--max-per-address", v, 100000, &cfg.per_address))
                return CLI_EUSAGE;
            continue;
        }
        if (!r && (r = cli_opt(argc, argv, &i, "--followup-interval", &v)) > 0) {
            if (strcmp(v, "0") == 0)
                followup_s = 0;
            else if (parse_count("--followup-interval", v, 86400, &followup_s))
                return CLI_EUSAGE;
            continue;
        }
        if (!r && (r = cli_opt(argc, argv, &i, "--rules", &v)) > 0) {
            cfg.rules = v;
            continue;
        }
        if (!r && (r = cli_opt(argc, argv, &i, "--tls-cert", &v)) > 0) {
            cfg.tls_cert = v;
            continue;
        }
        if (!r && (r = cli_opt(argc, argv, &i, "--tls-key", &v)) > 0) {
            cfg.tls_key = v;
            continue;
        }
        if (!r && (r = cli_opt(argc, argv, &i, "--trust-proxy", &v)) > 0) {
            cfg.trust_proxy = v;
            continue;
        }
        if (!r && (r = cli_opt(argc, argv, &i, "--read-db", &v)) > 0) {
            cfg.read_db = v;
            continue;
        }
        if (r < 0)
            return CLI_EUSAGE;
        if (strcmp(argv[i], "--secure-cookies") == 0) {
            cfg.secure_cookies = true;
            i++;
        } else if (strcmp(argv[i], "--routes") == 0) {
            return print_routes();
        } else {
            cli_error("serve: unknown argument %s (see genu serve --help)", argv[i]);
            return CLI_EUSAGE;
        }
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    signal(SIGPIPE, SIG_IGN);
    if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0) {
        cli_error("serve: cannot block signals");
        return CLI_EFAIL;
    }
    genu_err err = {0};
    server *s;
    char url[128];
    if (mail_global_init(&err)) /* before any thread */
        return cli_fail(&err);
    if (server_start(&cfg, &s, url, sizeof url, &err))
        return err.code == GENU_EINVAL ? (cli_error("%s", err.msg), CLI_EUSAGE) : cli_fail(&err);
    followup_runner *fr = NULL;
    if (followup_s && (followup_runner_start(env->db, followup_s < 60 ? followup_s : 60,
                                             followup_s, &fr, &err))) {
        server_stop(s, 0);
        return cli_fail(&err);
    }
    printf("genu: serving %s on %s (Ctrl-C to stop)\n", env->db, url);
    if (cfg.read_db)
        printf("genu: analyses, exports and reads of patients and records come from the "
               "read replica (--read-db)\n");
    fflush(stdout);
    int sig = 0;
    while (sigwait(&set, &sig) == 0 && sig == SIGHUP)
        reload(s);
    fprintf(stderr, "genu: %s: stopping after the requests in flight\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    followup_runner_stop(fr);
    size_t writes, commits;
    server_stats(s, &writes, &commits);
    server_stop(s, 10000);
    fprintf(stderr, "genu: stopped; %zu durable writes had been committed in %zu commits\n",
            writes, commits);
    return CLI_OK;
}
