/* meta.c — the META chunk: read from the model file into text, and read back line by line. */
#include <stdlib.h>
#include <string.h>

#include "nnt/meta.h"

void meta_each(const char *meta, meta_fn *fn, void *ctx)
{
    for (const char *line = meta; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        const char *eq = memchr(line, '=', len);
        int stop = 0;
        if (len > 0 && eq)
            stop = fn(ctx, line, (size_t)(eq - line), eq + 1, len - (size_t)(eq - line) - 1);
        else if (len > 0)
            stop = fn(ctx, line, 0, line, len);
        if (stop)
            return;
        line += len + (end ? 1 : 0);
    }
}

int meta_decode(char **meta, const uint8_t *p, size_t n, const char *name, nnt_err *err)
{
    *meta = NULL;
    if (memchr(p, '\0', n))
        return nnt_errf(err, "%s: META chunk contains a NUL byte", name);
    if (!(*meta = malloc(n + 1)))
        return nnt_errf(err, "%s: out of memory", name);
    memcpy(*meta, p, n);
    (*meta)[n] = '\0';
    return 0;
}
