/* err.c — error messages and overflow-checked size arithmetic shared by every module. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nnt/err.h"

int nnt_errf(nnt_err *err, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->peer = 0;
    }
    return -1;
}

int nnt_err_peer(nnt_err *err, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->peer = 1;
    }
    return -1;
}

int nnt_mul_size(size_t *out, size_t a, size_t b)
{
    if (a != 0 && b > SIZE_MAX / a)
        return -1;
    *out = a * b;
    return 0;
}

int nnt_name_index(const char *const *names, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

void nnt_part(size_t *lo, size_t *hi, size_t n, int i, int parts, size_t align)
{
    size_t blocks = (n + align - 1) / align;
    size_t a = blocks * (size_t)i / (size_t)parts, b = blocks * (size_t)(i + 1) / (size_t)parts;
    *lo = a * align < n ? a * align : n;
    *hi = b * align < n ? b * align : n;
}

void *nnt_calloc_aligned(size_t n, size_t size)
{
    size_t bytes;
    if (nnt_mul_size(&bytes, n ? n : 1, size ? size : 1) || nnt_add_size(&bytes, bytes, 63))
        return NULL;
    bytes &= ~(size_t)63; /* aligned_alloc wants a multiple of the alignment */
    void *p = aligned_alloc(64, bytes);
    if (p)
        memset(p, 0, bytes);
    return p;
}

int nnt_add_size(size_t *out, size_t a, size_t b)
{
    if (b > SIZE_MAX - a)
        return -1;
    *out = a + b;
    return 0;
}
