/* err.h — how library code reports failure: a message the caller prints, never exit(). */
#ifndef NNT_ERR_H
#define NNT_ERR_H

#include <stddef.h>

#define NNT_ERR_MAX 1024

/* Filled by a failing library call; the CLI prints msg after "nnt: ". */
typedef struct nnt_err {
    char msg[NNT_ERR_MAX];
} nnt_err;

/* Formats the message into err (if not NULL) and returns -1, so callers can `return nnt_errf(...)`. */
int nnt_errf(nnt_err *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* size arithmetic from untrusted input: returns 0 and stores a*b, or -1 on overflow. */
int nnt_mul_size(size_t *out, size_t a, size_t b);
/* the same for a+b. */
int nnt_add_size(size_t *out, size_t a, size_t b);

#endif
