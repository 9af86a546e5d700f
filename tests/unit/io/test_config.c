/* test_config: the configuration file's parser (io/config.h): keys and
 * values, comments, every error naming FILE:LINE, and the secret files
 * (their first line, refused when everyone may read them). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the four above first */
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/config.h"

static int parse(const char *text, config *c, genu_err *err)
{
    static genu_arena *a;
    if (!a)
        a = genu_arena_create();
    return config_parse("genu.conf", text, strlen(text), a, c, err);
}

static void keys_values_and_comments(void **state)
{
    (void)state;
    config c;
    genu_err err = {0};
    assert_int_equal(parse("# genu\n"
                           "db = /var/lib/genu/registry.db\n"
                           "\n"
                           "   listen=127.0.0.1:8443   # after white space: a comment\n"
                           "threads = 8\r\n"
                           "tls_cert = /etc/genu/a#b.pem\n"
                           "secure_cookies = yes\n"
                           "followup_interval = 0\n"
                           "read_db = postgres://genu@standby/registry\n"
                           "header_timeout = 10",
                           &c, &err),
                     GENU_OK);
    assert_string_equal(c.value[CONFIG_READ_DB], "postgres://genu@standby/registry");
    assert_int_equal(c.line[CONFIG_READ_DB], 9);
    assert_string_equal(c.value[CONFIG_DB], "/var/lib/genu/registry.db");
    assert_string_equal(c.value[CONFIG_LISTEN], "127.0.0.1:8443");
    assert_int_equal(c.line[CONFIG_LISTEN], 4);
    assert_int_equal(config_count(&c, CONFIG_THREADS), 8);
    assert_string_equal(c.value[CONFIG_TLS_CERT], "/etc/genu/a#b.pem");
    assert_string_equal(c.value[CONFIG_SECURE_COOKIES], "yes");
    assert_string_equal(c.value[CONFIG_FOLLOWUP_INTERVAL], "0");
    assert_int_equal(config_count(&c, CONFIG_FOLLOWUP_INTERVAL), 0);
    assert_int_equal(config_count(&c, CONFIG_HEADER_TIMEOUT), 10);
    assert_null(c.value[CONFIG_TLS_KEY]);
    assert_string_equal(c.path, "genu.conf");
}

static void an_empty_file_sets_nothing(void **state)
{
    (void)state;
    config c;
    genu_err err = {0};
    assert_int_equal(parse("", &c, &err), GENU_OK);
    for (int k = 0; k < CONFIG_NKEYS; k++)
        assert_null(c.value[k]);
}

/* Each bad file fails with GENU_EINVAL and this message. */
static void expect_error(const char *text, const char *msg)
{
    config c;
    genu_err err = {0};
    assert_int_equal(parse(text, &c, &err), GENU_EINVAL);
    if (strcmp(err.msg, msg) != 0)
        fail_msg("%s: got \"%s\", wanted \"%s\"", text, err.msg, msg);
}

static void errors_name_the_line(void **state)
{
    (void)state;
    expect_error("db = x\nport = 80\n", "genu.conf:2: unknown key \"port\"");
    expect_error("# c\n\nlisten\n", "genu.conf:3: expected key = value");
    expect_error("db =\n", "genu.conf:1: db: missing value");
    expect_error("db = a\ndb = b\n", "genu.conf:2: db set again (first on line 1)");
    expect_error("threads = 0\n", "genu.conf:1: threads: expected a number from 1 to 256, not \"0\"");
    expect_error("threads = 4x\n",
                 "genu.conf:1: threads: expected a number from 1 to 256, not \"4x\"");
    expect_error("\n\ntimeout = 3601\n",
                 "genu.conf:3: timeout: expected a number from 1 to 3600, not \"3601\"");
    expect_error("header_timeout = 0\n",
                 "genu.conf:1: header_timeout: expected a number from 1 to 3600, not \"0\"");
    expect_error("secure_cookies = true\n",
                 "genu.conf:1: secure_cookies: expected yes or no, not \"true\"");
    expect_error("read_db = /var/lib/genu/replica.db\n",
                 "genu.conf:1: read_db: expected a postgresql:// URL (a PostgreSQL standby), not "
                 "\"/var/lib/genu/replica.db\"");
    expect_error("DB = x\n", "genu.conf:1: unknown key \"DB\"");
}

static void secrets_come_from_their_files(void **state)
{
    (void)state;
    char dir[] = "/tmp/genu-test-config-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char secret[128], open_file[128], empty[128], text[512];
    snprintf(secret, sizeof secret, "%s/pg", dir);
    snprintf(open_file, sizeof open_file, "%s/smtp", dir);
    snprintf(empty, sizeof empty, "%s/empty", dir);
    FILE *f = fopen(secret, "w");
    fputs("s3cret pass\nsecond line\n", f);
    fclose(f);
    chmod(secret, 0640);
    f = fopen(open_file, "w");
    fputs("hunter2\n", f);
    fclose(f);
    chmod(open_file, 0644);
    f = fopen(empty, "w");
    fputs("\nx\n", f);
    fclose(f);
    chmod(empty, 0600);
    snprintf(text, sizeof text, "db_password_file = %s\nsmtp_password_file = %s\n", secret,
             open_file);
    config c;
    genu_err err = {0};
    genu_arena *a = genu_arena_create();
    assert_int_equal(parse(text, &c, &err), GENU_OK);
    const char *v = "x";
    assert_int_equal(config_read_secret(&c, CONFIG_DB_PASSWORD_FILE, a, &v, &err), GENU_OK);
    assert_string_equal(v, "s3cret pass");
    assert_int_equal(config_read_secret(&c, CONFIG_SMTP_PASSWORD_FILE, a, &v, &err),
                     GENU_EINVAL);
    assert_non_null(strstr(err.msg, "genu.conf:2: smtp_password_file: "));
    assert_non_null(strstr(err.msg, "readable by everyone"));
    assert_null(strstr(err.msg, "hunter2"));
    assert_null(v);
    snprintf(text, sizeof text, "smtp_password_file = %s\ndb_password_file = %s/none\n", empty,
             dir);
    assert_int_equal(parse(text, &c, &err), GENU_OK);
    err = (genu_err){0};
    assert_int_equal(config_read_secret(&c, CONFIG_SMTP_PASSWORD_FILE, a, &v, &err),
                     GENU_EINVAL);
    assert_non_null(strstr(err.msg, "holds no secret on its first line"));
    err = (genu_err){0};
    assert_int_equal(config_read_secret(&c, CONFIG_DB_PASSWORD_FILE, a, &v, &err), GENU_EIO);
    assert_non_null(strstr(err.msg, "genu.conf:2: db_password_file: cannot read"));
    assert_int_equal(config_read_secret(&c, CONFIG_SMTP_USER, a, &v, &err), GENU_OK);
    assert_null(v); /* not set */
    genu_arena_destroy(a);
    unlink(secret);
    unlink(open_file);
    unlink(empty);
    rmdir(dir);
}

static void a_missing_file_is_named(void **state)
{
    (void)state;
    config c;
    genu_err err = {0};
    genu_arena *a = genu_arena_create();
    assert_int_equal(config_load("/nonexistent/genu.conf", a, &c, &err), GENU_EIO);
    assert_non_null(strstr(err.msg, "/nonexistent/genu.conf"));
    genu_arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keys_values_and_comments),
        cmocka_unit_test(an_empty_file_sets_nothing),
        cmocka_unit_test(errors_name_the_line),
        cmocka_unit_test(secrets_come_from_their_files),
        cmocka_unit_test(a_missing_file_is_named),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
