/* test_sms: sms_send running real commands, small shell scripts the test
 * writes into a temporary directory: the number and the text arrive as
 * exactly two arguments whatever they hold (no shell in between), a failing
 * command's status and stderr, a hanging command killed with what it
 * started, a missing program, bad numbers refused before anything runs, and
 * nothing of this process (descriptors, the SMTP password, stdin) reaching
 * the command. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the four above first */
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "followup/sms.h"

#include "rmtree.h"

static char dir[64]; /* the temporary directory */

static void path_of(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

/* Writes an executable script called name. */
static void script(const char *name, const char *body)
{
    char p[256];
    path_of(p, sizeof p, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fprintf(f, "#!/bin/sh\n%s\n", body);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(p, 0700), 0);
}

/* The whole file called name (NUL bytes included) into out; its length, or
 * -1 when it does not exist. */
static long slurp(const char *name, char *out, size_t cap)
{
    char p[256];
    path_of(p, sizeof p, name);
    FILE *f = fopen(p, "rb");
    if (!f)
        return -1;
    size_t n = fread(out, 1, cap - 1, f);
    fclose(f);
    out[n] = '\0';
    return (long)n;
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/genu-test-sms-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    /* records its arguments after the first (the log), each ended by a NUL */
    script("record.sh",
           "log=$1; shift; for a in \"$@\"; do printf '%s\\0' \"$a\"; done >>\"$log\"");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    rm_rf(dir);
    return 0;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void number_and_text_arrive_literally(void **state)
{
    (void)state;
    static const char text[] = "Hello Ann, it's time: $(touch PWNED) `id` \"quoted\" 'single' ; "
                               "rm -rf / && echo * ? $HOME\nsecond line\ttab \\ backslash -x";
    char cmd[256], detail[SMS_DETAIL_LEN], got[1024], expect[1024];
    genu_err err = {0};
    snprintf(cmd, sizeof cmd, "%s/record.sh   %s/args.log", dir, dir);
    assert_int_equal(sms_send(cmd, "+44 7700-900123", text, 0, detail, &err), GENU_OK);
    assert_string_equal(detail, "");
    long n = slurp("args.log", got, sizeof got);
    size_t en = (size_t)snprintf(expect, sizeof expect, "+447700900123%c%s", '\0', text) + 1;
    assert_int_equal(n, (long)en);
    assert_memory_equal(got, expect, en);
    assert_int_equal(slurp("PWNED", got, sizeof got), -1);
}

static void numbers_are_normalised(void **state)
{
    (void)state;
    char out[SMS_DIGITS_MAX + 2];
    genu_err err = {0};
    assert_int_equal(sms_number("+1 555-123 4567", out, &err), GENU_OK);
    assert_string_equal(out, "+15551234567");
    assert_int_equal(sms_number("07700 900123", out, &err), GENU_OK);
    assert_string_equal(out, "07700900123");
    assert_int_equal(sms_number("+1234567890123456", out, &err), GENU_OK); /* 16 digits */
    assert_string_equal(out, "+1234567890123456");
}

static void bad_numbers_are_refused_before_running(void **state)
{
    (void)state;
    static const char *const bad[] = {"",
                                      "12345",
                                      "+12345678901234567",
                                      "0770 ab 123",
                                      "++447700900123",
                                      "44+7700900123",
                                      "(555) 1234567",
                                      "+44 7700.900123"};
    char cmd[256], detail[SMS_DETAIL_LEN], got[64];
    snprintf(cmd, sizeof cmd, "%s/record.sh %s/bad.log", dir, dir);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        genu_err err = {0};
        assert_int_equal(sms_send(cmd, bad[i], "hi", 0, detail, &err), GENU_EINVAL);
        assert_non_null(strstr(err.msg, "number"));
        assert_string_equal(detail, err.msg);
    }
    genu_err err = {0};
    assert_int_equal(sms_send(cmd, NULL, "hi", 0, detail, &err), GENU_EINVAL);
    assert_int_equal(slurp("bad.log", got, sizeof got), -1);
    err = (genu_err){0};
    assert_int_equal(sms_number("12345", got, &err), GENU_EINVAL);
    assert_string_equal(err.msg, "number \"12345\": fewer than 6 digits");
}

static void a_failing_command_reports_its_status_and_stderr(void **state)
{
    (void)state;
    script("fail.sh", "echo 'gateway said: no credit' >&2; echo 'second line' >&2; exit 3");
    char cmd[256], detail[SMS_DETAIL_LEN];
    genu_err err = {0};
    snprintf(cmd, sizeof cmd, "%s/fail.sh", dir);
    assert_int_equal(sms_send(cmd, "+15551234567", "hi", 0, detail, &err), GENU_EIO);
    assert_string_equal(detail, "sms command exited with status 3: gateway said: no credit");
    assert_string_equal(err.msg, detail);

    script("quiet.sh", "exit 1");
    err = (genu_err){0};
    snprintf(cmd, sizeof cmd, "%s/quiet.sh", dir);
    assert_int_equal(sms_send(cmd, "+15551234567", "hi", 0, detail, &err), GENU_EIO);
    assert_string_equal(detail, "sms command exited with status 1");
}

/* A command that floods stderr is read while it runs (it never blocks on
 * a full pipe) and only the start of its first line is kept. */
static void a_long_stderr_is_cut(void **state)
{
    (void)state;
    script("flood.sh",
           "i=0; while [ $i -lt 3000 ]; do printf 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
           "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' >&2; "
           "i=$((i+1)); done; exit 4");
    char cmd[256], detail[SMS_DETAIL_LEN];
    genu_err err = {0};
    snprintf(cmd, sizeof cmd, "%s/flood.sh", dir);
    assert_int_equal(sms_send(cmd, "+15551234567", "hi", 10, detail, &err), GENU_EIO);
    const char *prefix = "sms command exited with status 4: ";
    assert_memory_equal(detail, prefix, strlen(prefix));
    assert_int_equal(strlen(detail), strlen(prefix) + SMS_STDERR_KEEP);
}

static bool alive(pid_t pid)
{
    char p[64], stat[256];
    if (kill(pid, 0) != 0)
        return false;
    /* a zombie that no init reaps (some containers) is dead too */
    snprintf(p, sizeof p, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(p, "r");
    if (!f)
        return true;
    size_t n = fread(stat, 1, sizeof stat - 1, f);
    fclose(f);
    stat[n] = '\0';
    const char *paren = strrchr(stat, ')');
    return !(paren && paren[1] == ' ' && paren[2] == 'Z');
}

static pid_t read_pid(const char *name)
{
    char buf[32];
    assert_true(slurp(name, buf, sizeof buf) > 0);
    return (pid_t)strtol(buf, NULL, 10);
}

static void a_hanging_command_is_killed_with_its_children(void **state)
{
    (void)state;
    char body[256], cmd[256], detail[SMS_DETAIL_LEN];
    snprintf(body, sizeof body, "echo $$ >%s/pid; sleep 30 & echo $! >%s/child; wait", dir, dir);
    script("hang.sh", body);
    genu_err err = {0};
    snprintf(cmd, sizeof cmd, "%s/hang.sh", dir);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(sms_send(cmd, "+15551234567", "hi", 1, detail, &err), GENU_EIO);
    double took = seconds_since(&t0);
    assert_true(took >= 0.9 && took < 5);
    assert_string_equal(detail, "sms command timed out after 1 s");
    assert_false(alive(read_pid("pid"))); /* reaped: no zombie */
    pid_t child = read_pid("child");
    for (int i = 0; i < 200 && alive(child); i++) /* orphans are reaped by init */
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    assert_false(alive(child));
}

static void an_endless_stderr_is_timed_out(void **state)
{
    (void)state;
    script("chatter.sh", "exec yes 'still going' >&2");
    char cmd[256], detail[SMS_DETAIL_LEN];
    genu_err err = {0};
    snprintf(cmd, sizeof cmd, "%s/chatter.sh", dir);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(sms_send(cmd, "+15551234567", "hi", 1, detail, &err), GENU_EIO);
    assert_true(seconds_since(&t0) < 5);
    assert_string_equal(detail, "sms command timed out after 1 s");
}

static void a_missing_program_is_named(void **state)
{
    (void)state;
    char cmd[256], detail[SMS_DETAIL_LEN], expect[256];
    genu_err err = {0};
    snprintf(cmd, sizeof cmd, "%s/no-such-gateway --flag", dir);
    assert_int_equal(sms_send(cmd, "+15551234567", "hi", 0, detail, &err), GENU_EIO);
    snprintf(expect, sizeof expect, "sms command not found: %s/no-such-gateway", dir);
    assert_string_equal(detail, expect);

    err = (genu_err){0};
    assert_int_equal(sms_send("genu-no-such-sms-gateway", "+15551234567", "hi", 0, detail, &err),
                     GENU_EIO);
    assert_string_equal(detail, "sms command not found: genu-no-such-sms-gateway");

    char p[256];
    path_of(p, sizeof p, "not-executable");
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fclose(f);
    err = (genu_err){0};
    assert_int_equal(sms_send(p, "+15551234567", "hi", 0, detail, &err), GENU_EIO);
    assert_non_null(strstr(detail, "not executable"));
}

static void programs_are_found_on_path(void **state)
{
    (void)state;
    char detail[SMS_DETAIL_LEN];
    genu_err err = {0};
    assert_int_equal(sms_send("true", "+15551234567", "hi", 0, detail, &err), GENU_OK);
    assert_int_equal(sms_send("false --ignored", "+15551234567", "hi", 0, detail, &err), GENU_EIO);
    assert_string_equal(detail, "sms command exited with status 1");
}

/* stdin is empty, stdout goes nowhere (a megabyte of it does not block),
 * no descriptor of this process and neither the SMTP nor the database
 * password reach the command. */
static void the_command_inherits_nothing(void **state)
{
    (void)state;
    char body[512], cmd[256], detail[SMS_DETAIL_LEN], got[64];
    snprintf(body, sizeof body,
             "n=$(cat | wc -c); [ \"$n\" -eq 0 ] || { echo \"stdin had $n bytes\" >&2; exit 5; }; "
             "[ -e /proc/$$/fd/57 ] && { echo 'fd 57 inherited' >&2; exit 6; }; "
             "[ -z \"${GENU_SMTP_PASSWORD+set}\" ] || { echo 'password inherited' >&2; exit 7; }; "
             "[ -z \"${PGPASSWORD+set}\" ] || { echo 'db password inherited' >&2; exit 9; }; "
             "[ \"$GENU_TEST_VISIBLE\" = yes ] || { echo 'environment lost' >&2; exit 8; }; "
             "echo ok >%s/clean",
             dir);
    script("clean.sh", body);
    script("loud.sh", "head -c 1000000 /dev/zero; exit 0");
    int fd = open("/dev/null", O_RDONLY); /* no O_CLOEXEC */
    assert_true(fd >= 0);
    assert_int_equal(dup2(fd, 57), 57);
    close(fd);
    setenv("GENU_SMTP_PASSWORD", "secret", 1);
    setenv("PGPASSWORD", "db-secret", 1);
    setenv("GENU_TEST_VISIBLE", "yes", 1);
    genu_err err = {0};
    snprintf(cmd, sizeof cmd, "%s/clean.sh", dir);
    int rc = sms_send(cmd, "+15551234567", "hi", 0, detail, &err);
    close(57);
    unsetenv("GENU_SMTP_PASSWORD");
    unsetenv("PGPASSWORD");
    unsetenv("GENU_TEST_VISIBLE");
    assert_string_equal(detail, "");
    assert_int_equal(rc, GENU_OK);
    assert_true(slurp("clean", got, sizeof got) > 0);
    assert_string_equal(got, "ok\n");

    snprintf(cmd, sizeof cmd, "%s/loud.sh", dir);
    assert_int_equal(sms_send(cmd, "+15551234567", "hi", 5, detail, &err), GENU_OK);
}

static void bad_commands_and_texts_are_refused(void **state)
{
    (void)state;
    char cmd[256], detail[SMS_DETAIL_LEN], many[256] = "true";
    genu_err err = {0};
    snprintf(cmd, sizeof cmd, "%s/record.sh %s/refused.log", dir, dir);
    assert_int_equal(sms_send(cmd, "+15551234567", "", 0, detail, &err), GENU_EINVAL);
    assert_string_equal(err.msg, "sms text: empty");
    err = (genu_err){0};
    assert_int_equal(sms_send(cmd, "+15551234567", NULL, 0, detail, &err), GENU_EINVAL);
    err = (genu_err){0};
    assert_int_equal(sms_send("   ", "+15551234567", "hi", 0, detail, &err), GENU_EINVAL);
    assert_string_equal(err.msg, "sms command: empty");
    err = (genu_err){0};
    assert_int_equal(sms_send(NULL, "+15551234567", "hi", 0, detail, &err), GENU_EINVAL);
    for (int i = 0; i < SMS_ARGS_MAX; i++)
        strcat(many, " a");
    err = (genu_err){0};
    assert_int_equal(sms_send(many, "+15551234567", "hi", 0, detail, &err), GENU_EINVAL);
    assert_non_null(strstr(err.msg, "more than 32 words"));
    err = (genu_err){0};
    assert_int_equal(sms_send(cmd, "+15551234567", "hi", -1, detail, &err), GENU_EINVAL);
    assert_int_equal(slurp("refused.log", many, sizeof many), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(number_and_text_arrive_literally),
        cmocka_unit_test(numbers_are_normalised),
        cmocka_unit_test(bad_numbers_are_refused_before_running),
        cmocka_unit_test(a_failing_command_reports_its_status_and_stderr),
        cmocka_unit_test(a_long_stderr_is_cut),
        cmocka_unit_test(a_hanging_command_is_killed_with_its_children),
        cmocka_unit_test(an_endless_stderr_is_timed_out),
        cmocka_unit_test(a_missing_program_is_named),
        cmocka_unit_test(programs_are_found_on_path),
        cmocka_unit_test(the_command_inherits_nothing),
        cmocka_unit_test(bad_commands_and_texts_are_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
