/* cmd_settings: the registry settings an administrator changes (io/settings.h).
 * `list` shows each with its default, `get` prints one value for scripts,
 * `set` changes one: audited under "cli:settings", with the stored responses
 * it affects re-scored in the same transaction. */
#include <string.h>

#include "cli/cli.h"
#include "io/settings.h"

static const char usage[] =
    "usage: genu [--db PATH] settings [list]\n"
    "       genu [--db PATH] settings get KEY\n"
    "       genu [--db PATH] settings set KEY VALUE\n\n"
    "list  every setting as KEY=VALUE, then \"(default)\" when it is the default or\n"
    "      \"(default D)\" when it is not\n"
    "get   the value in force, alone on a line\n"
    "set   checks and stores VALUE, audited; the responses stored with scores that\n"
    "      read the setting are re-scored in the same transaction, each an audited\n"
    "      update, and the count is printed; all or nothing\n\n"
    "Settings:\n"
    "  womac.max_missing P,S,F (default 1,0,3)\n"
    "      WOMAC items a subscale may miss, pain (0 to 5), stiffness (0 to 2),\n"
    "      function (0 to 17); each missing item is replaced by the mean of the\n"
    "      subscale's answered items, more missing make it null (womac, womac_nrs\n"
    "      and koos's derived womac; docs/instruments.md)\n"
    "  followup.schedule TIMEPOINTS: INSTRUMENTS[; ...]\n"
    "      when patients are asked and what (default 6w,3m,6m,12m,24m,36m,48m,60m,\n"
    "      yearly: nprs,pain_frequency,koos,global_improvement,patient_global)\n"
    "  followup.reminder_days D,D (default 3,7; none for no reminders)\n"
    "  followup.base_url URL   the public address survey links start with\n"
    "  followup.sms_command PATH [ARGS]  run with a number and a text per message\n"
    "  clinic.name TEXT        the clinic as messages name it\n"
    "  smtp.url URL            smtp://HOST:PORT or smtps://HOST:PORT (\"\": no e-mail)\n"
    "  smtp.from ADDRESS       the sender of invitations\n"
    "  smtp.credentials_file PATH  user and password, mode 600 (else the\n"
    "      environment's GENU_SMTP_USER and GENU_SMTP_PASSWORD)\n"
    "  wording.dir PATH        installed instrument wording files (licensed ones)\n"
    "  (docs/followup.md)\n\n"
    "Exit status: 0 done, 1 no registry or a stored response that does not\n"
    "re-score, 2 usage error (unknown KEY, a bad VALUE), 3 storage failure.\n";

static int list(genu_store *s, genu_arena *a)
{
    genu_err err = {0};
    for (size_t i = 0; i < settings_count(); i++) {
        settings_value v;
        if (settings_get(s, settings_at(i)->key, a, &v, &err))
            return cli_fail(&err);
        if (strcmp(v.value, v.fallback) == 0)
            printf("%s=%s (default)\n", settings_at(i)->key, v.value);
        else
            printf("%s=%s (default %s)\n", settings_at(i)->key, v.value,
                   *v.fallback ? v.fallback : "\"\"");
    }
    return CLI_OK;
}

static int get(genu_store *s, genu_arena *a, const char *key)
{
    genu_err err = {0};
    settings_value v;
    if (settings_get(s, key, a, &v, &err))
        return cli_fail(&err);
    printf("%s\n", v.value);
    return CLI_OK;
}

static int set(genu_store *s, genu_arena *a, const char *key, const char *value)
{
    genu_err err = {0};
    settings_change c;
    if (store_set_actor(s, "cli:settings", &err) || settings_set(s, key, value, a, &c, &err))
        return cli_fail(&err);
    if (!c.changed)
        printf("%s is %s already; nothing changed\n", key, c.after);
    else if (!settings_find(key, &err)->scoring)
        printf("%s set to %s (was %s)\n", key, c.after, *c.before ? c.before : "\"\"");
    else if (strcmp(c.before, c.after) == 0)
        printf("%s set to %s (the value in force before); no scores change\n", key, c.after);
    else
        printf("%s set to %s (was %s); %zu of %zu stored responses that read it updated\n", key,
               c.after, c.before, c.rescored, c.examined);
    return CLI_OK;
}

/* Checks the arguments before the registry is opened: 0 or a usage error. */
static int check_args(int argc, char **argv)
{
    static const int want[] = {0, 2, 3, 4}; /* argc by subcommand: -, list, get, set */
    const char *sub = argc > 1 ? argv[1] : "list";
    int k = strcmp(sub, "list") == 0  ? 1
            : strcmp(sub, "get") == 0 ? 2
            : strcmp(sub, "set") == 0 ? 3
                                      : 0;
    genu_err err = {0};
    char canon[SETTINGS_VALUE_LEN];
    if (!k) {
        cli_error("settings: unknown subcommand \"%s\" (list, get or set)", sub);
        return CLI_EUSAGE;
    }
    if (argc != want[k] && !(k == 1 && argc == 1)) {
        cli_error("settings %s: expected %s", sub,
                  k == 1   ? "no arguments"
                  : k == 2 ? "KEY"
                           : "KEY VALUE");
        return CLI_EUSAGE;
    }
    if ((k == 2 && !settings_find(argv[2], &err)) ||
        (k == 3 && settings_check(argv[2], argv[3], canon, &err))) {
        cli_error("settings %s: %s", sub, err.msg);
        return CLI_EUSAGE;
    }
    return CLI_OK;
}

int cmd_settings(int argc, char **argv, const cli_env *env)
{
    if (cli_help(argc, argv, usage))
        return CLI_OK;
    int rc = check_args(argc, argv);
    if (rc)
        return rc;
    genu_err err = {0};
    genu_store *s;
    genu_arena *a = genu_arena_create();
    if (!a) {
        GENU_OOM(&err);
        return cli_fail(&err);
    }
    if (store_open(env->db, false, &s, &err)) {
        genu_arena_destroy(a);
        return cli_fail(&err);
    }
    const char *sub = argc > 1 ? argv[1] : "list";
    if (strcmp(sub, "get") == 0)
        rc = get(s, a, argv[2]);
    else if (strcmp(sub, "set") == 0)
        rc = set(s, a, argv[2], argv[3]);
    else
        rc = list(s, a);
    store_close(s);
    genu_arena_destroy(a);
    return rc;
}
