/* parse.c — the values of flags (whole numbers, fractions, sizes) and the one format of a usage
 * error, for main.c's parsers. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Prints a usage error in the one format every command uses; returns EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "nnt%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'nnt%s%s --help'.\n", cmd ? " " : "", cmd ? cmd : "");
    return EXIT_USAGE;
}

/* Whole number in [lo, hi] with nothing after it; 0 on success. */
int parse_u64(uint64_t *out, const char *s, uint64_t lo, uint64_t hi)
{
    char *end;
    if (!s[0] || s[0] == '-' || s[0] == '+' || s[0] == ' ')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* The same for an int. */
int parse_int(int *out, const char *s, int lo, int hi)
{
    uint64_t v;
    if (parse_u64(&v, s, (uint64_t)lo, (uint64_t)hi))
        return -1;
    *out = (int)v;
    return 0;
}

/* WxH, each from 1 to 65535; 0 on success. */
int parse_size(uint32_t *w, uint32_t *h, const char *s)
{
    char buf[64];
    const char *x = strchr(s, 'x');
    uint64_t a, b;
    if (!x || (size_t)(x - s) >= sizeof buf)
        return -1;
    memcpy(buf, s, (size_t)(x - s));
    buf[x - s] = 0;
    if (parse_u64(&a, buf, 1, 65535) || parse_u64(&b, x + 1, 1, 65535))
        return -1;
    *w = (uint32_t)a;
    *h = (uint32_t)b;
    return 0;
}

/* A finite number in (lo, hi] (or [lo, hi] when lo_ok), nothing after it; 0 on success. */
int parse_float(float *out, const char *s, double lo, int lo_ok, double hi)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v) || v > hi || v < lo || (!lo_ok && v == lo))
        return -1;
    *out = (float)v;
    return 0;
}

/* getopt_long's own messages are off (opterr = 0) so every usage error has one format. */
int bad_option(const char *cmd, int c, char **argv)
{
    if (c == ':')
        return usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
    if (optopt) {
        char s[3] = {'-', (char)optopt, 0};
        return usage_error(cmd, "unknown option '%s'", s);
    }
    return usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
}
