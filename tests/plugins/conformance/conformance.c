/*
 * conformance (C): the conformance method set, written with src/plugins/include/mcpzero_plugin.h
 * and wasi-libc. conformance.wat describes each method; the outputs and messages here are the
 * same byte for byte.
 */
#include <inttypes.h>
#include <stdio.h>

#include "mcpzero_plugin.h"

static int32_t fail_with(const char *message) {
    mz_error_set(message);
    return 1;
}

MZ_EXPORT("echo") int32_t echo(void) {
    size_t length;
    uint8_t *input = mz_input_read(&length);
    if (input == NULL) {
        return fail_with("conformance: alloc failed");
    }

    int status = mz_output_bytes(input, length);
    free(input);
    return status == 0 ? 0 : fail_with("conformance: alloc failed");
}

MZ_EXPORT("empty") int32_t empty(void) {
    return 0;
}

MZ_EXPORT("fail_with_error") int32_t fail_with_error(void) {
    return fail_with("conformance: fail_with_error was called");
}

MZ_EXPORT("error_but_zero") int32_t error_but_zero(void) {
    mz_error_set("conformance: error_but_zero was called");
    return 0;
}

MZ_EXPORT("nonzero_no_error") int32_t nonzero_no_error(void) {
    return 5;
}

MZ_EXPORT("var_counter") int32_t var_counter(void) {
    size_t length;
    uint8_t *stored = mz_var_get("counter", &length);
    uint64_t count = 0;
    if (stored != NULL) {
        /* Bytes that are not digits are skipped, as in the other languages. */
        for (size_t i = 0; i < length; i++) {
            if (stored[i] >= '0' && stored[i] <= '9') {
                count = count * 10 + (uint64_t)(stored[i] - '0');
            }
        }
        free(stored);
    }
    count += 1;

    char digits[24];
    int digits_length = snprintf(digits, sizeof digits, "%" PRIu64, count);
    if (mz_var_set("counter", digits, (size_t)digits_length) != 0 || mz_output_bytes(digits, (size_t)digits_length) != 0) {
        return fail_with("conformance: alloc failed");
    }
    return 0;
}

MZ_EXPORT("config_echo") int32_t config_echo(void) {
    size_t length;
    uint8_t *key = mz_input_read(&length);
    if (key == NULL || length == 0) {
        free(key);
        return fail_with("conformance: config key not found");
    }

    char *value = mz_config_get((const char *)key);
    free(key);
    if (value == NULL) {
        return fail_with("conformance: config key not found");
    }

    int status = mz_output_string(value);
    free(value);
    return status == 0 ? 0 : fail_with("conformance: alloc failed");
}

MZ_EXPORT("log_all") int32_t log_all(void) {
    mz_log_trace("conformance: log_all trace");
    mz_log_debug("conformance: log_all debug");
    mz_log_info("conformance: log_all info");
    mz_log_warn("conformance: log_all warn");
    mz_log_error("conformance: log_all error");
    return 0;
}

MZ_EXPORT("trap") int32_t trap(void) {
    __builtin_trap();
}

MZ_EXPORT("spin") int32_t spin(void) {
    /* The volatile read keeps the compiler from treating the loop as one it may remove. */
    volatile int running = 1;
    while (running) {
    }
    return 0;
}

MZ_EXPORT("grow") int32_t grow(void) {
    for (;;) {
        size_t previous = __builtin_wasm_memory_grow(0, 1);
        if (previous == SIZE_MAX) {
            break;
        }
        /* Writing a byte into each new page makes sure it is really committed. */
        ((volatile uint8_t *)(previous * 65536))[0] = 1;
    }

    char message[64];
    snprintf(message, sizeof message, "conformance: memory.grow failed at %zu pages", __builtin_wasm_memory_size(0));
    return fail_with(message);
}
