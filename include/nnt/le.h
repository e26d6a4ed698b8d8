/* le.h — little-endian bytes, the byte order of every file nnt writes (model, npz, ONNX): written
 * and read with shifts, so the host's byte order never shows. */
#ifndef NNT_LE_H
#define NNT_LE_H

#include <stdint.h>
#include <string.h>

_Static_assert(sizeof(float) == 4, "le_put_f32 writes binary32");

/* v as its n ≤ 8 low bytes at p, least significant first. */
static inline void le_put(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline void le_put_u32(uint8_t *p, uint32_t v) { le_put(p, v, 4); }
static inline void le_put_u64(uint8_t *p, uint64_t v) { le_put(p, v, 8); }

/* f's IEEE-754 bits as a u32. */
static inline void le_put_f32(uint8_t *p, float f)
{
    uint32_t v;
    memcpy(&v, &f, 4);
    le_put_u32(p, v);
}

static inline uint32_t le_get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t le_get_u64(const uint8_t *p)
{
    return (uint64_t)le_get_u32(p) | (uint64_t)le_get_u32(p + 4) << 32;
}

static inline float le_get_f32(const uint8_t *p)
{
    uint32_t v = le_get_u32(p);
    float f;
    memcpy(&f, &v, 4);
    return f;
}

#endif
