/* json.h — JSON string literals (RFC 8259), the one escaper behind every JSON nnt writes: the
 * CLI's --json output and the ONNX graph's metadata. */
#ifndef NNT_JSON_H
#define NNT_JSON_H

#include <stddef.h>
#include <stdio.h>

#include "nnt/wbuf.h"

/* s[0..n) as a JSON string literal, quotes included: \" \\ \b \f \n \r \t in their short forms,
 * the other control characters as \u00XX, and each byte that is not part of valid UTF-8 as
 * \ufffd, so the text is valid UTF-8 whatever the bytes (folder names need not be). */
void json_quote(nnt_wbuf *b, const char *s, size_t n);
/* The same literal printed to f. */
void json_fquote(FILE *f, const char *s, size_t n);

#endif
