/*
 * mcpzero_plugin.h: the host interface for C plugins of MCP-ZERO.
 *
 * A plugin is a WebAssembly module that follows Extism's binary interface, so the same
 * module also runs in Extism's own hosts. Each callable function is exported with the type
 * `int32_t f(void)` and returns 0 on success. The function reads its input and writes its
 * output through the imports below, from the module "extism:host/env". Every `mz_offset`
 * is an offset into memory that the host owns ("kernel memory"), not a pointer into the
 * plugin's linear memory. Offset 0 means "no block".
 *
 * Build with wasi-libc, because the helpers use malloc, memcpy and strlen:
 *   clang --target=wasm32-wasi -O2 -mexec-model=reactor -I include -o x.wasm x.c
 * Mark each callable function with MZ_EXPORT("name"). The reactor model makes the linker
 * export `_initialize`, which runs C constructors and which the host calls once before
 * the first call.
 *
 * Ownership: config_get, var_get, var_set, error_set and the log functions take ownership
 * of the key or message block passed to them. The helpers below never touch a block again
 * after handing it over. Blocks returned by config_get are freed by the helpers after
 * copying. Blocks returned by var_get are copied but not freed; see mz_var_get.
 *
 * The linker imports only the functions that a plugin uses, so a plugin that never logs
 * imports no log function. Extism's JavaScript host 1.0.3 lacks log_trace and
 * get_log_level, so a plugin that calls them fails to link there.
 */
#ifndef MCPZERO_PLUGIN_H
#define MCPZERO_PLUGIN_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* An offset into kernel memory; the host functions take and return it as a wasm i64. */
typedef uint64_t mz_offset;

#define MZ_HOST_IMPORT(name) \
    __attribute__((import_module("extism:host/env"), import_name(name)))

/* Exports a function under `name`. Each export has the type int32_t (void). */
#define MZ_EXPORT(name) __attribute__((export_name(name)))

/* ---- Kernel memory ---------------------------------------------------------------- */

/* Allocates a block of n bytes; returns its offset, or 0 when the host has no room. */
MZ_HOST_IMPORT("alloc") mz_offset mz_host_alloc(uint64_t n);
/* Releases a block. */
MZ_HOST_IMPORT("free") void mz_host_free(mz_offset block);
/* Returns the length of the block that starts at `block`, or 0 when no live block starts there. */
MZ_HOST_IMPORT("length") uint64_t mz_host_length(mz_offset block);
MZ_HOST_IMPORT("load_u8") uint32_t mz_host_load_u8(mz_offset at);
MZ_HOST_IMPORT("load_u64") uint64_t mz_host_load_u64(mz_offset at);
MZ_HOST_IMPORT("store_u8") void mz_host_store_u8(mz_offset at, uint32_t value);
MZ_HOST_IMPORT("store_u64") void mz_host_store_u64(mz_offset at, uint64_t value);

/* ---- Input, output and errors ------------------------------------------------------- */

MZ_HOST_IMPORT("input_length") uint64_t mz_host_input_length(void);
MZ_HOST_IMPORT("input_offset") mz_offset mz_host_input_offset(void);
/* Reads 1 or 8 bytes at position `index` of this call's input. */
MZ_HOST_IMPORT("input_load_u8") uint32_t mz_host_input_load_u8(uint64_t index);
MZ_HOST_IMPORT("input_load_u64") uint64_t mz_host_input_load_u64(uint64_t index);
/* Makes the first `length` bytes of `block` this call's output. */
MZ_HOST_IMPORT("output_set") void mz_host_output_set(mz_offset block, uint64_t length);
/* Marks this call as failed with the UTF-8 message in `message`; 0 clears the error. */
MZ_HOST_IMPORT("error_set") void mz_host_error_set(mz_offset message);

/* ---- Config, variables and logging -------------------------------------------------- */

/* Returns the value of the config key in block `key` as a new block, or 0 when it is absent. */
MZ_HOST_IMPORT("config_get") mz_offset mz_host_config_get(mz_offset key);
/* Returns the value of the variable named in block `key`, or 0 when it is absent. */
MZ_HOST_IMPORT("var_get") mz_offset mz_host_var_get(mz_offset key);
/* Sets the variable named in block `key` to block `value`; value 0 deletes the variable.
 * The host traps when the variable store would exceed its byte limit (1 MiB by default). */
MZ_HOST_IMPORT("var_set") void mz_host_var_set(mz_offset key, mz_offset value);
MZ_HOST_IMPORT("log_trace") void mz_host_log_trace(mz_offset message);
MZ_HOST_IMPORT("log_debug") void mz_host_log_debug(mz_offset message);
MZ_HOST_IMPORT("log_info") void mz_host_log_info(mz_offset message);
MZ_HOST_IMPORT("log_warn") void mz_host_log_warn(mz_offset message);
MZ_HOST_IMPORT("log_error") void mz_host_log_error(mz_offset message);
/* Returns the lowest level that the host logs: trace 0, debug 1, info 2, warn 3, error 4;
 * a higher value means logging is off. */
MZ_HOST_IMPORT("get_log_level") int32_t mz_host_get_log_level(void);

/* ---- HTTP ----------------------------------------------------------------------------- */

/* Sends the HTTP request described by the JSON in block `request`,
 * {"url": "https://...", "method": "GET", "headers": {"Name": "value"}}, with the body in block
 * `body` (0 for none). Returns the response body as a new block that the plugin frees, or 0 when
 * the body is empty. The request block stays the plugin's. The host fails the call when the URL's
 * host, or a redirect's, matches no pattern in the manifest's allowed_hosts, when the call's time
 * runs out, and when the body exceeds memory.max_http_response_bytes (4 MiB by default). */
MZ_HOST_IMPORT("http_request") mz_offset mz_host_http_request(mz_offset request, mz_offset body);
/* Returns the status code of the last response in this call, or 0 before any request. */
MZ_HOST_IMPORT("http_status_code") int32_t mz_host_http_status_code(void);
/* Returns the headers of the last response in this call as a new block holding a JSON object
 * of lower-case names to values (repeated headers joined with ", "), or 0 before any request. */
MZ_HOST_IMPORT("http_headers") mz_offset mz_host_http_headers(void);

/* ---- MCP-ZERO services, module "extism:host/user" ------------------------------------ */

#define MZ_USER_IMPORT(name) \
    __attribute__((import_module("extism:host/user"), import_name(name)))

/* Returns the id of the agent this call runs for, such as "a-4af218d542", as a new block. */
MZ_USER_IMPORT("agent_id") mz_offset mz_host_agent_id(void);
/* Takes ownership of block `capability` (UTF-8) and returns a new block holding a JSON array of
 * the resources registered with that capability, at most 1000, each an object with resource_id,
 * resource_type, owner, capabilities, location, metadata and created_unix_micros. An empty
 * array when none match. */
MZ_USER_IMPORT("find_resources") mz_offset mz_host_find_resources(mz_offset capability);

/* ---- Helpers ------------------------------------------------------------------------ */

/* Copies n bytes from linear memory into a new block; returns 0 when n is 0 or the host
 * has no room. Copies 8 bytes per host call and the tail byte by byte. */
static inline mz_offset mz_block_from_bytes(const void *bytes, size_t n) {
    if (n == 0) {
        return 0;
    }

    mz_offset block = mz_host_alloc(n);
    if (block == 0) {
        return 0;
    }

    const uint8_t *source = (const uint8_t *)bytes;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t word;
        memcpy(&word, source + i, 8);
        mz_host_store_u64(block + i, word);
    }
    for (; i < n; i++) {
        mz_host_store_u8(block + i, source[i]);
    }
    return block;
}

/* Copies a NUL-terminated string, without the NUL, into a new block. */
static inline mz_offset mz_block_from_string(const char *text) {
    return mz_block_from_bytes(text, strlen(text));
}

/* Copies a whole block into a new malloc'd buffer with one extra NUL byte after the data,
 * so text can be used as a C string. Stores the length (without the NUL) in *length.
 * Returns NULL when the block is 0 or empty, or when malloc fails. The caller frees the
 * buffer; the block stays as it was. */
static inline uint8_t *mz_block_read(mz_offset block, size_t *length) {
    *length = 0;
    if (block == 0) {
        return NULL;
    }

    uint64_t n = mz_host_length(block);
    if (n == 0 || n >= SIZE_MAX) {
        return NULL;
    }

    uint8_t *buffer = (uint8_t *)malloc((size_t)n + 1);
    if (buffer == NULL) {
        return NULL;
    }

    uint64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t word = mz_host_load_u64(block + i);
        memcpy(buffer + i, &word, 8);
    }
    for (; i < n; i++) {
        buffer[i] = (uint8_t)mz_host_load_u8(block + i);
    }
    buffer[n] = 0;
    *length = (size_t)n;
    return buffer;
}

/* Reads this call's whole input into a new malloc'd buffer that ends with one extra NUL
 * byte. Stores the input length (without the NUL) in *length. Returns NULL only when
 * malloc fails; an empty input gives an empty string. The caller frees the buffer. */
static inline uint8_t *mz_input_read(size_t *length) {
    *length = 0;
    uint64_t n = mz_host_input_length();
    if (n >= SIZE_MAX) {
        return NULL;
    }

    uint8_t *buffer = (uint8_t *)malloc((size_t)n + 1);
    if (buffer == NULL) {
        return NULL;
    }

    /* input_load_u64 must not read past the end: some hosts throw there. */
    uint64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t word = mz_host_input_load_u64(i);
        memcpy(buffer + i, &word, 8);
    }
    for (; i < n; i++) {
        buffer[i] = (uint8_t)mz_host_input_load_u8(i);
    }
    buffer[n] = 0;
    *length = (size_t)n;
    return buffer;
}

/* Sets this call's output to a copy of n bytes. Returns 0, or -1 when the host has no
 * room for the copy. An empty output sets nothing, which hosts report as empty output. */
static inline int mz_output_bytes(const void *bytes, size_t n) {
    if (n == 0) {
        return 0;
    }

    mz_offset block = mz_block_from_bytes(bytes, n);
    if (block == 0) {
        return -1;
    }
    mz_host_output_set(block, n);
    return 0;
}

/* Sets this call's output to a NUL-terminated string, without the NUL. */
static inline int mz_output_string(const char *text) {
    return mz_output_bytes(text, strlen(text));
}

/* Marks this call as failed with `message`. The caller still returns non-zero, so hosts
 * that look only at the return code also see the failure. */
static inline void mz_error_set(const char *message) {
    /* An empty message would become block 0, which clears the error instead of setting it. */
    if (message[0] == 0) {
        message = "plugin failed without a message";
    }
    mz_host_error_set(mz_block_from_string(message));
}

/* Reads the variable `name` into a new malloc'd buffer with one extra NUL byte after the
 * data, and stores its length in *length. Returns NULL when the variable is absent or
 * empty, or when malloc fails. The caller frees the buffer. */
static inline uint8_t *mz_var_get(const char *name, size_t *length) {
    *length = 0;
    mz_offset key = mz_block_from_string(name);
    if (key == 0) {
        return NULL;
    }

    /* The returned block is left allocated: Extism's JavaScript host 1.0.3 returns the
     * variable's own storage block, and freeing it there deletes the variable. Hosts that
     * reset kernel memory between calls reclaim it when the call ends. */
    mz_offset value = mz_host_var_get(key);
    return mz_block_read(value, length);
}

/* Sets the variable `name` to a copy of n bytes; n == 0 deletes the variable, because the
 * interface has no empty value. Returns 0, or -1 when the host has no room for the copy.
 * The host traps when the variable store is over its byte limit. */
static inline int mz_var_set(const char *name, const void *bytes, size_t n) {
    mz_offset key = mz_block_from_string(name);
    if (key == 0) {
        return -1;
    }

    mz_offset value = 0;
    if (n > 0) {
        value = mz_block_from_bytes(bytes, n);
        if (value == 0) {
            return -1;
        }
    }
    mz_host_var_set(key, value);
    return 0;
}

/* Deletes the variable `name`; deleting an absent variable is not an error. */
static inline int mz_var_delete(const char *name) {
    return mz_var_set(name, NULL, 0);
}

/* Returns the config value of `key` as a new malloc'd NUL-terminated string, or NULL when
 * the key is absent or its value is empty. The caller frees the string. */
static inline char *mz_config_get(const char *key) {
    mz_offset key_block = mz_block_from_string(key);
    if (key_block == 0) {
        return NULL;
    }

    mz_offset value = mz_host_config_get(key_block);
    if (value == 0) {
        return NULL;
    }

    size_t length;
    char *text = (char *)mz_block_read(value, &length);
    mz_host_free(value);
    return text;
}

/* Logs a NUL-terminated message through one of the host's log functions. One helper per
 * level, so that a plugin imports only the log functions it calls. The plugin's messages
 * reach the host's log, so they should not contain input or output bodies or secrets. */
static inline void mz_log_trace(const char *message) {
    mz_offset block = mz_block_from_string(message);
    if (block != 0) {
        mz_host_log_trace(block);
    }
}

static inline void mz_log_debug(const char *message) {
    mz_offset block = mz_block_from_string(message);
    if (block != 0) {
        mz_host_log_debug(block);
    }
}

static inline void mz_log_info(const char *message) {
    mz_offset block = mz_block_from_string(message);
    if (block != 0) {
        mz_host_log_info(block);
    }
}

static inline void mz_log_warn(const char *message) {
    mz_offset block = mz_block_from_string(message);
    if (block != 0) {
        mz_host_log_warn(block);
    }
}

static inline void mz_log_error(const char *message) {
    mz_offset block = mz_block_from_string(message);
    if (block != 0) {
        mz_host_log_error(block);
    }
}

/* Sends a request (see mz_host_http_request) given as a NUL-terminated JSON string, with n bytes
 * of body (n == 0 sends none). Returns the response body in a new malloc'd buffer with one extra
 * NUL byte and stores its length in *length; NULL for an empty body or when malloc fails. The
 * status code is then in mz_host_http_status_code(). The caller frees the buffer. */
static inline uint8_t *mz_http_request(const char *request_json, const void *body, size_t n, size_t *length) {
    *length = 0;
    mz_offset request = mz_block_from_string(request_json);
    if (request == 0) {
        return NULL;
    }

    mz_offset body_block = 0;
    if (n > 0) {
        body_block = mz_block_from_bytes(body, n);
        if (body_block == 0) {
            mz_host_free(request);
            return NULL;
        }
    }

    mz_offset response = mz_host_http_request(request, body_block);
    mz_host_free(request);
    if (body_block != 0) {
        mz_host_free(body_block);
    }

    uint8_t *text = mz_block_read(response, length);
    if (response != 0) {
        mz_host_free(response);
    }
    return text;
}

/* Returns the calling agent's id as a new malloc'd NUL-terminated string, or NULL when malloc
 * fails. The caller frees it. */
static inline char *mz_agent_id(void) {
    mz_offset block = mz_host_agent_id();
    size_t length;
    char *text = (char *)mz_block_read(block, &length);
    mz_host_free(block);
    return text;
}

/* Returns the JSON array of resources with `capability` (see mz_host_find_resources) as a new
 * malloc'd NUL-terminated string, or NULL when malloc fails. The caller frees it. */
static inline char *mz_find_resources(const char *capability) {
    mz_offset key = mz_block_from_string(capability);
    if (key == 0) {
        return NULL;
    }

    mz_offset block = mz_host_find_resources(key);
    size_t length;
    char *text = (char *)mz_block_read(block, &length);
    mz_host_free(block);
    return text;
}

#endif /* MCPZERO_PLUGIN_H */
