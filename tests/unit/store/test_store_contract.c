/* The store contract: what every backend must do, the same tests on each.
 * GENU_TEST_DB names the registry: unset, a temporary SQLite file; a
 * postgresql:// URL (tests/e2e/pg.sh passes one of a private server), that
 * database, whose public schema is emptied before each test (so use a
 * database of its own). Tampering goes through the backend's own shell
 * (sqlite3 or psql), as someone with direct access to the data would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"

static char url[1024], copy[80], sqlfile[80];
static bool pg;

static void rm_db(const char *p)
{
    char q[1100];
    unlink(p);
    snprintf(q, sizeof q, "%s-wal", p);
    unlink(q);
    snprintf(q, sizeof q, "%s-shm", p);
    unlink(q);
}

/* Runs SQL directly on the registry with the backend's shell; its status. */
static int raw_sql(const char *sql)
{
    char cmd[1400];
    FILE *f = fopen(sqlfile, "w");
    assert_non_null(f);
    fputs(sql, f);
    fclose(f);
    if (pg)
        snprintf(cmd, sizeof cmd, "psql -X -q -v ON_ERROR_STOP=1 '%s' -f %s >/dev/null 2>&1", url,
                 sqlfile);
    else
        snprintf(cmd, sizeof cmd, "sqlite3 %s < %s >/dev/null 2>&1", url, sqlfile);
    return system(cmd);
}

static int setup(void **state)
{
    (void)state;
    const char *env = getenv("GENU_TEST_DB");
    pg = env && *env;
    snprintf(copy, sizeof copy, "/tmp/genu-test-contract-%d.copy.db", (int)getpid());
    snprintf(sqlfile, sizeof sqlfile, "/tmp/genu-test-contract-%d.sql", (int)getpid());
    rm_db(copy);
    if (pg) {
        snprintf(url, sizeof url, "%s", env);
        /* a test that failed mid-transaction leaves its connection open,
         * holding locks: end it rather than wait for it */
        assert_int_equal(raw_sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                                 "datname = current_database() AND pid <> pg_backend_pid();"
                                 "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"),
                         0);
    } else {
        snprintf(url, sizeof url, "/tmp/genu-test-contract-%d.db", (int)getpid());
        rm_db(url);
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (!pg)
        rm_db(url);
    rm_db(copy);
    unlink(sqlfile);
    return 0;
}

static genu_store *open_db(void)
{
    genu_store *s = NULL;
    genu_err err = {0};
    int rc = store_open(url, true, &s, &err);
    if (rc)
        fprintf(stderr, "store_open: %s\n", err.msg);
    assert_int_equal(rc, GENU_OK);
    assert_string_equal(store_backend(s), pg ? "postgresql" : "sqlite");
    return s;
}

static genu_record patient(const char *id, const char *doc)
{
    genu_record r = {.type = GENU_REC_PATIENT, .id = id, .patient = id, .doc = doc};
    r.date = GENU_DATE_NONE;
    r.u.patient = (genu_patient){"site-a", vocab_sex("female"), 1950, NAN, 70};
    return r;
}

static genu_record nprs(const char *id, const char *pid, genu_knee knee, genu_date date,
                        const genu_score *score)
{
    genu_record r = {.type = GENU_REC_RESPONSE, .id = id, .patient = pid, .knee = knee,
                     .date = date, .doc = id};
    r.u.response = (genu_response){"nprs", 1, 1, score, 0, NULL};
    return r;
}

static void put(genu_store *s, const genu_record *r, store_put_result want)
{
    genu_err err = {0};
    store_put_result got;
    int rc = store_put(s, r, &got, &err);
    if (rc)
        fprintf(stderr, "store_put: %s\n", err.msg);
    assert_int_equal(rc, GENU_OK);
    assert_int_equal(got, want);
}

/* The audit trail verifies, unbroken, with exactly `want` rows. */
static void trail_intact(genu_store *s, size_t want)
{
    int64_t broken = -2;
    size_t checked = 0;
    char why[200];
    genu_err err = {0};
    assert_int_equal(store_audit_verify(s, &broken, &checked, why, sizeof why, &err), GENU_OK);
    assert_int_equal(broken, 0);
    assert_int_equal(checked, want);
}

/* ---- records ---- */

static void opening_a_missing_registry_without_create_fails(void **state)
{
    (void)state;
    genu_store *s = NULL;
    genu_err err = {0};
    assert_int_equal(store_open(url, false, &s, &err), GENU_ENOTFOUND);
    assert_null(s);
    genu_err_clear(&err);
    /* and it created nothing: a second try fails the same way */
    assert_int_equal(store_open(url, false, &s, &err), GENU_ENOTFOUND);
    if (!pg)
        assert_int_equal(access(url, F_OK), -1);
}

static void reopening_keeps_the_schema_version(void **state)
{
    (void)state;
    genu_store *s = open_db();
    assert_int_equal(store_schema_version(s), 7);
    store_close(s);
    genu_err err = {0};
    assert_int_equal(store_open(url, false, &s, &err), GENU_OK);
    assert_int_equal(store_schema_version(s), 7);
    store_close(s);
}

static void puts_add_update_and_leave_identical_records(void **state)
{
    (void)state;
    genu_store *s = open_db();
    genu_err err = {0};
    assert_int_equal(store_begin(s, &err), GENU_OK);
    genu_record p = patient("P1", "{\"v\":1}");
    put(s, &p, STORE_ADDED);
    put(s, &p, STORE_UNCHANGED);
    p.doc = "{\"v\":2}";
    put(s, &p, STORE_UPDATED);
    assert_int_equal(store_commit(s, &err), GENU_OK);
    bool has = false;
    assert_int_equal(store_has(s, GENU_REC_PATIENT, "P1", &has, &err), GENU_OK);
    assert_true(has);
    assert_int_equal(store_has(s, GENU_REC_PATIENT, "P2", &has, &err), GENU_OK);
    assert_false(has);
    store_close(s);
}

static void rollback_leaves_nothing(void **state)
{
    (void)state;
    genu_store *s = open_db();
    genu_err err = {0};
    store_begin(s, &err);
    genu_record p = patient("P1", "{}");
    put(s, &p, STORE_ADDED);
    store_rollback(s);
    size_t n = 99;
    assert_int_equal(store_count(s, GENU_REC_PATIENT, &n, &err), GENU_OK);
    assert_int_equal(n, 0);
    store_close(s);
}

static void a_record_of_an_unknown_patient_is_refused(void **state)
{
    (void)state;
    genu_store *s = open_db();
    genu_err err = {0};
    genu_score sc = {"intensity", 5};
    genu_record p = patient("P1", "{}");
    genu_record r = nprs("r1", "NOPE", GENU_KNEE_LEFT, 100, &sc);
    store_put_result res;
    store_begin(s, &err);
    put(s, &p, STORE_ADDED);
    assert_int_equal(store_put(s, &r, &res, &err), GENU_ECONFLICT);
    assert_non_null(strstr(err.msg, "FOREIGN KEY"));
    /* after an error the caller rolls back, and nothing of it is kept */
    store_rollback(s);
    size_t n = 99;
    genu_err_clear(&err);
    assert_int_equal(store_count(s, GENU_REC_PATIENT, &n, &err), GENU_OK);
    assert_int_equal(n, 0);
    /* the handle is usable afterwards */
    put(s, &p, STORE_ADDED);
    store_close(s);
}

/* A batch of writes in one transaction, each in a savepoint: a failed one
 * (here a foreign key) is undone alone, the others commit, and the audit
 * chain holds exactly the kept writes. */
static void a_failed_savepoint_spoils_only_its_own_write(void **state)
{
    (void)state;
    genu_store *s = open_db();
    genu_err err = {0};
    genu_score sc = {"intensity", 5};
    genu_record a = patient("A", "{\"a\":1}"), b = patient("B", "{\"b\":1}");
    genu_record bad = nprs("r1", "NOPE", GENU_KNEE_LEFT, 100, &sc);
    store_put_result res;
    assert_int_equal(store_begin(s, &err), GENU_OK);
    assert_int_equal(store_savepoint(s, &err), GENU_OK);
    put(s, &a, STORE_ADDED);
    assert_int_equal(store_release(s, &err), GENU_OK);
    assert_int_equal(store_savepoint(s, &err), GENU_OK);
    genu_record c = patient("C", "{\"c\":1}");
    put(s, &c, STORE_ADDED); /* audited, then undone with the bad write */
    assert_int_equal(store_put(s, &bad, &res, &err), GENU_ECONFLICT);
    store_rollback_to(s);
    genu_err_clear(&err);
    assert_int_equal(store_savepoint(s, &err), GENU_OK);
    put(s, &b, STORE_ADDED);
    assert_int_equal(store_release(s, &err), GENU_OK);
    assert_int_equal(store_commit(s, &err), GENU_OK);
    size_t n = 99;
    assert_int_equal(store_count(s, GENU_REC_PATIENT, &n, &err), GENU_OK);
    assert_int_equal(n, 2);
    trail_intact(s, 2);
    store_close(s);
}

/* ---- many puts at once ---- */

#define MANY 1300 /* more than one chunk of the PostgreSQL pipeline (500) */

/* store_put_many gives each record what store_put one at a time would: new
 * records added, identical ones left alone, changed ones updated — also
 * when the same id comes twice in one call, or in different chunks — and
 * the audit trail holds one row per change, in order, its chain intact.
 * Ids with the characters a PostgreSQL array literal quotes must work. */
static void put_many_does_what_puts_one_at_a_time_do(void **state)
{
    (void)state;
    genu_store *s = open_db();
    genu_err err = {0};
    genu_arena *a = genu_arena_create();
    genu_score sc = {"intensity", 5};
    genu_record pre = patient("P0", "{\"pre\":1}"), pre2 = patient("P1", "{\"pre\":1}");
    put(s, &pre, STORE_ADDED);
    put(s, &pre2, STORE_ADDED);

    static genu_record v[MANY];
    static const genu_record *recs[MANY];
    static store_put_result want[MANY], got[MANY];
    size_t n = 0, changes = 0, responses = 0;
#define ADD(rec, w) (v[n] = (rec), want[n] = (w), n++)
    ADD(patient("P0", "{\"pre\":1}"), STORE_UNCHANGED); /* stored, the same */
    ADD(patient("P1", "{\"pre\":2}"), STORE_UPDATED);   /* stored, changed */
    const char *odd[] = {"q\"uote", "back\\slash", "com,ma", "{brace}", "NULL", " sp ", "\xc3\xa9"};
    for (size_t k = 0; k < sizeof odd / sizeof *odd; k++)
        ADD(patient(odd[k], "{}"), STORE_ADDED);
    while (n + 2 <= MANY - 4) {
        const char *pid = genu_arena_printf(a, "N%04zu", n);
        ADD(patient(pid, genu_arena_printf(a, "{\"n\":%zu}", n)), STORE_ADDED);
        ADD(nprs(genu_arena_printf(a, "R%04zu", n), pid, GENU_KNEE_LEFT, 100, &sc), STORE_ADDED);
        responses++;
    }
    ADD(patient("N0009", "{\"n\":9}"), STORE_UNCHANGED);  /* again, the same */
    ADD(patient("N0009", "{\"n\":99}"), STORE_UPDATED);   /* again, changed */
    ADD(patient("q\"uote", "{\"x\":1}"), STORE_UPDATED);  /* again, in a later chunk */
    ADD(patient("N0009", "{\"n\":99}"), STORE_UNCHANGED);
#undef ADD
    for (size_t i = 0; i < n; i++) {
        recs[i] = &v[i];
        changes += want[i] != STORE_UNCHANGED;
    }
    size_t failed = 12345;
    assert_int_equal(store_begin(s, &err), GENU_OK);
    int rc = store_put_many(s, recs, n, got, &failed, &err);
    if (rc)
        fprintf(stderr, "store_put_many: %s (record %zu)\n", err.msg, failed);
    assert_int_equal(rc, GENU_OK);
    assert_int_equal(store_commit(s, &err), GENU_OK);
    for (size_t i = 0; i < n; i++) {
        if (got[i] != want[i])
            fprintf(stderr, "record %zu (%s): got %d, want %d\n", i, v[i].id, got[i], want[i]);
        assert_int_equal(got[i], want[i]);
    }
    genu_record r;
    assert_int_equal(store_get(s, GENU_REC_PATIENT, "N0009", a, &r, &err), GENU_OK);
    assert_string_equal(r.doc, "{\"n\":99}");
    assert_int_equal(store_get(s, GENU_REC_PATIENT, "q\"uote", a, &r, &err), GENU_OK);
    assert_string_equal(r.doc, "{\"x\":1}");
    assert_int_equal(store_get(s, GENU_REC_PATIENT, "P1", a, &r, &err), GENU_OK);
    assert_string_equal(r.doc, "{\"pre\":2}");
    size_t count = 0;
    assert_int_equal(store_count(s, GENU_REC_RESPONSE, &count, &err), GENU_OK);
    assert_int_equal(count, responses);
    /* the trail: the two puts before, then one row per change, in order */
    store_audit_row *rows;
    size_t nrows;
    assert_int_equal(store_audit_list(s, 2, 2 * MANY, a, &rows, &nrows, &err), GENU_OK);
    assert_int_equal(nrows, changes);
    for (size_t i = 0, k = 0; i < n; i++) {
        if (want[i] == STORE_UNCHANGED)
            continue;
        assert_string_equal(rows[k].id, v[i].id);
        assert_string_equal(rows[k].action, want[i] == STORE_ADDED ? "create" : "update");
        k++;
    }
    trail_intact(s, changes + 2);
    genu_arena_destroy(a);
    store_close(s);
}

/* Into an empty registry (PostgreSQL then answers "is it stored?" from
 * what the call itself wrote): ids repeated in the same chunk and in later
 * ones are unchanged or updated exactly as one put at a time would say. */
static void put_many_into_an_empty_registry_sees_its_own_writes(void **state)
{
    (void)state;
    genu_store *s = open_db();
    genu_err err = {0};
    genu_arena *a = genu_arena_create();
    static genu_record v[700];
    static const genu_record *recs[700];
    static store_put_result want[700], got[700];
    size_t n = 0, changes = 0;
#define ADD(rec, w) (v[n] = (rec), want[n] = (w), n++)
    for (int i = 0; i < 600; i++)
        ADD(patient(genu_arena_printf(a, "A%04d", i), "{\"v\":1}"), STORE_ADDED);
    ADD(patient("A0001", "{\"v\":1}"), STORE_UNCHANGED); /* a later chunk, the same */
    ADD(patient("A0001", "{\"v\":2}"), STORE_UPDATED);
    ADD(patient("A0002", "{\"v\":2}"), STORE_UPDATED);
    ADD(patient("A0002", "{\"v\":2}"), STORE_UNCHANGED); /* the updated doc, again */
    ADD(patient("A0001", "{\"v\":1}"), STORE_UPDATED);   /* back to the first */
#undef ADD
    for (size_t i = 0; i < n; i++) {
        recs[i] = &v[i];
        changes += want[i] != STORE_UNCHANGED;
    }
    size_t failed;
    assert_int_equal(store_begin(s, &err), GENU_OK);
    assert_int_equal(store_put_many(s, recs, n, got, &failed, &err), GENU_OK);
    assert_int_equal(store_commit(s, &err), GENU_OK);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(got[i], want[i]);
    genu_record r;
    assert_int_equal(store_get(s, GENU_REC_PATIENT, "A0001", a, &r, &err), GENU_OK);
    assert_string_equal(r.doc, "{\"v\":1}");
    assert_int_equal(store_get(s, GENU_REC_PATIENT, "A0002", a, &r, &err), GENU_OK);
    assert_string_equal(r.doc, "{\"v\":2}");
    trail_intact(s, changes);
    genu_arena_destroy(a);
    store_close(s);
}

/* A failing record deep in a call (a later chunk) is named by its index,
 * the error is the backend's, and after the rollback nothing of the call
 * is kept; the handle is usable afterwards. */
static void put_many_names_the_record_that_failed(void **state)
{
    (void)state;
    genu_store *s = open_db();
    genu_err err = {0};
    genu_arena *a = genu_arena_create();
    genu_score sc = {"intensity", 5};
    static genu_record v[800];
    static const genu_record *recs[800];
    static store_put_result got[800];
    for (size_t i = 0; i < 800; i++) {
        v[i] = patient(genu_arena_printf(a, "P%03zu", i), "{}");
        recs[i] = &v[i];
    }
    v[650] = nprs("r1", "NOPE", GENU_KNEE_LEFT, 100, &sc);
    size_t failed = 0;
    assert_int_equal(store_begin(s, &err), GENU_OK);
    assert_int_equal(store_put_many(s, recs, 800, got, &failed, &err), GENU_ECONFLICT);
    assert_int_equal(failed, 650);
    assert_non_null(strstr(err.msg, "FOREIGN KEY"));
    store_rollback(s);
    genu_err_clear(&err);
    size_t n = 99;
    assert_int_equal(store_count(s, GENU_REC_PATIENT, &n, &err), GENU_OK);
    assert_int_equal(n, 0);
    genu_record p = patient("P1", "{}");
    put(s, &p, STORE_ADDED);
    assert_int_equal(store_count(s, GENU_REC_PATIENT, &n, &err), GENU_OK);
    assert_int_equal(n, 1);
    genu_arena_destroy(a);
    store_close(s);
}

/* ---- partial loads ---- */

static genu_record treatment(const char *id, const char *pid, genu_date date)
{
    genu_record r = {.type = GENU_REC_TREATMENT, .id = id, .patient = pid,
                     .knee = GENU_KNEE_LEFT, .date = date, .doc = id};
    r.u.treatment = (genu_treatment){vocab_kind_find("prp"), NULL, 1, NAN, NULL, NULL};
    return r;
}

/* The ids of one patient's records of type t in a dataset, in order, and
 * checks each names that patient through its index. */
static size_t ids_of(const genu_dataset *ds, genu_rtype t, const char *pid, const char **out)
{
    size_t k = 0;
    for (size_t i = 0; i < ds->n[t]; i++) {
        const genu_record *r = &ds->recs[t][i];
        assert_true(r->pat < ds->n[GENU_REC_PATIENT]);
        assert_string_equal(ds->recs[GENU_REC_PATIENT][r->pat].id, r->patient);
        if (strcmp(r->patient, pid) == 0)
            out[k++] = r->id;
    }
    return k;
}

/* The types in mask hold the same records of pid in both datasets. */
static void same_records(const genu_dataset *all, const genu_dataset *part, const char *pid,
                         unsigned mask)
{
    for (int t = 0; t < GENU_REC_NTYPES; t++) {
        if (!((mask >> t) & 1u))
            continue;
        const char *x[16], *y[16];
        size_t nx = ids_of(all, t, pid, x), ny = ids_of(part, t, pid, y);
        if (nx != ny)
            fprintf(stderr, "type %d of %s: %zu records, %zu in the partial load\n", t, pid, nx, ny);
        assert_int_equal(nx, ny);
        for (size_t i = 0; i < nx; i++)
            assert_string_equal(x[i], y[i]);
    }
}

/* A case history loads one patient; decision support one patient and the
 * registry's patients and treatments. Each holds exactly, and in the same
 * order, what the whole load holds of them. */
static void a_partial_load_holds_what_the_whole_load_holds(void **state)
{
    (void)state;
    genu_store *s = open_db();
    genu_err err = {0};
    genu_arena *a = genu_arena_create();
    genu_score sc = {"intensity", 5};
    const char *pids[] = {"P3", "P1", "P2"};
    char ids[3][6][8];
    for (int i = 0; i < 3; i++) {
        genu_record p = patient(pids[i], "{}");
        put(s, &p, STORE_ADDED);
        for (int k = 0; k < 3; k++) { /* stored out of date order */
            snprintf(ids[i][k], 8, "t%d%d", i, k);
            snprintf(ids[i][3 + k], 8, "r%d%d", i, k);
            genu_record t = treatment(ids[i][k], pids[i], 18000 + 10 * (2 - k) + i);
            genu_record r = nprs(ids[i][3 + k], pids[i], GENU_KNEE_RIGHT, 18000 - k, &sc);
            put(s, &t, STORE_ADDED);
            put(s, &r, STORE_ADDED);
        }
    }
    genu_dataset all, one, advice, none;
    assert_int_equal(store_load(s, a, &all, &err), GENU_OK);
    store_scope just = {.patient = "P2"};
    assert_int_equal(store_load_scope(s, &just, a, &one, &err), GENU_OK);
    assert_int_equal(one.n[GENU_REC_PATIENT], 1);
    assert_int_equal(one.n[GENU_REC_TREATMENT], 3);
    assert_int_equal(one.n[GENU_REC_RESPONSE], 3);
    same_records(&all, &one, "P2", ~0u);
    store_scope adv = {.patient = "P2", .every = 1u << GENU_REC_PATIENT | 1u << GENU_REC_TREATMENT};
    assert_int_equal(store_load_scope(s, &adv, a, &advice, &err), GENU_OK);
    assert_int_equal(advice.n[GENU_REC_PATIENT], 3);
    assert_int_equal(advice.n[GENU_REC_TREATMENT], 9);
    assert_int_equal(advice.n[GENU_REC_RESPONSE], 3);
    same_records(&all, &advice, "P2", ~0u);
    same_records(&all, &advice, "P1", adv.every);
    same_records(&all, &advice, "P3", adv.every);
    /* responses of the others are not there */
    const char *x[16];
    assert_int_equal(ids_of(&advice, GENU_REC_RESPONSE, "P1", x), 0);
    store_scope nobody = {.patient = "NOPE"};
    assert_int_equal(store_load_scope(s, &nobody, a, &none, &err), GENU_OK);
    for (int t = 0; t < GENU_REC_NTYPES; t++)
        assert_int_equal(none.n[t], 0);
    store_scope bad = {.patient = "P2", .every = 1u << GENU_REC_TREATMENT};
    assert_int_equal(store_load_scope(s, &bad, a, &none, &err), GENU_EINVAL);
    genu_arena_destroy(a);
    store_close(s);
}

/* A lean load (what the command line's analyses read): every patient,
 * treatment and death, the responses of the instruments asked for only,
 * no record ids or clinicians, and one contact per (patient, day, knee)
 * with the types of the records on it, the very days the whole load
 * holds. */
static void a_lean_load_holds_the_measures_asked_for_and_every_day(void **state)
{
    (void)state;
    genu_store *s = open_db();
    genu_err err = {0};
    genu_arena *a = genu_arena_create();
    genu_score sc = {"intensity", 5}, ks = {"pain", 60};
    genu_record p1 = patient("P1", "{}"), p2 = patient("P2", "{}");
    put(s, &p2, STORE_ADDED);
    put(s, &p1, STORE_ADDED);
    genu_record t = treatment("t1", "P1", 18000);
    t.u.treatment.clinician = "Dr Who";
    put(s, &t, STORE_ADDED);
    genu_record r1 = nprs("r1", "P1", GENU_KNEE_LEFT, 18010, &sc);
    genu_record r2 = nprs("r2", "P2", GENU_KNEE_NONE, 18020, &sc);
    genu_record k1 = nprs("k1", "P1", GENU_KNEE_LEFT, 18010, &ks); /* same day as r1 */
    k1.u.response.instrument = "koos";
    genu_record k2 = nprs("k2", "P1", GENU_KNEE_RIGHT, 18030, &ks); /* a day only KOOS has */
    k2.u.response.instrument = "koos";
    genu_record x = {.type = GENU_REC_EXAM, .id = "x1", .patient = "P2", .knee = GENU_KNEE_LEFT,
                     .date = 18040, .doc = "x1"};
    memset(&x.u.exam, -1, sizeof x.u.exam);
    genu_record d = {.type = GENU_REC_DEATH, .id = "d1", .patient = "P2",
                     .knee = GENU_KNEE_NONE, .date = 18050, .doc = "d1"};
    const genu_record *more[] = {&r1, &r2, &k1, &k2, &x, &d};
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++)
        put(s, more[i], STORE_ADDED);

    const char *ins[] = {"nprs"};
    store_scope lean = {.every = 1u << GENU_REC_PATIENT | 1u << GENU_REC_TREATMENT |
                                 1u << GENU_REC_DEATH,
                        .instruments = ins, .ninstruments = 1, .contacts = true, .lean = true};
    genu_dataset ds;
    assert_int_equal(store_load_scope(s, &lean, a, &ds, &err), GENU_OK);
    assert_int_equal(ds.n[GENU_REC_PATIENT], 2);
    assert_string_equal(ds.recs[GENU_REC_PATIENT][0].id, "P1");
    assert_int_equal(ds.n[GENU_REC_TREATMENT], 1);
    assert_null(ds.recs[GENU_REC_TREATMENT][0].id);
    assert_null(ds.recs[GENU_REC_TREATMENT][0].u.treatment.clinician);
    assert_int_equal(ds.n[GENU_REC_DEATH], 1);
    assert_int_equal(ds.n[GENU_REC_EXAM], 0);
    /* the NPRS responses, in dataset order, with their scores */
    assert_int_equal(ds.n[GENU_REC_RESPONSE], 2);
    for (size_t i = 0; i < 2; i++) {
        const genu_record *r = &ds.recs[GENU_REC_RESPONSE][i];
        assert_string_equal(r->u.response.instrument, "nprs");
        assert_int_equal(r->pat, i);
        assert_true(record_score(r, "intensity") == 5);
    }
    /* the days: P1 18000 left (treatment), 18010 left (two responses,
     * one entry), 18030 right; P2 18020 (patient-level), 18040 left (exam),
     * 18050 (death) */
    const struct {
        uint32_t pat;
        genu_date date;
        genu_knee knee;
        unsigned types;
    } want[] = {
        {0, 18000, GENU_KNEE_LEFT, 1u << GENU_REC_TREATMENT},
        {0, 18010, GENU_KNEE_LEFT, 1u << GENU_REC_RESPONSE},
        {0, 18030, GENU_KNEE_RIGHT, 1u << GENU_REC_RESPONSE},
        {1, 18020, GENU_KNEE_NONE, 1u << GENU_REC_RESPONSE},
        {1, 18040, GENU_KNEE_LEFT, 1u << GENU_REC_EXAM},
        {1, 18050, GENU_KNEE_NONE, 1u << GENU_REC_DEATH},
    };
    assert_int_equal(ds.ncontacts, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < ds.ncontacts; i++) {
        assert_int_equal(ds.contacts[i].pat, want[i].pat);
        assert_int_equal(ds.contacts[i].date, want[i].date);
        assert_int_equal(ds.contacts[i].knee, want[i].knee);
        assert_int_equal(ds.contacts[i].types, want[i].types);
    }
    /* with a patient: that patient's other responses too */
    lean.patient = "P1";
    assert_int_equal(store_load_scope(s, &lean, a, &ds, &err), GENU_OK);
    assert_int_equal(ds.n[GENU_REC_RESPONSE], 4); /* r1, r2 and P1's k1, k2 */
    assert_int_equal(ds.n[GENU_REC_EXAM], 0);     /* P2's */
    /* an unknown instrument is refused */
    const char *bad[] = {"nprs", "koos; DROP TABLE patient"};
    lean.instruments = bad;
    lean.ninstruments = 2;
    assert_int_equal(store_load_scope(s, &lean, a, &ds, &err), GENU_EINVAL);
    genu_arena_destroy(a);
    store_close(s);
}

/* A lean load's response days follow every kind of write: puts one at a
 * time and many at once (COPY on PostgreSQL), an update that moves a
 * response to another day, deletions that leave a day empty or not. */
static void the_response_days_follow_every_write(void **state)
{
    (void)state;
    genu_store *s = open_db();
    genu_err err = {0};
    genu_arena *a = genu_arena_create();
    genu_score sc = {"intensity", 5};
    genu_record p1 = patient("P1", "{}"), p2 = patient("P2", "{}");
    put(s, &p1, STORE_ADDED);
    put(s, &p2, STORE_ADDED);
    genu_record r1 = nprs("r1", "P1", GENU_KNEE_LEFT, 100, &sc);
    genu_record r2 = nprs("r2", "P1", GENU_KNEE_LEFT, 100, &sc); /* r1's day */
    genu_record r3 = nprs("r3", "P1", GENU_KNEE_NONE, 100, &sc);
    put(s, &r1, STORE_ADDED);
    put(s, &r2, STORE_ADDED);
    put(s, &r3, STORE_ADDED);
    genu_record m[3] = {nprs("r4", "P2", GENU_KNEE_RIGHT, 200, &sc),
                        nprs("r5", "P2", GENU_KNEE_RIGHT, 200, &sc),
                        nprs("r6", "P2", GENU_KNEE_LEFT, 300, &sc)};
    const genu_record *many[3] = {&m[0], &m[1], &m[2]};
    store_put_result got[3];
    size_t failed = 0;
    assert_int_equal(store_put_many(s, many, 3, got, &failed, &err), GENU_OK);
    genu_record moved = r2; /* to the next day, and its doc changes */
    moved.date = 101;
    moved.doc = "r2 moved";
    put(s, &moved, STORE_UPDATED);
    assert_int_equal(store_delete(s, GENU_REC_RESPONSE, "r3", &err), GENU_OK); /* day emptied */
    assert_int_equal(store_delete(s, GENU_REC_RESPONSE, "r4", &err), GENU_OK); /* r5 stays */
    store_scope lean = {.every = 1u << GENU_REC_PATIENT, .contacts = true, .lean = true};
    genu_dataset ds;
    assert_int_equal(store_load_scope(s, &lean, a, &ds, &err), GENU_OK);
    const struct {
        uint32_t pat;
        genu_date date;
        genu_knee knee;
    } want[] = {{0, 100, GENU_KNEE_LEFT}, {0, 101, GENU_KNEE_LEFT}, {1, 200, GENU_KNEE_RIGHT},
                {1, 300, GENU_KNEE_LEFT}};
    assert_int_equal(ds.ncontacts, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < ds.ncontacts; i++) {
        assert_int_equal(ds.contacts[i].pat, want[i].pat);
        assert_int_equal(ds.contacts[i].date, want[i].date);
        assert_int_equal(ds.contacts[i].knee, want[i].knee);
        assert_int_equal(ds.contacts[i].types, 1u << GENU_REC_RESPONSE);
    }
    genu_arena_destroy(a);
    store_close(s);
}

/* ---- a connection the server drops (PostgreSQL) ---- */

static void drop_connections(void)
{
    assert_int_equal(raw_sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE application_name = 'genu' AND datname = current_database()"),
                     0);
}

/* After the server drops the connection (a restart, a failover), the next
 * use outside a transaction connects again; inside a transaction the loss
 * is an error, and nothing of that transaction is kept. */
static void a_dropped_connection_is_opened_again_between_transactions(void **state)
{
    (void)state;
    if (!pg)
        skip(); /* SQLite has no connection to lose */
    genu_store *s = open_db();
    genu_err err = {0};
    genu_record p1 = patient("P1", "{}"), p2 = patient("P2", "{}"), p3 = patient("P3", "{}");
    put(s, &p1, STORE_ADDED);
    drop_connections();
    bool has = false;
    int rc = store_has(s, GENU_REC_PATIENT, "P1", &has, &err);
    if (rc)
        fprintf(stderr, "store_has: %s\n", err.msg);
    assert_int_equal(rc, GENU_OK); /* a read is simply run again */
    assert_true(has);

    assert_int_equal(store_begin(s, &err), GENU_OK);
    put(s, &p2, STORE_ADDED);
    drop_connections();
    store_put_result res;
    assert_int_equal(store_put(s, &p3, &res, &err), GENU_EIO);
    assert_non_null(strstr(err.msg, "connection"));
    store_rollback(s);
    genu_err_clear(&err);
    size_t n = 99;
    assert_int_equal(store_count(s, GENU_REC_PATIENT, &n, &err), GENU_OK);
    assert_int_equal(n, 1);
    put(s, &p3, STORE_ADDED); /* writes work again, and the trail still chains */
    trail_intact(s, 2);
    store_close(s);
}

/* A read-only handle (a read replica's, store_open_read) reads what the
 * registry holds and refuses every write, also after it connected again;
 * SQLite has none. */
static void a_read_only_handle_reads_and_refuses_writes(void **state)
{
    (void)state;
    genu_store *s = open_db(), *r = NULL;
    genu_err err = {0};
    genu_record p1 = patient("P1", "{}"), p2 = patient("P2", "{}");
    put(s, &p1, STORE_ADDED);
    store_close(s);
    if (!pg) {
        assert_int_equal(store_open_read(url, &r, &err), GENU_ENOTSUP);
        assert_non_null(strstr(err.msg, "PostgreSQL"));
        assert_null(r);
        return;
    }
    assert_int_equal(store_open_read(url, &r, &err), GENU_OK);
    assert_true(store_connected(r));
    for (int round = 0; round < 2; round++) {
        bool has = false;
        size_t n = 0;
        store_put_result res;
        assert_int_equal(store_has(r, GENU_REC_PATIENT, "P1", &has, &err), GENU_OK);
        assert_true(has);
        assert_int_equal(store_put(r, &p2, &res, &err), GENU_EIO);
        assert_non_null(strstr(err.msg, "read-only"));
        genu_err_clear(&err);
        assert_int_equal(store_set_setting(r, "k", "v", &err), GENU_EIO);
        genu_err_clear(&err);
        assert_int_equal(store_count(r, GENU_REC_PATIENT, &n, &err), GENU_OK);
        assert_int_equal(n, 1);
        drop_connections(); /* the second round runs on a new connection */
    }
    store_close(r);
}

typedef struct seen {
    char ids[16][16];
    int n;
} seen;

static int collect(const genu_record *r, void *ctx)
{
    seen *v = ctx;
    snprintf(v->ids[v->n++], sizeof v->ids[0], "%s", r->id);
    return 0;
}

static void export_order_is_patient_then_type_then_date(void **state)
{
    (void)state;
    genu_store *s = open_db();
    genu_err err = {0};
    genu_score a = {"intensity", 5}, b = {"intensity", NAN};
    store_begin(s, &err);
    genu_record p2 = patient("P2", "p2"), p1 = patient("P1", "p1");
    put(s, &p2, STORE_ADDED);
    put(s, &p1, STORE_ADDED);
    genu_record r3 = nprs("r3", "P1", GENU_KNEE_LEFT, 200, &a);
    genu_record r1 = nprs("r1", "P2", GENU_KNEE_RIGHT, 50, &a);
    genu_record r2 = nprs("r2", "P1", GENU_KNEE_LEFT, 100, &b);
    put(s, &r3, STORE_ADDED);
    put(s, &r1, STORE_ADDED);
    put(s, &r2, STORE_ADDED);
    store_commit(s, &err);

    seen v = {0};
    assert_int_equal(store_each(s, false, collect, &v, &err), GENU_OK);
    assert_int_equal(v.n, 5);
    const char *want[] = {"P1", "r2", "r3", "P2", "r1"};
    for (int i = 0; i < 5; i++)
        assert_string_equal(v.ids[i], want[i]);

    genu_arena *ar = genu_arena_create();
    genu_dataset ds;
    assert_int_equal(store_load(s, ar, &ds, &err), GENU_OK);
    assert_int_equal(ds.n[GENU_REC_PATIENT], 2);
    assert_string_equal(ds.recs[GENU_REC_PATIENT][0].id, "P1");
    assert_true(isnan(ds.recs[GENU_REC_PATIENT][0].u.patient.height_cm));
    assert_true(ds.recs[GENU_REC_PATIENT][0].u.patient.weight_kg == 70);
    assert_int_equal(ds.n[GENU_REC_RESPONSE], 3);
    const genu_record *resp = ds.recs[GENU_REC_RESPONSE];
    assert_string_equal(resp[0].id, "r2");
    assert_int_equal(resp[0].pat, 0);
    assert_int_equal(resp[0].date, 100);
    assert_int_equal(resp[0].knee, GENU_KNEE_LEFT);
    assert_false(record_has_score(&resp[0], "intensity"));
    assert_true(record_score(&resp[1], "intensity") == 5);
    assert_int_equal(resp[2].pat, 1);
    assert_null(resp[0].doc);
    genu_arena_destroy(ar);
    store_close(s);
}

/* Ids sort bytewise (SQLite's BINARY, PostgreSQL's "C"), whatever the
 * server's locale: upper case before lower case, UTF-8 after ASCII; a
 * record without a knee comes before one with a knee on the same date. */
static void order_is_bytewise_and_null_knees_come_first(void **state)
{
    (void)state;
    genu_store *s = open_db();
    genu_err err = {0};
    genu_score a = {"intensity", 1};
    const char *ids[] = {"\xc3\xa9t\xc3\xa9", "a-1", "Z9", "B10", "a_1", "B2"};
    store_begin(s, &err);
    for (int i = 0; i < 6; i++) {
        genu_record p = patient(ids[i], ids[i]);
        put(s, &p, STORE_ADDED);
    }
    genu_record k1 = nprs("k-right", "Z9", GENU_KNEE_RIGHT, 10, &a);
    genu_record k2 = nprs("k-none", "Z9", GENU_KNEE_NONE, 10, &a);
    genu_record k3 = nprs("k-left", "Z9", GENU_KNEE_LEFT, 10, &a);
    genu_record k4 = nprs("k-early", "Z9", GENU_KNEE_RIGHT, 9, &a);
    put(s, &k1, STORE_ADDED);
    put(s, &k2, STORE_ADDED);
    put(s, &k3, STORE_ADDED);
    put(s, &k4, STORE_ADDED);
    assert_int_equal(store_commit(s, &err), GENU_OK);
    seen v = {0};
    assert_int_equal(store_each(s, false, collect, &v, &err), GENU_OK);
    const char *want[] = {"B10",     "B2",     "Z9",     "k-early", "k-none",
                          "k-left",  "k-right", "a-1",   "a_1",     "\xc3\xa9t\xc3\xa9"};
    assert_int_equal(v.n, 10);
    for (int i = 0; i < 10; i++)
        assert_string_equal(v.ids[i], want[i]);
    genu_arena *ar = genu_arena_create();
    genu_record *page;
    size_t n, total;
    store_query q = {.patient = "Z9", .limit = 10};
    assert_int_equal(store_list(s, GENU_REC_RESPONSE, &q, ar, &page, &n, &total, &err), GENU_OK);
    assert_int_equal(n, 4);
    assert_string_equal(page[1].id, "k-none");
    assert_int_equal(page[1].knee, GENU_KNEE_NONE);
    genu_arena_destroy(ar);
    store_close(s);
}

static void every_field_reads_back_as_stored(void **state)
{
    (void)state;
    genu_store *s = open_db();
    genu_err err = {0};
    genu_arena *a = genu_arena_create();
    genu_record p = patient("P1", "{\"p\":\"it's \\\"quoted\\\"; DROP TABLE patient;--\"}");
    p.u.patient.height_cm = 172.30000000000001;
    p.u.patient.weight_kg = 1.0 / 3.0;
    put(s, &p, STORE_ADDED);
    genu_record t = {.type = GENU_REC_TREATMENT, .id = "t1", .patient = "P1",
                     .knee = GENU_KNEE_RIGHT, .date = 18000, .doc = "t1"};
    t.u.treatment = (genu_treatment){vocab_kind_find("prp"), "3x", 0x80000001u, 123.45, "EUR",
                                     NULL};
    put(s, &t, STORE_ADDED);
    genu_score sc[2] = {{"pain", 12.5}, {"womac.pain_norm", NAN}};
    const char *notes[] = {"first note", "second"};
    genu_record r = nprs("r1", "P1", GENU_KNEE_LEFT, 18001, sc);
    r.u.response = (genu_response){"koos", 2, 2, sc, 2, notes};
    put(s, &r, STORE_ADDED);
    genu_record ex = {.type = GENU_REC_EXAM, .id = "e1", .patient = "P1",
                      .knee = GENU_KNEE_LEFT, .date = 18002, .doc = "e1"};
    ex.u.exam = (genu_exam){1, 0, -1, 2, 0, 1, -1, 3};
    put(s, &ex, STORE_ADDED);
    genu_record ae = {.type = GENU_REC_ADVERSE_EVENT, .id = "ae1", .patient = "P1",
                      .knee = GENU_KNEE_RIGHT, .date = 18003, .doc = "ae1"};
    ae.u.adverse_event = (genu_adverse_event){"infection", 3, 1, "t1"};
    put(s, &ae, STORE_ADDED);
    genu_record g;
    assert_int_equal(store_get(s, GENU_REC_EXAM, "e1", a, &g, &err), GENU_OK);
    assert_int_equal(g.u.exam.swelling, 1);
    assert_int_equal(g.u.exam.unable_to_straighten, -1);
    assert_int_equal(g.u.exam.pain_at_rest, 3);
    assert_int_equal(store_get(s, GENU_REC_ADVERSE_EVENT, "ae1", a, &g, &err), GENU_OK);
    assert_string_equal(g.u.adverse_event.kind, "infection");
    assert_int_equal(g.u.adverse_event.serious, 1);
    assert_string_equal(g.u.adverse_event.treatment, "t1");
    assert_int_equal(store_get(s, GENU_REC_PATIENT, "P1", a, &g, &err), GENU_OK);
    assert_string_equal(g.doc, p.doc);
    assert_true(g.u.patient.height_cm == 172.30000000000001);
    assert_true(g.u.patient.weight_kg == 1.0 / 3.0);
    assert_int_equal(g.u.patient.birth_year, 1950);
    assert_int_equal(store_get(s, GENU_REC_TREATMENT, "t1", a, &g, &err), GENU_OK);
    assert_int_equal(g.u.treatment.sites, 0x80000001u);
    assert_true(g.u.treatment.cost == 123.45);
    assert_string_equal(g.u.treatment.currency, "EUR");
    assert_null(g.u.treatment.clinician);
    assert_int_equal(g.date, 18000);
    assert_int_equal(g.knee, GENU_KNEE_RIGHT);
    assert_int_equal(store_get(s, GENU_REC_RESPONSE, "r1", a, &g, &err), GENU_OK);
    assert_int_equal(g.u.response.nscores, 2);
    assert_true(record_score(&g, "pain") == 12.5);
    assert_true(record_has_score(&g, "womac.pain_norm") || isnan(record_score(&g, "womac.pain_norm")));
    assert_int_equal(g.u.response.nnotes, 2);
    assert_string_equal(g.u.response.notes[1], "second");
    assert_int_equal(store_get(s, GENU_REC_RESPONSE, "nope", a, &g, &err), GENU_ENOTFOUND);
    /* and the same through a load, which PostgreSQL streams as a binary
     * COPY: numbers in their binary form, texts with the characters COPY's
     * text form would escape, NULLs, and an empty table (deaths) */
    genu_record t2 = t;
    t2.id = "t2";
    t2.date = 18004;
    t2.u.treatment.protocol = "tab\there \\N\nline\\";
    t2.u.treatment.currency = NULL;
    t2.u.treatment.cost = NAN;
    t2.u.treatment.sites = 0;
    put(s, &t2, STORE_ADDED);
    genu_dataset ds;
    err = (genu_err){0}; /* "nope" above set it */
    assert_int_equal(store_load(s, a, &ds, &err), GENU_OK);
    assert_int_equal(ds.n[GENU_REC_PATIENT], 1);
    const genu_patient *lp = &ds.recs[GENU_REC_PATIENT][0].u.patient;
    assert_true(lp->height_cm == 172.30000000000001);
    assert_true(lp->weight_kg == 1.0 / 3.0);
    assert_int_equal(lp->birth_year, 1950);
    assert_int_equal(ds.n[GENU_REC_TREATMENT], 2);
    const genu_record *lt = ds.recs[GENU_REC_TREATMENT];
    assert_string_equal(lt[0].id, "t1");
    assert_true(lt[0].seq > 0 && lt[1].seq > lt[0].seq);
    assert_int_equal(lt[0].u.treatment.sites, 0x80000001u);
    assert_true(lt[0].u.treatment.cost == 123.45);
    assert_string_equal(lt[0].u.treatment.protocol, "3x");
    assert_string_equal(lt[0].u.treatment.currency, "EUR");
    assert_int_equal(lt[0].knee, GENU_KNEE_RIGHT);
    assert_int_equal(lt[0].date, 18000);
    assert_string_equal(lt[1].u.treatment.protocol, "tab\there \\N\nline\\");
    assert_null(lt[1].u.treatment.currency);
    assert_true(isnan(lt[1].u.treatment.cost));
    assert_int_equal(lt[1].u.treatment.sites, 0);
    assert_int_equal(ds.n[GENU_REC_EXAM], 1);
    assert_int_equal(ds.recs[GENU_REC_EXAM][0].u.exam.unable_to_straighten, -1);
    assert_int_equal(ds.recs[GENU_REC_EXAM][0].u.exam.pain_at_rest, 3);
    assert_int_equal(ds.n[GENU_REC_ADVERSE_EVENT], 1);
    assert_int_equal(ds.recs[GENU_REC_ADVERSE_EVENT][0].u.adverse_event.serious, 1);
    assert_int_equal(ds.n[GENU_REC_RESPONSE], 1);
    assert_int_equal(ds.recs[GENU_REC_RESPONSE][0].u.response.version, 2);
    assert_true(record_score(&ds.recs[GENU_REC_RESPONSE][0], "pain") == 12.5);
    assert_int_equal(ds.n[GENU_REC_DEATH], 0);
    genu_arena_destroy(a);
    store_close(s);
}

static void lists_page_and_filter(void **state)
{
    (void)state;
    genu_store *s = open_db();
    genu_err err = {0};
    genu_score a = {"intensity", 5};
    store_begin(s, &err);
    const char *ids[] = {"A1", "A2", "B1", "A3"};
    for (int i = 0; i < 4; i++) {
        genu_record p = patient(ids[i], ids[i]);
        p.u.patient.site = i == 2 ? "site-b" : "site-a";
        put(s, &p, STORE_ADDED);
    }
    genu_record r1 = nprs("r1", "A2", GENU_KNEE_LEFT, 20, &a), r2 = nprs("r2", "A2", 0, 10, &a);
    put(s, &r1, STORE_ADDED);
    put(s, &r2, STORE_ADDED);
    store_commit(s, &err);
    genu_arena *ar = genu_arena_create();
    genu_record *v;
    size_t n, total;
    store_query q = {.search = "A", .offset = 1, .limit = 1};
    assert_int_equal(store_list(s, GENU_REC_PATIENT, &q, ar, &v, &n, &total, &err), GENU_OK);
    assert_int_equal(total, 3);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].id, "A2");
    store_query q2 = {.sites = "site-b,site-c", .limit = 10};
    assert_int_equal(store_list(s, GENU_REC_PATIENT, &q2, ar, &v, &n, &total, &err), GENU_OK);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].id, "B1");
    store_query q3 = {.patient = "A2", .limit = 10};
    assert_int_equal(store_list(s, GENU_REC_RESPONSE, &q3, ar, &v, &n, &total, &err), GENU_OK);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].id, "r2");
    assert_string_equal(v[0].doc, "r2");
    genu_arena_destroy(ar);
    store_close(s);
}

static void settings_round_trip(void **state)
{
    (void)state;
    genu_store *s = open_db();
    genu_err err = {0};
    genu_arena *a = genu_arena_create();
    const char *v = "x";
    assert_int_equal(store_get_setting(s, "k", a, &v, &err), GENU_OK);
    assert_null(v);
    assert_int_equal(store_set_setting(s, "k", "one", &err), GENU_OK);
    assert_int_equal(store_set_setting(s, "k", "two", &err), GENU_OK);
    assert_int_equal(store_get_setting(s, "k", a, &v, &err), GENU_OK);
    assert_string_equal(v, "two");
    genu_arena_destroy(a);
    store_close(s);
}

static void a_newer_schema_is_refused(void **state)
{
    (void)state;
    genu_store *s = open_db();
    store_close(s);
    assert_int_equal(raw_sql(pg ? "INSERT INTO schema_migrations(version) VALUES(99);"
                                : "PRAGMA user_version=99;"),
                     0);
    genu_err err = {0};
    assert_int_equal(store_open(url, false, &s, &err), GENU_ENOTSUP);
    assert_non_null(strstr(err.msg, "newer"));
}

/* A registry of an older schema is opened only by store_migrate, and a
 * migration that fails (here on purpose, through the tests' fault
 * injection; a real one would fail at the first statement that cannot run)
 * leaves its version as it was. */
static void an_older_schema_is_refused_until_migrated(void **state)
{
    (void)state;
    genu_store *s = open_db();
    int latest = store_schema_version(s);
    assert_int_equal(latest, store_schema_latest());
    store_close(s);
    char sql[128];
    if (pg) /* the newest version's row gone: the database is one version older */
        snprintf(sql, sizeof sql, "DELETE FROM schema_migrations WHERE version = %d;", latest);
    else
        snprintf(sql, sizeof sql, "PRAGMA user_version=%d;", latest - 1);
    assert_int_equal(raw_sql(sql), 0);
    genu_err err = {0};
    assert_int_equal(store_open(url, false, &s, &err), GENU_ENOTSUP);
    assert_non_null(strstr(err.msg, "older than this genu"));
    assert_non_null(strstr(err.msg, "genu migrate"));
    setenv("GENU_TEST_FAIL_MIGRATION", "1", 1);
    int from = 0, to = 0;
    err = (genu_err){0};
    assert_int_not_equal(store_migrate(url, NULL, &from, &to, &err), GENU_OK);
    unsetenv("GENU_TEST_FAIL_MIGRATION");
    err = (genu_err){0};
    assert_int_equal(store_open(url, false, &s, &err), GENU_ENOTSUP); /* still older */
}

/* ---- changes, the audit trail, accounts, backup ---- */

static void fill(genu_store *s)
{
    genu_err err = {0};
    store_put_result res;
    assert_int_equal(store_set_actor(s, "user:alice", &err), GENU_OK);
    genu_record a = patient("A", "{\"a\":1}"), b = patient("B", "{\"b\":1}");
    assert_int_equal(store_put(s, &a, &res, &err), GENU_OK); /* own transaction */
    assert_int_equal(store_begin(s, &err), GENU_OK);
    assert_int_equal(store_put(s, &b, &res, &err), GENU_OK);
    a.doc = "{\"a\":2}";
    assert_int_equal(store_put(s, &a, &res, &err), GENU_OK);
    assert_int_equal(store_put(s, &a, &res, &err), GENU_OK); /* unchanged: not audited */
    assert_int_equal(store_commit(s, &err), GENU_OK);
    assert_int_equal(store_delete(s, GENU_REC_PATIENT, "B", &err), GENU_OK);
}

static void every_change_is_audited_with_before_and_after(void **state)
{
    (void)state;
    genu_store *s = open_db();
    fill(s);
    genu_arena *a = genu_arena_create();
    store_audit_row *rows;
    size_t n;
    genu_err err = {0};
    assert_int_equal(store_audit_list(s, 0, 100, a, &rows, &n, &err), GENU_OK);
    assert_int_equal(n, 4);
    assert_string_equal(rows[0].action, "create");
    assert_null(rows[0].before);
    /* a create carries the digest of its doc, {"a":1}: SHA-256 worked with
     * `printf '{"a":1}' | sha256sum` */
    assert_string_equal(rows[0].after,
                        "sha256:015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862");
    assert_string_equal(rows[2].action, "update");
    assert_string_equal(rows[2].before, "{\"a\":1}");
    assert_string_equal(rows[2].after, "{\"a\":2}");
    assert_string_equal(rows[3].action, "delete");
    assert_string_equal(rows[3].before, "{\"b\":1}");
    assert_null(rows[3].after);
    assert_string_equal(rows[3].actor, "user:alice");
    assert_string_equal(rows[1].prev, rows[0].hash);
    trail_intact(s, 4);
    genu_record r;
    assert_int_equal(store_get(s, GENU_REC_PATIENT, "B", a, &r, &err), GENU_ENOTFOUND);
    genu_err e2 = {0};
    assert_int_equal(store_get(s, GENU_REC_PATIENT, "A", a, &r, &e2), GENU_OK);
    assert_string_equal(r.doc, "{\"a\":2}");
    genu_arena_destroy(a);
    store_close(s);
}

/* An import's staged records (store_stage_new, then store_stage_audit):
 * the creation rows are those of store_put, one per record in the order
 * given, over several turns of the audit writer's ring (audit_ahead.h) and
 * with a tail shorter than its batches; the trail verifies. On SQLite the
 * hashes and digests are kept as their 32 bytes (schema 7). */
static void staged_records_are_audited_in_order(void **state)
{
    (void)state;
    enum { N = 20011 };
    genu_store *s = open_db();
    genu_record p0 = patient("P0", "{\"p\":0}");
    put(s, &p0, STORE_ADDED); /* the chain has a head before the import */
    genu_record *recs = calloc(N, sizeof *recs);
    const genu_record **rp = calloc(N, sizeof *rp);
    store_digest *dg = calloc(N, sizeof *dg);
    const store_digest **dp = calloc(N, sizeof *dp);
    char (*ids)[32] = calloc(N, sizeof *ids), (*docs)[32] = calloc(N, sizeof *docs);
    assert_true(recs && rp && dg && dp && ids && docs);
    for (size_t i = 0; i < N; i++) {
        snprintf(ids[i], sizeof ids[i], "S%05zu", i);
        snprintf(docs[i], sizeof docs[i], "{\"i\":%zu}", i);
        recs[i] = patient(ids[i], docs[i]);
        rp[i] = &recs[i];
        store_doc_digest(docs[i], &dg[i]);
        dp[i] = i % 2 ? &dg[i] : NULL;
    }
    genu_err err = {0};
    bool all_new = true;
    assert_int_equal(store_begin(s, &err), GENU_OK);
    assert_int_equal(store_stage_new(s, rp, N, &all_new, &err), GENU_OK);
    assert_true(all_new);
    assert_int_equal(store_stage_audit(s, rp, dp, N, &err), GENU_OK);
    assert_int_equal(store_commit(s, &err), GENU_OK);
    trail_intact(s, N + 1);
    genu_arena *a = genu_arena_create();
    store_audit_row *rows;
    size_t n;
    const size_t at[] = {0, 1, 31, 32, 8191, 8192, 16384, N - 2, N - 1};
    for (size_t k = 0; k < sizeof at / sizeof at[0]; k++) {
        assert_int_equal(store_audit_list(s, (int64_t)at[k], 2, a, &rows, &n, &err), GENU_OK);
        assert_true(n >= 1);
        assert_int_equal(rows[0].seq, (int64_t)at[k] + 1);
        assert_string_equal(rows[0].action, "create");
        assert_string_equal(rows[0].type, "patient");
        /* row at[k] + 1 is the creation of recs[at[k] - 1] (row 1 is P0's) */
        assert_string_equal(rows[0].id, at[k] ? ids[at[k] - 1] : "P0");
        char want[80] = "sha256:";
        store_digest d;
        store_doc_digest(at[k] ? docs[at[k] - 1] : "{\"p\":0}", &d);
        for (int b = 0; b < 32; b++)
            snprintf(want + 7 + 2 * b, 3, "%02x", d.b[b]);
        assert_string_equal(rows[0].after, want);
        if (n == 2)
            assert_string_equal(rows[1].prev, rows[0].hash);
    }
    genu_arena_destroy(a);
    store_close(s);
    if (!pg) /* every hash and digest stored as bytes; a CHECK fails on any other */
        assert_int_equal(raw_sql("CREATE TEMP TABLE t(n CHECK (n = 0)); INSERT INTO t SELECT"
                                 " count(*) FROM audit WHERE typeof(prev) <> 'blob' OR"
                                 " typeof(hash) <> 'blob' OR typeof(after) <> 'blob';"),
                         0);
    free(recs);
    free(rp);
    free(dg);
    free(dp);
    free(ids);
    free(docs);
}

static void a_patient_with_records_is_not_deleted(void **state)
{
    (void)state;
    genu_store *s = open_db();
    genu_err err = {0};
    genu_score sc = {"intensity", 3};
    genu_record p = patient("P", "{}"), r = nprs("r", "P", GENU_KNEE_LEFT, 1, &sc);
    put(s, &p, STORE_ADDED);
    put(s, &r, STORE_ADDED);
    assert_int_equal(store_delete(s, GENU_REC_PATIENT, "P", &err), GENU_ECONFLICT);
    assert_non_null(strstr(err.msg, "still has records"));
    genu_err_clear(&err);
    assert_int_equal(store_delete(s, GENU_REC_PATIENT, "nope", &err), GENU_ENOTFOUND);
    genu_err_clear(&err);
    bool has = false;
    assert_int_equal(store_has(s, GENU_REC_PATIENT, "P", &has, &err), GENU_OK);
    assert_true(has);
    store_close(s);
}

/* Tampering with the data directly (as someone with database access would)
 * is detected; the triggers stop ordinary edits. */
static void tamper(const char *sql, int64_t want_broken)
{
    genu_store *s = open_db();
    fill(s);
    store_close(s);
    char all[512];
    snprintf(all, sizeof all, "%s %s",
             pg ? "ALTER TABLE audit DISABLE TRIGGER USER;"
                : "DROP TRIGGER audit_append_only_u; DROP TRIGGER audit_append_only_d;",
             sql);
    assert_int_equal(raw_sql(all), 0);
    s = open_db();
    int64_t broken;
    size_t checked;
    char why[200];
    genu_err err = {0};
    assert_int_equal(store_audit_verify(s, &broken, &checked, why, sizeof why, &err), GENU_OK);
    assert_int_equal(broken, want_broken);
    store_close(s);
}

static void an_edited_row_is_detected(void **state)
{
    (void)state;
    tamper("UPDATE audit SET after='{\"a\":3}' WHERE seq=3;", 3);
}

static void a_deleted_row_is_detected(void **state)
{
    (void)state;
    tamper("DELETE FROM audit WHERE seq=2;", 3);
}

static void reordered_rows_are_detected(void **state)
{
    (void)state;
    tamper("UPDATE audit SET seq=seq+10 WHERE seq=1; UPDATE audit SET seq=1 WHERE seq=2;"
           " UPDATE audit SET seq=2 WHERE seq=11;",
           1);
}

static void a_truncated_tail_is_detected(void **state)
{
    (void)state;
    tamper("DELETE FROM audit WHERE seq=4;", -1);
}

static void the_trail_refuses_updates(void **state)
{
    (void)state;
    genu_store *s = open_db();
    fill(s);
    store_close(s);
    assert_int_not_equal(raw_sql("DELETE FROM audit;"), 0);
    assert_int_not_equal(raw_sql("UPDATE audit SET actor='mallory';"), 0);
    if (pg)
        assert_int_not_equal(raw_sql("TRUNCATE audit;"), 0);
}

static void users_sessions_and_survey_links(void **state)
{
    (void)state;
    genu_store *s = open_db();
    genu_err err = {0};
    genu_arena *a = genu_arena_create();
    int64_t id = 0, id2 = 0;
    store_user u = {0, "carol", "clinician", "oak-park", "$argon2id$x", false};
    assert_int_equal(store_user_put(s, &u, &id, &err), GENU_OK);
    u.disabled = true;
    assert_int_equal(store_user_put(s, &u, &id2, &err), GENU_OK);
    assert_int_equal(id, id2);
    store_user got;
    assert_int_equal(store_user_get(s, "carol", 0, a, &got, &err), GENU_OK);
    assert_true(got.disabled);
    assert_string_equal(got.sites, "oak-park");
    assert_int_equal(store_user_get(s, NULL, id, a, &got, &err), GENU_OK);
    assert_string_equal(got.name, "carol");
    store_user bad = {0, "eve", "root", "", "h", false};
    assert_int_equal(store_user_put(s, &bad, &id, &err), GENU_EINVAL);
    genu_err_clear(&err);
    store_user *all;
    size_t nu;
    assert_int_equal(store_user_list(s, a, &all, &nu, &err), GENU_OK);
    assert_int_equal(nu, 1);

    const char *csrf;
    int64_t who;
    assert_int_equal(store_session_put(s, "tok1", id2, "c1", INT64_MAX, INT64_MAX, &err), GENU_OK);
    assert_int_equal(store_session_get(s, "tok1", 10, a, &who, &csrf, &err), GENU_OK);
    assert_int_equal(who, id2);
    assert_string_equal(csrf, "c1");
    assert_int_equal(store_session_get(s, "tok1", INT64_MAX, a, &who, &csrf, &err),
                     GENU_ENOTFOUND);
    genu_err_clear(&err);
    assert_int_equal(store_session_delete(s, "tok1", &err), GENU_OK);
    assert_int_equal(store_session_get(s, "tok1", 10, a, &who, &csrf, &err), GENU_ENOTFOUND);
    genu_err_clear(&err);

    /* an idle deadline that use moves on, never past the session's end */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    const int64_t base = (int64_t)ts.tv_sec * 1000000, sec = 1000000;
    assert_int_equal(store_session_put(s, "tok2", id2, "c2", base + 100 * sec, base + 500 * sec,
                                       &err),
                     GENU_OK);
    assert_int_equal(store_session_get(s, "tok2", base + 150 * sec, a, &who, &csrf, &err),
                     GENU_ENOTFOUND);
    genu_err_clear(&err);
    assert_int_equal(store_session_touch(s, "tok2", base + 300 * sec, 60 * sec, &err), GENU_OK);
    assert_int_equal(store_session_get(s, "tok2", base + 250 * sec, a, &who, &csrf, &err),
                     GENU_OK);
    assert_int_equal(store_session_touch(s, "tok2", base + 700 * sec, 60 * sec, &err), GENU_OK);
    assert_int_equal(store_session_get(s, "tok2", base + 450 * sec, a, &who, &csrf, &err),
                     GENU_OK);
    assert_int_equal(store_session_get(s, "tok2", base + 600 * sec, a, &who, &csrf, &err),
                     GENU_ENOTFOUND);
    genu_err_clear(&err);

    genu_record p = patient("P", "{}");
    store_put_result res;
    assert_int_equal(store_put(s, &p, &res, &err), GENU_OK);
    store_survey v = {"h1", "P", GENU_KNEE_LEFT, "nprs,koos", "12m", 1, 2, 0, id2};
    assert_int_equal(store_survey_put(s, &v, &err), GENU_OK);
    store_survey w;
    assert_int_equal(store_survey_get(s, "h1", a, &w, &err), GENU_OK);
    assert_int_equal(w.knee, GENU_KNEE_LEFT);
    assert_int_equal(w.used_us, 0);
    assert_int_equal(w.created_by, id2);
    assert_string_equal(w.timepoint, "12m");
    assert_int_equal(store_survey_use(s, "h1", 5, &err), GENU_OK);
    assert_int_equal(store_survey_use(s, "h1", 6, &err), GENU_ECONFLICT);
    genu_err_clear(&err);
    assert_int_equal(store_survey_get(s, "h2", a, &w, &err), GENU_ENOTFOUND);
    genu_arena_destroy(a);
    store_close(s);
}

static void backup_is_a_complete_registry(void **state)
{
    (void)state;
    genu_store *s = open_db();
    fill(s);
    genu_err err = {0};
    int64_t uid;
    store_user u = {0, "dora", "admin", "", "$argon2id$y", false};
    assert_int_equal(store_user_put(s, &u, &uid, &err), GENU_OK);
    assert_int_equal(store_backup(s, copy, &err), GENU_OK);
    store_close(s);
    genu_store *c = NULL;
    assert_int_equal(store_open(copy, false, &c, &err), GENU_OK);
    size_t n;
    assert_int_equal(store_count(c, GENU_REC_PATIENT, &n, &err), GENU_OK);
    assert_int_equal(n, 1);
    trail_intact(c, 5);
    genu_arena *a = genu_arena_create();
    store_user got;
    assert_int_equal(store_user_get(c, "dora", 0, a, &got, &err), GENU_OK);
    assert_int_equal(got.id, uid);
    genu_record r;
    assert_int_equal(store_get(c, GENU_REC_PATIENT, "A", a, &r, &err), GENU_OK);
    assert_string_equal(r.doc, "{\"a\":2}");
    genu_arena_destroy(a);
    store_close(c);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(opening_a_missing_registry_without_create_fails),
        T(reopening_keeps_the_schema_version),
        T(puts_add_update_and_leave_identical_records),
        T(rollback_leaves_nothing),
        T(a_record_of_an_unknown_patient_is_refused),
        T(export_order_is_patient_then_type_then_date),
        T(order_is_bytewise_and_null_knees_come_first),
        T(every_field_reads_back_as_stored),
        T(lists_page_and_filter),
        T(settings_round_trip),
        T(a_newer_schema_is_refused),
        T(an_older_schema_is_refused_until_migrated),
        T(every_change_is_audited_with_before_and_after),
        T(staged_records_are_audited_in_order),
        T(a_patient_with_records_is_not_deleted),
        T(an_edited_row_is_detected),
        T(a_deleted_row_is_detected),
        T(reordered_rows_are_detected),
        T(a_truncated_tail_is_detected),
        T(the_trail_refuses_updates),
        T(users_sessions_and_survey_links),
        T(backup_is_a_complete_registry),
        T(a_failed_savepoint_spoils_only_its_own_write),
        T(put_many_does_what_puts_one_at_a_time_do),
        T(put_many_names_the_record_that_failed),
        T(put_many_into_an_empty_registry_sees_its_own_writes),
        T(a_dropped_connection_is_opened_again_between_transactions),
        T(a_read_only_handle_reads_and_refuses_writes),
        T(a_partial_load_holds_what_the_whole_load_holds),
        T(a_lean_load_holds_the_measures_asked_for_and_every_day),
        T(the_response_days_follow_every_write),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
