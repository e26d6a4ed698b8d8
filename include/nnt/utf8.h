/* utf8.h — strict UTF-8 decoding, one sequence at a time. */
#ifndef NNT_UTF8_H
#define NNT_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* The code point of the UTF-8 sequence at s (n bytes left, n ≥ 1) and its length in *len;
 * invalid, overlong, surrogate or truncated sequences give U+FFFD with *len = 1. */
uint32_t utf8_next(const unsigned char *s, size_t n, size_t *len);

#endif
