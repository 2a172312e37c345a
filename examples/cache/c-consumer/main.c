// A command in C that uses the imported `example:cache/cache` through the bindings
// `wit-bindgen c` generates (gen/consumer.{h,c}, made by ../build.sh).
//
// With no arguments it stores "almost-consul", reads it back, checks it and prints it.
// `get [KEY]` only reads (and prints) an entry, `delete [KEY]` removes one; KEY defaults
// to "almost-consul". `set KEY VALUE [TTL]` stores VALUE (with a time to live of TTL
// seconds). A failed operation prints the cache's error and exits with 1.

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/consumer.h"

static const char KEY[] = "almost-consul";
static const char VALUE[] = "Caligula's horse, Incitatus";

static int fail(example_cache_cache_error_t err) {
    const char *name = err == EXAMPLE_CACHE_CACHE_ERROR_NOT_FOUND ? "not-found"
                       : err == EXAMPLE_CACHE_CACHE_ERROR_RUNTIME_ERROR ? "runtime-error"
                                                                        : "unknown error";
    fprintf(stderr, "cache error: %s\n", name);
    return 1;
}

static int usage(void) {
    fprintf(stderr, "usage: c-consumer [get [KEY] | delete [KEY] | set KEY VALUE [TTL]]\n");
    return 2;
}

// Reads `key` and prints it; with `expected`, first checks that it holds that.
static int get_and_print(const char *key, const char *expected) {
    consumer_string_t k;
    consumer_string_set(&k, key);
    example_cache_cache_payload_t value;
    example_cache_cache_error_t err;
    if (!example_cache_cache_get(&k, &value, &err)) {
        return fail(err);
    }
    if (expected != NULL &&
        (value.len != strlen(expected) || memcmp(value.ptr, expected, value.len) != 0)) {
        fprintf(stderr, "the cache gave back something else for %s\n", key);
        example_cache_cache_payload_free(&value);
        return 1;
    }
    printf("%s: %.*s\n", key, (int)value.len, (const char *)value.ptr);
    example_cache_cache_payload_free(&value);
    return 0;
}

int main(int argc, char **argv) {
    const char *key = argc > 2 ? argv[2] : KEY;
    example_cache_cache_error_t err;
    if (argc < 2) {
        consumer_string_t k;
        consumer_string_set(&k, KEY);
        example_cache_cache_payload_t value = {(uint8_t *)VALUE, strlen(VALUE)};
        if (!example_cache_cache_set(&k, &value, NULL, &err)) {
            return fail(err);
        }
        return get_and_print(KEY, VALUE);
    }
    if (strcmp(argv[1], "get") == 0) {
        return get_and_print(key, NULL);
    }
    if (strcmp(argv[1], "delete") == 0) {
        consumer_string_t k;
        consumer_string_set(&k, key);
        if (!example_cache_cache_delete(&k, &err)) {
            return fail(err);
        }
        printf("deleted %s\n", key);
        return 0;
    }
    if (strcmp(argv[1], "set") == 0 && (argc == 4 || argc == 5)) {
        consumer_string_t k;
        consumer_string_set(&k, key);
        example_cache_cache_payload_t value = {(uint8_t *)argv[3], strlen(argv[3])};
        uint32_t ttl = 0;
        if (argc == 5) {
            char *end;
            errno = 0;
            unsigned long long t = strtoull(argv[4], &end, 10);
            if (*argv[4] < '0' || *argv[4] > '9' || *end != '\0' || errno != 0 ||
                t > UINT32_MAX) {
                return usage();
            }
            ttl = (uint32_t)t;
        }
        if (!example_cache_cache_set(&k, &value, argc == 5 ? &ttl : NULL, &err)) {
            return fail(err);
        }
        printf("stored %s\n", key);
        return 0;
    }
    return usage();
}
