/*
 * Preloaded (LD_PRELOAD) into componentize-py while it builds the Python
 * runtime; never part of the server.
 *
 * componentize-py starts CPython inside its own wasmtime to snapshot it, and
 * that interpreter draws its string-hash secret (and the first `random` seed)
 * from the operating system. The secret decides the iteration order of sets
 * of strings, and the number of probes, so fuel, of every dictionary lookup:
 * two machines building the runtime would run the same program differently.
 * Answering every request for entropy from one fixed stream makes that
 * start-up the same everywhere.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/types.h>

static uint64_t state = 0x5eed5eed5eed5eedULL;

static void fill(void *buf, size_t len) {
    unsigned char *p = buf;
    for (size_t i = 0; i < len; i++) {
        /* A 64-bit LCG: only its determinism matters here. */
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        p[i] = (unsigned char)(state >> 56);
    }
}

ssize_t getrandom(void *buf, size_t len, unsigned int flags) {
    (void)flags;
    fill(buf, len);
    return (ssize_t)len;
}

int getentropy(void *buf, size_t len) {
    fill(buf, len);
    return 0;
}

/* Rust's getrandom may also issue the system call itself. */
long syscall(long number, ...) {
    va_list ap;
    long a[6];
    va_start(ap, number);
    for (int i = 0; i < 6; i++)
        a[i] = va_arg(ap, long);
    va_end(ap);
    if (number == SYS_getrandom) {
        fill((void *)a[0], (size_t)a[1]);
        return a[1];
    }
    static long (*real)(long, ...) = 0;
    if (!real)
        real = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
    return real(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
