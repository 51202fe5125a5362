/* Every flag of a config for one user, through the C ABI: the C example, built against an
 * installed library (the C tarball of scripts/dist) with pkg-config:
 *
 *     cc examples/evaluate.c $(pkg-config --cflags --libs flagcore) -o evaluate
 *     ./evaluate examples/speech-migration.json user-42 appVersion=2.4.0 --at 1796126400000
 *
 * Prints one line per flag, in config order: key, value (JSON), variant, reason.
 * scripts/test-dist compares the lines with the CLI's `flagcore eval --json`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flagcore.h"

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *text = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long size = ftell(f);
        if (size >= 0 && fseek(f, 0, SEEK_SET) == 0 && (text = malloc((size_t)size + 1))) {
            *len = fread(text, 1, (size_t)size, f);
            text[*len] = '\0';
        }
    }
    fclose(f);
    return text;
}

static void fail(const char *what) {
    char message[512];
    flagcore_last_error(message, sizeof message);
    fprintf(stderr, "evaluate: %s: %s\n", what, message);
    exit(1);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s CONFIG USER [NAME=VALUE...] [--at UNIX_MS]\n", argv[0]);
        return 2;
    }
    size_t json_len = 0;
    char *json = read_file(argv[1], &json_len);
    if (!json) {
        perror(argv[1]);
        return 1;
    }
    struct flagcore_store *store = NULL;
    if (flagcore_store_new(json, json_len, NULL, &store) != FLAGCORE_RESULT_OK) fail(argv[1]);
    free(json);

    struct flagcore_context *user = NULL;
    if (flagcore_context_new(argv[2], strlen(argv[2]), &user) != FLAGCORE_RESULT_OK) fail("context");
    uint32_t time = FLAGCORE_TIME_NOW;
    int64_t at = 0;
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--at") == 0 && i + 1 < argc) {
            time = FLAGCORE_TIME_AT;
            at = strtoll(argv[++i], NULL, 10);
            continue;
        }
        const char *eq = strchr(argv[i], '=');
        if (!eq) {
            fprintf(stderr, "evaluate: %s: expected NAME=VALUE\n", argv[i]);
            return 2;
        }
        if (flagcore_context_set_string(user, argv[i], (size_t)(eq - argv[i]), eq + 1,
                                        strlen(eq + 1)) != FLAGCORE_RESULT_OK)
            fail(argv[i]);
    }

    struct flagcore_snapshot *snapshot = NULL;
    if (flagcore_store_snapshot(store, &snapshot) != FLAGCORE_RESULT_OK) fail("snapshot");
    size_t count = 0;
    if (flagcore_snapshot_flag_count(snapshot, &count) != FLAGCORE_RESULT_OK) fail("flag count");
    struct flagcore_evaluation *all = calloc(count ? count : 1, sizeof *all);
    size_t n = 0;
    if (!all || flagcore_snapshot_evaluate_all(snapshot, user, time, at, all, count, &n) !=
                    FLAGCORE_RESULT_OK)
        fail("evaluate_all");
    for (size_t i = 0; i < n; i++) {
        const struct flagcore_evaluation *e = &all[i];
        printf("%.*s\t%.*s\t%.*s\t%s\n", (int)e->flag_key.len, e->flag_key.ptr,
               (int)e->value_json.len, e->value_json.ptr ? e->value_json.ptr : "",
               (int)e->variant.len, e->variant.ptr ? e->variant.ptr : "",
               flagcore_reason_name(e->reason));
    }
    free(all);
    flagcore_snapshot_free(snapshot);
    flagcore_context_free(user);
    flagcore_store_free(store);
    return 0;
}
