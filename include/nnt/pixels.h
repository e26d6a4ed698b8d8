/* pixels.h — how an 8-bit sample becomes the network's input: the one place pixels turn into floats. */
#ifndef NNT_PIXELS_H
#define NNT_PIXELS_H

#include <stddef.h>
#include <stdint.h>

/* The network sees sample / NNT_PIXEL_DIVISOR, in [0, 1]: numpy's x / 255 in float32. The model
 * file (HEAD), the .npz (input_divisor) and the ONNX graph (metadata) all record this number. */
#define NNT_PIXEL_DIVISOR 255.0f

/* x[i] = p[i] / NNT_PIXEL_DIVISOR for i < n: a division, not a multiplication by 1/255, which
 * differs in the last bit for some samples. Every path into the network calls this. */
void pixels_to_floats(float *x, const uint8_t *p, size_t n);

#endif
