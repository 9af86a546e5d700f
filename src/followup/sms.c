/* sms: runs the clinic's SMS command for one message with posix_spawn (no
 * shell, so nothing in a number or a text is ever interpreted), waits for it
 * with a deadline and keeps the start of its stderr for the registry. */
#include "followup/sms.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ; /* POSIX: the application declares it */

#define POLL_MS 20 /* how often a quiet child is checked for exit */

int sms_number(const char *number, char out[SMS_DIGITS_MAX + 2], genu_err *err)
{
    char buf[SMS_DIGITS_MAX + 2];
    size_t n = 0, digits = 0;
    if (!number)
        return GENU_FAIL(err, GENU_EINVAL, "number: missing");
    for (const char *p = number; *p; p++) {
        if (*p == ' ' || *p == '-')
            continue;
        if (*p == '+' && n == 0) {
            buf[n++] = '+';
            continue;
        }
        if (*p < '0' || *p > '9')
            return GENU_FAIL(err, GENU_EINVAL,
                             "number \"%.40s\": only digits, a leading +, spaces and dashes "
                             "are allowed",
                             number);
        if (++digits > SMS_DIGITS_MAX)
            return GENU_FAIL(err, GENU_EINVAL, "number \"%.40s\": more than %d digits", number,
                             SMS_DIGITS_MAX);
        buf[n++] = *p;
    }
    if (digits < SMS_DIGITS_MIN)
        return GENU_FAIL(err, GENU_EINVAL, "number \"%.40s\": fewer than %d digits", number,
                         SMS_DIGITS_MIN);
    buf[n] = '\0';
    memcpy(out, buf, n + 1);
    return GENU_OK;
}

/* What a run needs, freed by done(). */
typedef struct run {
    char *words; /* the command, cut into words in place */
    char *argv[SMS_ARGS_MAX + 3];
    char **envp;
    int rfd, wfd; /* stderr pipe */
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    bool fa_ok, attr_ok;
} run;

static void done(run *r)
{
    free(r->words);
    free(r->envp);
    if (r->rfd >= 0)
        close(r->rfd);
    if (r->wfd >= 0)
        close(r->wfd);
    if (r->fa_ok)
        posix_spawn_file_actions_destroy(&r->fa);
    if (r->attr_ok)
        posix_spawnattr_destroy(&r->attr);
}

/* argv: the command's words, then number and text. */
static int split_command(run *r, const char *command, char *number, const char *text, genu_err *err)
{
    if (!command)
        return GENU_FAIL(err, GENU_EINVAL, "sms command: not configured");
    if (!(r->words = strdup(command)))
        return GENU_OOM(err);
    size_t n = 0;
    for (char *p = r->words; *p;) {
        while (*p == ' ' || *p == '\t')
            *p++ = '\0';
        if (!*p)
            break;
        if (n == SMS_ARGS_MAX)
            return GENU_FAIL(err, GENU_EINVAL, "sms command \"%.60s\": more than %d words", command,
                             SMS_ARGS_MAX);
        r->argv[n++] = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
    }
    if (!n)
        return GENU_FAIL(err, GENU_EINVAL, "sms command: empty");
    r->argv[n++] = number;
    r->argv[n++] = (char *)text;
    r->argv[n] = NULL;
    return GENU_OK;
}

/* Whether an environment entry holds a secret of genu's: the SMTP
 * password and the database password (PGPASSWORD, which the configuration
 * file's db_password_file sets). */
static bool secret_entry(const char *e)
{
    static const char *const hidden[] = {"GENU_SMTP_PASSWORD=", "PGPASSWORD="};
    for (size_t i = 0; i < sizeof hidden / sizeof hidden[0]; i++)
        if (strncmp(e, hidden[i], strlen(hidden[i])) == 0)
            return true;
    return false;
}

/* The environment without genu's secrets, which the SMS gateway has no
 * business with. */
static int child_env(run *r, genu_err *err)
{
    size_t n = 0;
    while (environ && environ[n])
        n++;
    if (!(r->envp = malloc((n + 1) * sizeof *r->envp)))
        return GENU_OOM(err);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!secret_entry(environ[i]))
            r->envp[k++] = environ[i];
    r->envp[k] = NULL;
    return GENU_OK;
}

/* Moves fd above stderr (a process started without 0-2 gets them from
 * pipe()), close-on-exec. */
static int above_stderr(int *fd)
{
    int flags = fcntl(*fd, F_GETFD);
    if (*fd > 2)
        return flags < 0 ? -1 : fcntl(*fd, F_SETFD, flags | FD_CLOEXEC);
    int moved = fcntl(*fd, F_DUPFD_CLOEXEC, 3);
    close(*fd);
    *fd = moved;
    return moved < 0 ? -1 : 0;
}

/* Closes in the child every descriptor this process would let it inherit
 * (other threads may open descriptors without O_CLOEXEC, and libraries do).
 * /proc/self/fd where there is one, else every number below OPEN_MAX. */
static int close_inherited(run *r)
{
    DIR *d = opendir("/proc/self/fd");
    if (d) {
        int self = dirfd(d);
        for (struct dirent *e; (e = readdir(d));) {
            char *end;
            long fd = strtol(e->d_name, &end, 10);
            if (*end || end == e->d_name || fd <= 2 || fd == self)
                continue;
            int flags = fcntl((int)fd, F_GETFD);
            if (flags >= 0 && !(flags & FD_CLOEXEC) &&
                posix_spawn_file_actions_addclose(&r->fa, (int)fd) != 0) {
                closedir(d);
                return -1;
            }
        }
        closedir(d);
        return 0;
    }
    long max = sysconf(_SC_OPEN_MAX);
    for (long fd = 3; fd < (max > 0 && max < INT32_MAX ? max : 1024); fd++) {
        int flags = fcntl((int)fd, F_GETFD);
        if (flags >= 0 && !(flags & FD_CLOEXEC) &&
            posix_spawn_file_actions_addclose(&r->fa, (int)fd) != 0)
            return -1;
    }
    return 0;
}

/* stdin and stdout on /dev/null, stderr into the pipe, nothing else
 * inherited; a process group of its own (so a timeout kills what it
 * started too), default signal handling and no blocked signals whatever
 * this process uses. */
static int spawn_setup(run *r, genu_err *err)
{
    int p[2];
    if (pipe(p) != 0)
        return GENU_FAIL(err, GENU_EIO, "sms command: cannot create a pipe");
    r->rfd = p[0];
    r->wfd = p[1];
    if (above_stderr(&r->rfd) || above_stderr(&r->wfd) ||
        fcntl(r->rfd, F_SETFL, fcntl(r->rfd, F_GETFL) | O_NONBLOCK) != 0)
        return GENU_FAIL(err, GENU_EIO, "sms command: cannot set up its stderr pipe");

    if (posix_spawn_file_actions_init(&r->fa) != 0)
        return GENU_OOM(err);
    r->fa_ok = true;
    if (posix_spawnattr_init(&r->attr) != 0)
        return GENU_OOM(err);
    r->attr_ok = true;

    sigset_t none, dflt;
    sigemptyset(&none);
    sigemptyset(&dflt);
    const int sigs[] = {SIGPIPE, SIGCHLD, SIGHUP,  SIGINT, SIGQUIT,
                        SIGTERM, SIGALRM, SIGUSR1, SIGUSR2};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaddset(&dflt, sigs[i]);
    if (posix_spawn_file_actions_addopen(&r->fa, 0, "/dev/null", O_RDONLY, 0) ||
        posix_spawn_file_actions_addopen(&r->fa, 1, "/dev/null", O_WRONLY, 0) ||
        posix_spawn_file_actions_adddup2(&r->fa, r->wfd, 2) || close_inherited(r) ||
        posix_spawnattr_setflags(&r->attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                               POSIX_SPAWN_SETSIGDEF) ||
        posix_spawnattr_setpgroup(&r->attr, 0) || posix_spawnattr_setsigmask(&r->attr, &none) ||
        posix_spawnattr_setsigdefault(&r->attr, &dflt))
        return GENU_FAIL(err, GENU_ENOMEM, "sms command: cannot prepare to start it");
    return GENU_OK;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The child's stderr: the first SMS_STDERR_KEEP bytes kept, the rest read
 * and dropped so that it never blocks on a full pipe. */
typedef struct errtext {
    char p[SMS_STDERR_KEEP];
    size_t n;
} errtext;

/* Reads what is there, up to 64 KiB a call so that a child writing without
 * end cannot hold the caller past its deadline; closes *fd at end of file. */
static void drain(int *fd, errtext *e)
{
    char chunk[4096];
    for (int i = 0; i < 16; i++) {
        ssize_t got = read(*fd, chunk, sizeof chunk);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            if (got == 0) {
                close(*fd);
                *fd = -1;
            }
            return;
        }
        size_t keep = sizeof e->p - e->n < (size_t)got ? sizeof e->p - e->n : (size_t)got;
        memcpy(e->p + e->n, chunk, keep);
        e->n += keep;
    }
}

/* Waits for pid until deadline (monotonic ms) while reading its stderr;
 * past the deadline kills its process group. Always reaps it. */
static int wait_child(pid_t pid, int *rfd, int64_t deadline, errtext *e, int *status,
                      bool *timed_out)
{
    for (;;) {
        pid_t w = waitpid(pid, status, WNOHANG);
        if (w == pid)
            break;
        if (w < 0 && errno != EINTR)
            return -1; /* already reaped elsewhere (SIGCHLD ignored) */
        int64_t left = deadline - now_ms();
        if (left <= 0) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            while (waitpid(pid, status, 0) < 0 && errno == EINTR)
                ;
            *timed_out = true;
            break;
        }
        int ms = left < POLL_MS ? (int)left : POLL_MS;
        if (*rfd >= 0) {
            struct pollfd pf = {*rfd, POLLIN, 0};
            if (poll(&pf, 1, ms) > 0)
                drain(rfd, e);
        } else {
            struct timespec ts = {0, (long)ms * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
    if (*rfd >= 0)
        drain(rfd, e); /* what it wrote before it exited; never blocks */
    return 0;
}

/* n, or less so that s[0..n) ends with a whole UTF-8 character. */
static size_t whole_chars(const char *s, size_t n)
{
    size_t k = n;
    while (k && ((unsigned char)s[k - 1] & 0xC0) == 0x80)
        k--;
    if (!k)
        return n;
    unsigned char lead = (unsigned char)s[k - 1];
    size_t len = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    return n - (k - 1) < len ? k - 1 : n;
}

/* The first line of e, printable. */
static void first_line(const errtext *e, char out[SMS_STDERR_KEEP + 1])
{
    const char *nl = memchr(e->p, '\n', e->n);
    size_t n = nl ? (size_t)(nl - e->p) : whole_chars(e->p, e->n);
    for (size_t i = 0; i < n; i++)
        out[i] = (unsigned char)e->p[i] < 0x20 || e->p[i] == 0x7f ? ' ' : e->p[i];
    while (n && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
}

/* detail from how the child ended. */
static int outcome(int status, bool timed_out, long timeout_s, const errtext *e,
                   char detail[SMS_DETAIL_LEN], genu_err *err)
{
    char line[SMS_STDERR_KEEP + 1];
    first_line(e, line);
    if (timed_out)
        snprintf(detail, SMS_DETAIL_LEN, "sms command timed out after %ld s", timeout_s);
    else if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return GENU_OK;
    else if (WIFEXITED(status))
        snprintf(detail, SMS_DETAIL_LEN, "sms command exited with status %d%s%s",
                 WEXITSTATUS(status), line[0] ? ": " : "", line);
    else if (WIFSIGNALED(status))
        snprintf(detail, SMS_DETAIL_LEN, "sms command was killed by signal %d%s%s",
                 WTERMSIG(status), line[0] ? ": " : "", line);
    else
        snprintf(detail, SMS_DETAIL_LEN, "sms command ended abnormally");
    return GENU_FAIL(err, GENU_EIO, "%s", detail);
}

static int start_failed(int rc, const char *program, char detail[SMS_DETAIL_LEN], genu_err *err)
{
    char why[128] = "";
    if (rc == ENOENT)
        snprintf(detail, SMS_DETAIL_LEN, "sms command not found: %.200s", program);
    else if (rc == EACCES)
        snprintf(detail, SMS_DETAIL_LEN, "sms command is not executable: %.200s", program);
    else if (strerror_r(rc, why, sizeof why) == 0)
        snprintf(detail, SMS_DETAIL_LEN, "sms command %.120s could not start: %.100s", program,
                 why);
    else
        snprintf(detail, SMS_DETAIL_LEN, "sms command %.120s could not start: error %d", program,
                 rc);
    return GENU_FAIL(err, GENU_EIO, "%s", detail);
}

int sms_send(const char *command, const char *number, const char *text, long timeout_s,
             char detail[SMS_DETAIL_LEN], genu_err *err)
{
    genu_err local = {0};
    genu_err *e = err ? err : &local;
    run r = {.rfd = -1, .wfd = -1};
    char num[SMS_DIGITS_MAX + 2];
    errtext et = {.n = 0};
    int rc, status = 0;
    bool timed_out = false;
    long limit = timeout_s ? timeout_s : 30;
    detail[0] = '\0';

    if ((rc = sms_number(number, num, e)) || (rc = split_command(&r, command, num, text, e)))
        goto out;
    if (!text || !*text) {
        rc = GENU_FAIL(e, GENU_EINVAL, "sms text: empty");
        goto out;
    }
    if (timeout_s < 0) {
        rc = GENU_FAIL(e, GENU_EINVAL, "sms timeout: %ld s is negative", timeout_s);
        goto out;
    }
    if ((rc = child_env(&r, e)) || (rc = spawn_setup(&r, e)))
        goto out;
    pid_t pid;
    int sr = posix_spawnp(&pid, r.argv[0], &r.fa, &r.attr, r.argv, r.envp);
    close(r.wfd);
    r.wfd = -1;
    if (sr != 0) {
        rc = start_failed(sr, r.argv[0], detail, e);
        goto out;
    }
    if (wait_child(pid, &r.rfd, now_ms() + (int64_t)limit * 1000, &et, &status, &timed_out)) {
        snprintf(detail, SMS_DETAIL_LEN, "sms command: its exit status was lost");
        rc = GENU_FAIL(e, GENU_EIO, "%s", detail);
        goto out;
    }
    rc = outcome(status, timed_out, limit, &et, detail, e);
out:
    if (rc && !detail[0])
        snprintf(detail, SMS_DETAIL_LEN, "%.*s", SMS_DETAIL_LEN - 1, e->msg);
    done(&r);
    return rc;
}
