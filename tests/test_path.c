/* test_path.c — path_join on empty, plain and slash-ended folders; path_cmp's byte order. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "nnt/path.h"

static int joins(const char *dir, const char *name, const char *want)
{
    char *p = path_join(dir, name);
    int ok = p && strcmp(p, want) == 0;
    if (!ok)
        fprintf(stderr, "path_join(\"%s\", \"%s\") = \"%s\", want \"%s\"\n", dir, name, p ? p : "(null)", want);
    free(p);
    return ok;
}

int main(void)
{
    CHECK(joins("", "a.png", "a.png")); /* the current folder, not the root */
    CHECK(joins("data", "train", "data/train"));
    CHECK(joins("data/", "train", "data/train"));
    CHECK(joins("/", "tmp", "/tmp"));
    CHECK(joins("a//", "b", "a//b")); /* only the separator it would add is left out */
    CHECK(joins("dir", "", "dir/"));

    char *names[] = {"b", "B", "a", "\xc3\xa9", "_"};
    qsort(names, 5, sizeof *names, path_cmp);
    const char *want[] = {"B", "_", "a", "b", "\xc3\xa9"};
    for (int i = 0; i < 5; i++)
        CHECKF(strcmp(names[i], want[i]) == 0, "place %d: %s, want %s", i, names[i], want[i]);
    return check_done("test_path");
}
