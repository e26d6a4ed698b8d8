/* json.c — JSON string literals (RFC 8259), escaped once for every writer: buffer or stream. */
#include <stdio.h>

#include "nnt/json.h"
#include "nnt/utf8.h"

typedef void put_fn(void *to, const void *p, size_t n);

static void put_wbuf(void *to, const void *p, size_t n) { wbuf_put(to, p, n); }
static void put_file(void *to, const void *p, size_t n) { fwrite(p, 1, n, to); }

static void quote(put_fn *put, void *to, const char *s, size_t n)
{
    put(to, "\"", 1);
    for (size_t at = 0, k; at < n; at += k) {
        const unsigned char *p = (const unsigned char *)s + at;
        uint32_t cp = utf8_next(p, n - at, &k);
        const char *esc = NULL;
        switch (cp) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        }
        char u[8];
        if (esc) {
            put(to, esc, 2);
        } else if (cp < 0x20 || (cp == 0xfffd && k == 1)) { /* k == 1: a byte utf8_next refused */
            snprintf(u, sizeof u, "\\u%04x", (unsigned)cp);
            put(to, u, 6);
        } else {
            put(to, p, k);
        }
    }
    put(to, "\"", 1);
}

void json_quote(nnt_wbuf *b, const char *s, size_t n) { quote(put_wbuf, b, s, n); }

void json_fquote(FILE *f, const char *s, size_t n) { quote(put_file, f, s, n); }
