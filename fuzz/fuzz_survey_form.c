/* fuzz_survey_form: libFuzzer target for the survey form decoder
 * (http/survey.h survey_form_parse), which reads the
 * application/x-www-form-urlencoded body a patient's browser posts to
 * /s/{token}, and the UTF-8 gate the handler then applies to each pair
 * (http/ctx.h ctx_utf8_valid). The first byte gives the most pairs accepted
 * (bit 7 set: 512, the server's; else 0..15, to reach the limit); the rest
 * is the body, an exact-size heap copy plus the NUL the server's copy
 * carries.
 *
 * Both are checked against reference implementations written here from the
 * header's contract: the pairs are the non-empty '&'-separated segments,
 * split at the first '=', '+' a space and %XX a byte (%00, a bad or cut
 * escape, or more than max pairs: -1); well-formed UTF-8 has no overlong
 * forms, surrogates, code points past U+10FFFF or NUL bytes. Also: every
 * pair lies in the body, NUL-terminated there. */
#define FUZZ_NAME "fuzz_survey_form"
#include "fuzz_common.h"

#include "http/ctx.h"
#include "http/survey.h"

#define MAX_FIELDS 512

static int hex(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes s[0..n) into out (room for n + 1); false on a bad escape. */
static bool ref_decode(const char *s, size_t n, char *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            out[k++] = ' ';
        } else if (s[i] == '%') {
            int h = i + 2 < n ? hex((unsigned char)s[i + 1]) : -1;
            int l = i + 2 < n ? hex((unsigned char)s[i + 2]) : -1;
            if (h < 0 || l < 0 || (h == 0 && l == 0))
                return false;
            out[k++] = (char)(h * 16 + l);
            i += 2;
        } else {
            out[k++] = s[i];
        }
    }
    out[k] = '\0';
    return true;
}

static bool ref_utf8(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = p[i], cp, len;
        if (c == 0)
            return false;
        if (c < 0x80) {
            i++;
            continue;
        }
        if ((c & 0xE0) == 0xC0)
            len = 2, cp = c & 0x1F;
        else if ((c & 0xF0) == 0xE0)
            len = 3, cp = c & 0x0F;
        else if ((c & 0xF8) == 0xF0)
            len = 4, cp = c & 0x07;
        else
            return false;
        if (i + len > n)
            return false;
        for (unsigned k = 1; k < len; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return false;
            cp = cp << 6 | (p[i + k] & 0x3F);
        }
        static const unsigned min[5] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

static void check_utf8(const char *s, size_t n)
{
    if (ctx_utf8_valid(s, n) != ref_utf8((const unsigned char *)s, n))
        die("ctx_utf8_valid disagrees with the reference", NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t max = data[0] & 0x80 ? MAX_FIELDS : (size_t)(data[0] % 16);
    size_t n = size - 1;
    const char *in = (const char *)data + 1;
    char *body = fuzz_copy(data + 1, n, true);
    char *scratch = malloc(2 * n + 2); /* every pair's two strings and NULs */
    char **rk = malloc((n / 2 + 2) * sizeof *rk), **rv = malloc((n / 2 + 2) * sizeof *rv);
    char *keys[MAX_FIELDS], *vals[MAX_FIELDS];
    if (!scratch || !rk || !rv)
        die("out of memory", NULL);

    check_utf8(in, n);

    /* the reference: pairs decoded into scratch */
    int want = 0;
    size_t w = 0;
    for (size_t i = 0; i <= n && want >= 0;) {
        size_t j = i;
        while (j < n && in[j] != '&')
            j++;
        if (j > i) {
            if ((size_t)want == max) {
                want = -1;
                break;
            }
            const char *eq = memchr(in + i, '=', j - i);
            size_t klen = eq ? (size_t)(eq - (in + i)) : j - i;
            char *k = scratch + w;
            if (!ref_decode(in + i, klen, k)) {
                want = -1;
                break;
            }
            w += strlen(k) + 1; /* a raw NUL in the body cuts it, as in C */
            char *v = scratch + w;
            if (!ref_decode(eq ? eq + 1 : in + j, eq ? (size_t)(in + j - eq - 1) : 0, v)) {
                want = -1;
                break;
            }
            w += strlen(v) + 1;
            rk[want] = k;
            rv[want++] = v;
        }
        i = j + 1;
    }

    int np = survey_form_parse(body, n, keys, vals, max);
    fuzz_say("%d pairs (max %zu)", np, max);
    if (np != want) {
        fprintf(stderr, "survey_form_parse: %d pairs, the reference %d (max %zu)\n", np, want, max);
        die("survey_form_parse disagrees with the reference on the pairs", NULL);
    }
    for (int i = 0; i < np; i++) {
        const char *p[2] = {keys[i], vals[i]};
        for (int k = 0; k < 2; k++) {
            if (p[k] < body || p[k] > body + n)
                die("a form pair points outside the body", NULL);
            if (p[k] + strnlen(p[k], (size_t)(body + n + 1 - p[k])) > body + n)
                die("a form pair is not NUL-terminated inside the body", NULL);
        }
        if (strcmp(keys[i], rk[i]) != 0 || strcmp(vals[i], rv[i]) != 0) {
            fprintf(stderr, "pair %d: \"%s\"=\"%s\", the reference \"%s\"=\"%s\"\n", i, keys[i],
                    vals[i], rk[i], rv[i]);
            die("survey_form_parse disagrees with the reference on a pair", NULL);
        }
        check_utf8(keys[i], strlen(keys[i]));
        check_utf8(vals[i], strlen(vals[i]));
    }
    free(rk);
    free(rv);
    free(scratch);
    free(body);
    return 0;
}
