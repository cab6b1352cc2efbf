/*
 * Unix-socket ping-pong: the floor for one local request/response round trip.
 *
 * The program forks. The child is the echo server: it accepts one connection on a SOCK_STREAM
 * Unix socket, reads MESSAGE_BYTES bytes and writes them back, until the client closes. The
 * parent is the client: it times ITERATIONS sequential round trips (write the message, read the
 * whole echo) with clock_gettime(CLOCK_MONOTONIC) and prints one JSON object on stdout.
 *
 * Usage: pingpong SOCKET_PATH ITERATIONS MESSAGE_BYTES
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Untimed round trips before the measured ones, so that page faults on the buffers and the
 * first scheduling of both processes do not land in the figures. */
#define WARMUP_ITERATIONS 1000

static void fail(const char *operation)
{
    fprintf(stderr, "pingpong: %s failed: %s\n", operation, strerror(errno));
    exit(1);
}

/* Writes all `length` bytes, looping over partial writes. Returns 0, or -1 with errno set. */
static int write_all(int fd, const unsigned char *buffer, size_t length)
{
    size_t done = 0;
    while (done < length) {
        ssize_t written = write(fd, buffer + done, length - done);
        if (written < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        done += (size_t)written;
    }
    return 0;
}

/* Reads exactly `length` bytes, looping over partial reads. Returns 1 when all bytes arrived,
 * 0 when the peer closed before the first byte, and -1 with errno set on an error or on a close
 * in the middle of a message (errno is then ECONNRESET). */
static int read_all(int fd, unsigned char *buffer, size_t length)
{
    size_t done = 0;
    while (done < length) {
        ssize_t got = read(fd, buffer + done, length - done);
        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        if (got == 0) {
            if (done == 0) {
                return 0;
            }
            errno = ECONNRESET;
            return -1;
        }
        done += (size_t)got;
    }
    return 1;
}

static int64_t now_ns(void)
{
    struct timespec time;
    clock_gettime(CLOCK_MONOTONIC, &time);
    return (int64_t)time.tv_sec * 1000000000 + time.tv_nsec;
}

static int compare_int64(const void *left, const void *right)
{
    int64_t a = *(const int64_t *)left;
    int64_t b = *(const int64_t *)right;
    return (a > b) - (a < b);
}

/* Nearest-rank percentile of an ascending array, in microseconds. */
static double percentile_us(const int64_t *sorted, size_t count, double fraction)
{
    size_t rank = (size_t)(fraction * (double)count + 0.999999999);
    if (rank < 1) {
        rank = 1;
    }
    if (rank > count) {
        rank = count;
    }
    return (double)sorted[rank - 1] / 1000.0;
}

static int run_server(int listener, size_t message_bytes)
{
    unsigned char *buffer = malloc(message_bytes);
    if (buffer == NULL) {
        fail("malloc of the server buffer");
    }

    int connection = accept(listener, NULL, NULL);
    if (connection < 0) {
        fail("accept");
    }

    for (;;) {
        int status = read_all(connection, buffer, message_bytes);
        if (status == 0) {
            break;
        }
        if (status < 0) {
            fail("server read");
        }
        if (write_all(connection, buffer, message_bytes) < 0) {
            fail("server write");
        }
    }

    close(connection);
    free(buffer);
    return 0;
}

static void round_trip(int fd, const unsigned char *message, unsigned char *echo, size_t message_bytes)
{
    if (write_all(fd, message, message_bytes) < 0) {
        fail("client write");
    }
    int status = read_all(fd, echo, message_bytes);
    if (status == 0) {
        errno = ECONNRESET;
    }
    if (status <= 0) {
        fail("client read");
    }
}

static int run_client(const char *socket_path, long iterations, size_t message_bytes)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) {
        fail("client socket");
    }

    struct sockaddr_un address = { .sun_family = AF_UNIX };
    strncpy(address.sun_path, socket_path, sizeof(address.sun_path) - 1);
    if (connect(fd, (struct sockaddr *)&address, sizeof(address)) < 0) {
        fail("connect");
    }

    unsigned char *message = malloc(message_bytes);
    unsigned char *echo = malloc(message_bytes);
    int64_t *latencies = malloc(sizeof(int64_t) * (size_t)iterations);
    if (message == NULL || echo == NULL || latencies == NULL) {
        fail("malloc of the client buffers");
    }
    for (size_t i = 0; i < message_bytes; i++) {
        message[i] = (unsigned char)(i * 31 + 7);
    }

    for (long i = 0; i < WARMUP_ITERATIONS; i++) {
        round_trip(fd, message, echo, message_bytes);
    }

    long progress_step = iterations >= 10 ? iterations / 10 : iterations;
    int64_t total_ns = 0;
    for (long i = 0; i < iterations; i++) {
        int64_t start = now_ns();
        round_trip(fd, message, echo, message_bytes);
        int64_t elapsed = now_ns() - start;

        latencies[i] = elapsed;
        total_ns += elapsed;
        if ((i + 1) % progress_step == 0) {
            fprintf(stderr, "pingpong: %ld of %ld round trips\n", i + 1, iterations);
        }
    }

    /* The echo is checked once at the end, outside the timed loop. */
    if (memcmp(message, echo, message_bytes) != 0) {
        fprintf(stderr, "pingpong: the echo differs from the message sent\n");
        exit(1);
    }

    close(fd);

    qsort(latencies, (size_t)iterations, sizeof(int64_t), compare_int64);
    printf("{\"name\":\"unix-pingpong-c\",\"iterations\":%ld,\"message_bytes\":%zu,"
           "\"avg_us\":%.3f,\"p50_us\":%.3f,\"p99_us\":%.3f,\"p999_us\":%.3f}\n",
           iterations, message_bytes,
           (double)total_ns / (double)iterations / 1000.0,
           percentile_us(latencies, (size_t)iterations, 0.50),
           percentile_us(latencies, (size_t)iterations, 0.99),
           percentile_us(latencies, (size_t)iterations, 0.999));

    free(latencies);
    free(echo);
    free(message);
    return 0;
}

static long parse_positive(const char *text, const char *name)
{
    char *end = NULL;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value <= 0) {
        fprintf(stderr, "pingpong: %s '%s' is invalid; use a positive integer\n", name, text);
        exit(2);
    }
    return value;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: pingpong SOCKET_PATH ITERATIONS MESSAGE_BYTES\n");
        return 2;
    }

    const char *socket_path = argv[1];
    long iterations = parse_positive(argv[2], "ITERATIONS");
    size_t message_bytes = (size_t)parse_positive(argv[3], "MESSAGE_BYTES");

    struct sockaddr_un address = { .sun_family = AF_UNIX };
    if (strlen(socket_path) >= sizeof(address.sun_path)) {
        fprintf(stderr, "pingpong: socket path '%s' is longer than %zu bytes; use a shorter path\n",
                socket_path, sizeof(address.sun_path) - 1);
        return 2;
    }
    strcpy(address.sun_path, socket_path);

    /* The listener exists before the fork, so the client's connect cannot race the server. */
    int listener = socket(AF_UNIX, SOCK_STREAM, 0);
    if (listener < 0) {
        fail("listener socket");
    }
    if (bind(listener, (struct sockaddr *)&address, sizeof(address)) < 0) {
        fail("bind");
    }
    if (listen(listener, 1) < 0) {
        fail("listen");
    }

    pid_t server = fork();
    if (server < 0) {
        fail("fork");
    }
    if (server == 0) {
        return run_server(listener, message_bytes);
    }
    close(listener);

    int result = run_client(socket_path, iterations, message_bytes);

    int status = 0;
    if (waitpid(server, &status, 0) < 0) {
        fail("waitpid");
    }
    unlink(socket_path);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "pingpong: the echo server exited with status %d\n", status);
        return 1;
    }
    return result;
}
