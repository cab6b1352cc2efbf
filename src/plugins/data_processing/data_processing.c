/*
 * data_processing: aggregates JSON records and keeps running totals across calls.
 *
 * Exports:
 *   process  input is one JSON object or an array of objects. Output is a JSON object with
 *            the record count, count/min/max/mean of each numeric field, the number of records
 *            that have each non-numeric field, and running totals over all successful calls.
 *   reset    deletes the running totals and outputs the emptied running section.
 *   noop     does nothing and sets no output; it measures the host's cost of a call.
 *
 * README.md in this folder describes the output format and the stored variable.
 */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "mcpzero_plugin.h"

/* Deeper nesting is rejected so that skipping a value cannot exhaust the wasm stack, which
 * wasm-ld 14 sizes at 64 KiB by default. Each level of nesting uses one small stack frame. */
#define MAX_NESTING_DEPTH 128

/* Running totals track at most this many numeric fields, each with a name of at most
 * MAX_TRACKED_KEY_BYTES bytes, which keeps the stored variable under about 80 KB and
 * far below the hosts' default 1 MiB variable limit. */
#define MAX_TRACKED_FIELDS 256
#define MAX_TRACKED_KEY_BYTES 256

static const char TotalsVariable[] = "totals";
static const uint8_t TotalsMagic[4] = {'M', 'Z', 'T', '1'};

/* ---- Growable byte buffer ---------------------------------------------------------- */

typedef struct {
    uint8_t *data;
    size_t length;
    size_t capacity;
    bool out_of_memory;
} byte_buffer;

static bool buffer_reserve(byte_buffer *buffer, size_t extra) {
    if (buffer->out_of_memory) {
        return false;
    }
    if (extra <= buffer->capacity - buffer->length) {
        return true;
    }

    size_t capacity = buffer->capacity < 64 ? 64 : buffer->capacity;
    while (capacity - buffer->length < extra) {
        if (capacity > SIZE_MAX / 2) {
            buffer->out_of_memory = true;
            return false;
        }
        capacity *= 2;
    }

    uint8_t *data = (uint8_t *)realloc(buffer->data, capacity);
    if (data == NULL) {
        buffer->out_of_memory = true;
        return false;
    }
    buffer->data = data;
    buffer->capacity = capacity;
    return true;
}

static void buffer_append(byte_buffer *buffer, const void *bytes, size_t n) {
    if (!buffer_reserve(buffer, n)) {
        return;
    }
    memcpy(buffer->data + buffer->length, bytes, n);
    buffer->length += n;
}

static void buffer_append_byte(byte_buffer *buffer, uint8_t byte) {
    buffer_append(buffer, &byte, 1);
}

static void buffer_append_string(byte_buffer *buffer, const char *text) {
    buffer_append(buffer, text, strlen(text));
}

static void buffer_append_u32(byte_buffer *buffer, uint32_t value) {
    buffer_append(buffer, &value, sizeof value);
}

static void buffer_append_u64(byte_buffer *buffer, uint64_t value) {
    buffer_append(buffer, &value, sizeof value);
}

static void buffer_append_f64(byte_buffer *buffer, double value) {
    buffer_append(buffer, &value, sizeof value);
}

static void buffer_free(byte_buffer *buffer) {
    free(buffer->data);
    *buffer = (byte_buffer){0};
}

/* ---- Per-call field statistics ------------------------------------------------------ */

typedef struct {
    uint8_t *key;
    size_t key_length;
    uint64_t number_count;
    double sum;
    double min;
    double max;
    uint64_t other_count;
    /* The last record that contained the field, and the position of its value in that
     * record's value list. They let a repeated key replace the earlier value, as JSON.parse does. */
    size_t last_record;
    size_t record_slot;
} field_stats;

typedef struct {
    field_stats *fields;
    size_t count;
    size_t capacity;
    /* Open-addressing hash index over `fields`: 0 is an empty slot, otherwise index + 1. */
    uint32_t *slots;
    size_t slot_count;
} field_table;

typedef struct {
    size_t field;
    bool is_number;
    double value;
} record_value;

typedef struct {
    record_value *values;
    size_t count;
    size_t capacity;
} record_values;

static uint32_t hash_key(const uint8_t *key, size_t length) {
    uint32_t hash = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < length; i++) {
        hash = (hash ^ key[i]) * 16777619u;
    }
    return hash;
}

static bool table_rehash(field_table *table, size_t slot_count) {
    uint32_t *slots = (uint32_t *)calloc(slot_count, sizeof(uint32_t));
    if (slots == NULL) {
        return false;
    }

    for (size_t i = 0; i < table->count; i++) {
        size_t slot = hash_key(table->fields[i].key, table->fields[i].key_length) & (slot_count - 1);
        while (slots[slot] != 0) {
            slot = (slot + 1) & (slot_count - 1);
        }
        slots[slot] = (uint32_t)(i + 1);
    }

    free(table->slots);
    table->slots = slots;
    table->slot_count = slot_count;
    return true;
}

/* Returns the index of the field named `key`, adding it when it is new, or SIZE_MAX when
 * memory runs out. */
static size_t table_find_or_add(field_table *table, const uint8_t *key, size_t key_length) {
    if ((table->count + 1) * 2 > table->slot_count) {
        if (table->count >= UINT32_MAX / 4 || !table_rehash(table, table->slot_count == 0 ? 16 : table->slot_count * 2)) {
            return SIZE_MAX;
        }
    }

    size_t slot = hash_key(key, key_length) & (table->slot_count - 1);
    while (table->slots[slot] != 0) {
        field_stats *field = &table->fields[table->slots[slot] - 1];
        if (field->key_length == key_length && memcmp(field->key, key, key_length) == 0) {
            return table->slots[slot] - 1;
        }
        slot = (slot + 1) & (table->slot_count - 1);
    }

    if (table->count == table->capacity) {
        size_t capacity = table->capacity == 0 ? 16 : table->capacity * 2;
        field_stats *fields = (field_stats *)realloc(table->fields, capacity * sizeof(field_stats));
        if (fields == NULL) {
            return SIZE_MAX;
        }
        table->fields = fields;
        table->capacity = capacity;
    }

    /* One extra byte so that an empty key still gets a non-NULL allocation. */
    uint8_t *copy = (uint8_t *)malloc(key_length + 1);
    if (copy == NULL) {
        return SIZE_MAX;
    }
    memcpy(copy, key, key_length);

    size_t index = table->count++;
    table->fields[index] = (field_stats){
        .key = copy,
        .key_length = key_length,
        .last_record = SIZE_MAX,
    };
    table->slots[slot] = (uint32_t)(index + 1);
    return index;
}

static void table_free(field_table *table) {
    for (size_t i = 0; i < table->count; i++) {
        free(table->fields[i].key);
    }
    free(table->fields);
    free(table->slots);
    *table = (field_table){0};
}

static bool record_values_push(record_values *values, record_value value) {
    if (values->count == values->capacity) {
        size_t capacity = values->capacity == 0 ? 16 : values->capacity * 2;
        record_value *grown = (record_value *)realloc(values->values, capacity * sizeof(record_value));
        if (grown == NULL) {
            return false;
        }
        values->values = grown;
        values->capacity = capacity;
    }
    values->values[values->count++] = value;
    return true;
}

/* ---- JSON parser -------------------------------------------------------------------- */

typedef struct {
    const uint8_t *text;
    size_t length;
    size_t position;
    char error[400];
} json_parser;

/* Records the first error, with the byte offset, line and column where it was found. */
__attribute__((format(printf, 3, 4)))
static bool parse_fail(json_parser *parser, size_t at, const char *format, ...) {
    if (parser->error[0] != 0) {
        return false;
    }

    size_t line = 1;
    size_t column = 1;
    for (size_t i = 0; i < at && i < parser->length; i++) {
        if (parser->text[i] == '\n') {
            line++;
            column = 1;
        } else {
            column++;
        }
    }

    int written = snprintf(parser->error, sizeof parser->error,
                           "invalid input at byte offset %zu (line %zu, column %zu): ", at, line, column);
    if (written < 0 || (size_t)written >= sizeof parser->error) {
        return false;
    }

    va_list arguments;
    va_start(arguments, format);
    vsnprintf(parser->error + written, sizeof parser->error - (size_t)written, format, arguments);
    va_end(arguments);
    return false;
}

/* Describes the byte at the parser's position for error messages. */
static const char *describe_found(const json_parser *parser, char *scratch, size_t scratch_size) {
    if (parser->position >= parser->length) {
        return "the end of the input";
    }

    uint8_t c = parser->text[parser->position];
    if (c > 0x20 && c < 0x7f) {
        snprintf(scratch, scratch_size, "'%c'", c);
    } else {
        snprintf(scratch, scratch_size, "byte 0x%02x", c);
    }
    return scratch;
}

static bool expect_byte(json_parser *parser, uint8_t expected, const char *context) {
    if (parser->position < parser->length && parser->text[parser->position] == expected) {
        parser->position++;
        return true;
    }

    char scratch[16];
    return parse_fail(parser, parser->position, "expected '%c' %s but found %s", expected, context,
                      describe_found(parser, scratch, sizeof scratch));
}

static void skip_whitespace(json_parser *parser) {
    while (parser->position < parser->length) {
        uint8_t c = parser->text[parser->position];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            return;
        }
        parser->position++;
    }
}

static bool at_byte(const json_parser *parser, uint8_t c) {
    return parser->position < parser->length && parser->text[parser->position] == c;
}

static int hex_value(uint8_t c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Reads the four hex digits of a \u escape that starts at `at` (the backslash). */
static bool parse_hex4(json_parser *parser, size_t at, uint32_t *code_unit) {
    if (parser->length - at < 6 || parser->text[at] != '\\' || parser->text[at + 1] != 'u') {
        return parse_fail(parser, at, "expected a \\u escape with four hex digits");
    }

    uint32_t value = 0;
    for (size_t i = at + 2; i < at + 6; i++) {
        int digit = hex_value(parser->text[i]);
        if (digit < 0) {
            return parse_fail(parser, i, "invalid hex digit in \\u escape");
        }
        value = value * 16 + (uint32_t)digit;
    }
    *code_unit = value;
    return true;
}

static void append_utf8(byte_buffer *out, uint32_t code_point) {
    uint8_t bytes[4];
    size_t n;
    if (code_point < 0x80) {
        bytes[0] = (uint8_t)code_point;
        n = 1;
    } else if (code_point < 0x800) {
        bytes[0] = (uint8_t)(0xc0 | (code_point >> 6));
        bytes[1] = (uint8_t)(0x80 | (code_point & 0x3f));
        n = 2;
    } else if (code_point < 0x10000) {
        bytes[0] = (uint8_t)(0xe0 | (code_point >> 12));
        bytes[1] = (uint8_t)(0x80 | ((code_point >> 6) & 0x3f));
        bytes[2] = (uint8_t)(0x80 | (code_point & 0x3f));
        n = 3;
    } else {
        bytes[0] = (uint8_t)(0xf0 | (code_point >> 18));
        bytes[1] = (uint8_t)(0x80 | ((code_point >> 12) & 0x3f));
        bytes[2] = (uint8_t)(0x80 | ((code_point >> 6) & 0x3f));
        bytes[3] = (uint8_t)(0x80 | (code_point & 0x3f));
        n = 4;
    }
    buffer_append(out, bytes, n);
}

/* Returns the length of the valid UTF-8 sequence at `at`, or 0 when it is invalid
 * (overlong forms, surrogates and code points above U+10FFFF are invalid). */
static size_t utf8_sequence_length(const json_parser *parser, size_t at) {
    const uint8_t *s = parser->text + at;
    size_t available = parser->length - at;
    uint8_t lead = s[0];

    size_t n;
    uint8_t second_min = 0x80;
    uint8_t second_max = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) {
        n = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        n = 3;
        if (lead == 0xe0) {
            second_min = 0xa0;
        } else if (lead == 0xed) {
            second_max = 0x9f;
        }
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        n = 4;
        if (lead == 0xf0) {
            second_min = 0x90;
        } else if (lead == 0xf4) {
            second_max = 0x8f;
        }
    } else {
        return 0;
    }

    if (available < n || s[1] < second_min || s[1] > second_max) {
        return 0;
    }
    for (size_t i = 2; i < n; i++) {
        if (s[i] < 0x80 || s[i] > 0xbf) {
            return 0;
        }
    }
    return n;
}

/* Parses the string at the parser's position (an opening quote). Appends the decoded UTF-8
 * bytes to `out`, or only validates the string when `out` is NULL. */
static bool parse_string(json_parser *parser, byte_buffer *out) {
    size_t start = parser->position;
    parser->position++;

    while (parser->position < parser->length) {
        size_t at = parser->position;
        uint8_t c = parser->text[at];

        if (c == '"') {
            parser->position++;
            return true;
        }

        if (c < 0x20) {
            return parse_fail(parser, at, "control character 0x%02x in a string must be escaped", c);
        }

        if (c >= 0x80) {
            size_t n = utf8_sequence_length(parser, at);
            if (n == 0) {
                return parse_fail(parser, at, "invalid UTF-8 byte 0x%02x in a string", c);
            }
            if (out != NULL) {
                buffer_append(out, parser->text + at, n);
            }
            parser->position += n;
            continue;
        }

        if (c != '\\') {
            if (out != NULL) {
                buffer_append_byte(out, c);
            }
            parser->position++;
            continue;
        }

        if (at + 1 >= parser->length) {
            break;
        }

        uint8_t escaped = parser->text[at + 1];
        uint8_t decoded;
        switch (escaped) {
        case '"': decoded = '"'; break;
        case '\\': decoded = '\\'; break;
        case '/': decoded = '/'; break;
        case 'b': decoded = '\b'; break;
        case 'f': decoded = '\f'; break;
        case 'n': decoded = '\n'; break;
        case 'r': decoded = '\r'; break;
        case 't': decoded = '\t'; break;
        case 'u': {
            uint32_t unit;
            if (!parse_hex4(parser, at, &unit)) {
                return false;
            }
            parser->position = at + 6;

            uint32_t code_point = unit;
            if (unit >= 0xdc00 && unit <= 0xdfff) {
                return parse_fail(parser, at, "\\u%04x is a low surrogate without a high surrogate before it", unit);
            }
            if (unit >= 0xd800 && unit <= 0xdbff) {
                uint32_t low;
                if (!parse_hex4(parser, parser->position, &low) || low < 0xdc00 || low > 0xdfff) {
                    parser->error[0] = 0;
                    return parse_fail(parser, at, "\\u%04x is a high surrogate without a \\udc00-\\udfff escape after it", unit);
                }
                parser->position += 6;
                code_point = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
            }

            if (out != NULL) {
                append_utf8(out, code_point);
            }
            continue;
        }
        default:
            return parse_fail(parser, at, "invalid escape '\\%c' in a string", escaped > 0x20 && escaped < 0x7f ? escaped : '?');
        }

        if (out != NULL) {
            buffer_append_byte(out, decoded);
        }
        parser->position += 2;
    }

    return parse_fail(parser, start, "string is not terminated before the end of the input");
}

static bool is_digit(const json_parser *parser) {
    return parser->position < parser->length && parser->text[parser->position] >= '0' &&
           parser->text[parser->position] <= '9';
}

static void skip_digits(json_parser *parser) {
    while (is_digit(parser)) {
        parser->position++;
    }
}

/* Parses a number that follows the JSON grammar exactly, then converts it with strtod. */
static bool parse_number(json_parser *parser, double *value) {
    size_t start = parser->position;
    if (at_byte(parser, '-')) {
        parser->position++;
    }

    if (at_byte(parser, '0')) {
        parser->position++;
    } else if (is_digit(parser)) {
        skip_digits(parser);
    } else {
        return parse_fail(parser, parser->position, "expected a digit in a number");
    }

    if (at_byte(parser, '.')) {
        parser->position++;
        if (!is_digit(parser)) {
            return parse_fail(parser, parser->position, "expected a digit after the decimal point");
        }
        skip_digits(parser);
    }

    if (at_byte(parser, 'e') || at_byte(parser, 'E')) {
        parser->position++;
        if (at_byte(parser, '+') || at_byte(parser, '-')) {
            parser->position++;
        }
        if (!is_digit(parser)) {
            return parse_fail(parser, parser->position, "expected a digit in the exponent");
        }
        skip_digits(parser);
    }

    /* strtod needs a terminated copy: the input goes on after the number. */
    size_t length = parser->position - start;
    char small[64];
    char *token = length < sizeof small ? small : (char *)malloc(length + 1);
    if (token == NULL) {
        return parse_fail(parser, start, "out of memory reading a number of %zu characters", length);
    }
    memcpy(token, parser->text + start, length);
    token[length] = 0;

    double result = strtod(token, NULL);
    if (token != small) {
        free(token);
    }

    if (!isfinite(result)) {
        return parse_fail(parser, start, "number is out of the range of a 64-bit float");
    }
    *value = result;
    return true;
}

static bool parse_literal(json_parser *parser, const char *literal) {
    size_t n = strlen(literal);
    if (parser->length - parser->position < n || memcmp(parser->text + parser->position, literal, n) != 0) {
        return parse_fail(parser, parser->position, "expected a JSON value (did you mean '%s'?)", literal);
    }
    parser->position += n;
    return true;
}

/* Validates and skips one value of any type. `depth` is the nesting level of the value. */
static bool skip_value(json_parser *parser, int depth) {
    char scratch[16];
    if (parser->position >= parser->length) {
        return parse_fail(parser, parser->position, "expected a JSON value but found the end of the input");
    }

    uint8_t c = parser->text[parser->position];
    switch (c) {
    case '"':
        return parse_string(parser, NULL);
    case 't':
        return parse_literal(parser, "true");
    case 'f':
        return parse_literal(parser, "false");
    case 'n':
        return parse_literal(parser, "null");
    case '{':
    case '[':
        break;
    default:
        if (c == '-' || (c >= '0' && c <= '9')) {
            double ignored;
            return parse_number(parser, &ignored);
        }
        return parse_fail(parser, parser->position, "expected a JSON value but found %s",
                          describe_found(parser, scratch, sizeof scratch));
    }

    if (depth >= MAX_NESTING_DEPTH) {
        return parse_fail(parser, parser->position, "values are nested deeper than %d levels", MAX_NESTING_DEPTH);
    }

    bool is_object = c == '{';
    uint8_t close = is_object ? '}' : ']';
    parser->position++;
    skip_whitespace(parser);
    if (at_byte(parser, close)) {
        parser->position++;
        return true;
    }

    for (;;) {
        skip_whitespace(parser);
        if (is_object) {
            if (!at_byte(parser, '"')) {
                return parse_fail(parser, parser->position, "expected a string key but found %s",
                                  describe_found(parser, scratch, sizeof scratch));
            }
            if (!parse_string(parser, NULL)) {
                return false;
            }
            skip_whitespace(parser);
            if (!expect_byte(parser, ':', "after an object key")) {
                return false;
            }
            skip_whitespace(parser);
        }

        if (!skip_value(parser, depth + 1)) {
            return false;
        }

        skip_whitespace(parser);
        if (at_byte(parser, ',')) {
            parser->position++;
            continue;
        }
        if (at_byte(parser, close)) {
            parser->position++;
            return true;
        }
        return parse_fail(parser, parser->position, "expected ',' or '%c' but found %s", close,
                          describe_found(parser, scratch, sizeof scratch));
    }
}

static const char *describe_value_kind(uint8_t c) {
    switch (c) {
    case '"': return "a string";
    case '[': return "an array";
    case 't':
    case 'f': return "a boolean";
    case 'n': return "null";
    case '{': return "an object";
    default: return (c == '-' || (c >= '0' && c <= '9')) ? "a number" : NULL;
    }
}

/* ---- Records ----------------------------------------------------------------------- */

typedef struct {
    json_parser parser;
    field_table fields;
    record_values values;
    byte_buffer key;
    uint64_t records;
} call_state;

static bool out_of_memory(call_state *state) {
    return parse_fail(&state->parser, state->parser.position, "out of memory after %" PRIu64 " records", state->records);
}

/* Parses one object at the parser's position and adds its top-level fields to the call's
 * statistics. A repeated key counts once, with its last value. */
static bool parse_record(call_state *state) {
    json_parser *parser = &state->parser;
    size_t record = (size_t)state->records;
    char scratch[16];

    parser->position++;
    state->values.count = 0;
    skip_whitespace(parser);
    bool empty = at_byte(parser, '}');
    if (empty) {
        parser->position++;
    }

    while (!empty) {
        skip_whitespace(parser);
        if (!at_byte(parser, '"')) {
            return parse_fail(parser, parser->position, "expected a string key but found %s",
                              describe_found(parser, scratch, sizeof scratch));
        }
        state->key.length = 0;
        if (!parse_string(parser, &state->key)) {
            return false;
        }
        if (state->key.out_of_memory) {
            return out_of_memory(state);
        }

        skip_whitespace(parser);
        if (!expect_byte(parser, ':', "after an object key")) {
            return false;
        }
        skip_whitespace(parser);

        record_value value = {0};
        uint8_t c = parser->position < parser->length ? parser->text[parser->position] : 0;
        if (c == '-' || (c >= '0' && c <= '9')) {
            value.is_number = true;
            if (!parse_number(parser, &value.value)) {
                return false;
            }
        } else if (!skip_value(parser, 2)) {
            return false;
        }

        value.field = table_find_or_add(&state->fields, state->key.data, state->key.length);
        if (value.field == SIZE_MAX) {
            return out_of_memory(state);
        }
        field_stats *field = &state->fields.fields[value.field];
        if (field->last_record == record) {
            state->values.values[field->record_slot] = value;
        } else {
            field->last_record = record;
            field->record_slot = state->values.count;
            if (!record_values_push(&state->values, value)) {
                return out_of_memory(state);
            }
        }

        skip_whitespace(parser);
        if (at_byte(parser, ',')) {
            parser->position++;
            continue;
        }
        if (!expect_byte(parser, '}', "or ',' after an object member")) {
            return false;
        }
        break;
    }

    for (size_t i = 0; i < state->values.count; i++) {
        record_value *value = &state->values.values[i];
        field_stats *field = &state->fields.fields[value->field];
        if (!value->is_number) {
            field->other_count++;
            continue;
        }

        if (field->number_count == 0 || value->value < field->min) {
            field->min = value->value;
        }
        if (field->number_count == 0 || value->value > field->max) {
            field->max = value->value;
        }
        field->number_count++;
        field->sum += value->value;
    }

    state->records++;
    return true;
}

/* Parses the whole input: one object, or an array whose elements are all objects. */
static bool parse_input(call_state *state) {
    json_parser *parser = &state->parser;
    char scratch[16];

    skip_whitespace(parser);
    if (parser->position >= parser->length) {
        return parse_fail(parser, parser->position, "the input is empty; send one JSON object or an array of objects");
    }

    uint8_t c = parser->text[parser->position];
    if (c == '{') {
        if (!parse_record(state)) {
            return false;
        }
    } else if (c == '[') {
        parser->position++;
        skip_whitespace(parser);
        if (at_byte(parser, ']')) {
            parser->position++;
        } else {
            for (size_t index = 0;; index++) {
                skip_whitespace(parser);
                if (!at_byte(parser, '{')) {
                    const char *kind = parser->position < parser->length
                                           ? describe_value_kind(parser->text[parser->position])
                                           : NULL;
                    if (kind == NULL) {
                        return parse_fail(parser, parser->position, "expected an object as the array element at index %zu but found %s",
                                          index, describe_found(parser, scratch, sizeof scratch));
                    }
                    return parse_fail(parser, parser->position,
                                      "the array element at index %zu is %s, but each record must be a JSON object", index, kind);
                }
                if (!parse_record(state)) {
                    return false;
                }

                skip_whitespace(parser);
                if (at_byte(parser, ',')) {
                    parser->position++;
                    continue;
                }
                if (!expect_byte(parser, ']', "or ',' after an array element")) {
                    return false;
                }
                break;
            }
        }
    } else if (describe_value_kind(c) != NULL) {
        return parse_fail(parser, parser->position,
                          "the input is %s, but it must be one JSON object or an array of objects", describe_value_kind(c));
    } else {
        return parse_fail(parser, parser->position, "expected '{' or '[' but found %s",
                          describe_found(parser, scratch, sizeof scratch));
    }

    skip_whitespace(parser);
    if (parser->position < parser->length) {
        return parse_fail(parser, parser->position, "unexpected %s after the end of the JSON value",
                          describe_found(parser, scratch, sizeof scratch));
    }
    return true;
}

static void call_state_free(call_state *state) {
    table_free(&state->fields);
    free(state->values.values);
    buffer_free(&state->key);
}

/* ---- Running totals, kept in the variable "totals" --------------------------------- */

typedef struct {
    uint8_t *key;
    size_t key_length;
    uint64_t count;
    double sum;
    double min;
    double max;
} numeric_totals;

typedef struct {
    uint64_t calls;
    uint64_t records;
    numeric_totals fields[MAX_TRACKED_FIELDS];
    size_t field_count;
} running_totals;

static void running_free(running_totals *running) {
    for (size_t i = 0; i < running->field_count; i++) {
        free(running->fields[i].key);
    }
    running->field_count = 0;
}

typedef struct {
    const uint8_t *data;
    size_t length;
    size_t position;
} byte_reader;

static bool read_bytes(byte_reader *reader, void *out, size_t n) {
    if (reader->length - reader->position < n) {
        return false;
    }
    memcpy(out, reader->data + reader->position, n);
    reader->position += n;
    return true;
}

/* Decodes the stored totals; see README.md for the layout. Returns false when the stored
 * bytes do not follow it. */
static bool running_decode(running_totals *running, const uint8_t *data, size_t length) {
    byte_reader reader = {data, length, 0};
    uint8_t magic[4];
    uint32_t field_count;
    if (!read_bytes(&reader, magic, sizeof magic) || memcmp(magic, TotalsMagic, sizeof magic) != 0 ||
        !read_bytes(&reader, &running->calls, 8) || !read_bytes(&reader, &running->records, 8) ||
        !read_bytes(&reader, &field_count, 4) || field_count > MAX_TRACKED_FIELDS) {
        return false;
    }

    for (uint32_t i = 0; i < field_count; i++) {
        uint32_t key_length;
        if (!read_bytes(&reader, &key_length, 4) || key_length > MAX_TRACKED_KEY_BYTES ||
            reader.length - reader.position < key_length) {
            return false;
        }

        numeric_totals *field = &running->fields[running->field_count];
        field->key = (uint8_t *)malloc(key_length + 1);
        if (field->key == NULL) {
            return false;
        }
        field->key_length = key_length;
        running->field_count++;

        if (!read_bytes(&reader, field->key, key_length) || !read_bytes(&reader, &field->count, 8) ||
            !read_bytes(&reader, &field->sum, 8) || !read_bytes(&reader, &field->min, 8) ||
            !read_bytes(&reader, &field->max, 8) || field->count == 0) {
            return false;
        }
    }
    return reader.position == reader.length;
}

/* Loads the totals, or leaves them empty when the variable is absent. Returns false with
 * a message in `error` when the variable exists but cannot be decoded. */
static bool running_load(running_totals *running, char *error, size_t error_size) {
    memset(running, 0, sizeof *running);

    size_t length;
    uint8_t *data = mz_var_get(TotalsVariable, &length);
    if (data == NULL) {
        return true;
    }

    bool decoded = running_decode(running, data, length);
    free(data);
    if (!decoded) {
        running_free(running);
        snprintf(error, error_size,
                 "variable '%s' (%zu bytes) is not in the format this plugin writes; call 'reset' to clear the running totals",
                 TotalsVariable, length);
    }
    return decoded;
}

/* Adds one call's statistics to the running totals. Returns the number of numeric fields
 * that could not be tracked because of the limits on field count and name length. */
static size_t running_add(running_totals *running, const call_state *state) {
    running->calls++;
    running->records += state->records;

    size_t untracked = 0;
    for (size_t i = 0; i < state->fields.count; i++) {
        const field_stats *field = &state->fields.fields[i];
        if (field->number_count == 0) {
            continue;
        }

        numeric_totals *totals = NULL;
        for (size_t j = 0; j < running->field_count; j++) {
            numeric_totals *candidate = &running->fields[j];
            if (candidate->key_length == field->key_length && memcmp(candidate->key, field->key, field->key_length) == 0) {
                totals = candidate;
                break;
            }
        }

        if (totals == NULL) {
            uint8_t *key = NULL;
            if (running->field_count < MAX_TRACKED_FIELDS && field->key_length <= MAX_TRACKED_KEY_BYTES) {
                key = (uint8_t *)malloc(field->key_length + 1);
            }
            if (key == NULL) {
                untracked++;
                continue;
            }
            memcpy(key, field->key, field->key_length);
            totals = &running->fields[running->field_count++];
            *totals = (numeric_totals){.key = key, .key_length = field->key_length, .min = field->min, .max = field->max};
        }

        totals->count += field->number_count;
        totals->sum += field->sum;
        totals->min = field->min < totals->min ? field->min : totals->min;
        totals->max = field->max > totals->max ? field->max : totals->max;
    }
    return untracked;
}

static bool running_store(const running_totals *running) {
    byte_buffer data = {0};
    buffer_append(&data, TotalsMagic, sizeof TotalsMagic);
    buffer_append_u64(&data, running->calls);
    buffer_append_u64(&data, running->records);
    buffer_append_u32(&data, (uint32_t)running->field_count);
    for (size_t i = 0; i < running->field_count; i++) {
        const numeric_totals *field = &running->fields[i];
        buffer_append_u32(&data, (uint32_t)field->key_length);
        buffer_append(&data, field->key, field->key_length);
        buffer_append_u64(&data, field->count);
        buffer_append_f64(&data, field->sum);
        buffer_append_f64(&data, field->min);
        buffer_append_f64(&data, field->max);
    }

    bool stored = !data.out_of_memory && mz_var_set(TotalsVariable, data.data, data.length) == 0;
    buffer_free(&data);
    return stored;
}

/* ---- Output ------------------------------------------------------------------------- */

static void append_json_string(byte_buffer *out, const uint8_t *text, size_t length) {
    static const char Hex[] = "0123456789abcdef";
    buffer_append_byte(out, '"');
    for (size_t i = 0; i < length; i++) {
        uint8_t c = text[i];
        if (c == '"' || c == '\\') {
            buffer_append_byte(out, '\\');
            buffer_append_byte(out, c);
        } else if (c == '\n') {
            buffer_append_string(out, "\\n");
        } else if (c == '\t') {
            buffer_append_string(out, "\\t");
        } else if (c == '\r') {
            buffer_append_string(out, "\\r");
        } else if (c < 0x20) {
            char escape[6] = {'\\', 'u', '0', '0', Hex[c >> 4], Hex[c & 0xf]};
            buffer_append(out, escape, sizeof escape);
        } else {
            buffer_append_byte(out, c);
        }
    }
    buffer_append_byte(out, '"');
}

/* Writes the shortest of %.15g, %.16g and %.17g that reads back as the same double, so
 * 0.1 stays "0.1". A non-finite value, which only a sum that overflows can produce,
 * becomes null because JSON has no such numbers. */
static void append_json_number(byte_buffer *out, double value) {
    if (!isfinite(value)) {
        buffer_append_string(out, "null");
        return;
    }

    char text[32];
    for (int precision = 15; precision <= 17; precision++) {
        snprintf(text, sizeof text, "%.*g", precision, value);
        if (strtod(text, NULL) == value) {
            break;
        }
    }
    buffer_append_string(out, text);
}

static void append_u64(byte_buffer *out, uint64_t value) {
    char text[24];
    snprintf(text, sizeof text, "%" PRIu64, value);
    buffer_append_string(out, text);
}

static void append_numeric_summary(byte_buffer *out, uint64_t count, double min, double max, double sum) {
    buffer_append_string(out, "{\"count\":");
    append_u64(out, count);
    buffer_append_string(out, ",\"min\":");
    append_json_number(out, min);
    buffer_append_string(out, ",\"max\":");
    append_json_number(out, max);
    buffer_append_string(out, ",\"mean\":");
    append_json_number(out, sum / (double)count);
    buffer_append_byte(out, '}');
}

static void append_running(byte_buffer *out, const running_totals *running) {
    buffer_append_string(out, "\"running\":{\"calls\":");
    append_u64(out, running->calls);
    buffer_append_string(out, ",\"records\":");
    append_u64(out, running->records);
    buffer_append_string(out, ",\"fields\":{");
    for (size_t i = 0; i < running->field_count; i++) {
        const numeric_totals *field = &running->fields[i];
        if (i > 0) {
            buffer_append_byte(out, ',');
        }
        append_json_string(out, field->key, field->key_length);
        buffer_append_byte(out, ':');
        append_numeric_summary(out, field->count, field->min, field->max, field->sum);
    }
    buffer_append_string(out, "}}");
}

static void append_report(byte_buffer *out, const call_state *state, const running_totals *running) {
    buffer_append_string(out, "{\"records\":");
    append_u64(out, state->records);

    buffer_append_string(out, ",\"fields\":{");
    bool first = true;
    for (size_t i = 0; i < state->fields.count; i++) {
        const field_stats *field = &state->fields.fields[i];
        if (field->number_count == 0) {
            continue;
        }
        if (!first) {
            buffer_append_byte(out, ',');
        }
        first = false;
        append_json_string(out, field->key, field->key_length);
        buffer_append_byte(out, ':');
        append_numeric_summary(out, field->number_count, field->min, field->max, field->sum);
    }

    buffer_append_string(out, "},\"other_fields\":{");
    first = true;
    for (size_t i = 0; i < state->fields.count; i++) {
        const field_stats *field = &state->fields.fields[i];
        if (field->other_count == 0) {
            continue;
        }
        if (!first) {
            buffer_append_byte(out, ',');
        }
        first = false;
        append_json_string(out, field->key, field->key_length);
        buffer_append_byte(out, ':');
        append_u64(out, field->other_count);
    }

    buffer_append_string(out, "},");
    append_running(out, running);
    buffer_append_byte(out, '}');
}

/* ---- Exports ------------------------------------------------------------------------ */

static int32_t fail(const char *message) {
    mz_error_set(message);
    return 1;
}

MZ_EXPORT("process")
int32_t process(void) {
    size_t input_length;
    uint8_t *input = mz_input_read(&input_length);
    if (input == NULL) {
        return fail("out of memory reading the input; send a smaller input");
    }

    call_state state = {.parser = {.text = input, .length = input_length}};
    static running_totals running;
    char error[400] = {0};
    byte_buffer out = {0};
    int32_t result = 1;

    if (!parse_input(&state)) {
        snprintf(error, sizeof error, "%s", state.parser.error);
        goto done;
    }

    if (!running_load(&running, error, sizeof error)) {
        goto done;
    }

    size_t untracked = running_add(&running, &state);
    if (untracked > 0) {
        char warning[200];
        snprintf(warning, sizeof warning,
                 "%zu numeric fields are not in the running totals: at most %d fields with names of at most %d bytes are tracked",
                 untracked, MAX_TRACKED_FIELDS, MAX_TRACKED_KEY_BYTES);
        mz_log_warn(warning);
    }

    if (!running_store(&running)) {
        snprintf(error, sizeof error, "out of memory storing variable '%s'; call 'reset' or send fewer fields", TotalsVariable);
        goto done;
    }

    append_report(&out, &state, &running);
    if (out.out_of_memory || mz_output_bytes(out.data, out.length) != 0) {
        snprintf(error, sizeof error, "out of memory writing the output for %" PRIu64 " records; send fewer records", state.records);
        goto done;
    }
    result = 0;

done:
    if (result != 0) {
        mz_error_set(error);
    }
    buffer_free(&out);
    running_free(&running);
    call_state_free(&state);
    free(input);
    return result;
}

MZ_EXPORT("reset")
int32_t reset(void) {
    if (mz_var_delete(TotalsVariable) != 0) {
        return fail("out of memory deleting variable 'totals'");
    }

    static const running_totals empty;
    byte_buffer out = {0};
    buffer_append_byte(&out, '{');
    append_running(&out, &empty);
    buffer_append_byte(&out, '}');

    int32_t result = 0;
    if (out.out_of_memory || mz_output_bytes(out.data, out.length) != 0) {
        result = fail("out of memory writing the output of 'reset'");
    }
    buffer_free(&out);
    return result;
}

MZ_EXPORT("noop")
int32_t noop(void) {
    return 0;
}
