/* json.c — the CLI's JSON values: strings through the library's one escaper (json.h), and
 * finite-or-null numbers. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "nnt/json.h"

void json_string(FILE *f, const char *s) { json_fquote(f, s, strlen(s)); }

void json_number(FILE *f, double x)
{
    if (isfinite(x))
        fprintf(f, "%.10g", x);
    else
        fputs("null", f);
}
