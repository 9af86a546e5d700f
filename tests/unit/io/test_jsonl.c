/* test_jsonl: importing JSON Lines (io/jsonl.h, docs/format.md) into a
 * temporary SQLite registry. An import with one bad line among good ones
 * stores nothing and reports the line (file, line number, field); with
 * skip_invalid the good lines are stored, and a record whose patient was
 * rejected is rejected too; two identical id-less lines are two records
 * (the second's id is the first's with "-2") and importing the file again
 * changes nothing; an adverse event that names another patient's
 * treatment is rejected naming "treatment". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the four above first */
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/jsonl.h"
#include "io/record_json.h"

typedef struct fx {
    char db[96];
    char file[96];
    genu_store *s;
} fx;

#define MAX_REJECTS 16
typedef struct rejects {
    size_t n;
    char file[MAX_REJECTS][96];
    size_t line[MAX_REJECTS];
    char msg[MAX_REJECTS][512];
} rejects;

static void on_reject(const char *file, size_t line, const char *msg, const char *text, void *ctx)
{
    (void)text;
    rejects *r = ctx;
    if (r->n < MAX_REJECTS) {
        snprintf(r->file[r->n], sizeof r->file[0], "%s", file);
        r->line[r->n] = line;
        snprintf(r->msg[r->n], sizeof r->msg[0], "%s", msg);
    }
    r->n++;
}

static void remove_db(const char *path)
{
    const char *ext[] = {"", "-wal", "-shm"};
    char p[128];
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", path, ext[i]);
        unlink(p);
    }
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    genu_err err = {0};
    snprintf(f->db, sizeof f->db, "/tmp/genu-test-jsonl-%d.db", (int)getpid());
    snprintf(f->file, sizeof f->file, "/tmp/genu-test-jsonl-%d.jsonl", (int)getpid());
    remove_db(f->db);
    if (store_open(f->db, true, &f->s, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    store_close(f->s);
    remove_db(f->db);
    unlink(f->file);
    free(f);
    return 0;
}

static void write_file(const char *path, const char *const *lines, size_t n)
{
    FILE *out = fopen(path, "w");
    assert_non_null(out);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%s\n", lines[i]);
    fclose(out);
}

static int import(fx *f, bool skip_invalid, rejects *rj, jsonl_stats *st, genu_err *err)
{
    memset(rj, 0, sizeof *rj);
    jsonl_import_opts o = {skip_invalid, on_reject, NULL, rj};
    const char *files[] = {f->file};
    return jsonl_import(f->s, files, 1, &o, st, err);
}

/* Writes lines to the fixture's file and imports it; the rejects and
 * counts into rj and st, the error into err. */
static int import_lines(fx *f, const char *const *lines, size_t n, bool skip_invalid,
                        rejects *rj, jsonl_stats *st, genu_err *err)
{
    write_file(f->file, lines, n);
    return import(f, skip_invalid, rj, st, err);
}

static size_t count(fx *f, genu_rtype t)
{
    size_t n = 0;
    genu_err err = {0};
    assert_int_equal(store_count(f->s, t, &n, &err), GENU_OK);
    return n;
}

#define PATIENT(id)                                                                                \
    "{\"type\":\"patient\",\"id\":\"" id                                                           \
    "\",\"site\":\"oak\",\"sex\":\"female\",\"birth_year\":1955}"

/* Line 3 has a knee that is neither left nor right: nothing of the four
 * lines is stored, and the rejection names the file, line 3 and "knee". */
static void one_bad_line_stores_nothing(void **state)
{
    fx *f = *state;
    const char *lines[] = {
        PATIENT("P1"),
        "{\"type\":\"diagnosis\",\"id\":\"D1\",\"patient\":\"P1\",\"knee\":\"left\",\"date\":"
        "\"2023-01-05\",\"condition\":\"osteoarthritis\",\"kl_grade\":2}",
        "{\"type\":\"treatment\",\"id\":\"T1\",\"patient\":\"P1\",\"knee\":\"middle\",\"date\":"
        "\"2023-02-01\",\"kind\":\"prp\"}",
        "{\"type\":\"response\",\"id\":\"R1\",\"patient\":\"P1\",\"knee\":\"left\",\"date\":"
        "\"2023-01-05\",\"instrument\":\"nprs\",\"items\":{\"intensity\":7}}",
    };
    rejects rj;
    jsonl_stats st;
    genu_err err = {0};
    assert_int_equal(import_lines(f, lines, 4, false, &rj, &st, &err), GENU_EINVAL);
    assert_int_equal(rj.n, 1);
    assert_string_equal(rj.file[0], f->file);
    assert_int_equal(rj.line[0], 3);
    assert_non_null(strstr(rj.msg[0], "field \"knee\""));
    assert_int_equal(st.rejected, 1);
    assert_int_equal(st.added, 0);
    assert_non_null(strstr(err.msg, "nothing was imported"));
    for (int t = 0; t < GENU_REC_NTYPES; t++)
        assert_int_equal(count(f, (genu_rtype)t), 0);
}

/* Every bad line is reported, each with its own line number (blank lines
 * count), and still nothing is stored. */
static void every_bad_line_is_reported(void **state)
{
    fx *f = *state;
    const char *lines[] = {
        PATIENT("P1"),
        "",
        "{\"type\":\"diagnosis\",\"patient\":\"P1\",\"knee\":\"left\",\"date\":\"2023-02-30\","
        "\"condition\":\"gout\"}",
        "{\"type\":\"treatment\",\"patient\":\"P1\",\"knee\":\"left\",\"date\":\"2023-02-01\","
        "\"kind\":\"prp\",\"cost\":{\"amount\":-5,\"currency\":\"USD\"}}",
        "{\"type\":\"response\",\"patient\":\"P1\",\"knee\":\"left\",\"date\":\"2023-01-05\","
        "\"instrument\":\"nprs\",\"items\":{\"intensity\":7}}",
    };
    rejects rj;
    jsonl_stats st;
    genu_err err = {0};
    assert_int_equal(import_lines(f, lines, 5, false, &rj, &st, &err), GENU_EINVAL);
    assert_int_equal(rj.n, 2);
    assert_int_equal(rj.line[0], 3);
    assert_non_null(strstr(rj.msg[0], "field \"date\""));
    assert_int_equal(rj.line[1], 4);
    assert_non_null(strstr(rj.msg[1], "field \"cost.amount\""));
    assert_int_equal(count(f, GENU_REC_PATIENT), 0);
    assert_int_equal(count(f, GENU_REC_RESPONSE), 0);
}

/* skip_invalid: the good lines are stored, the bad one reported; P2's sex
 * is not in the vocabulary, so P2 and its diagnosis are rejected too. */
static void skip_invalid_stores_the_good_lines(void **state)
{
    fx *f = *state;
    const char *lines[] = {
        PATIENT("P1"),
        "{\"type\":\"diagnosis\",\"id\":\"D1\",\"patient\":\"P1\",\"knee\":\"left\",\"date\":"
        "\"2023-01-05\",\"condition\":\"osteoarthritis\"}",
        "{\"type\":\"treatment\",\"id\":\"T1\",\"patient\":\"P1\",\"knee\":\"middle\",\"date\":"
        "\"2023-02-01\",\"kind\":\"prp\"}",
        "{\"type\":\"patient\",\"id\":\"P2\",\"site\":\"oak\",\"sex\":\"x\",\"birth_year\":1955}",
        "{\"type\":\"diagnosis\",\"id\":\"D2\",\"patient\":\"P2\",\"knee\":\"left\",\"date\":"
        "\"2023-01-05\",\"condition\":\"gout\"}",
    };
    rejects rj;
    jsonl_stats st;
    genu_err err = {0};
    assert_int_equal(import_lines(f, lines, 5, true, &rj, &st, &err), GENU_OK);
    assert_int_equal(st.rejected, 3);
    assert_int_equal(st.added, 2);
    assert_int_equal(rj.n, 3);
    /* reported in line order: 3 (knee), 4 (sex), 5 (its patient) */
    assert_int_equal(rj.line[0], 3);
    assert_non_null(strstr(rj.msg[0], "field \"knee\""));
    assert_int_equal(rj.line[1], 4);
    assert_non_null(strstr(rj.msg[1], "field \"sex\""));
    assert_int_equal(rj.line[2], 5);
    assert_non_null(strstr(rj.msg[2], "field \"patient\""));
    assert_int_equal(count(f, GENU_REC_PATIENT), 1);
    assert_int_equal(count(f, GENU_REC_DIAGNOSIS), 1);
    assert_int_equal(count(f, GENU_REC_TREATMENT), 0);
    genu_arena *a = genu_arena_create();
    genu_record r;
    assert_int_equal(store_get(f->s, GENU_REC_DIAGNOSIS, "D1", a, &r, &err), GENU_OK);
    assert_int_equal(store_get(f->s, GENU_REC_DIAGNOSIS, "D2", a, &r, &err), GENU_ENOTFOUND);
    genu_arena_destroy(a);
}

/* The ids of P1's treatments in the registry, sorted. */
static size_t treatment_ids(fx *f, genu_arena *a, const char **ids, size_t max)
{
    genu_record *recs;
    size_t n = 0, total = 0;
    genu_err err = {0};
    store_query q = {.patient = "P1", .limit = 100};
    assert_int_equal(store_list(f->s, GENU_REC_TREATMENT, &q, a, &recs, &n, &total, &err), GENU_OK);
    assert_true(n <= max);
    for (size_t i = 0; i < n; i++)
        ids[i] = recs[i].id;
    for (size_t i = 1; i < n; i++) /* insertion sort: ids[] is tiny */
        for (size_t k = i; k > 0 && strcmp(ids[k - 1], ids[k]) > 0; k--) {
            const char *t = ids[k];
            ids[k] = ids[k - 1];
            ids[k - 1] = t;
        }
    return n;
}

#define PT_SESSION                                                                                 \
    "{\"type\":\"treatment\",\"patient\":\"P1\",\"knee\":\"left\",\"date\":\"2023-03-01\","        \
    "\"kind\":\"physical_therapy\"}"

/* Two physical-therapy sessions on one day, written alike: two records,
 * X and X-2, X the derived id; the same file again changes nothing. */
static void identical_lines_without_id_are_two_records(void **state)
{
    fx *f = *state;
    const char *lines[] = {PATIENT("P1"), PT_SESSION, PT_SESSION};
    write_file(f->file, lines, 3);
    rejects rj;
    jsonl_stats st;
    genu_err err = {0};
    if (import(f, false, &rj, &st, &err))
        fail_msg("%s / %s", err.msg, rj.n ? rj.msg[0] : "");
    assert_int_equal(st.added, 3);
    genu_arena *a = genu_arena_create();
    const char *ids[4];
    assert_int_equal(treatment_ids(f, a, ids, 4), 2);
    /* sorted: "t-…" before "t-…-2" */
    size_t n0 = strlen(ids[0]);
    assert_int_equal(strlen(ids[1]), n0 + 2);
    assert_memory_equal(ids[1], ids[0], n0);
    assert_string_equal(ids[1] + n0, "-2");
    assert_int_equal(ids[0][0], 't');
    assert_int_equal(ids[0][1], '-');
    /* the first is the id the line derives on its own */
    genu_record one;
    assert_int_equal(record_json_parse(PT_SESSION, strlen(PT_SESSION), a, &one, &err), GENU_OK);
    assert_string_equal(ids[0], one.id);

    /* again: nothing added, nothing updated */
    assert_int_equal(import(f, false, &rj, &st, &err), GENU_OK);
    assert_int_equal(st.added, 0);
    assert_int_equal(st.updated, 0);
    assert_int_equal(st.unchanged, 3);
    assert_int_equal(count(f, GENU_REC_TREATMENT), 2);
    genu_arena_destroy(a);
}

/* Three alike: X, X-2, X-3. */
static void three_identical_lines_are_numbered(void **state)
{
    fx *f = *state;
    const char *lines[] = {PATIENT("P1"), PT_SESSION, PT_SESSION, PT_SESSION};
    rejects rj;
    jsonl_stats st;
    genu_err err = {0};
    assert_int_equal(import_lines(f, lines, 4, false, &rj, &st, &err), GENU_OK);
    genu_arena *a = genu_arena_create();
    const char *ids[4];
    assert_int_equal(treatment_ids(f, a, ids, 4), 3);
    size_t n0 = strlen(ids[0]);
    assert_string_equal(ids[1] + n0, "-2");
    assert_string_equal(ids[2] + n0, "-3");
    genu_arena_destroy(a);
}

/* "A JSON null is the same as an absent field": two identical lines with
 * "id": null are two records like two lines without an id. */
static void identical_lines_with_null_id_are_two_records(void **state)
{
    fx *f = *state;
    const char *pt = "{\"type\":\"treatment\",\"id\":null,\"patient\":\"P1\",\"knee\":\"left\","
                     "\"date\":\"2023-03-01\",\"kind\":\"physical_therapy\"}";
    const char *lines[] = {PATIENT("P1"), pt, pt};
    write_file(f->file, lines, 3);
    rejects rj;
    jsonl_stats st;
    genu_err err = {0};
    int rc = import(f, false, &rj, &st, &err);
    if (rc)
        fail_msg("rejected: %s", rj.n ? rj.msg[0] : err.msg);
    assert_int_equal(count(f, GENU_REC_TREATMENT), 2);
}

/* Two lines naming the same id are an error, not two records. */
static void repeated_named_id_is_refused(void **state)
{
    fx *f = *state;
    const char *t = "{\"type\":\"treatment\",\"id\":\"T1\",\"patient\":\"P1\",\"knee\":\"left\","
                    "\"date\":\"2023-03-01\",\"kind\":\"physical_therapy\"}";
    const char *lines[] = {PATIENT("P1"), t, t};
    rejects rj;
    jsonl_stats st;
    genu_err err = {0};
    assert_int_equal(import_lines(f, lines, 3, false, &rj, &st, &err), GENU_EINVAL);
    assert_int_equal(rj.n, 1);
    assert_int_equal(rj.line[0], 3);
    assert_non_null(strstr(rj.msg[0], "field \"id\""));
    assert_non_null(strstr(rj.msg[0], "duplicate"));
    assert_int_equal(count(f, GENU_REC_TREATMENT), 0);
}

#define AE(treatment)                                                                              \
    "{\"type\":\"adverse_event\",\"id\":\"A1\",\"patient\":\"P1\",\"knee\":\"left\",\"date\":"     \
    "\"2023-03-02\",\"kind\":\"post_injection_flare\",\"severity\":2,\"serious\":false,"           \
    "\"treatment\":\"" treatment "\"}"
#define TREAT(id, patient)                                                                         \
    "{\"type\":\"treatment\",\"id\":\"" id "\",\"patient\":\"" patient "\",\"knee\":\"left\","     \
    "\"date\":\"2023-03-01\",\"kind\":\"prp\"}"

/* P1's adverse event naming P2's treatment, in the same file. */
static void adverse_event_with_another_patients_treatment_is_rejected(void **state)
{
    fx *f = *state;
    const char *lines[] = {PATIENT("P1"), PATIENT("P2"), TREAT("T2", "P2"), AE("T2")};
    rejects rj;
    jsonl_stats st;
    genu_err err = {0};
    assert_int_equal(import_lines(f, lines, 4, false, &rj, &st, &err), GENU_EINVAL);
    assert_int_equal(rj.n, 1);
    assert_int_equal(rj.line[0], 4);
    assert_non_null(strstr(rj.msg[0], "field \"treatment\""));
    assert_int_equal(count(f, GENU_REC_ADVERSE_EVENT), 0);
    assert_int_equal(count(f, GENU_REC_TREATMENT), 0);
}

/* The same when P2's treatment is already in the registry; P1's own
 * treatment is accepted, from the registry too. */
static void adverse_event_treatment_is_checked_against_the_registry(void **state)
{
    fx *f = *state;
    const char *first[] = {PATIENT("P1"), PATIENT("P2"), TREAT("T1", "P1"), TREAT("T2", "P2")};
    rejects rj;
    jsonl_stats st;
    genu_err err = {0};
    assert_int_equal(import_lines(f, first, 4, false, &rj, &st, &err), GENU_OK);
    assert_int_equal(st.added, 4);

    const char *other[] = {AE("T2")};
    write_file(f->file, other, 1);
    genu_err e2 = {0};
    assert_int_equal(import(f, false, &rj, &st, &e2), GENU_EINVAL);
    assert_int_equal(rj.n, 1);
    assert_int_equal(rj.line[0], 1);
    assert_non_null(strstr(rj.msg[0], "field \"treatment\""));
    assert_int_equal(count(f, GENU_REC_ADVERSE_EVENT), 0);

    const char *missing[] = {AE("T9")};
    write_file(f->file, missing, 1);
    genu_err e3 = {0};
    assert_int_equal(import(f, false, &rj, &st, &e3), GENU_EINVAL);
    assert_non_null(strstr(rj.msg[0], "field \"treatment\""));

    const char *own[] = {AE("T1")};
    write_file(f->file, own, 1);
    genu_err e4 = {0};
    assert_int_equal(import(f, false, &rj, &st, &e4), GENU_OK);
    assert_int_equal(st.added, 1);
    assert_int_equal(count(f, GENU_REC_ADVERSE_EVENT), 1);
}

/* A record whose patient is neither in the files nor the registry. */
static void unknown_patient_is_rejected(void **state)
{
    fx *f = *state;
    const char *lines[] = {PATIENT("P1"),
                           "{\"type\":\"diagnosis\",\"patient\":\"P7\",\"knee\":\"left\",\"date\":"
                           "\"2023-01-05\",\"condition\":\"gout\"}"};
    rejects rj;
    jsonl_stats st;
    genu_err err = {0};
    assert_int_equal(import_lines(f, lines, 2, false, &rj, &st, &err), GENU_EINVAL);
    assert_int_equal(rj.n, 1);
    assert_int_equal(rj.line[0], 2);
    assert_non_null(strstr(rj.msg[0], "field \"patient\""));
    assert_int_equal(count(f, GENU_REC_PATIENT), 0);
}

/* Re-importing a record with a changed field is an update; the unchanged
 * ones stay unchanged. */
static void changed_record_is_updated(void **state)
{
    fx *f = *state;
    const char *v1[] = {PATIENT("P1"), TREAT("T1", "P1")};
    rejects rj;
    jsonl_stats st;
    genu_err err = {0};
    assert_int_equal(import_lines(f, v1, 2, false, &rj, &st, &err), GENU_OK);
    const char *v2[] = {PATIENT("P1"),
                        "{\"type\":\"treatment\",\"id\":\"T1\",\"patient\":\"P1\",\"knee\":"
                        "\"left\",\"date\":\"2023-03-01\",\"kind\":\"prp\",\"protocol\":\"LP\"}"};
    write_file(f->file, v2, 2);
    assert_int_equal(import(f, false, &rj, &st, &err), GENU_OK);
    assert_int_equal(st.added, 0);
    assert_int_equal(st.updated, 1);
    assert_int_equal(st.unchanged, 1);
    genu_arena *a = genu_arena_create();
    genu_record r;
    assert_int_equal(store_get(f->s, GENU_REC_TREATMENT, "T1", a, &r, &err), GENU_OK);
    assert_non_null(strstr(r.doc, "\"protocol\":\"LP\""));
    genu_arena_destroy(a);
}

/* docs/format.md: blank lines are ignored and a line ending in \r\n is
 * accepted; line numbers still count every physical line. */
static void crlf_and_blank_lines_are_accepted(void **state)
{
    fx *f = *state;
    FILE *out = fopen(f->file, "wb");
    assert_non_null(out);
    fputs(PATIENT("P1") "\r\n\r\n\n", out);
    fputs("{\"type\":\"diagnosis\",\"id\":\"D1\",\"patient\":\"P1\",\"knee\":\"left\","
          "\"date\":\"2023-01-05\",\"condition\":\"gout\"}\r\n",
          out);
    fputs("{\"type\":\"diagnosis\",\"id\":\"D2\",\"patient\":\"P1\",\"knee\":\"up\","
          "\"date\":\"2023-01-05\",\"condition\":\"gout\"}\r\n",
          out);
    fclose(out);
    rejects rj;
    jsonl_stats st;
    genu_err err = {0};
    assert_int_equal(import(f, true, &rj, &st, &err), GENU_OK);
    assert_int_equal(st.added, 2);
    assert_int_equal(rj.n, 1);
    assert_int_equal(rj.line[0], 5); /* P1, two blank lines, D1, D2 */
    assert_non_null(strstr(rj.msg[0], "field \"knee\""));
    genu_arena *a = genu_arena_create();
    genu_record r;
    assert_int_equal(store_get(f->s, GENU_REC_DIAGNOSIS, "D1", a, &r, &err), GENU_OK);
    assert_null(strchr(r.doc, '\r'));
    genu_arena_destroy(a);
}

/* The file is read in chunks of megabytes (io/jsonl.c): lines across their
 * boundaries, a line longer than a chunk (10 MiB) between short ones, a
 * line with a NUL byte, and a last line without a newline are each read
 * whole, at their own line number. */
static void long_files_and_lines_are_read_whole(void **state)
{
    fx *f = *state;
    enum { N = 120000, LONG_AT = 70001, NUL_AT = 100001, PAD = 10 << 20 };
    FILE *out = fopen(f->file, "wb");
    assert_non_null(out);
    for (int i = 1; i <= N; i++) {
        if (i == LONG_AT) { /* a patient with a field of its own, 10 MiB long */
            fputs("{\"type\":\"patient\",\"id\":\"LONG\",\"pad\":\"", out);
            for (int k = 0; k < PAD; k++)
                fputc('x', out);
            fputs("\",\"site\":\"oak\",\"sex\":\"female\",\"birth_year\":1955}\n", out);
        } else if (i == NUL_AT) {
            static const char head[] = "{\"type\":\"patient\",\"id\":\"N";
            fwrite(head, 1, sizeof head - 1, out);
            fputc('\0', out);
            fputs("UL\"}\n", out);
        } else {
            fprintf(out, "{\"type\":\"patient\",\"id\":\"P%d\",\"site\":\"oak\",\"sex\":"
                    "\"female\",\"birth_year\":1955}\n", i);
        }
    }
    fputs("{\"type\":\"diagnosis\",\"id\":\"LAST\",\"patient\":\"P1\",\"knee\":\"left\","
          "\"date\":\"2023-01-05\",\"condition\":\"gout\"}",
          out); /* no newline */
    fclose(out);
    rejects rj;
    jsonl_stats st;
    genu_err err = {0};
    assert_int_equal(import(f, true, &rj, &st, &err), GENU_OK);
    assert_int_equal(st.lines, N + 1);
    assert_int_equal(rj.n, 1);
    assert_int_equal(rj.line[0], NUL_AT);
    assert_non_null(strstr(rj.msg[0], "NUL byte"));
    assert_int_equal(count(f, GENU_REC_PATIENT), N - 1);
    genu_arena *a = genu_arena_create();
    genu_record r;
    assert_int_equal(store_get(f->s, GENU_REC_PATIENT, "P120000", a, &r, &err), GENU_OK);
    assert_int_equal(store_get(f->s, GENU_REC_PATIENT, "P70002", a, &r, &err), GENU_OK);
    assert_int_equal(store_get(f->s, GENU_REC_PATIENT, "LONG", a, &r, &err), GENU_OK);
    assert_int_equal(r.u.patient.birth_year, 1955); /* after the long field: read whole */
    assert_int_equal(store_get(f->s, GENU_REC_DIAGNOSIS, "LAST", a, &r, &err), GENU_OK);
    assert_string_equal(r.patient, "P1");
    genu_arena_destroy(a);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(one_bad_line_stores_nothing),
        T(every_bad_line_is_reported),
        T(skip_invalid_stores_the_good_lines),
        T(identical_lines_without_id_are_two_records),
        T(three_identical_lines_are_numbered),
        T(identical_lines_with_null_id_are_two_records),
        T(repeated_named_id_is_refused),
        T(adverse_event_with_another_patients_treatment_is_rejected),
        T(adverse_event_treatment_is_checked_against_the_registry),
        T(unknown_patient_is_rejected),
        T(changed_record_is_updated),
        T(crlf_and_blank_lines_are_accepted),
        T(long_files_and_lines_are_read_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
