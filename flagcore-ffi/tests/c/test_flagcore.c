/*
 * C tests of the flagcore ABI, compiled with gcc against the committed header and run
 * plainly and under valgrind by scripts/test-ffi.
 *
 * Usage: test_flagcore <path to examples/speech-migration.json> <expected version>
 */
#define _DEFAULT_SOURCE /* mkdtemp, rmdir, unlink */
#include "flagcore.h"

#include <pthread.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int checks = 0;
static int failures = 0;

#define CHECK(cond)                                                                \
    do {                                                                           \
        checks++;                                                                  \
        if (!(cond)) {                                                             \
            failures++;                                                            \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                          \
    } while (0)

#define CHECK_RESULT(call, want)                                                   \
    do {                                                                           \
        flagcore_result got_ = (call);                                             \
        checks++;                                                                  \
        if (got_ != (want)) {                                                      \
            failures++;                                                            \
            fprintf(stderr, "%s:%d: %s returned %s, want %s\n", __FILE__, __LINE__, \
                    #call, flagcore_result_name(got_), flagcore_result_name(want)); \
        }                                                                          \
    } while (0)

#define S(lit) (lit), (sizeof(lit) - 1)

/* 2026-11-23T12:00:00Z: week 1 of the speechmatics-direct rollout (5%). */
static const int64_t WEEK1 = 1795435200000LL;
/* 2026-12-15T12:00:00Z: week 4 (100%). */
static const int64_t WEEK4 = 1797336000000LL;

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[n] = 0;
        *len = (size_t)n;
    }
    return buf;
}

static int str_eq(flagcore_str s, const char *want) {
    return s.ptr != NULL && s.len == strlen(want) && memcmp(s.ptr, want, s.len) == 0;
}

static void test_version(const char *expected) {
    CHECK(strcmp(flagcore_version(), FLAGCORE_VERSION) == 0);
    CHECK(strcmp(flagcore_version(), expected) == 0);
    char macros[64];
    snprintf(macros, sizeof macros, "%d.%d.%d", FLAGCORE_VERSION_MAJOR, FLAGCORE_VERSION_MINOR,
             FLAGCORE_VERSION_PATCH);
    CHECK(strcmp(macros, expected) == 0);
}

static void test_names(void) {
    CHECK(strcmp(flagcore_result_name(FLAGCORE_RESULT_OK), "FLAGCORE_RESULT_OK") == 0);
    CHECK(strcmp(flagcore_result_name(FLAGCORE_RESULT_NULL_ARGUMENT), "FLAGCORE_RESULT_NULL_ARGUMENT") == 0);
    CHECK(strcmp(flagcore_result_name(999), "FLAGCORE_RESULT_UNKNOWN") == 0);
    CHECK(strcmp(flagcore_reason_name(FLAGCORE_REASON_SPLIT), "SPLIT") == 0);
    CHECK(strcmp(flagcore_reason_name(77), "UNKNOWN") == 0);
    CHECK(strcmp(flagcore_error_code_name(FLAGCORE_ERROR_CODE_FLAG_NOT_FOUND), "FLAG_NOT_FOUND") == 0);
    CHECK(strcmp(flagcore_error_code_name(FLAGCORE_ERROR_CODE_NONE), "") == 0);
    /* Stable numbers: these are part of the ABI. */
    CHECK(FLAGCORE_RESULT_OK == 0 && FLAGCORE_RESULT_NULL_ARGUMENT == 1 && FLAGCORE_RESULT_INVALID_UTF8 == 2 &&
          FLAGCORE_RESULT_INVALID_CONFIG == 3 && FLAGCORE_RESULT_BUFFER_TOO_SMALL == 8 &&
          FLAGCORE_RESULT_PANIC == 9);
    CHECK(FLAGCORE_REASON_OFF == 0 && FLAGCORE_REASON_ERROR == 6);
    /* Every code has its name (the core's table), and the numbers run without a gap. */
    CHECK(FLAGCORE_RESULT_STALE_DECISION == 14 && FLAGCORE_RESULT_PLANS_NOT_INCLUDED == 20 &&
          FLAGCORE_RESULT_NOT_INITIALIZED == 21);
    CHECK(strcmp(flagcore_result_name(FLAGCORE_RESULT_STALE_DECISION), "FLAGCORE_RESULT_STALE_DECISION") == 0);
    for (uint32_t n = 0; n <= FLAGCORE_RESULT_NOT_INITIALIZED; n++)
        CHECK(strcmp(flagcore_result_name(n), "FLAGCORE_RESULT_UNKNOWN") != 0);
    CHECK(strcmp(flagcore_result_name(FLAGCORE_RESULT_NOT_INITIALIZED + 1), "FLAGCORE_RESULT_UNKNOWN") == 0);
}

static void test_bucket(void) {
    uint32_t a = 1234567, b = 7654321;
    CHECK_RESULT(flagcore_bucket(S("speech-backend-ab"), S("user-42"), &a), FLAGCORE_RESULT_OK);
    CHECK_RESULT(flagcore_bucket(S("speech-backend-ab"), S("user-42"), &b), FLAGCORE_RESULT_OK);
    CHECK(a == b);
    CHECK(a < FLAGCORE_BUCKETS);
    /* The length prefix makes ("ab","c") and ("a","bc") differ. */
    CHECK_RESULT(flagcore_bucket(S("ab"), S("c"), &a), FLAGCORE_RESULT_OK);
    CHECK_RESULT(flagcore_bucket(S("a"), S("bc"), &b), FLAGCORE_RESULT_OK);
    CHECK(a != b);
    /* Empty strings may be NULL with length 0. */
    CHECK_RESULT(flagcore_bucket(NULL, 0, NULL, 0, &a), FLAGCORE_RESULT_OK);
    /* Errors leave the out-parameter alone. */
    uint32_t untouched = 424242;
    CHECK_RESULT(flagcore_bucket(NULL, 3, S("x"), &untouched), FLAGCORE_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(flagcore_bucket(S("\xff\xfe"), S("x"), &untouched), FLAGCORE_RESULT_INVALID_UTF8);
    CHECK(untouched == 424242);
    CHECK_RESULT(flagcore_bucket(S("a"), S("b"), NULL), FLAGCORE_RESULT_NULL_ARGUMENT);
}

static void test_bad_configs(void) {
    flagcore_report *report = flagcore_report_new();
    flagcore_store *store = (flagcore_store *)0x1; /* must stay untouched */
    CHECK_RESULT(flagcore_store_new(S("{not json"), report, &store), FLAGCORE_RESULT_INVALID_CONFIG);
    CHECK(store == (flagcore_store *)0x1);
    CHECK(flagcore_report_len(report) == 1);
    flagcore_problem p;
    CHECK_RESULT(flagcore_report_get(report, 0, &p), FLAGCORE_RESULT_OK);
    CHECK(str_eq(p.code, "json_syntax"));
    CHECK(p.severity == FLAGCORE_SEVERITY_ERROR);

    /* Every problem is reported, each with its JSON path. */
    const char *bad = "{\"schemaVersion\": 1, \"flags\": {"
                      "\"a\": {\"enabled\": \"yes\", \"default\": {\"variant\": \"on\"}},"
                      "\"b\": {\"enabled\": true, \"default\": {\"split\": [{\"variant\": \"on\", \"weight\": 60},"
                      "{\"variant\": \"off\", \"weight\": 60}]}}}}";
    CHECK_RESULT(flagcore_store_new(bad, strlen(bad), report, &store), FLAGCORE_RESULT_INVALID_CONFIG);
    size_t n = flagcore_report_len(report);
    CHECK(n >= 2);
    int saw_a = 0, saw_b = 0;
    for (size_t i = 0; i < n; i++) {
        CHECK_RESULT(flagcore_report_get(report, i, &p), FLAGCORE_RESULT_OK);
        if (p.path.len >= 11 && memcmp(p.path.ptr, "$.flags.a.e", 11) == 0) saw_a = 1;
        if (p.path.len >= 9 && memcmp(p.path.ptr, "$.flags.b", 9) == 0) saw_b = 1;
    }
    CHECK(saw_a && saw_b);
    CHECK_RESULT(flagcore_report_get(report, n, &p), FLAGCORE_RESULT_INVALID_ARGUMENT);
    CHECK_RESULT(flagcore_store_new(S("{}"), NULL, &store), FLAGCORE_RESULT_INVALID_CONFIG);
    CHECK_RESULT(flagcore_store_new(S("{\"schemaVersion\":1,\"flags\":{}}"), NULL, NULL),
                 FLAGCORE_RESULT_NULL_ARGUMENT);
    /* Invalid UTF-8 is a config problem like any other: invalid_utf8, with where it is. */
    CHECK_RESULT(flagcore_store_new(S("{\n  \"a\": \"\xc3\x28\"}"), report, &store), FLAGCORE_RESULT_INVALID_CONFIG);
    CHECK(flagcore_report_len(report) == 1);
    CHECK_RESULT(flagcore_report_get(report, 0, &p), FLAGCORE_RESULT_OK);
    CHECK(str_eq(p.code, "invalid_utf8") && str_eq(p.path, "$"));
    static const char where[] = "byte 10 (line 2, column 9)";
    CHECK(p.message.len > sizeof where - 1 && memcmp(p.message.ptr, where, sizeof where - 1) == 0);
    CHECK(flagcore_report_len(NULL) == 0);
    flagcore_report_free(report);
}

static void test_nulls(void) {
    /* Every free accepts NULL. */
    flagcore_store_free(NULL);
    flagcore_context_free(NULL);
    flagcore_snapshot_free(NULL);
    flagcore_report_free(NULL);
    uint64_t rev = 99;
    CHECK_RESULT(flagcore_store_revision(NULL, &rev), FLAGCORE_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(flagcore_store_rollback(NULL, &rev), FLAGCORE_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(flagcore_store_update(NULL, S("{}"), NULL, &rev), FLAGCORE_RESULT_NULL_ARGUMENT);
    CHECK(rev == 99);
    CHECK(!flagcore_store_is_enabled(NULL, S("x"), NULL, FLAGCORE_TIME_UNSET, 0));
    CHECK_RESULT(flagcore_context_set_string(NULL, S("a"), S("b")), FLAGCORE_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(flagcore_context_new(S("k"), NULL), FLAGCORE_RESULT_NULL_ARGUMENT);
    CHECK(flagcore_store_last_error(NULL, NULL, 0) == 0);
}

static void test_store(const char *json, size_t json_len) {
    flagcore_report *report = flagcore_report_new();
    flagcore_store *store = NULL;
    CHECK_RESULT(flagcore_store_new(json, json_len, report, &store), FLAGCORE_RESULT_OK);
    if (!store) {
        flagcore_report_free(report);
        return;
    }
    uint64_t rev = 0;
    CHECK_RESULT(flagcore_store_revision(store, &rev), FLAGCORE_RESULT_OK);
    CHECK(rev == 1);

    flagcore_context *ctx = NULL;
    CHECK_RESULT(flagcore_context_new(S("user-qa-001"), &ctx), FLAGCORE_RESULT_OK);
    CHECK_RESULT(flagcore_context_set_string(ctx, S("appVersion"), S("2.4.0")), FLAGCORE_RESULT_OK);

    /* Internal testers always get the new backend. */
    CHECK(flagcore_store_is_enabled(store, S("speechmatics-direct"), ctx, FLAGCORE_TIME_AT, WEEK1));
    char buf[32];
    size_t len = 0;
    CHECK_RESULT(flagcore_store_variant(store, S("speech-backend-ab"), ctx, FLAGCORE_TIME_AT, WEEK1, buf, sizeof buf, &len),
                 FLAGCORE_RESULT_OK);
    CHECK(len == 9 && memcmp(buf, "treatment", 9) == 0 && buf[9] == 0);
    /* Too small: the needed length, nothing else. */
    char tiny[4] = {'x', 'x', 'x', 'x'};
    len = 0;
    CHECK_RESULT(flagcore_store_variant(store, S("speech-backend-ab"), ctx, FLAGCORE_TIME_AT, WEEK1, tiny, sizeof tiny, &len),
                 FLAGCORE_RESULT_BUFFER_TOO_SMALL);
    CHECK(len == 9 && tiny[0] == 'x');
    CHECK_RESULT(flagcore_store_variant(store, S("no-such-flag"), ctx, FLAGCORE_TIME_AT, WEEK1, buf, sizeof buf, &len),
                 FLAGCORE_RESULT_UNKNOWN_FLAG);

    /* Legacy app builds never get it. */
    CHECK_RESULT(flagcore_context_set_string(ctx, S("appVersion"), S("2.2.9")), FLAGCORE_RESULT_OK);
    CHECK(!flagcore_store_is_enabled(store, S("speechmatics-direct"), ctx, FLAGCORE_TIME_AT, WEEK4));

    /* Typed getters. */
    flagcore_context *mobile = NULL;
    CHECK_RESULT(flagcore_context_new(S("user-7"), &mobile), FLAGCORE_RESULT_OK);
    CHECK_RESULT(flagcore_context_set_string(mobile, S("platform"), S("ios-web")), FLAGCORE_RESULT_OK);
    double ms = 0;
    CHECK_RESULT(flagcore_store_get_number(store, S("transcription-chunk-ms"), mobile, FLAGCORE_TIME_UNSET, 0, 1.0, &ms),
                 FLAGCORE_RESULT_OK);
    CHECK(ms == 100.0);
    CHECK_RESULT(flagcore_store_get_number(store, S("speech-backend-ab"), mobile, FLAGCORE_TIME_UNSET, 0, 1.5, &ms),
                 FLAGCORE_RESULT_OK);
    CHECK(ms == 1.5); /* a string flag: the default */
    bool flag = true;
    CHECK_RESULT(flagcore_store_get_bool(store, S("live-captions-ui"), mobile, FLAGCORE_TIME_UNSET, 0, true, &flag),
                 FLAGCORE_RESULT_OK);
    CHECK(flag == false); /* switched off in the config */
    CHECK_RESULT(flagcore_store_get_bool(store, S("nope"), mobile, FLAGCORE_TIME_UNSET, 0, true, &flag), FLAGCORE_RESULT_OK);
    CHECK(flag == true);

    /* A staged rollout without a time (FLAGCORE_TIME_UNSET) is an INVALID_CONTEXT
     * evaluation; FLAGCORE_TIME_AT evaluates at the time given. */
    flagcore_snapshot *snap = NULL;
    CHECK_RESULT(flagcore_store_snapshot(store, &snap), FLAGCORE_RESULT_OK);
    flagcore_evaluation ev;
    CHECK_RESULT(flagcore_snapshot_evaluate(snap, S("speechmatics-direct"), mobile, FLAGCORE_TIME_UNSET, 0,
                                            FLAGCORE_VALUE_TYPE_NONE, &ev),
                 FLAGCORE_RESULT_OK);
    CHECK(ev.reason == FLAGCORE_REASON_ERROR && ev.error_code == FLAGCORE_ERROR_CODE_INVALID_CONTEXT);
    CHECK(str_eq(ev.variant, "off"));
    CHECK_RESULT(flagcore_snapshot_evaluate(snap, S("speechmatics-direct"), mobile, FLAGCORE_TIME_AT, WEEK4,
                                            FLAGCORE_VALUE_TYPE_NONE, &ev),
                 FLAGCORE_RESULT_OK);
    CHECK(ev.reason == FLAGCORE_REASON_DEFAULT && ev.value_type == FLAGCORE_VALUE_TYPE_BOOLEAN && ev.bool_value);

    /* A split: bucket, variant, value. */
    CHECK_RESULT(flagcore_snapshot_evaluate(snap, S("speech-backend-ab"), mobile, FLAGCORE_TIME_UNSET, 0,
                                            FLAGCORE_VALUE_TYPE_STRING, &ev),
                 FLAGCORE_RESULT_OK);
    CHECK(ev.reason == FLAGCORE_REASON_SPLIT);
    CHECK(ev.bucket < FLAGCORE_BUCKETS);
    uint32_t b = 0;
    CHECK_RESULT(flagcore_bucket(S("speech-backend-ab"), S("user-7"), &b), FLAGCORE_RESULT_OK);
    CHECK(ev.bucket == b);
    CHECK(str_eq(ev.variant, b < 70000 ? "control" : "treatment"));
    CHECK(str_eq(ev.string_value, b < 70000 ? "modal" : "speechmatics"));
    CHECK(ev.rule_index == FLAGCORE_NONE && ev.rule_id.ptr == NULL);
    CHECK(str_eq(ev.flag_key, "speech-backend-ab"));

    /* Expected type mismatch, unknown flag, bad expected type. */
    CHECK_RESULT(flagcore_snapshot_evaluate(snap, S("speech-backend-ab"), mobile, FLAGCORE_TIME_UNSET, 0,
                                            FLAGCORE_VALUE_TYPE_BOOLEAN, &ev),
                 FLAGCORE_RESULT_OK);
    CHECK(ev.reason == FLAGCORE_REASON_ERROR && ev.error_code == FLAGCORE_ERROR_CODE_TYPE_MISMATCH);
    CHECK_RESULT(flagcore_snapshot_evaluate(snap, S(""), mobile, FLAGCORE_TIME_UNSET, 0, FLAGCORE_VALUE_TYPE_NONE, &ev),
                 FLAGCORE_RESULT_OK);
    CHECK(ev.error_code == FLAGCORE_ERROR_CODE_FLAG_NOT_FOUND && ev.value_type == FLAGCORE_VALUE_TYPE_NONE);
    CHECK(ev.variant.ptr == NULL);
    CHECK_RESULT(flagcore_snapshot_evaluate(snap, S("speech-backend-ab"), mobile, FLAGCORE_TIME_UNSET, 0, 42, &ev),
                 FLAGCORE_RESULT_INVALID_ARGUMENT);
    char msg[128];
    CHECK(flagcore_snapshot_last_error(snap, msg, sizeof msg) > 0);
    CHECK(strstr(msg, "expected_type") != NULL);

    /* A targeting match carries the rule index and id. */
    CHECK_RESULT(flagcore_snapshot_evaluate(snap, S("transcription-chunk-ms"), mobile, FLAGCORE_TIME_UNSET, 0,
                                            FLAGCORE_VALUE_TYPE_NUMBER, &ev),
                 FLAGCORE_RESULT_OK);
    CHECK(ev.reason == FLAGCORE_REASON_TARGETING_MATCH && ev.rule_index == 0);
    CHECK(str_eq(ev.rule_id, "mobile-web-small") && ev.number_value == 100.0);
    CHECK(str_eq(ev.value_json, "100"));

    /* A failed prerequisite names it. */
    flagcore_context *legacy = NULL;
    CHECK_RESULT(flagcore_context_new(S("user-9"), &legacy), FLAGCORE_RESULT_OK);
    CHECK_RESULT(flagcore_context_set_json(legacy, S("{\"key\": \"user-9\", \"appVersion\": \"2.0.0\"}")),
                 FLAGCORE_RESULT_OK);
    CHECK_RESULT(flagcore_snapshot_evaluate(snap, S("modal-fallback"), legacy, FLAGCORE_TIME_AT, WEEK4,
                                            FLAGCORE_VALUE_TYPE_BOOLEAN, &ev),
                 FLAGCORE_RESULT_OK);
    CHECK(ev.reason == FLAGCORE_REASON_PREREQUISITE_FAILED && str_eq(ev.prerequisite, "speechmatics-direct"));
    CHECK_RESULT(flagcore_context_set_json(legacy, S("[1, 2]")), FLAGCORE_RESULT_INVALID_CONTEXT);
    CHECK(flagcore_context_last_error(legacy, msg, sizeof msg) > 0);
    CHECK(strstr(msg, "object") != NULL);

    /* Evaluate all. */
    size_t count = 0;
    CHECK_RESULT(flagcore_snapshot_flag_count(snap, &count), FLAGCORE_RESULT_OK);
    CHECK(count == 5);
    flagcore_evaluation all[8];
    size_t n = 0;
    CHECK_RESULT(flagcore_snapshot_evaluate_all(snap, mobile, FLAGCORE_TIME_AT, WEEK4, all, 2, &n),
                 FLAGCORE_RESULT_BUFFER_TOO_SMALL);
    CHECK(n == 5);
    n = 0;
    CHECK_RESULT(flagcore_snapshot_evaluate_all(snap, mobile, FLAGCORE_TIME_AT, WEEK4, all, 8, &n), FLAGCORE_RESULT_OK);
    CHECK(n == 5);
    CHECK(str_eq(all[0].flag_key, "speechmatics-direct") && all[0].bool_value);
    CHECK(str_eq(all[4].flag_key, "live-captions-ui") && all[4].reason == FLAGCORE_REASON_OFF);

    /* A snapshot keeps its config (and its strings) alive across updates. */
    flagcore_snapshot_evaluate(snap, S("speech-backend-ab"), mobile, FLAGCORE_TIME_UNSET, 0, FLAGCORE_VALUE_TYPE_NONE, &ev);
    const char *v2 = "{\"schemaVersion\": 1, \"flags\": {\"speech-backend-ab\": {\"enabled\": true,"
                     "\"variants\": {\"x\": \"modal\"}, \"offVariant\": \"x\", \"default\": {\"variant\": \"x\"}}}}";
    CHECK_RESULT(flagcore_store_update(store, v2, strlen(v2), report, &rev), FLAGCORE_RESULT_OK);
    CHECK(rev == 2);
    CHECK(str_eq(ev.flag_key, "speech-backend-ab"));
    CHECK(str_eq(ev.variant, b < 70000 ? "control" : "treatment"));
    uint64_t snap_rev = 0;
    CHECK_RESULT(flagcore_snapshot_revision(snap, &snap_rev), FLAGCORE_RESULT_OK);
    CHECK(snap_rev == 1);
    flagcore_snapshot_free(snap);
    CHECK_RESULT(flagcore_store_variant(store, S("speech-backend-ab"), mobile, FLAGCORE_TIME_UNSET, 0, buf, sizeof buf, &len),
                 FLAGCORE_RESULT_OK);
    CHECK(len == 1 && buf[0] == 'x');

    /* A bad update changes nothing and reports why. */
    rev = 77;
    CHECK_RESULT(flagcore_store_update(store, S("{\"schemaVersion\": 1, \"flags\": {\"x\": {\"enabled\": 3}}}"),
                                       report, &rev),
                 FLAGCORE_RESULT_INVALID_CONFIG);
    CHECK(rev == 77);
    CHECK(flagcore_report_len(report) >= 1);
    size_t need = flagcore_store_last_error(store, NULL, 0);
    CHECK(need > 0);
    char *full = malloc(need + 1);
    CHECK(flagcore_store_last_error(store, full, need + 1) == need);
    CHECK(strlen(full) == need && strstr(full, "$.flags.x.enabled") != NULL);
    free(full);
    CHECK_RESULT(flagcore_store_revision(store, &rev), FLAGCORE_RESULT_OK);
    CHECK(rev == 2);

    /* Rollback, then there is no more history. */
    CHECK_RESULT(flagcore_store_rollback(store, &rev), FLAGCORE_RESULT_OK);
    CHECK(rev == 1);
    CHECK_RESULT(flagcore_store_rollback(store, &rev), FLAGCORE_RESULT_NO_HISTORY);
    CHECK(rev == 1);

    /* Overrides: kill, force, clear. */
    CHECK_RESULT(flagcore_context_set_string(ctx, S("appVersion"), S("2.4.0")), FLAGCORE_RESULT_OK);
    CHECK(flagcore_store_is_enabled(store, S("speechmatics-direct"), ctx, FLAGCORE_TIME_AT, WEEK1));
    CHECK_RESULT(flagcore_store_set_override_kill(store, S("speechmatics-direct")), FLAGCORE_RESULT_OK);
    CHECK(!flagcore_store_is_enabled(store, S("speechmatics-direct"), ctx, FLAGCORE_TIME_AT, WEEK1));
    bool had = false;
    CHECK_RESULT(flagcore_store_clear_override(store, S("speechmatics-direct"), &had), FLAGCORE_RESULT_OK);
    CHECK(had);
    CHECK(flagcore_store_is_enabled(store, S("speechmatics-direct"), ctx, FLAGCORE_TIME_AT, WEEK1));
    CHECK_RESULT(flagcore_store_set_override_variant(store, S("speech-backend-ab"), S("control")), FLAGCORE_RESULT_OK);
    CHECK_RESULT(flagcore_store_variant(store, S("speech-backend-ab"), ctx, FLAGCORE_TIME_AT, WEEK1, buf, sizeof buf, &len),
                 FLAGCORE_RESULT_OK);
    CHECK(len == 7 && memcmp(buf, "control", 7) == 0);
    CHECK_RESULT(flagcore_store_set_override_variant(store, S("speech-backend-ab"), S("nope")),
                 FLAGCORE_RESULT_UNKNOWN_VARIANT);
    CHECK_RESULT(flagcore_store_set_override_kill(store, S("nope")), FLAGCORE_RESULT_UNKNOWN_FLAG);
    CHECK_RESULT(flagcore_store_clear_override(store, S("speech-backend-ab"), NULL), FLAGCORE_RESULT_OK);

    /* Bad arguments on the hot path: false, and a message on the store. */
    CHECK(!flagcore_store_is_enabled(store, S("\xff"), ctx, FLAGCORE_TIME_AT, WEEK1));
    CHECK(flagcore_store_last_error(store, msg, sizeof msg) > 0);
    CHECK(strstr(msg, "UTF-8") != NULL);
    CHECK(!flagcore_store_is_enabled(store, S("speechmatics-direct"), NULL, FLAGCORE_TIME_AT, WEEK1));
    CHECK(flagcore_store_last_error(store, msg, sizeof msg) > 0);
    CHECK(strstr(msg, "context") != NULL);
    /* Truncation keeps a NUL inside the buffer. */
    char small[5];
    CHECK(flagcore_store_last_error(store, small, sizeof small) > 4);
    CHECK(strlen(small) == 4);

    /* Empty keys: an empty flag key is not found; an empty context key is no key. */
    CHECK(!flagcore_store_is_enabled(store, NULL, 0, ctx, FLAGCORE_TIME_AT, WEEK1));
    flagcore_context *anon = NULL;
    CHECK_RESULT(flagcore_context_new(NULL, 0, &anon), FLAGCORE_RESULT_OK);
    snap = NULL;
    CHECK_RESULT(flagcore_store_snapshot(store, &snap), FLAGCORE_RESULT_OK);
    CHECK_RESULT(flagcore_snapshot_evaluate(snap, S("speech-backend-ab"), anon, FLAGCORE_TIME_AT, WEEK1, 0, &ev),
                 FLAGCORE_RESULT_OK);
    CHECK(ev.error_code == FLAGCORE_ERROR_CODE_TARGETING_KEY_MISSING);
    flagcore_snapshot_free(snap);

    flagcore_context_free(anon);
    flagcore_context_free(legacy);
    flagcore_context_free(mobile);
    flagcore_context_free(ctx);
    flagcore_store_free(store);
    flagcore_report_free(report);
}

/* Readers on several threads while one thread updates: every answer is from a whole
 * config (revision 1 serves "on" to everyone, revision 2 "off"). */
typedef struct {
    flagcore_store *store;
    int wrong;
    int evaluations;
} reader_args;

static const char *ALL_ON = "{\"schemaVersion\": 1, \"flags\": {\"f\": {\"enabled\": true, \"default\": {\"variant\": \"on\"}},"
                            "\"g\": {\"enabled\": true, \"default\": {\"variant\": \"on\"}}}}";
static const char *ALL_OFF = "{\"schemaVersion\": 1, \"flags\": {\"f\": {\"enabled\": true, \"default\": {\"variant\": \"off\"}},"
                             "\"g\": {\"enabled\": true, \"default\": {\"variant\": \"off\"}}}}";

static void *reader(void *arg) {
    reader_args *a = arg;
    flagcore_context *ctx = NULL;
    flagcore_context_new(S("user-1"), &ctx);
    for (int i = 0; i < 2000; i++) {
        flagcore_snapshot *snap = NULL;
        if (flagcore_store_snapshot(a->store, &snap) != FLAGCORE_RESULT_OK) {
            a->wrong++;
            continue;
        }
        flagcore_evaluation ev[2];
        size_t n = 0;
        if (flagcore_snapshot_evaluate_all(snap, ctx, FLAGCORE_TIME_UNSET, 0, ev, 2, &n) != FLAGCORE_RESULT_OK || n != 2 ||
            ev[0].bool_value != ev[1].bool_value) {
            a->wrong++;
        }
        flagcore_snapshot_free(snap);
        a->evaluations++;
    }
    flagcore_context_free(ctx);
    return NULL;
}

static void test_threads(void) {
    flagcore_store *store = NULL;
    CHECK_RESULT(flagcore_store_new(ALL_ON, strlen(ALL_ON), NULL, &store), FLAGCORE_RESULT_OK);
    pthread_t threads[4];
    reader_args args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (reader_args){store, 0, 0};
        pthread_create(&threads[i], NULL, reader, &args[i]);
    }
    for (int i = 0; i < 200; i++) {
        const char *cfg = (i % 2) ? ALL_ON : ALL_OFF;
        CHECK_RESULT(flagcore_store_update(store, cfg, strlen(cfg), NULL, NULL), FLAGCORE_RESULT_OK);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
        CHECK(args[i].wrong == 0);
        CHECK(args[i].evaluations == 2000);
    }
    flagcore_store_free(store);
}

/* --- rollout plans ------------------------------------------------------------------ */

/* 2026-11-23T09:00:00Z: the rollout starts (stage 0, 5%). */
static const int64_t PLAN_START = 1795424400000LL;
static const int64_t DAY_MS = 86400000LL;

/* A plan input: one sample at `now` with `errors` failures in 400 canary requests. */
static int plan_input(char *buf, size_t cap, int stage, int64_t started, int64_t now, int exposed,
                      int errors, int with_now) {
    char now_field[64] = "";
    if (with_now) snprintf(now_field, sizeof now_field, "\"now\": %lld, ", (long long)now);
    return snprintf(buf, cap,
                    "{\"stage\": %d, \"stageStartedAt\": %lld, %s\"exposed\": %d, \"samples\": [{\"at\": %lld, "
                    "\"canary\": {\"error_rate\": {\"count\": 400, \"failures\": %d}, "
                    "\"response_time\": {\"count\": 400, \"p95\": 1200}, "
                    "\"transcription_failures\": {\"count\": 400, \"failures\": 4}}}]}",
                    stage, (long long)started, now_field, exposed, (long long)now, errors);
}

static int contains(flagcore_str s, const char *needle) {
    if (s.ptr == NULL) return 0;
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= s.len; i++)
        if (memcmp(s.ptr + i, needle, n) == 0) return 1;
    return 0;
}

/* How many of 4000 users get speechmatics-direct. */
static int users_on(flagcore_store *store) {
    int on = 0;
    char key[32];
    for (int i = 0; i < 4000; i++) {
        int n = snprintf(key, sizeof key, "user-%d", i);
        flagcore_context *ctx = NULL;
        if (flagcore_context_new(key, (size_t)n, &ctx) != FLAGCORE_RESULT_OK) return -1;
        on += flagcore_store_is_enabled(store, S("speechmatics-direct"), ctx, FLAGCORE_TIME_AT, PLAN_START) ? 1 : 0;
        flagcore_context_free(ctx);
    }
    return on;
}

static void test_plans(const char *json, size_t json_len) {
    flagcore_store *store = NULL;
    CHECK_RESULT(flagcore_store_new(json, json_len, NULL, &store), FLAGCORE_RESULT_OK);
    char input[1024];
    char err[256];
    uint64_t revision = 0;

    /* Too early: an hour into stage 0. HOLD, and applying it changes nothing. */
    int n = plan_input(input, sizeof input, 0, PLAN_START, PLAN_START + 3600000, 1000, 2, 0);
    flagcore_string *decision = NULL;
    CHECK_RESULT(flagcore_store_plan_decide(store, S("speechmatics-direct"), input, (size_t)n, FLAGCORE_TIME_AT,
                                            PLAN_START + 3600000, &decision),
                 FLAGCORE_RESULT_OK);
    flagcore_str d = flagcore_string_get(decision);
    CHECK(contains(d, "\"decision\":\"HOLD\""));
    CHECK(contains(d, "\"code\":\"TOO_EARLY\""));
    CHECK(d.ptr != NULL && strlen(d.ptr) == d.len); /* NUL-terminated too */
    CHECK_RESULT(flagcore_store_apply_decision(store, S("speechmatics-direct"), d.ptr, d.len, &revision),
                 FLAGCORE_RESULT_OK);
    CHECK(revision == 1);
    flagcore_string_free(decision);

    /* A day in, healthy, 1000 users exposed: ADVANCE to stage 1 (20%); the time comes from
       the input's "now" (FLAGCORE_TIME_UNSET). */
    n = plan_input(input, sizeof input, 0, PLAN_START, PLAN_START + DAY_MS, 1000, 2, 1);
    decision = NULL;
    CHECK_RESULT(flagcore_store_plan_decide(store, S("speechmatics-direct"), input, (size_t)n, FLAGCORE_TIME_UNSET, 0,
                                            &decision),
                 FLAGCORE_RESULT_OK);
    d = flagcore_string_get(decision);
    CHECK(contains(d, "\"decision\":\"ADVANCE\""));
    CHECK(contains(d, "\"stage\":1"));
    CHECK(contains(d, "\"percentage\":20"));
    revision = 0;
    CHECK_RESULT(flagcore_store_apply_decision(store, S("speechmatics-direct"), d.ptr, d.len, &revision),
                 FLAGCORE_RESULT_OK);
    CHECK(revision == 2);
    flagcore_string_free(decision);
    int on = users_on(store);
    CHECK(on > 4000 * 17 / 100 && on < 4000 * 23 / 100);

    /* 60 errors in 400 canary requests at stage 1: ROLL_BACK, which kills the flag. */
    n = plan_input(input, sizeof input, 1, PLAN_START + DAY_MS, PLAN_START + DAY_MS + 600000, 0, 60, 0);
    decision = NULL;
    CHECK_RESULT(flagcore_store_plan_decide(store, S("speechmatics-direct"), input, (size_t)n, FLAGCORE_TIME_AT,
                                            PLAN_START + DAY_MS + 600000, &decision),
                 FLAGCORE_RESULT_OK);
    d = flagcore_string_get(decision);
    CHECK(contains(d, "\"decision\":\"ROLL_BACK\""));
    CHECK(contains(d, "\"metric\":\"error_rate\""));
    CHECK_RESULT(flagcore_store_apply_decision(store, S("speechmatics-direct"), d.ptr, d.len, NULL),
                 FLAGCORE_RESULT_OK);
    flagcore_string_free(decision);
    CHECK(users_on(store) == 0);

    /* Advancing a killed flag is refused until the override is cleared. */
    static const char advance[] = "{\"decision\": \"ADVANCE\", \"fromStage\": 1, \"stage\": 2, \"percentage\": 50}";
    CHECK_RESULT(flagcore_store_apply_decision(store, S("speechmatics-direct"), S(advance), NULL),
                 FLAGCORE_RESULT_OVERRIDDEN);
    CHECK(flagcore_store_last_error(store, err, sizeof err) > 0 && strstr(err, "override") != NULL);
    bool had = false;
    CHECK_RESULT(flagcore_store_clear_override(store, S("speechmatics-direct"), &had), FLAGCORE_RESULT_OK);
    CHECK(had);
    revision = 0;
    CHECK_RESULT(flagcore_store_apply_decision(store, S("speechmatics-direct"), S(advance), &revision),
                 FLAGCORE_RESULT_OK);
    CHECK(revision == 3);
    on = users_on(store);
    CHECK(on > 4000 * 46 / 100 && on < 4000 * 54 / 100);
    /* Applying is a compare-and-swap on the stage: the same ADVANCE again (replayed), or a
     * hand-written jump to 100%, is refused and changes nothing. */
    uint64_t unchanged = 77;
    CHECK_RESULT(flagcore_store_apply_decision(store, S("speechmatics-direct"), S(advance), &unchanged),
                 FLAGCORE_RESULT_STALE_DECISION);
    CHECK(unchanged == 77);
    CHECK(flagcore_last_error(err, sizeof err) > 0 && strstr(err, "stale decision") != NULL);
    static const char jump[] = "{\"decision\": \"ADVANCE\", \"fromStage\": 2, \"stage\": 3, \"percentage\": 50}";
    CHECK_RESULT(flagcore_store_apply_decision(store, S("speechmatics-direct"), S(jump), NULL),
                 FLAGCORE_RESULT_STALE_DECISION);
    CHECK_RESULT(flagcore_store_revision(store, &unchanged), FLAGCORE_RESULT_OK);
    CHECK(unchanged == 3);
    /* The previous config stays in history. */
    CHECK_RESULT(flagcore_store_rollback(store, &revision), FLAGCORE_RESULT_OK);
    CHECK(revision == 2);

    /* Errors: result codes, the message, and nothing written to the out-parameter. */
    decision = NULL;
    CHECK_RESULT(flagcore_store_plan_decide(store, S("no-such-flag"), input, (size_t)n, FLAGCORE_TIME_AT, 0, &decision),
                 FLAGCORE_RESULT_UNKNOWN_FLAG);
    CHECK_RESULT(flagcore_store_plan_decide(store, S("live-captions-ui"), input, (size_t)n, FLAGCORE_TIME_AT, 0, &decision),
                 FLAGCORE_RESULT_NO_PLAN);
    CHECK_RESULT(flagcore_store_plan_decide(store, S("speechmatics-direct"), S("{\"stage\": 0"), FLAGCORE_TIME_AT, 0,
                                            &decision),
                 FLAGCORE_RESULT_INVALID_PLAN_INPUT);
    CHECK(flagcore_store_last_error(store, err, sizeof err) > 0 && strstr(err, "invalid plan input") != NULL);
    n = plan_input(input, sizeof input, 0, PLAN_START, PLAN_START, 0, 0, 0);
    CHECK_RESULT(flagcore_store_plan_decide(store, S("speechmatics-direct"), input, (size_t)n, FLAGCORE_TIME_UNSET, 0,
                                            &decision),
                 FLAGCORE_RESULT_MISSING_TIME); /* no time anywhere */
    n = plan_input(input, sizeof input, 9, PLAN_START, PLAN_START, 0, 0, 0);
    CHECK_RESULT(flagcore_store_plan_decide(store, S("speechmatics-direct"), input, (size_t)n, FLAGCORE_TIME_AT, PLAN_START,
                                            &decision),
                 FLAGCORE_RESULT_STAGE_OUT_OF_RANGE); /* stage 9 of 4 */
    CHECK_RESULT(flagcore_store_plan_decide(store, "\xff", 1, input, (size_t)n, FLAGCORE_TIME_AT, 0, &decision),
                 FLAGCORE_RESULT_INVALID_UTF8);
    CHECK_RESULT(flagcore_store_plan_decide(store, S("speechmatics-direct"), input, (size_t)n, FLAGCORE_TIME_AT, 0, NULL),
                 FLAGCORE_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(flagcore_store_plan_decide(NULL, S("speechmatics-direct"), input, (size_t)n, FLAGCORE_TIME_AT, 0, &decision),
                 FLAGCORE_RESULT_NULL_ARGUMENT);
    CHECK(decision == NULL);
    CHECK_RESULT(flagcore_store_apply_decision(store, S("speechmatics-direct"), S("{\"decision\": \"MAYBE\"}"), NULL),
                 FLAGCORE_RESULT_INVALID_PLAN_INPUT);
    CHECK_RESULT(flagcore_store_apply_decision(store, S("live-captions-ui"), S(advance), NULL),
                 FLAGCORE_RESULT_NO_PLAN);
    CHECK_RESULT(flagcore_store_apply_decision(NULL, S("speechmatics-direct"), S(advance), NULL),
                 FLAGCORE_RESULT_NULL_ARGUMENT);
    CHECK(strcmp(flagcore_result_name(FLAGCORE_RESULT_INVALID_PLAN_INPUT), "FLAGCORE_RESULT_INVALID_PLAN_INPUT") == 0);
    CHECK(strcmp(flagcore_result_name(FLAGCORE_RESULT_OVERRIDDEN), "FLAGCORE_RESULT_OVERRIDDEN") == 0);
    CHECK(flagcore_string_get(NULL).ptr == NULL);
    flagcore_string_free(NULL);
    flagcore_store_free(store);
}

/* One context shared by threads that evaluate it at different times, at once: each call
 * passes its own time and the context is never changed by evaluating it (no lock). */
static const char *STAGED = "{\"schemaVersion\": 1, \"flags\": {\"f\": {\"enabled\": true, \"default\": "
                            "{\"stages\": [{\"variant\": \"off\"}, {\"from\": 1000, \"variant\": \"on\"}]}}}}";

typedef struct {
    flagcore_store *store;
    flagcore_context *ctx;
    int64_t at;
    bool want;
    int wrong;
    char last_error[64];
} shared_args;

static void *shared_reader(void *arg) {
    shared_args *a = arg;
    for (int i = 0; i < 50000; i++) {
        if (flagcore_store_is_enabled(a->store, S("f"), a->ctx, FLAGCORE_TIME_AT, a->at) != a->want) a->wrong++;
    }
    /* A failure on this thread is this thread's last error, not another's. */
    flagcore_store_is_enabled(a->store, S("\xff"), a->ctx, FLAGCORE_TIME_AT, a->at);
    flagcore_last_error(a->last_error, sizeof a->last_error);
    return NULL;
}

static void test_shared_context(void) {
    flagcore_store *store = NULL;
    CHECK_RESULT(flagcore_store_new(STAGED, strlen(STAGED), NULL, &store), FLAGCORE_RESULT_OK);
    flagcore_context *ctx = NULL;
    CHECK_RESULT(flagcore_context_new(S("user-1"), &ctx), FLAGCORE_RESULT_OK);
    /* The main thread's own failure, before the threads run. */
    uint64_t rev = 0;
    CHECK_RESULT(flagcore_store_rollback(store, &rev), FLAGCORE_RESULT_NO_HISTORY);
    char mine[128];
    size_t mine_len = flagcore_last_error(mine, sizeof mine);
    CHECK(mine_len > 0 && strstr(mine, "roll back") != NULL);

    shared_args args[2] = {{store, ctx, 999, false, 0, {0}}, {store, ctx, 1000, true, 0, {0}}};
    pthread_t threads[2];
    for (int i = 0; i < 2; i++) pthread_create(&threads[i], NULL, shared_reader, &args[i]);
    for (int i = 0; i < 2; i++) pthread_join(threads[i], NULL);
    CHECK(args[0].wrong == 0 && args[1].wrong == 0);
    CHECK(strstr(args[0].last_error, "UTF-8") != NULL && strstr(args[1].last_error, "UTF-8") != NULL);
    char again[128];
    CHECK(flagcore_last_error(again, sizeof again) == mine_len && strcmp(again, mine) == 0);
    /* The explicit "no time" and "now" (the clock: far past 1000 ms). */
    CHECK(!flagcore_store_is_enabled(store, S("f"), ctx, FLAGCORE_TIME_UNSET, 0));
    CHECK(flagcore_store_is_enabled(store, S("f"), ctx, FLAGCORE_TIME_NOW, 0));
    /* An unknown time mode is an argument error. */
    CHECK(!flagcore_store_is_enabled(store, S("f"), ctx, 7, 0));
    CHECK(flagcore_last_error(again, sizeof again) > 0 && strstr(again, "flagcore_time") != NULL);
    flagcore_context_free(ctx);
    flagcore_store_free(store);
}

/* --- config sources ------------------------------------------------------------------ */

static const char SRC_ON[] = "{\"schemaVersion\": 1, \"flags\": {\"k\": {\"enabled\": true, \"default\": {\"variant\": \"on\"}}}}";
static const char SRC_OFF[] = "{\"schemaVersion\": 1, \"flags\": {\"k\": {\"enabled\": false, \"default\": {\"variant\": \"on\"}}}}";

static int write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    fputs(text, f);
    return fclose(f) == 0;
}

/* The next event whose JSON contains `needle`, waiting up to 5 s; 1 when found. */
static int source_event(flagcore_source *source, const char *needle) {
    for (int i = 0; i < 50; i++) {
        flagcore_string *event = NULL;
        if (flagcore_source_next_event(source, 100, &event) != FLAGCORE_RESULT_OK) return 0;
        if (event == NULL) continue;
        int found = contains(flagcore_string_get(event), needle);
        flagcore_string_free(event);
        if (found) return 1;
    }
    return 0;
}

static void test_sources(void) {
    char dir[] = "/tmp/flagcore-c-source-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[128], tmp[128];
    snprintf(path, sizeof path, "%s/flags.json", dir);
    snprintf(tmp, sizeof tmp, "%s/.flags.json.tmp", dir);
    CHECK(write_text(path, SRC_ON));

    flagcore_source *source = NULL;
    CHECK_RESULT(flagcore_source_new_file(path, strlen(path), S("{\"debounceMs\": 20}"), NULL, &source),
                 FLAGCORE_RESULT_OK);
    flagcore_store *store = NULL;
    CHECK_RESULT(flagcore_source_store(source, &store), FLAGCORE_RESULT_OK);
    CHECK(store != NULL); /* a good file serves when the source is created */
    flagcore_context *ctx = NULL;
    flagcore_context_new(S("u"), &ctx);
    CHECK(flagcore_store_is_enabled(store, S("k"), ctx, FLAGCORE_TIME_NOW, 0));
    CHECK(source_event(source, "\"ready\""));

    CHECK(write_text(tmp, SRC_OFF));
    CHECK(rename(tmp, path) == 0); /* an editor's save */
    CHECK(source_event(source, "\"updated\""));
    CHECK(!flagcore_store_is_enabled(store, S("k"), ctx, FLAGCORE_TIME_NOW, 0));

    CHECK(write_text(path, "{\"schemaVersion\": 1, \"flags\": {\"k\": {\"enabled\": 3}}}"));
    CHECK(source_event(source, "$.flags.k.enabled"));
    CHECK(!flagcore_store_is_enabled(store, S("k"), ctx, FLAGCORE_TIME_NOW, 0));

    flagcore_string *status = NULL;
    CHECK_RESULT(flagcore_source_status(source, &status), FLAGCORE_RESULT_OK);
    CHECK(contains(flagcore_string_get(status), "\"refused\":[{"));
    flagcore_string_free(status);

    bool ready = false;
    CHECK_RESULT(flagcore_source_wait_ready(source, 0, &ready), FLAGCORE_RESULT_OK);
    CHECK(ready);
    CHECK_RESULT(flagcore_source_close(source), FLAGCORE_RESULT_OK);
    CHECK_RESULT(flagcore_source_close(source), FLAGCORE_RESULT_OK); /* idempotent */
    flagcore_source_free(source);
    /* The store outlives its source. */
    CHECK(!flagcore_store_is_enabled(store, S("k"), ctx, FLAGCORE_TIME_NOW, 0));
    flagcore_store_free(store);

    /* HTTP: refused URLs and options; a server that is not there, attached to a store. */
    CHECK_RESULT(flagcore_source_new_http(S("ftp://x/y"), NULL, 0, NULL, &source), FLAGCORE_RESULT_INVALID_ARGUMENT);
    CHECK_RESULT(flagcore_source_new_http(S("http://127.0.0.1:9/f"), S("{\"intervalMs\": \"1s\"}"), NULL, &source),
                 FLAGCORE_RESULT_INVALID_ARGUMENT);
    CHECK_RESULT(flagcore_source_new_http(S("http://127.0.0.1:9/f"), S("{\"color\": 1}"), NULL, &source),
                 FLAGCORE_RESULT_INVALID_ARGUMENT);
    CHECK_RESULT(flagcore_store_new(S(SRC_ON), NULL, &store), FLAGCORE_RESULT_OK);
    CHECK_RESULT(flagcore_source_new_http(S("http://127.0.0.1:9/f"),
                                          S("{\"intervalMs\": 20, \"maxBackoffMs\": 40, \"staleAfterMs\": 100}"),
                                          store, &source),
                 FLAGCORE_RESULT_OK);
    flagcore_store_free(store); /* the source keeps the store alive */
    CHECK(source_event(source, "\"stale\""));
    CHECK_RESULT(flagcore_source_store(source, &store), FLAGCORE_RESULT_OK);
    CHECK(store != NULL && flagcore_store_is_enabled(store, S("k"), ctx, FLAGCORE_TIME_NOW, 0));
    flagcore_store_free(store);
    flagcore_source_free(source); /* closes and joins */
    flagcore_context_free(ctx);
    unlink(path);
    rmdir(dir);
}

/* Flag handles: the same answers as by key, across updates (a flag added, removed, moved),
   rollbacks and overrides; the handle holds its store. */
static void test_flag_handles(const char *json, size_t json_len) {
    flagcore_store *store = NULL;
    CHECK_RESULT(flagcore_store_new(json, json_len, NULL, &store), FLAGCORE_RESULT_OK);
    if (!store) return;
    flagcore_context *ctx = NULL;
    CHECK_RESULT(flagcore_context_new(S("user-qa-001"), &ctx), FLAGCORE_RESULT_OK);
    CHECK_RESULT(flagcore_context_set_string(ctx, S("appVersion"), S("2.4.0")), FLAGCORE_RESULT_OK);
    const char *keys[] = {"speechmatics-direct", "speech-backend-ab", "modal-fallback", "no-such-flag"};
    flagcore_flag *flags[4] = {NULL, NULL, NULL, NULL};
    for (int i = 0; i < 4; i++)
        CHECK_RESULT(flagcore_store_flag(store, keys[i], strlen(keys[i]), &flags[i]), FLAGCORE_RESULT_OK);
    /* Every answer equals the by-key one, for many users and times. */
    for (int u = 0; u < 200; u++) {
        char user[32];
        int n = snprintf(user, sizeof user, "user-%d", u);
        CHECK_RESULT(flagcore_context_set_key(ctx, user, (size_t)n), FLAGCORE_RESULT_OK);
        int64_t at = WEEK1 + (int64_t)u * 3600000LL * 24;
        for (int i = 0; i < 4; i++) {
            size_t klen = strlen(keys[i]);
            CHECK(flagcore_flag_is_enabled(flags[i], ctx, FLAGCORE_TIME_AT, at) ==
                  flagcore_store_is_enabled(store, keys[i], klen, ctx, FLAGCORE_TIME_AT, at));
            size_t by_key = 99, by_handle = 98;
            uint64_t rev_key = 0, rev_handle = 0;
            flagcore_result a = flagcore_store_variant_index(store, keys[i], klen, ctx, FLAGCORE_TIME_AT, at, &by_key, &rev_key);
            flagcore_result b = flagcore_flag_variant_index(flags[i], ctx, FLAGCORE_TIME_AT, at, &by_handle, &rev_handle);
            CHECK(a == b && (a != FLAGCORE_RESULT_OK || (by_key == by_handle && rev_key == 1 && rev_handle == 1)));
            CHECK(i != 3 || a == FLAGCORE_RESULT_UNKNOWN_FLAG);
            char name_key[32], name_handle[32];
            size_t len_key = 0, len_handle = 0;
            a = flagcore_store_variant(store, keys[i], klen, ctx, FLAGCORE_TIME_AT, at, name_key, sizeof name_key, &len_key);
            b = flagcore_flag_variant(flags[i], ctx, FLAGCORE_TIME_AT, at, name_handle, sizeof name_handle, &len_handle);
            CHECK(a == b && len_key == len_handle && (a != FLAGCORE_RESULT_OK || memcmp(name_key, name_handle, len_key) == 0));
        }
    }
    /* The index names a variant of the snapshot's config. */
    flagcore_snapshot *snap = NULL;
    CHECK_RESULT(flagcore_store_snapshot(store, &snap), FLAGCORE_RESULT_OK);
    size_t index = 0;
    CHECK_RESULT(flagcore_flag_variant_index(flags[1], ctx, FLAGCORE_TIME_AT, WEEK1, &index, NULL), FLAGCORE_RESULT_OK);
    char buf[32];
    size_t len = 0;
    CHECK_RESULT(flagcore_flag_variant(flags[1], ctx, FLAGCORE_TIME_AT, WEEK1, buf, sizeof buf, &len), FLAGCORE_RESULT_OK);
    flagcore_str name = {NULL, 0};
    CHECK_RESULT(flagcore_snapshot_variant_name(snap, S("speech-backend-ab"), index, &name), FLAGCORE_RESULT_OK);
    CHECK(name.len == len && memcmp(name.ptr, buf, len) == 0);
    CHECK_RESULT(flagcore_snapshot_variant_name(snap, S("speech-backend-ab"), 1000, &name), FLAGCORE_RESULT_UNKNOWN_VARIANT);
    CHECK_RESULT(flagcore_snapshot_variant_name(snap, S("no-such-flag"), 0, &name), FLAGCORE_RESULT_UNKNOWN_FLAG);
    flagcore_snapshot_free(snap);
    /* Too small a buffer: the needed length, nothing written. */
    char tiny[2] = {'x', 'x'};
    CHECK_RESULT(flagcore_flag_variant(flags[1], ctx, FLAGCORE_TIME_AT, WEEK1, tiny, sizeof tiny, &len),
                 FLAGCORE_RESULT_BUFFER_TOO_SMALL);
    CHECK(len > 2 && tiny[0] == 'x');

    /* An update that removes two flags, moves one and adds the missing one. */
    static const char next[] =
        "{\"schemaVersion\": 1, \"flags\": {"
        "\"no-such-flag\": {\"enabled\": true, \"default\": {\"variant\": \"on\"}},"
        "\"x\": {\"enabled\": true, \"default\": {\"variant\": \"off\"}},"
        "\"speechmatics-direct\": {\"enabled\": false, \"default\": {\"variant\": \"on\"}}}}";
    uint64_t rev = 0;
    CHECK_RESULT(flagcore_store_update(store, S(next), NULL, &rev), FLAGCORE_RESULT_OK);
    CHECK(flagcore_flag_is_enabled(flags[3], ctx, FLAGCORE_TIME_NOW, 0));
    CHECK(!flagcore_flag_is_enabled(flags[0], ctx, FLAGCORE_TIME_NOW, 0));
    uint64_t served = 0;
    CHECK_RESULT(flagcore_flag_variant_index(flags[0], ctx, FLAGCORE_TIME_NOW, 0, &index, &served), FLAGCORE_RESULT_OK);
    CHECK(index == 1 && served == rev); /* off: the second of the implicit on/off */
    CHECK_RESULT(flagcore_flag_variant_index(flags[1], ctx, FLAGCORE_TIME_NOW, 0, &index, NULL), FLAGCORE_RESULT_UNKNOWN_FLAG);
    CHECK_RESULT(flagcore_flag_variant(flags[2], ctx, FLAGCORE_TIME_NOW, 0, buf, sizeof buf, &len), FLAGCORE_RESULT_UNKNOWN_FLAG);
    /* An override keeps the revision and changes the answer. */
    CHECK_RESULT(flagcore_store_set_override_kill(store, S("no-such-flag")), FLAGCORE_RESULT_OK);
    CHECK(!flagcore_flag_is_enabled(flags[3], ctx, FLAGCORE_TIME_NOW, 0));
    CHECK_RESULT(flagcore_store_clear_override(store, S("no-such-flag"), NULL), FLAGCORE_RESULT_OK);
    /* Rolled back: the first config's answers again. */
    CHECK_RESULT(flagcore_store_rollback(store, &rev), FLAGCORE_RESULT_OK);
    CHECK(rev == 1);
    CHECK(!flagcore_flag_is_enabled(flags[3], ctx, FLAGCORE_TIME_NOW, 0));
    CHECK_RESULT(flagcore_flag_variant_index(flags[1], ctx, FLAGCORE_TIME_AT, WEEK1, &index, &served), FLAGCORE_RESULT_OK);
    CHECK(served == 1);

    /* NULLs: false or NULL_ARGUMENT, never a crash. */
    CHECK(!flagcore_flag_is_enabled(NULL, ctx, FLAGCORE_TIME_NOW, 0));
    CHECK(!flagcore_flag_is_enabled(flags[0], NULL, FLAGCORE_TIME_NOW, 0));
    CHECK_RESULT(flagcore_flag_variant_index(flags[0], ctx, FLAGCORE_TIME_NOW, 0, NULL, NULL), FLAGCORE_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(flagcore_store_flag(NULL, S("a"), &flags[0]), FLAGCORE_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(flagcore_store_flag(store, S("a"), NULL), FLAGCORE_RESULT_NULL_ARGUMENT);
    CHECK_RESULT(flagcore_store_flag(store, S("\xc3\x28"), &flags[0]), FLAGCORE_RESULT_INVALID_UTF8);
    flagcore_flag_free(NULL);

    /* A handle keeps its store: freed first, the handle still answers. */
    flagcore_store_free(store);
    CHECK(!flagcore_flag_is_enabled(flags[3], ctx, FLAGCORE_TIME_NOW, 0));
    CHECK_RESULT(flagcore_flag_variant(flags[1], ctx, FLAGCORE_TIME_AT, WEEK1, buf, sizeof buf, &len), FLAGCORE_RESULT_OK);
    for (int i = 0; i < 4; i++) flagcore_flag_free(flags[i]);
    flagcore_context_free(ctx);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s <speech-migration.json> <expected version>\n", argv[0]);
        return 2;
    }
    size_t json_len = 0;
    char *json = read_file(argv[1], &json_len);
    if (!json) {
        fprintf(stderr, "cannot read %s\n", argv[1]);
        return 2;
    }
    test_version(argv[2]);
    test_names();
    test_bucket();
    test_bad_configs();
    test_nulls();
    test_store(json, json_len);
    test_flag_handles(json, json_len);
    test_threads();
    test_shared_context();
    test_plans(json, json_len);
    test_sources();
    free(json);
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures == 0 ? 0 : 1;
}
