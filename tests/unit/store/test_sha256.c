/* store/sha256: the FIPS 180-4 example digests, and agreement with
 * libsodium's SHA-256 at every length that crosses the padding boundaries,
 * fed in one piece and in uneven pieces. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sha256.h"

static void hex(const uint8_t d[SHA256_BYTES], char out[65])
{
    sodium_bin2hex(out, 65, d, SHA256_BYTES);
}

static void check(const char *msg, size_t n, const char *want)
{
    uint8_t d[SHA256_BYTES];
    char h[65];
    sha256(msg, n, d);
    hex(d, h);
    assert_string_equal(h, want);
}

static void fips_examples(void **state)
{
    (void)state;
    check("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    check("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    check(two, strlen(two), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    size_t n = 1000000;
    char *a = malloc(n);
    assert_non_null(a);
    memset(a, 'a', n);
    check(a, n, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(a);
}

static void agrees_with_libsodium_at_every_length(void **state)
{
    (void)state;
    uint8_t msg[700];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 131 + 7);
    for (size_t n = 0; n <= sizeof msg; n++) {
        uint8_t want[SHA256_BYTES], one[SHA256_BYTES], parts[SHA256_BYTES];
        crypto_hash_sha256(want, msg, n);
        sha256(msg, n, one);
        sha256_ctx c;
        sha256_init(&c);
        for (size_t at = 0, step = 1; at < n; at += step, step = step * 3 % 71 + 1)
            sha256_update(&c, msg + at, step < n - at ? step : n - at);
        sha256_final(&c, parts);
        assert_memory_equal(one, want, SHA256_BYTES);
        assert_memory_equal(parts, want, SHA256_BYTES);
    }
    printf("sha256: %s\n", sha256_accelerated() ? "x86 SHA extensions" : "libsodium");
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fips_examples),
        cmocka_unit_test(agrees_with_libsodium_at_every_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
