/* err.h — how library code reports failure: a message the caller prints, never exit(). */
#ifndef NNT_ERR_H
#define NNT_ERR_H

#include <stddef.h>

#define NNT_ERR_MAX 1024

/* Filled by a failing library call; the CLI prints msg after "nnt: ". */
typedef struct nnt_err {
    char msg[NNT_ERR_MAX];
    int peer; /* 1: the failure was another rank's, which reports it; this rank only follows */
} nnt_err;

/* Formats the message into err (if not NULL), clears err->peer and returns -1, so callers can
 * `return nnt_errf(...)`. */
int nnt_errf(nnt_err *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* The same for a rank that fails only because another one did: sets err->peer, so that the
 * CLI can tell whose failure to report without reading the message. */
int nnt_err_peer(nnt_err *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* size arithmetic from untrusted input: returns 0 and stores a*b, or -1 on overflow. */
int nnt_mul_size(size_t *out, size_t a, size_t b);
/* the same for a+b. */
int nnt_add_size(size_t *out, size_t a, size_t b);

/* The index of `name` among names[0..n), or -1: how flags and model files name enums. */
int nnt_name_index(const char *const *names, int n, const char *name);

/* Part i of `parts` of n items: [*lo, *hi), contiguous and in order, whole blocks of `align`
 * items (≥ 1) but for the last, as even as blocks allow. How threads and ranks share work. */
void nnt_part(size_t *lo, size_t *hi, size_t n, int i, int parts, size_t align);

/* n zeroed elements of `size` bytes starting on a 64-byte cache line, or NULL (out of memory or
 * n·size overflows); free() releases it. Matrices that threads split by rows of 16 floats are
 * allocated so: two threads then never write the same cache line. */
void *nnt_calloc_aligned(size_t n, size_t size);

#endif
