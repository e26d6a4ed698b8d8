/* export.h — a model written for other tools: numpy's .npz, and an ONNX graph. Both hold W1 as
 * n_h × n_x and W2 as n_y × n_h in row-major (C) order, so that Z1 = W1·X + b1 with one image
 * per column of X (the tutorial's orientation), or Z1 = X·W1ᵀ + b1 with one per row (ONNX's). */
#ifndef NNT_EXPORT_H
#define NNT_EXPORT_H

#include "nnt/err.h"
#include "nnt/model.h"
#include "nnt/wbuf.h"

#define NNT_ONNX_IR_VERSION 7 /* ONNX 1.7 and later read it */
#define NNT_ONNX_OPSET 13     /* Gemm, Sigmoid, Tanh, Relu, LeakyRelu, Softmax(axis) */

/* Writes path as .npz: float32 W1 (n_h, n_x), b1 (n_h, 1), W2 (n_y, n_h), b2 (n_y, 1); unicode
 * classes (n_classes,), and 0-d arrays activation, output ("sigmoid" or "softmax"), meta (the
 * training record), int64 height, width, channels, float32 input_divisor (255) and leaky_slope
 * (0.01). Written whole through a temporary file, like a model. */
int export_npz(const nnt_model *m, const char *path, nnt_err *err);

/* Serialises the ONNX ModelProto into out (zeroed by the caller): input "input" [N, n_x] float,
 * pixels already divided by 255; Gemm(W1, b1, transB) → activation → Gemm(W2, b2, transB) →
 * Sigmoid ([N, 1]: P(class 1)) or Softmax(axis 1) ([N, n_classes]) as output "probabilities".
 * Class names and the input geometry are in metadata_props. name is put in front of messages. */
int export_onnx_encode(nnt_wbuf *out, const nnt_model *m, const char *producer_version,
                       const char *name, nnt_err *err);
/* export_onnx_encode written to path, whole, through a temporary file. */
int export_onnx(const nnt_model *m, const char *path, const char *producer_version, nnt_err *err);

#endif
