/*
 * host_abi: test plugin for the host functions beyond input and output: http_request,
 * WASI files under allowed_paths, stdout and stderr, agent_id, find_resources, and a
 * loop for the per-call timeout. Each export reads its argument from the call's input.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mcpzero_plugin.h"

static int fail(const char *operation) {
    char message[256];
    snprintf(message, sizeof message, "%s: %s", operation, strerror(errno));
    mz_error_set(message);
    return 1;
}

/* Input: a URL. Output: "status N\n" followed by the response body. */
MZ_EXPORT("http_get") int32_t http_get(void) {
    size_t url_length;
    char *url = (char *)mz_input_read(&url_length);
    char request[1024];
    snprintf(request, sizeof request, "{\"url\":\"%s\",\"method\":\"GET\"}", url);
    free(url);

    size_t body_length;
    uint8_t *body = mz_http_request(request, NULL, 0, &body_length);
    char status[32];
    int status_length = snprintf(status, sizeof status, "status %d\n", mz_host_http_status_code());

    uint8_t *output = malloc((size_t)status_length + body_length + 1);
    memcpy(output, status, (size_t)status_length);
    if (body_length > 0) {
        memcpy(output + status_length, body, body_length);
    }
    int result = mz_output_bytes(output, (size_t)status_length + body_length);
    free(output);
    free(body);
    return result;
}

/* Input: a guest file path. Output: the file's contents. */
MZ_EXPORT("read_file") int32_t read_file(void) {
    size_t length;
    char *path = (char *)mz_input_read(&length);
    FILE *file = fopen(path, "rb");
    free(path);
    if (file == NULL) {
        return fail("fopen for reading");
    }

    char buffer[4096];
    size_t read = fread(buffer, 1, sizeof buffer, file);
    fclose(file);
    return mz_output_bytes(buffer, read);
}

/* Input: a guest file path, a newline, then the contents to write. */
MZ_EXPORT("write_file") int32_t write_file(void) {
    size_t length;
    char *input = (char *)mz_input_read(&length);
    char *newline = strchr(input, '\n');
    if (newline == NULL) {
        free(input);
        mz_error_set("input must be PATH, a newline, then the contents");
        return 1;
    }

    *newline = 0;
    FILE *file = fopen(input, "wb");
    if (file == NULL) {
        free(input);
        return fail("fopen for writing");
    }

    const char *contents = newline + 1;
    size_t written = fwrite(contents, 1, strlen(contents), file);
    int closed = fclose(file);
    free(input);
    if (written != strlen(contents) || closed != 0) {
        return fail("write");
    }
    return mz_output_string("written");
}

/* Input: a line of text, written to stdout and, prefixed, to stderr. */
MZ_EXPORT("print") int32_t print(void) {
    size_t length;
    char *text = (char *)mz_input_read(&length);
    printf("%s\n", text);
    fprintf(stderr, "warning: %s\n", text);
    fflush(stdout);
    free(text);
    return mz_output_string("printed");
}

/* Loops until the host stops the call. */
MZ_EXPORT("spin") int32_t spin(void) {
    volatile uint64_t turns = 0;
    for (;;) {
        turns++;
    }
}

/* Counts the calls this instance has served, so tests can see that an instance was reused. */
MZ_EXPORT("counter") int32_t counter(void) {
    static int calls = 0;
    char text[32];
    snprintf(text, sizeof text, "%d", ++calls);
    return mz_output_string(text);
}

MZ_EXPORT("whoami") int32_t whoami(void) {
    char *id = mz_agent_id();
    int result = mz_output_string(id);
    free(id);
    return result;
}

/* Input: a capability. Output: the JSON array of resources that have it. */
MZ_EXPORT("find") int32_t find(void) {
    size_t length;
    char *capability = (char *)mz_input_read(&length);
    char *resources = mz_find_resources(capability);
    free(capability);
    int result = mz_output_string(resources);
    free(resources);
    return result;
}
