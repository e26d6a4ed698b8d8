/* test_eval.c — the metrics of `nnt eval` on hand-computed cases: class mapping, the confusion
 * matrix (column-major, rows true), precision/recall/F1 with empty denominators, macro averages,
 * and the order of the most confidently wrong predictions. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "nnt/eval.h"

#define TOL 1e-12

static void test_map_classes(void)
{
    char a[] = "ankle-boot", b[] = "bag", s[] = "sneaker", B[] = "Bag", c[] = "coat";
    char *model[] = {a, b, s};
    int32_t map[3] = {-7, -7, -7};

    char *subset[] = {b, s}; /* a folder with some of the model's classes */
    CHECK(eval_map_classes(map, subset, 2, model, 3) == -1);
    CHECK(map[0] == 1 && map[1] == 2);

    char *same[] = {a, b, s};
    CHECK(eval_map_classes(map, same, 3, model, 3) == -1);
    CHECK(map[0] == 0 && map[1] == 1 && map[2] == 2);

    char *unknown[] = {b, c}; /* coat: not a class of the model */
    CHECK(eval_map_classes(map, unknown, 2, model, 3) == 1);
    char *other_case[] = {B}; /* names are bytes: Bag is not bag */
    CHECK(eval_map_classes(map, other_case, 1, model, 3) == 0);
}

/* 3 classes, class 2 never predicted:
 *            pred 0  pred 1  pred 2
 *   true 0      2       1       0      support 3
 *   true 1      1       1       0      support 2
 *   true 2      1       1       0      support 2
 *   predicted   4       3       0
 * P = 2/4, 1/3, 0 (no predictions); R = 2/3, 1/2, 0; F1 = 4/7, 2/5, 0. */
static void test_no_predictions(void)
{
    const int32_t truth[] = {0, 0, 0, 1, 1, 2, 2};
    const int32_t pred[] = {0, 0, 1, 1, 0, 0, 1};
    size_t C[9];
    nnt_err err;
    CHECK(eval_confusion(C, truth, pred, 7, 3, &err) == 0);
    /* C[t + p·3] */
    const size_t want[9] = {2, 1, 1, /* column p = 0 */ 1, 1, 1, /* p = 1 */ 0, 0, 0 /* p = 2 */};
    for (int i = 0; i < 9; i++)
        CHECKF(C[i] == want[i], "C[%d] = %zu, want %zu", i, C[i], want[i]);
    CHECK(C[0 + 1 * 3] == 1); /* true 0 predicted 1 */
    CHECK(C[1 + 0 * 3] == 1); /* true 1 predicted 0 */

    nnt_class_metrics k[3];
    nnt_macro_metrics mac;
    eval_class_metrics(k, &mac, C, 3);
    CHECK(k[0].tp == 2 && k[0].support == 3 && k[0].predicted == 4);
    CHECK(k[1].tp == 1 && k[1].support == 2 && k[1].predicted == 3);
    CHECK(k[2].tp == 0 && k[2].support == 2 && k[2].predicted == 0);
    CHECK_NEAR(k[0].precision, 0.5, TOL);
    CHECK_NEAR(k[0].recall, 2.0 / 3.0, TOL);
    CHECK_NEAR(k[0].f1, 4.0 / 7.0, TOL);
    CHECK_NEAR(k[1].precision, 1.0 / 3.0, TOL);
    CHECK_NEAR(k[1].recall, 0.5, TOL);
    CHECK_NEAR(k[1].f1, 0.4, TOL);
    CHECK(k[2].precision == 0.0 && k[2].recall == 0.0 && k[2].f1 == 0.0); /* not NaN */
    CHECK(mac.n_classes == 3);
    CHECK_NEAR(mac.precision, 5.0 / 18.0, TOL);
    CHECK_NEAR(mac.recall, 7.0 / 18.0, TOL);
    CHECK_NEAR(mac.f1, 34.0 / 105.0, TOL);
}

/* 4 model classes; the folder has images of 0, 1, 2 only and class 3 is never predicted, so it is
 * left out of the macro averages. */
static void test_absent_class(void)
{
    const int32_t truth[] = {0, 1, 2, 0};
    const int32_t pred[] = {0, 1, 1, 2};
    size_t C[16];
    nnt_err err;
    CHECK(eval_confusion(C, truth, pred, 4, 4, &err) == 0);
    CHECK(C[0 + 2 * 4] == 1 && C[2 + 0 * 4] == 0); /* true 0 predicted 2, not the transpose */
    CHECK(C[2 + 1 * 4] == 1);
    for (int i = 0; i < 4; i++)
        CHECK(C[3 + i * 4] == 0 && C[i + 3 * 4] == 0); /* row and column of class 3 */
    nnt_class_metrics k[4];
    nnt_macro_metrics mac;
    eval_class_metrics(k, &mac, C, 4);
    CHECK_NEAR(k[0].precision, 1.0, TOL);
    CHECK_NEAR(k[0].recall, 0.5, TOL);
    CHECK_NEAR(k[0].f1, 2.0 / 3.0, TOL);
    CHECK_NEAR(k[1].precision, 0.5, TOL);
    CHECK_NEAR(k[1].recall, 1.0, TOL);
    CHECK_NEAR(k[1].f1, 2.0 / 3.0, TOL);
    CHECK(k[2].f1 == 0.0 && k[2].support == 1 && k[2].predicted == 1);
    CHECK(k[3].support == 0 && k[3].predicted == 0 && k[3].f1 == 0.0);
    CHECK(mac.n_classes == 3);
    CHECK_NEAR(mac.precision, 0.5, TOL);
    CHECK_NEAR(mac.recall, 0.5, TOL);
    CHECK_NEAR(mac.f1, 4.0 / 9.0, TOL);
}

/* A class with predictions but no images (support 0): recall 0 by definition, precision 0 as
 * every prediction of it is wrong; it counts in the macro averages. */
static void test_no_support(void)
{
    const int32_t truth[] = {0, 0};
    const int32_t pred[] = {0, 1};
    size_t C[4];
    nnt_err err;
    CHECK(eval_confusion(C, truth, pred, 2, 2, &err) == 0);
    nnt_class_metrics k[2];
    nnt_macro_metrics mac;
    eval_class_metrics(k, &mac, C, 2);
    CHECK(k[1].support == 0 && k[1].predicted == 1);
    CHECK(k[1].precision == 0.0 && k[1].recall == 0.0 && k[1].f1 == 0.0);
    CHECK_NEAR(k[0].f1, 2.0 / 3.0, TOL);
    CHECK(mac.n_classes == 2);
    CHECK_NEAR(mac.precision, 0.5, TOL);
    CHECK_NEAR(mac.recall, 0.25, TOL);
    CHECK_NEAR(mac.f1, 1.0 / 3.0, TOL);
}

static void test_perfect_and_empty(void)
{
    const int32_t y[] = {1, 0, 1};
    size_t C[4];
    nnt_err err;
    nnt_class_metrics k[2];
    nnt_macro_metrics mac;
    CHECK(eval_confusion(C, y, y, 3, 2, &err) == 0);
    eval_class_metrics(k, &mac, C, 2);
    CHECK(k[0].f1 == 1.0 && k[1].f1 == 1.0 && mac.f1 == 1.0 && mac.n_classes == 2);

    CHECK(eval_confusion(C, y, y, 0, 2, &err) == 0); /* no images: all zero, no NaN */
    CHECK(C[0] == 0 && C[1] == 0 && C[2] == 0 && C[3] == 0);
    eval_class_metrics(k, &mac, C, 2);
    CHECK(mac.n_classes == 0 && mac.precision == 0.0 && mac.recall == 0.0 && mac.f1 == 0.0);
    CHECK(k[0].precision == 0.0 && k[1].recall == 0.0);
}

static void test_confusion_errors(void)
{
    size_t C[4];
    nnt_err err;
    const int32_t ok[] = {0, 1}, big[] = {0, 2}, neg[] = {-1, 0};
    CHECK(eval_confusion(C, big, ok, 2, 2, &err) == -1);
    CHECK(strstr(err.msg, "image 1") != NULL);
    CHECK(eval_confusion(C, ok, neg, 2, 2, &err) == -1);
    CHECK(eval_confusion(C, ok, ok, 2, 0, &err) == -1);
}

static void test_top_wrong(void)
{
    char p0[] = "b.png", p1[] = "a.png", p2[] = "c.png", p3[] = "d.png", p4[] = "e.png",
         p5[] = "f.png";
    char *paths[] = {p0, p1, p2, p3, p4, p5};
    const int32_t truth[] = {0, 0, 1, 1, 1, 0};
    const int32_t pred[] = {1, 1, 1, 0, 0, 1};
    const float prob[] = {0.9f, 0.9f, 0.99f, 0.95f, NAN, 0.6f};
    size_t idx[6], n_idx = 99, n_wrong = 99;
    nnt_err err;

    CHECK(eval_top_wrong(idx, &n_idx, &n_wrong, truth, pred, prob, paths, 6, 3, &err) == 0);
    CHECK(n_idx == 3 && n_wrong == 5);
    /* 0.95 first; the two 0.9 by path (a.png before b.png); the correct 0.99 is not listed */
    CHECK(idx[0] == 3 && idx[1] == 1 && idx[2] == 0);

    CHECK(eval_top_wrong(idx, &n_idx, NULL, truth, pred, prob, paths, 6, 100, &err) == 0);
    CHECK(n_idx == 5);
    CHECK(idx[0] == 3 && idx[1] == 1 && idx[2] == 0 && idx[3] == 5 && idx[4] == 4); /* NaN last */

    CHECK(eval_top_wrong(idx, &n_idx, &n_wrong, truth, pred, prob, paths, 6, 0, &err) == 0);
    CHECK(n_idx == 0 && n_wrong == 5);

    CHECK(eval_top_wrong(idx, &n_idx, &n_wrong, truth, truth, prob, paths, 6, 3, &err) == 0);
    CHECK(n_idx == 0 && n_wrong == 0);

    /* same probability and path: index order, so the result never depends on qsort */
    char *same[] = {p0, p0, p0};
    const int32_t t3[] = {0, 0, 0}, p3b[] = {1, 1, 0};
    const float half[] = {0.7f, 0.7f, 0.7f};
    CHECK(eval_top_wrong(idx, &n_idx, &n_wrong, t3, p3b, half, same, 3, 3, &err) == 0);
    CHECK(n_wrong == 2 && n_idx == 2 && idx[0] == 0 && idx[1] == 1);
}

/* eval_dataset's count of correct images is the trace of the confusion matrix of its labels. */
static void test_dataset_agrees(void)
{
    nnt_net net;
    nnt_err err;
    CHECK(net_new(&net, 2, 2, 3, NNT_ACT_RELU, &err) == 0);
    for (size_t i = 0; i < net.n_params; i++)
        net.params[i] = (float)((int)(i * 7 % 11) - 5) * 0.25f;
    uint8_t X[2 * 6] = {0, 255, 255, 0, 128, 128, 10, 200, 200, 10, 255, 255};
    int32_t y[6] = {0, 1, 2, 0, 1, 2};
    nnt_dataset ds = {.geom = {2, 1, 1}, .n_x = 2, .m = 6, .X = X, .y = y};
    int32_t pred[6];
    float prob[6];
    nnt_eval ev;
    CHECK(eval_dataset(&ev, pred, prob, &net, &ds, &err) == 0);
    size_t C[9];
    CHECK(eval_confusion(C, y, pred, 6, 3, &err) == 0);
    CHECK(C[0] + C[4] + C[8] == ev.correct);
    for (int j = 0; j < 6; j++)
        CHECK(prob[j] >= 1.0f / 3.0f - 1e-6f && prob[j] <= 1.0f);
    net_free(&net);
}

int main(void)
{
    test_map_classes();
    test_no_predictions();
    test_absent_class();
    test_no_support();
    test_perfect_and_empty();
    test_confusion_errors();
    test_top_wrong();
    test_dataset_agrees();
    return check_done("test_eval");
}
