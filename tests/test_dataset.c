/* test_dataset.c — scanning and loading generated folders: both layouts, what is ignored, every
 * dataset error with the name it must carry, colour decisions, skipping, threads, scaling. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "nnt/dataset.h"

static char root[256];

static void mkdirs(const char *rel)
{
    char path[512], *p;
    snprintf(path, sizeof path, "%s/%s", root, rel);
    for (p = path + strlen(root) + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            mkdir(path, 0755);
            *p = '/';
        }
    mkdir(path, 0755);
}

/* A w x h image with channels 1 or 3 whose every sample is v. */
static void png(const char *rel, uint32_t w, uint32_t h, int channels, uint8_t v)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    nnt_image img = {w, h, channels, malloc((size_t)w * h * channels)};
    memset(img.pixels, v, (size_t)w * h * channels);
    nnt_err err;
    if (img_write_png(path, &img, &err))
        fprintf(stderr, "setup: %s\n", err.msg);
    free(img.pixels);
}

static void text(const char *rel, const char *s)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(s, f);
        fclose(f);
    }
}

static void reset(void)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'/*", root);
    CHECK(system(cmd) == 0);
}

static int scan(nnt_scan *s, const char *rel, nnt_err *err)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    return dataset_scan(s, path, err);
}

/* scan must fail with a message containing want. */
static void scan_fails(const char *rel, const char *want)
{
    nnt_scan s;
    nnt_err err = {{0}, 0};
    int rc = scan(&s, rel, &err);
    CHECKF(rc == -1 && strstr(err.msg, want), "scan %s: rc %d, message '%s', wanted '%s'", rel, rc, err.msg, want);
    if (rc == 0)
        dataset_scan_free(&s);
}

static nnt_load_opts opts(int threads, int skip_bad)
{
    nnt_load_opts o = {NNT_DEFAULT_MAX_PIXELS, 0, 0, skip_bad, threads, NULL, NULL};
    return o;
}

static void test_layouts(void)
{
    nnt_scan s;
    nnt_err err;
    reset();
    mkdirs("flat/b-class");
    mkdirs("flat/a-class/nested");
    mkdirs("flat/.hidden");
    png("flat/a-class/2.png", 3, 2, 1, 10);
    png("flat/a-class/1.PNG", 3, 2, 1, 20);
    png("flat/a-class/nested/3.png", 3, 2, 1, 30);
    png("flat/a-class/.dot.png", 3, 2, 1, 40);
    text("flat/a-class/notes.txt", "not an image");
    png("flat/b-class/x.png", 3, 2, 1, 50);
    png("flat/.hidden/y.png", 3, 2, 1, 60);
    text("flat/README", "ignored");
    CHECK(scan(&s, "flat", &err) == 0);
    CHECK(s.n_classes == 2 && !s.has_test && s.train.n == 4);
    CHECK(strcmp(s.class_names[0], "a-class") == 0 && strcmp(s.class_names[1], "b-class") == 0);
    /* sorted by byte order within a class; sub-folders included */
    CHECK(strstr(s.train.paths[0], "a-class/1.PNG") && strstr(s.train.paths[1], "a-class/2.png") &&
          strstr(s.train.paths[2], "nested/3.png") && strstr(s.train.paths[3], "b-class/x.png"));
    CHECK(s.train.labels[0] == 0 && s.train.labels[2] == 0 && s.train.labels[3] == 1);

    nnt_geometry g;
    nnt_load_opts o = opts(1, 0);
    CHECK(dataset_probe(&g, &s.train, &o, &err) == 0);
    CHECK(g.width == 3 && g.height == 2 && g.channels == 1);
    nnt_dataset ds;
    size_t skipped;
    CHECK(dataset_load(&ds, &skipped, &s.train, &g, &o, &err) == 0);
    CHECK(ds.m == 4 && ds.n_x == 6 && skipped == 0);
    CHECK(ds.X[0] == 20 && ds.X[6] == 10 && ds.X[12] == 30 && ds.X[18] == 50);
    float X[12];
    int32_t y[2];
    size_t idx[2] = {3, 0};
    dataset_gather(X, y, &ds, idx, 0, 2);
    CHECK(X[0] == 50.0f / 255.0f && X[6] == 20.0f / 255.0f && y[0] == 1 && y[1] == 0);
    dataset_free(&ds);
    dataset_scan_free(&s);

    /* split layout; the test split's class set must match */
    mkdirs("split/train/cat");
    mkdirs("split/train/dog");
    mkdirs("split/test/cat");
    mkdirs("split/test/dog");
    png("split/train/cat/a.png", 2, 2, 1, 1);
    png("split/train/dog/a.png", 2, 2, 3, 2); /* one colour image makes the dataset RGB */
    png("split/test/cat/a.png", 2, 2, 1, 3);
    png("split/test/dog/a.png", 2, 2, 1, 4);
    CHECK(scan(&s, "split", &err) == 0);
    CHECK(s.has_test && s.train.n == 2 && s.test.n == 2);
    CHECK(dataset_probe(&g, &s.train, &o, &err) == 0 && g.channels == 3);
    CHECK(dataset_load(&ds, &skipped, &s.test, &g, &o, &err) == 0);
    CHECK(ds.n_x == 12 && ds.X[0] == 3 && ds.X[2] == 3 && ds.X[12] == 4); /* gray replicated */
    dataset_free(&ds);
    dataset_scan_free(&s);
}

static void test_errors(void)
{
    reset();
    mkdirs("empty/a");
    mkdirs("empty/b");
    png("empty/a/1.png", 2, 2, 1, 0);
    text("empty/b/readme.txt", "x");
    scan_fails("empty", "empty/b: class folder has no .png, .jpg or .jpeg images (ignored 1 not an image)");

    mkdirs("one/only");
    png("one/only/1.png", 2, 2, 1, 0);
    scan_fails("one", "only one class ('only')");

    mkdirs("none");
    scan_fails("none", "no class folders");
    scan_fails("does-not-exist", "does-not-exist: No such file or directory");
    text("afile", "x");
    scan_fails("afile", "afile: not a folder");

    mkdirs("differ/train/a");
    mkdirs("differ/train/b");
    mkdirs("differ/test/a");
    mkdirs("differ/test/c");
    png("differ/train/a/1.png", 2, 2, 1, 0);
    png("differ/train/b/1.png", 2, 2, 1, 0);
    png("differ/test/a/1.png", 2, 2, 1, 0);
    png("differ/test/c/1.png", 2, 2, 1, 0);
    scan_fails("differ", "differ/test: its classes differ");

    mkdirs("loop/a");
    mkdirs("loop/b");
    png("loop/a/1.png", 2, 2, 1, 0);
    png("loop/b/1.png", 2, 2, 1, 0);
    char target[512], link[512];
    snprintf(target, sizeof target, "%s/loop/b", root);
    snprintf(link, sizeof link, "%s/loop/b/again", root);
    CHECK(symlink(target, link) == 0);
    scan_fails("loop", "loop/b/again: symlink loop");
    snprintf(link, sizeof link, "%s/loop/b/self.png", root);
    CHECK(symlink(link, link) == 0); /* a link to itself: ELOOP from stat */
    snprintf(target, sizeof target, "%s/loop/b/again", root);
    unlink(target);
    scan_fails("loop", "self.png");

    if (geteuid() != 0) { /* root reads everything, so this case only runs as a normal user */
        mkdirs("noperm/a");
        mkdirs("noperm/b");
        png("noperm/a/1.png", 2, 2, 1, 0);
        char p[512];
        snprintf(p, sizeof p, "%s/noperm/b", root);
        chmod(p, 0);
        scan_fails("noperm", "noperm/b: cannot open folder");
        chmod(p, 0755);
    }

    /* names starting with '.' are never looked at, at any level (scan.c skips them under fts) */
    mkdirs("hidden/a/.skip");
    mkdirs("hidden/b");
    mkdirs("hidden/.c");
    png("hidden/a/1.png", 2, 2, 1, 0);
    png("hidden/a/.skip/2.png", 2, 2, 1, 0);
    png("hidden/a/.3.png", 2, 2, 1, 0);
    png("hidden/b/1.png", 2, 2, 1, 0);
    png("hidden/.c/1.png", 2, 2, 1, 0);
    char dangling[512];
    snprintf(dangling, sizeof dangling, "%s/hidden/b/.gone.png", root);
    CHECK(symlink("nowhere", dangling) == 0);
    nnt_scan s;
    nnt_err err;
    CHECK(scan(&s, "hidden", &err) == 0 && s.n_classes == 2 && s.train.n == 2);
    dataset_scan_free(&s);
    snprintf(dangling, sizeof dangling, "%s/hidden/b/gone.png", root);
    CHECK(symlink("nowhere", dangling) == 0);
    scan_fails("hidden", "hidden/b/gone.png: No such file or directory");
}

static void test_loading(void)
{
    nnt_scan s;
    nnt_err err;
    nnt_geometry g;
    nnt_dataset ds;
    size_t skipped;
    reset();
    mkdirs("mixed/a");
    mkdirs("mixed/b");
    png("mixed/a/1.png", 4, 4, 1, 0);
    png("mixed/b/1.png", 5, 3, 1, 0);
    CHECK(scan(&s, "mixed", &err) == 0);
    nnt_load_opts o = opts(2, 0);
    CHECK(dataset_probe(&g, &s.train, &o, &err) == -1);
    CHECKF(strstr(err.msg, "mixed/b/1.png: image is 5x3 but") && strstr(err.msg, "mixed/a/1.png is 4x4"), "%s", err.msg);
    o.width = 6, o.height = 2; /* --size resizes instead */
    CHECK(dataset_probe(&g, &s.train, &o, &err) == 0 && g.width == 6 && g.height == 2);
    CHECK(dataset_load(&ds, &skipped, &s.train, &g, &o, &err) == 0 && ds.m == 2 && ds.n_x == 12);
    dataset_free(&ds);
    dataset_scan_free(&s);

    /* a bad file: strict fails naming it, --skip-bad leaves it out */
    mkdirs("bad/a");
    mkdirs("bad/b");
    for (int i = 0; i < 20; i++) {
        char rel[64];
        snprintf(rel, sizeof rel, "bad/%c/%02d.png", i % 2 ? 'b' : 'a', i);
        png(rel, 3, 3, 1, (uint8_t)i);
    }
    text("bad/a/10.png", "this is text, not a PNG");
    CHECK(scan(&s, "bad", &err) == 0 && s.train.n == 20);
    o = opts(3, 0);
    CHECK(dataset_probe(&g, &s.train, &o, &err) == -1 && strstr(err.msg, "bad/a/10.png"));
    o.skip_bad = 1;
    CHECK(dataset_probe(&g, &s.train, &o, &err) == 0);
    o.skip_bad = 0;
    CHECK(dataset_load(&ds, &skipped, &s.train, &g, &o, &err) == -1);
    CHECKF(strstr(err.msg, "bad/a/10.png") != NULL, "%s", err.msg);
    o.skip_bad = 1;
    CHECK(dataset_load(&ds, &skipped, &s.train, &g, &o, &err) == 0);
    CHECK(ds.m == 19 && skipped == 1);
    /* the same matrix whatever the thread count */
    nnt_dataset one;
    nnt_load_opts o1 = opts(1, 1);
    CHECK(dataset_load(&one, &skipped, &s.train, &g, &o1, &err) == 0);
    CHECK(one.m == ds.m && memcmp(one.X, ds.X, ds.n_x * ds.m) == 0 && memcmp(one.y, ds.y, ds.m * sizeof *ds.y) == 0);
    for (size_t j = 0; j < ds.m; j++)
        CHECK(strstr(ds.paths[j], "10.png") == NULL);
    /* each image knows its file's place in the list, with a gap where the bad one was (the
     * batch order is by these places, so skipping on one rank moves no other image) */
    int places = 1;
    for (size_t j = 0; j < ds.m; j++)
        places &= ds.file[j] == (j < 5 ? j : j + 1) &&
                  strcmp(ds.paths[j], s.train.paths[ds.file[j]]) == 0;
    CHECK(places);
    dataset_free(&one);
    dataset_free(&ds);
    dataset_scan_free(&s);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(root, sizeof root, "%s/nnt-test-dataset-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(root)) {
        perror("mkdtemp");
        return 1;
    }
    test_layouts();
    test_errors();
    test_loading();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", root);
    return check_done("test_dataset");
}
