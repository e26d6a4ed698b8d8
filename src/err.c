/* err.c — error messages and overflow-checked size arithmetic shared by every module. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#include "nnt/err.h"

int nnt_errf(nnt_err *err, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
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

int nnt_add_size(size_t *out, size_t a, size_t b)
{
    if (b > SIZE_MAX - a)
        return -1;
    *out = a + b;
    return 0;
}
