/* path.c — file paths and folder names: joining, and the byte order listings are sorted in. */
#include <stdlib.h>
#include <string.h>

#include "nnt/err.h"
#include "nnt/path.h"

char *path_join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name), len;
    size_t slash = a > 0 && dir[a - 1] != '/';
    if (nnt_add_size(&len, a, b) || nnt_add_size(&len, len, slash + 1))
        return NULL;
    char *p = malloc(len);
    if (!p)
        return NULL;
    memcpy(p, dir, a);
    if (slash)
        p[a] = '/';
    memcpy(p + a + slash, name, b + 1);
    return p;
}

int path_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}
