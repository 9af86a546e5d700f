/* dscache: the shared analysis dataset is reused while the registry is
 * unchanged, reloaded after any change (through this handle or another
 * process's), and a dataset a request still holds stays readable after it
 * was replaced. Under ASan a leak or a use after free fails the test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http/dscache.h"
#include "model/vocab.h"

static char path[80];

static void remove_db(void)
{
    char p[100];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

static int setup(void **state)
{
    (void)state;
    snprintf(path, sizeof path, "/tmp/genu-test-dscache-%d.db", (int)getpid());
    remove_db();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    remove_db();
    return 0;
}

static genu_store *open_db(void)
{
    genu_store *s = NULL;
    genu_err err = {0};
    assert_int_equal(store_open(path, true, &s, &err), GENU_OK);
    return s;
}

static void add_patient(genu_store *s, const char *id)
{
    genu_record r = {.type = GENU_REC_PATIENT, .id = id, .patient = id, .doc = id};
    r.date = GENU_DATE_NONE;
    r.u.patient = (genu_patient){"site-a", vocab_sex("male"), 1950, NAN, NAN};
    store_put_result res;
    genu_err err = {0};
    assert_int_equal(store_put(s, &r, &res, &err), GENU_OK);
}

static void reused_until_the_registry_changes(void **state)
{
    (void)state;
    genu_store *s = open_db(), *other = open_db();
    dscache *c = dscache_create();
    genu_err err = {0};
    const genu_dataset *d1, *d2, *d3, *d4;
    dscache_ref *r1, *r2, *r3, *r4;
    add_patient(s, "P1");
    assert_int_equal(dscache_get(c, s, &d1, &r1, &err), GENU_OK);
    assert_int_equal(d1->n[GENU_REC_PATIENT], 1);
    /* unchanged: the same dataset, also through another handle */
    assert_int_equal(dscache_get(c, other, &d2, &r2, &err), GENU_OK);
    assert_ptr_equal(d1, d2);
    dscache_release(c, r2);
    /* a change through another handle (another process would do the same) */
    add_patient(other, "P2");
    assert_int_equal(dscache_get(c, s, &d3, &r3, &err), GENU_OK);
    assert_ptr_not_equal(d3, d1);
    assert_int_equal(d3->n[GENU_REC_PATIENT], 2);
    /* the replaced dataset is still whole for the request holding it */
    assert_int_equal(d1->n[GENU_REC_PATIENT], 1);
    assert_string_equal(d1->recs[GENU_REC_PATIENT][0].id, "P1");
    dscache_release(c, r1); /* frees it */
    assert_int_equal(dscache_get(c, s, &d4, &r4, &err), GENU_OK);
    assert_ptr_equal(d4, d3);
    dscache_release(c, r3);
    dscache_release(c, r4);
    dscache_destroy(c);
    store_close(other);
    store_close(s);
}

/* Without a cache each call loads into the arena given; with one, the
 * dataset is a copy of the shared one's header and a second load in the
 * same request lets the first go. */
static void load_with_and_without_a_cache(void **state)
{
    (void)state;
    genu_store *s = open_db();
    add_patient(s, "P1");
    genu_arena *a = genu_arena_create();
    genu_dataset ds;
    dscache_ref *ref = NULL;
    genu_err err = {0};
    assert_int_equal(dscache_load(NULL, s, a, &ds, &ref, &err), GENU_OK);
    assert_null(ref);
    assert_int_equal(ds.n[GENU_REC_PATIENT], 1);
    dscache *c = dscache_create();
    assert_int_equal(dscache_load(c, s, a, &ds, &ref, &err), GENU_OK);
    assert_non_null(ref);
    add_patient(s, "P2");
    assert_int_equal(dscache_load(c, s, a, &ds, &ref, &err), GENU_OK);
    assert_int_equal(ds.n[GENU_REC_PATIENT], 2);
    dscache_release(c, ref);
    dscache_destroy(c);
    genu_arena_destroy(a);
    store_close(s);
}

typedef struct worker {
    dscache *c;
    genu_store *s;
    const genu_dataset *seen[50];
} worker;

static void *reader(void *arg)
{
    worker *w = arg;
    for (int i = 0; i < 50; i++) {
        const genu_dataset *d;
        dscache_ref *r;
        genu_err err = {0};
        if (dscache_get(w->c, w->s, &d, &r, &err))
            return "get failed";
        if (d->n[GENU_REC_PATIENT] < 1)
            return "an empty dataset";
        w->seen[i] = d;
        dscache_release(w->c, r);
    }
    return NULL;
}

/* Threads reading while another writes: every dataset a reader gets is a
 * whole one, and with the registry unchanged at the end they all share
 * the last. */
static void threads_share_it(void **state)
{
    (void)state;
    genu_store *s = open_db();
    add_patient(s, "P0");
    dscache *c = dscache_create();
    worker w[3];
    pthread_t t[3];
    for (int i = 0; i < 3; i++) {
        w[i] = (worker){c, open_db(), {0}};
        assert_int_equal(pthread_create(&t[i], NULL, reader, &w[i]), 0);
    }
    char id[16];
    for (int i = 1; i <= 20; i++) {
        snprintf(id, sizeof id, "P%d", i);
        add_patient(s, id);
    }
    for (int i = 0; i < 3; i++) {
        void *why;
        pthread_join(t[i], &why);
        if (why)
            fail_msg("%s", (const char *)why);
    }
    const genu_dataset *d1, *d2;
    dscache_ref *r1, *r2;
    genu_err err = {0};
    assert_int_equal(dscache_get(c, w[0].s, &d1, &r1, &err), GENU_OK);
    assert_int_equal(dscache_get(c, w[1].s, &d2, &r2, &err), GENU_OK);
    assert_ptr_equal(d1, d2);
    assert_int_equal(d1->n[GENU_REC_PATIENT], 21);
    dscache_release(c, r1);
    dscache_release(c, r2);
    dscache_destroy(c);
    for (int i = 0; i < 3; i++)
        store_close(w[i].s);
    store_close(s);
}

/* A record of patient pid whose doc names it, as every stored doc does
 * (the audit rows carry the docs: a patch reads the patient from them). */
static void put_rec(genu_store *s, genu_rtype t, const char *id, const char *pid, genu_date date,
                    double pain)
{
    char doc[160];
    snprintf(doc, sizeof doc, "{\"type\":\"%s\",\"id\":\"%s\",\"patient\":\"%s\",\"v\":%g}",
             record_type_name(t), id, pid, pain);
    genu_record r = {.type = t, .id = id, .patient = pid, .knee = GENU_KNEE_LEFT, .date = date,
                     .doc = doc};
    genu_score sc = {"intensity", pain};
    if (t == GENU_REC_RESPONSE)
        r.u.response = (genu_response){"nprs", 1, 1, &sc, 0, NULL};
    else
        r.u.treatment = (genu_treatment){vocab_kind_find("prp"), NULL, 1, pain, "EUR", NULL};
    store_put_result res;
    genu_err err = {0};
    assert_int_equal(store_put(s, &r, &res, &err), GENU_OK);
}

/* d holds what a fresh load of the registry holds, record by record. */
static void same_as_a_fresh_load(genu_store *s, const genu_dataset *d)
{
    genu_arena *a = genu_arena_create();
    genu_dataset f;
    genu_err err = {0};
    assert_int_equal(store_load(s, a, &f, &err), GENU_OK);
    for (int t = 0; t < GENU_REC_NTYPES; t++) {
        assert_int_equal(d->n[t], f.n[t]);
        for (size_t i = 0; i < f.n[t]; i++) {
            const genu_record *x = &d->recs[t][i], *y = &f.recs[t][i];
            assert_string_equal(x->id, y->id);
            assert_string_equal(x->patient, y->patient);
            assert_int_equal(x->pat, y->pat);
            assert_int_equal(x->date, y->date);
            assert_int_equal(x->seq, y->seq);
            if (t == GENU_REC_RESPONSE)
                assert_true(record_score(x, "intensity") == record_score(y, "intensity"));
            if (t == GENU_REC_TREATMENT)
                assert_true(x->u.treatment.cost == y->u.treatment.cost);
        }
    }
    genu_arena_destroy(a);
}

/* After each change to records the dataset is patched (the patients the
 * change touched loaded again), not loaded whole, and equals a fresh load;
 * a change about no record leaves it as it is; a new patient loads it
 * whole. A version held meanwhile stays readable (ASan checks). */
static void patched_after_record_changes(void **state)
{
    (void)state;
    genu_store *s = open_db();
    char id[16], pid[16];
    for (int p = 1; p <= 5; p++) {
        snprintf(pid, sizeof pid, "P%d", p);
        add_patient(s, pid);
        snprintf(id, sizeof id, "t%d", p);
        put_rec(s, GENU_REC_TREATMENT, id, pid, 18000 + p, 100 * p);
        for (int k = 0; k < 3; k++) {
            snprintf(id, sizeof id, "r%d%d", p, k);
            put_rec(s, GENU_REC_RESPONSE, id, pid, 18000 + 30 * k, p + k);
        }
    }
    dscache *c = dscache_create();
    genu_err err = {0};
    const genu_dataset *held, *d;
    dscache_ref *rheld, *r;
    size_t loads, patches;
    assert_int_equal(dscache_get(c, s, &held, &rheld, &err), GENU_OK);
    put_rec(s, GENU_REC_RESPONSE, "new", "P2", 18100, 9);     /* added */
    put_rec(s, GENU_REC_RESPONSE, "r31", "P3", 18030, 0.5);   /* changed */
    assert_int_equal(store_delete(s, GENU_REC_TREATMENT, "t4", &err), GENU_OK); /* deleted */
    put_rec(s, GENU_REC_RESPONSE, "r10", "P5", 18000, 7);     /* moved to another patient */
    assert_int_equal(store_audit_event(s, "sign_in", "session", "someone", NULL, &err), GENU_OK);
    assert_int_equal(dscache_get(c, s, &d, &r, &err), GENU_OK);
    dscache_counts(c, &loads, &patches);
    assert_int_equal(loads, 1);
    assert_int_equal(patches, 1);
    same_as_a_fresh_load(s, d);
    dscache_release(c, r);
    assert_int_equal(dscache_patched_in_place(c), 0); /* held was read: a copy */
    /* one change at a time, each a patch of the one before: nobody reads
     * it meanwhile, so each is made in place (the first patch left room) */
    const char *who[] = {"P4", "P1", "P4", "P1", "P5"};
    for (int i = 0; i < 5; i++) {
        snprintf(id, sizeof id, "more%d", i);
        put_rec(s, GENU_REC_RESPONSE, id, who[i], 18200 + i, i);
        assert_int_equal(dscache_get(c, s, &d, &r, &err), GENU_OK);
        same_as_a_fresh_load(s, d);
        dscache_release(c, r);
    }
    assert_int_equal(dscache_patched_in_place(c), 5);
    /* records of one patient lost and changed, in place */
    assert_int_equal(store_delete(s, GENU_REC_RESPONSE, "r11", &err), GENU_OK);
    put_rec(s, GENU_REC_RESPONSE, "r12", "P1", 18001, 3.5);
    assert_int_equal(dscache_get(c, s, &d, &r, &err), GENU_OK);
    same_as_a_fresh_load(s, d);
    /* read while the next change comes: that one is patched in a copy */
    put_rec(s, GENU_REC_TREATMENT, "t9", "P2", 18300, 50);
    const genu_dataset *d2;
    dscache_ref *r2;
    assert_int_equal(dscache_get(c, s, &d2, &r2, &err), GENU_OK);
    assert_ptr_not_equal(d2, d);
    same_as_a_fresh_load(s, d2);
    assert_int_equal(d->n[GENU_REC_TREATMENT], 4); /* t4 gone, t9 not yet */
    dscache_release(c, r);
    dscache_release(c, r2);
    assert_int_equal(dscache_patched_in_place(c), 6);
    dscache_counts(c, &loads, &patches);
    assert_int_equal(loads, 1);
    assert_int_equal(patches, 8);
    /* the first version, held all along, is as it was */
    assert_int_equal(held->n[GENU_REC_RESPONSE], 15);
    assert_int_equal(held->n[GENU_REC_TREATMENT], 5);
    assert_string_equal(held->recs[GENU_REC_RESPONSE][0].patient, "P1");
    dscache_release(c, rheld);
    /* a new patient: loaded whole */
    add_patient(s, "P0");
    assert_int_equal(dscache_get(c, s, &d, &r, &err), GENU_OK);
    dscache_counts(c, &loads, &patches);
    assert_int_equal(loads, 2);
    same_as_a_fresh_load(s, d);
    dscache_release(c, r);
    dscache_destroy(c);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(reused_until_the_registry_changes, setup, teardown),
        cmocka_unit_test_setup_teardown(load_with_and_without_a_cache, setup, teardown),
        cmocka_unit_test_setup_teardown(threads_share_it, setup, teardown),
        cmocka_unit_test_setup_teardown(patched_after_record_changes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
