/* bench_jansson_lines: the ceiling of `genu score` (docs/benchmarks.md):
 * jansson alone reading each line of stdin (json_loadb) and printing it back
 * (json_dumpb, compact) on stdout, nothing else. Run by bench_score.
 * usage: bench_jansson_lines < in.jsonl > out.jsonl */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>

int main(void)
{
    char *line = NULL, out[65536];
    size_t cap = 0;
    ssize_t n;
    int status = 0;
    while ((n = getline(&line, &cap, stdin)) >= 0) {
        json_error_t je;
        json_t *v = json_loadb(line, (size_t)n, 0, &je);
        if (!v) {
            status = 1;
            fputs("null\n", stdout);
            continue;
        }
        size_t len = json_dumpb(v, out, sizeof out - 1, JSON_COMPACT);
        if (len < sizeof out - 1) {
            out[len++] = '\n';
            fwrite(out, 1, len, stdout);
        } else {
            status = 1;
        }
        json_decref(v);
    }
    free(line);
    return status;
}
