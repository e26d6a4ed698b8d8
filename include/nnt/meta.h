/* meta.h — the model file's META chunk: "key=value" lines saying how a model was trained. */
#ifndef NNT_META_H
#define NNT_META_H

#include <stddef.h>
#include <stdint.h>

#include "nnt/err.h"

/* One line of META: key[0..klen) = val[0..vlen), neither NUL-terminated. A line without '=' has
 * no key (klen 0, val the whole line). A non-zero return stops meta_each. */
typedef int meta_fn(void *ctx, const char *key, size_t klen, const char *val, size_t vlen);

/* Calls fn for each non-empty line of meta (NULL: none), in order, split at its first '='. */
void meta_each(const char *meta, meta_fn *fn, void *ctx);

/* The chunk's n bytes as a malloc'd C string in *meta; a NUL byte among them fails (the text is a
 * C string everywhere it goes). `name` is put in front of messages. */
int meta_decode(char **meta, const uint8_t *p, size_t n, const char *name, nnt_err *err);

#endif
