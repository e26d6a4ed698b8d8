/* test_meta.c — META lines read back in order, split at the first '=', and the chunk's NUL rule. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "nnt/meta.h"

typedef struct seen {
    int n;
    char lines[8][32]; /* "key|value", or "|value" for a line without '=' */
    const char *stop_at; /* stop after the line with this key */
} seen;

static int record(void *ctx, const char *key, size_t klen, const char *val, size_t vlen)
{
    seen *s = ctx;
    snprintf(s->lines[s->n++], sizeof s->lines[0], "%.*s|%.*s", (int)klen, key, (int)vlen, val);
    return s->stop_at && klen == strlen(s->stop_at) && memcmp(key, s->stop_at, klen) == 0;
}

int main(void)
{
    seen s = {0};
    meta_each("a=1\n\nnnt_version=0.1.0\nno key\nempty=\nx=y=z\nlast=end", record, &s);
    const char *want[] = {"a|1", "nnt_version|0.1.0", "|no key", "empty|", "x|y=z", "last|end"};
    CHECK(s.n == 6);
    for (int i = 0; i < 6 && i < s.n; i++)
        CHECKF(strcmp(s.lines[i], want[i]) == 0, "line %d: %s, want %s", i, s.lines[i], want[i]);

    seen t = {.stop_at = "nnt_version"}; /* how a caller finds one key */
    meta_each("a=1\nnnt_version=0.1.0\nlast=end\n", record, &t);
    CHECK(t.n == 2 && strcmp(t.lines[1], "nnt_version|0.1.0") == 0);

    seen none = {0};
    meta_each(NULL, record, &none);
    meta_each("", record, &none);
    meta_each("\n\n", record, &none);
    CHECK(none.n == 0);

    char *text;
    nnt_err err;
    CHECK(meta_decode(&text, (const uint8_t *)"k=v\n", 4, "m.bin", &err) == 0 && !strcmp(text, "k=v\n"));
    free(text);
    CHECK(meta_decode(&text, (const uint8_t *)"k=\0v", 4, "m.bin", &err) == -1 && text == NULL &&
          !strcmp(err.msg, "m.bin: META chunk contains a NUL byte"));
    CHECK(meta_decode(&text, (const uint8_t *)"", 0, "m.bin", &err) == 0 && !strcmp(text, ""));
    free(text);
    return check_done("test_meta");
}
