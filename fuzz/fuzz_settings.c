/* fuzz_settings: libFuzzer target for the registry settings' value checks
 * (io/settings.h settings_check), as `genu settings set KEY VALUE` and the
 * admin API take them, and the schedule parsers they call
 * (analysis/schedule.h schedule_parse, schedule_reminders_parse). The input,
 * cut at its first NUL byte (a value arrives as a C string), is the value of
 * every known key in turn, and the text of both schedule parsers.
 *
 * Invariants:
 * - every key settings_at lists is found by settings_find; an unknown key is
 *   refused with GENU_EINVAL;
 * - an error has a code and a message that names the key;
 * - an accepted value's canonical form is NUL-terminated inside the buffer
 *   and is a fixed point: it checks again to itself (what is stored reads
 *   back as what was meant);
 * - schedule_parse: at most SCHEDULE_MAX_TIMEPOINTS timepoints in ascending
 *   nominal day, each in a group that asks 1..SCHEDULE_MAX_INSTRUMENTS
 *   instruments; schedule_at ends; the canonical text (schedule_format, room
 *   enough) parses again to the same canonical text;
 * - schedule_reminders_parse: at most SCHEDULE_MAX_REMINDERS days, strictly
 *   increasing, each 1..365. */
#define FUZZ_NAME "fuzz_settings"
#include "fuzz_common.h"

#include "analysis/schedule.h"
#include "io/settings.h"

#define BIG 8192

static void check_settings(const char *value)
{
    size_t n = settings_count();
    if (n == 0)
        die("no settings are known", NULL);
    genu_err err = {0};
    char canon[SETTINGS_VALUE_LEN];
    if (settings_check("no.such.setting", value, canon, &err) != GENU_EINVAL)
        die("an unknown key was not refused", NULL);
    for (size_t i = 0; i < n; i++) {
        const settings_def *d = settings_at(i);
        genu_err e = {0};
        if (!d || !d->key || settings_find(d->key, &e) != d)
            die("a listed setting is not found", d ? d->key : NULL);
        char c1[SETTINGS_VALUE_LEN + 1], c2[SETTINGS_VALUE_LEN + 1];
        memset(c1, 0x55, sizeof c1);
        int rc = settings_check(d->key, value, c1, &e);
        fuzz_say("%s", rc ? e.msg : d->key);
        if (rc != GENU_OK) {
            if (e.code != rc || !strstr(e.msg, d->key))
                die("a refused value without its code or the key's name", e.msg);
            continue;
        }
        if (memchr(c1, 0, SETTINGS_VALUE_LEN) == NULL)
            die("a canonical value is not NUL-terminated in its buffer", d->key);
        if (c1[SETTINGS_VALUE_LEN] != 0x55)
            die("settings_check wrote past its buffer", d->key);
        genu_err e2 = {0};
        if (settings_check(d->key, c1, c2, &e2) != GENU_OK) {
            fprintf(stderr, "key %s value \"%s\" canonical \"%s\"\n", d->key, value, c1);
            die("a canonical value does not check", e2.msg);
        }
        if (strcmp(c1, c2) != 0) {
            fprintf(stderr, "key %s value \"%s\" canonical \"%s\" then \"%s\"\n", d->key, value, c1,
                    c2);
            die("a canonical value is not a fixed point", d->key);
        }
    }
}

static void check_schedule(const char *text)
{
    schedule s;
    genu_err err = {0};
    int rc = schedule_parse(text, &s, &err);
    fuzz_say("schedule: %s", rc ? err.msg : "parsed");
    if (rc != GENU_OK) {
        if (err.code != rc || !err.msg[0])
            die("a schedule error without its code or message", err.msg);
        return;
    }
    if (s.n == 0 || s.n > SCHEDULE_MAX_TIMEPOINTS || s.ngroups == 0 ||
        s.ngroups > SCHEDULE_MAX_TIMEPOINTS || s.yearly >= (int)s.ngroups || s.yearly < -1)
        die("a schedule with impossible counts", text);
    for (size_t i = 0; i < s.n; i++) {
        if (s.group[i] >= s.ngroups)
            die("a timepoint in no group", text);
        if (i && s.tp[i - 1].nominal >= s.tp[i].nominal)
            die("timepoints not in ascending nominal day", text);
    }
    for (size_t g = 0; g < s.ngroups; g++) {
        if (s.groups[g].nins == 0 || s.groups[g].nins > SCHEDULE_MAX_INSTRUMENTS)
            die("a group with an impossible number of instruments", text);
        for (size_t k = 0; k < s.groups[g].nins; k++)
            if (!s.groups[g].ins[k])
                die("a group with a NULL instrument", text);
    }
    size_t i = 0;
    timepoint tp;
    const schedule_group *g;
    while (schedule_at(&s, i, &tp, &g)) {
        if (!g || tp.nominal < 1)
            die("schedule_at gave an impossible timepoint", text);
        if (++i > SCHEDULE_MAX_TIMEPOINTS + SCHEDULE_YEARS + 1)
            die("schedule_at does not end", text);
    }
    char *c1 = malloc(BIG), *c2 = malloc(BIG);
    if (!c1 || !c2)
        die("out of memory", NULL);
    schedule_format(&s, c1, BIG);
    schedule s2;
    genu_err e2 = {0};
    if (schedule_parse(c1, &s2, &e2) != GENU_OK) {
        fprintf(stderr, "schedule \"%s\" canonical \"%s\"\n", text, c1);
        die("a canonical schedule does not parse", e2.msg);
    }
    schedule_format(&s2, c2, BIG);
    if (strcmp(c1, c2) != 0) {
        fprintf(stderr, "schedule \"%s\" canonical \"%s\" then \"%s\"\n", text, c1, c2);
        die("a canonical schedule is not a fixed point", NULL);
    }
    free(c1);
    free(c2);
}

static void check_reminders(const char *text)
{
    int days[SCHEDULE_MAX_REMINDERS + 1];
    size_t n = 99;
    genu_err err = {0};
    days[SCHEDULE_MAX_REMINDERS] = -12345;
    int rc = schedule_reminders_parse(text, days, &n, &err);
    fuzz_say("reminders: %s", rc ? err.msg : "parsed");
    if (days[SCHEDULE_MAX_REMINDERS] != -12345)
        die("schedule_reminders_parse wrote past its array", text);
    if (rc != GENU_OK) {
        if (err.code != rc || !err.msg[0])
            die("a reminders error without its code or message", err.msg);
        return;
    }
    if (n > SCHEDULE_MAX_REMINDERS)
        die("more reminder days than the maximum", text);
    for (size_t i = 0; i < n; i++)
        if (days[i] < 1 || days[i] > 365 || (i && days[i - 1] >= days[i]))
            die("reminder days out of range or not increasing", text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *value = fuzz_cstr(data, size);
    check_settings(value);
    check_schedule(value);
    check_reminders(value);
    free(value);
    return 0;
}
