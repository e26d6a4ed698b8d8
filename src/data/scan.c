/* scan.c — finding a dataset's classes and images on disk. Folders are walked with fts(3), which
 * follows links (FTS_LOGICAL), reports a link back to a folder above it (FTS_DC) and sorts each
 * folder's entries through a comparator: what a hand-made opendir/readdir recursion with its own
 * stack of visited folders did, in the C library instead. */
#include <errno.h>
#include <fts.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "nnt/dataset.h"
#include "nnt/path.h"

#define MAX_DEPTH 64 /* folder levels below a split's root; deeper is refused, not walked */

/* A growing list of owned strings. */
typedef struct strvec {
    size_t n, cap;
    char **v;
} strvec;

/* Appends a copy of str. */
static int strvec_push_copy(strvec *s, const char *str)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16, bytes;
        char **v = nnt_mul_size(&bytes, cap, sizeof *v) ? NULL : realloc(s->v, bytes);
        if (!v)
            return -1;
        s->v = v;
        s->cap = cap;
    }
    if (!(s->v[s->n] = strdup(str)))
        return -1;
    s->n++;
    return 0;
}

static void strvec_free(strvec *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof *s);
}

static int is_png_name(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && strcasecmp(name + n - 4, ".png") == 0;
}

/* fts's order within a folder: names by byte order, as path_cmp sorts them. */
static int by_name(const FTSENT **a, const FTSENT **b)
{
    return strcmp((*a)->fts_name, (*b)->fts_name);
}

/* The message for an entry fts could not use; 0 for one it could. */
static int entry_error(const FTSENT *e, nnt_err *err)
{
    switch (e->fts_info) {
    case FTS_DC: return nnt_errf(err, "%s: symlink loop (leads back to a folder above it)", e->fts_path);
    case FTS_DNR: return nnt_errf(err, "%s: cannot open folder: %s", e->fts_path, strerror(e->fts_errno));
    case FTS_ERR: return nnt_errf(err, "%s: cannot read folder: %s", e->fts_path, strerror(e->fts_errno));
    case FTS_NS: return nnt_errf(err, "%s: %s", e->fts_path, strerror(e->fts_errno));
    case FTS_SLNONE: return nnt_errf(err, "%s: %s", e->fts_path, strerror(ENOENT)); /* dangling link */
    default: return 0;
    }
}

/* The labels of files[from..to), grown to the list's capacity. */
static int label_files(int32_t **labels, size_t *cap, const strvec *files, size_t from, int32_t label)
{
    if (files->cap > *cap) {
        size_t bytes;
        int32_t *l = nnt_mul_size(&bytes, files->cap, sizeof *l) ? NULL : realloc(*labels, bytes);
        if (!l)
            return -1;
        *labels = l;
        *cap = files->cap;
    }
    for (size_t k = from; k < files->n; k++)
        (*labels)[k] = label;
    return 0;
}

/* The class folders of root (sorted; names starting with '.' ignored at every level) and every
 * regular *.png below each, in walk order, appended to list with their class's label. */
static int scan_split(nnt_filelist *list, strvec *classes, const char *root, nnt_err *err)
{
    char *roots[] = {(char *)root, NULL};
    FTS *fts = fts_open(roots, FTS_LOGICAL | FTS_NOCHDIR, by_name);
    if (!fts)
        return nnt_errf(err, "%s: cannot open folder: %s", root, strerror(errno));
    strvec files = {0};
    size_t cap = 0, first = 0; /* first: the current class's first file */
    int rc = 0;
    FTSENT *e;
    errno = 0;
    while (rc == 0 && (e = fts_read(fts)) != NULL) {
        if (e->fts_level > 0 && e->fts_name[0] == '.') {
            if (e->fts_info == FTS_D)
                fts_set(fts, e, FTS_SKIP);
            continue;
        }
        if ((rc = entry_error(e, err)) != 0)
            break;
        if (e->fts_info == FTS_D && e->fts_level >= MAX_DEPTH) {
            rc = nnt_errf(err, "%s: folders nested deeper than %d levels", e->fts_path, MAX_DEPTH);
        } else if (e->fts_info == FTS_D && e->fts_level == 1) {
            first = files.n;
        } else if (e->fts_info == FTS_DP && e->fts_level == 1) { /* a class folder, walked */
            if (files.n == first)
                rc = nnt_errf(err, "%s: class folder has no .png images", e->fts_path);
            else if (strvec_push_copy(classes, e->fts_name) ||
                     label_files(&list->labels, &cap, &files, first, (int32_t)(classes->n - 1)))
                rc = nnt_errf(err, "%s: out of memory", root);
        } else if (e->fts_info == FTS_F && e->fts_level > 1 && is_png_name(e->fts_name)) {
            if (strvec_push_copy(&files, e->fts_path))
                rc = nnt_errf(err, "%s: out of memory", root);
        }
        errno = 0;
    }
    if (rc == 0 && errno != 0)
        rc = nnt_errf(err, "%s: cannot read folder: %s", root, strerror(errno));
    fts_close(fts);
    if (rc == 0 && classes->n == 0)
        rc = nnt_errf(err, "%s: no class folders (expected %s/<class>/*.png)", root, root);
    if (rc) {
        strvec_free(&files);
        return -1;
    }
    list->n = files.n;
    list->paths = files.v; /* ownership moves to list */
    return 0;
}

static int dir_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void filelist_free(nnt_filelist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->paths[i]);
    free(l->paths);
    free(l->labels);
    memset(l, 0, sizeof *l);
}

int dataset_scan(nnt_scan *scan, const char *dir, nnt_err *err)
{
    memset(scan, 0, sizeof *scan);
    if (!dir_exists(dir)) {
        struct stat st;
        if (stat(dir, &st) != 0)
            return nnt_errf(err, "%s: %s", dir, strerror(errno));
        return nnt_errf(err, "%s: not a folder", dir);
    }
    char *train_dir = path_join(dir, "train");
    char *test_dir = path_join(dir, "test");
    strvec classes = {0}, test_classes = {0};
    int rc = 0;
    if (!train_dir || !test_dir) {
        rc = nnt_errf(err, "%s: out of memory", dir);
    } else if (dir_exists(train_dir)) {
        rc = scan_split(&scan->train, &classes, train_dir, err);
        if (rc == 0 && dir_exists(test_dir)) {
            rc = scan_split(&scan->test, &test_classes, test_dir, err);
            scan->has_test = rc == 0;
            if (rc == 0) {
                int same = test_classes.n == classes.n;
                for (size_t i = 0; same && i < classes.n; i++)
                    same = strcmp(classes.v[i], test_classes.v[i]) == 0;
                if (!same) {
                    /* name the first class that is in one split and not the other */
                    size_t i = 0;
                    while (i < classes.n && i < test_classes.n &&
                           strcmp(classes.v[i], test_classes.v[i]) == 0)
                        i++;
                    const char *what = i < classes.n ? classes.v[i] : test_classes.v[i];
                    rc = nnt_errf(err,
                                  "%s: its classes differ from %s's (%zu vs %zu classes; first "
                                  "difference at '%s')",
                                  test_dir, train_dir, test_classes.n, classes.n, what);
                }
            }
        }
    } else {
        rc = scan_split(&scan->train, &classes, dir, err);
    }
    if (rc == 0 && classes.n < 2)
        rc = nnt_errf(err, "%s: only one class ('%s'); a classifier needs at least two class folders",
                      scan->has_test || dir_exists(train_dir) ? train_dir : dir, classes.v[0]);
    if (rc == 0 && classes.n > INT32_MAX / 2)
        rc = nnt_errf(err, "%s: too many classes", dir);
    free(train_dir);
    free(test_dir);
    strvec_free(&test_classes);
    if (rc) {
        strvec_free(&classes);
        dataset_scan_free(scan);
        return -1;
    }
    scan->n_classes = (int)classes.n;
    scan->class_names = classes.v;
    return 0;
}

void dataset_scan_free(nnt_scan *scan)
{
    for (int i = 0; i < scan->n_classes; i++)
        free(scan->class_names[i]);
    free(scan->class_names);
    filelist_free(&scan->train);
    filelist_free(&scan->test);
    memset(scan, 0, sizeof *scan);
}
