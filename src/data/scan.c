/* scan.c — finding a dataset's classes and images on disk. Folders are walked with fts(3), which
 * follows links (FTS_LOGICAL), reports a link back to a folder above it (FTS_DC) and sorts each
 * folder's entries through a comparator: what a hand-made opendir/readdir recursion with its own
 * stack of visited folders did, in the C library instead. */
#include <errno.h>
#include <fts.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "nnt/dataset.h"
#include "nnt/image.h"
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

/* Counts a file the scan leaves out of its class. */
static void ignore_file(nnt_scan_ignored *ig, const char *name)
{
    const char *ext;
    if (img_name_kind(name, &ext) == NNT_NAME_OTHER) {
        ig->n_other++;
        return;
    }
    ig->n_unsupported++;
    size_t have = strlen(ig->exts), n = strlen(ext);
    for (const char *p = ig->exts; (p = strstr(p, ext)) != NULL; p += n)
        if (p[n] == '\0' || p[n] == ' ')
            return; /* listed already */
    if (strcmp(ig->exts + (have > 3 ? have - 3 : 0), "...") == 0)
        return;
    if (have + n + 1 + 4 < sizeof ig->exts)
        snprintf(ig->exts + have, sizeof ig->exts - have, "%s%s", have ? " " : "", ext);
    else
        snprintf(ig->exts + have, sizeof ig->exts - have, "%s", have ? " ..." : "...");
}

void dataset_describe_ignored(char *out, size_t cap, const nnt_scan_ignored *ig)
{
    int k = 0;
    out[0] = '\0';
    if (ig->n_other)
        k = snprintf(out, cap, "%zu %s", ig->n_other, ig->n_other == 1 ? "not an image" : "not images");
    if (ig->n_unsupported && k >= 0 && (size_t)k < cap)
        snprintf(out + k, cap - (size_t)k, "%s%zu of unsupported format%s %s", k ? ", " : "",
                 ig->n_unsupported, ig->n_unsupported == 1 ? "" : "s", ig->exts);
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

/* Appends ig to the per-class list, grown to the classes' capacity. */
static int push_ignored(nnt_scan_ignored **list, size_t *cap, size_t n, const nnt_scan_ignored *ig)
{
    if (n == *cap) {
        size_t c = *cap ? *cap * 2 : 16, bytes;
        nnt_scan_ignored *l = nnt_mul_size(&bytes, c, sizeof *l) ? NULL : realloc(*list, bytes);
        if (!l)
            return -1;
        *list = l;
        *cap = c;
    }
    (*list)[n] = *ig;
    return 0;
}

/* The class folders of root (sorted; names starting with '.' ignored at every level) and every
 * regular *.png, *.jpg and *.jpeg below each, in walk order, appended to list with their class's
 * label; *ignored (one per class) says what else each held. Every class folder without images
 * is named in the one error. */
static int scan_split(nnt_filelist *list, strvec *classes, nnt_scan_ignored **ignored,
                      size_t *n_ignored, const char *root, nnt_err *err)
{
    char *roots[] = {(char *)root, NULL};
    FTS *fts = fts_open(roots, FTS_LOGICAL | FTS_NOCHDIR, by_name);
    if (!fts)
        return nnt_errf(err, "%s: cannot open folder: %s", root, strerror(errno));
    strvec files = {0};
    size_t cap = 0, first = 0; /* first: the current class's first file */
    size_t ig_cap = 0, n_empty = 0;
    nnt_scan_ignored ig = {0};
    /* the classes without images: all of them, and the first one's path and reason */
    char empty[NNT_ERR_MAX] = "", first_path[NNT_ERR_MAX / 2] = "", first_why[160] = "";
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
            memset(&ig, 0, sizeof ig);
        } else if (e->fts_info == FTS_DP && e->fts_level == 1) { /* a class folder, walked */
            *n_ignored += ig.n_other + ig.n_unsupported;
            if (files.n == first) {
                char why[160] = "", what[140];
                dataset_describe_ignored(what, sizeof what, &ig);
                if (what[0])
                    snprintf(why, sizeof why, " (ignored %s)", what);
                if (n_empty++ == 0) {
                    snprintf(first_path, sizeof first_path, "%s", e->fts_path);
                    snprintf(first_why, sizeof first_why, "%s", why);
                }
                size_t have = strlen(empty);
                snprintf(empty + have, sizeof empty - have, "%s%s%s", have ? ", " : "", e->fts_name, why);
            } else if (strvec_push_copy(classes, e->fts_name) ||
                       label_files(&list->labels, &cap, &files, first, (int32_t)(classes->n - 1)) ||
                       push_ignored(ignored, &ig_cap, classes->n - 1, &ig))
                rc = nnt_errf(err, "%s: out of memory", root);
        } else if (e->fts_info == FTS_F && e->fts_level > 1) {
            if (img_name_kind(e->fts_name, NULL) != NNT_NAME_IMAGE)
                ignore_file(&ig, e->fts_name);
            else if (strvec_push_copy(&files, e->fts_path))
                rc = nnt_errf(err, "%s: out of memory", root);
        }
        errno = 0;
    }
    if (rc == 0 && errno != 0)
        rc = nnt_errf(err, "%s: cannot read folder: %s", root, strerror(errno));
    fts_close(fts);
    if (rc == 0 && n_empty == 1)
        rc = nnt_errf(err, "%s: class folder has no .png, .jpg or .jpeg images%s", first_path, first_why);
    else if (rc == 0 && n_empty > 1)
        rc = nnt_errf(err, "%s: %zu class folders have no .png, .jpg or .jpeg images: %s", root, n_empty, empty);
    if (rc == 0 && classes->n == 0)
        rc = nnt_errf(err, "%s: no class folders (expected %s/<class>/*.png or *.jpg)", root, root);
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
        scan->has_train_dir = 1;
        rc = scan_split(&scan->train, &classes, &scan->ignored_train, &scan->n_ignored, train_dir, err);
        if (rc == 0 && dir_exists(test_dir)) {
            rc = scan_split(&scan->test, &test_classes, &scan->ignored_test, &scan->n_ignored, test_dir,
                            err);
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
        rc = scan_split(&scan->train, &classes, &scan->ignored_train, &scan->n_ignored, dir, err);
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
    if (scan->n_ignored == 0) { /* nothing to say about any class */
        free(scan->ignored_train);
        free(scan->ignored_test);
        scan->ignored_train = scan->ignored_test = NULL;
    }
    return 0;
}

void dataset_scan_free(nnt_scan *scan)
{
    for (int i = 0; i < scan->n_classes; i++)
        free(scan->class_names[i]);
    free(scan->class_names);
    filelist_free(&scan->train);
    filelist_free(&scan->test);
    free(scan->ignored_train);
    free(scan->ignored_test);
    memset(scan, 0, sizeof *scan);
}
