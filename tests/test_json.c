/* test_json.c — the one JSON string escaper: short forms, \u00XX, UTF-8 kept, bad bytes as U+FFFD,
 * and the buffer and stream writers agreeing byte for byte. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "nnt/json.h"

static int quotes(const char *s, size_t n, const char *want)
{
    nnt_wbuf b = {0};
    json_quote(&b, s, n);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    json_fquote(f, s, n);
    fclose(f);
    int ok = !b.failed && b.len == strlen(want) && memcmp(b.data, want, b.len) == 0 &&
             len == b.len && memcmp(text, b.data, len) == 0;
    if (!ok)
        fprintf(stderr, "json of %zu bytes: %.*s | %s, want %s\n", n, (int)b.len, (const char *)b.data,
                text, want);
    wbuf_free(&b);
    free(text);
    return ok;
}

#define Q(lit, want) quotes(lit, sizeof lit - 1, want)

int main(void)
{
    CHECK(Q("", "\"\""));
    CHECK(Q("cat", "\"cat\""));
    CHECK(Q("a\"b\\c", "\"a\\\"b\\\\c\""));
    CHECK(Q("\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\""));
    CHECK(Q("\x01\x1f", "\"\\u0001\\u001f\""));
    CHECK(Q("a\0b", "\"a\\u0000b\""));                         /* a slice may hold any byte */
    CHECK(Q("\x7f/", "\"\x7f/\""));                              /* DEL and '/' need no escape */
    CHECK(Q("caf\xc3\xa9 \xe2\x82\xac", "\"caf\xc3\xa9 \xe2\x82\xac\"")); /* valid UTF-8 kept */
    CHECK(Q("\xff" "a", "\"\\ufffda\""));                      /* not UTF-8 */
    CHECK(Q("\xc3", "\"\\ufffd\""));                           /* cut sequence */
    CHECK(Q("\xc0\xaf", "\"\\ufffd\\ufffd\""));                /* overlong '/' */
    CHECK(Q("\xef\xbf\xbd", "\"\xef\xbf\xbd\""));              /* a real U+FFFD stays as it is */
    CHECK(quotes("abc", 2, "\"ab\""));                           /* n bytes, not up to the NUL */
    return check_done("test_json");
}
