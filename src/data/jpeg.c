/* jpeg.c — JPEG files through libjpeg-turbo, hardened as png.c is: header probing, and decoding
 * of gray, YCbCr/RGB and CMYK/YCCK files (baseline, progressive, arithmetic-coded) to 8-bit gray
 * or RGB by the rules png.c's libpng follows, so one image as PNG and as JPEG becomes the same
 * pixels. libjpeg's fatal errors come back through a longjmp and every warning of damage is an
 * error too: a JPEG has no checksum, and what libjpeg pads or resyncs over is not the image. */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h> /* before jpeglib.h, which uses FILE */
#include <stdlib.h>
#include <string.h>

#include <jerror.h>
#include <jpeglib.h>

#include "nnt/image.h"

/* Scans one file may have: a progressive file has about ten, and each scan is a pass over the
 * whole coefficient buffer, so a few thousand empty ones would make a tiny file a slow one. */
#define JPEG_MAX_SCANS 500

/* Everything libjpeg's callbacks need, one per decode: concurrent decodes share nothing. */
typedef struct jpeg_io {
    struct jpeg_decompress_struct cinfo;
    struct jpeg_error_mgr jerr;
    struct jpeg_source_mgr src;
    struct jpeg_progress_mgr progress;
    jmp_buf jmp;
    nnt_image_file *f;
    nnt_err *err;
    int head_given; /* f->head has been handed to libjpeg */
    size_t n_read;  /* bytes handed to libjpeg */
    uint8_t buf[4096];
} jpeg_io;

static jpeg_io *io_of(j_common_ptr cinfo)
{
    return cinfo->client_data;
}

static _Noreturn void fail(jpeg_io *io, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* The file's name, then the reason; unwinds to the setjmp of the decode. */
static _Noreturn void fail(jpeg_io *io, const char *fmt, ...)
{
    char reason[JMSG_LENGTH_MAX + 64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    nnt_errf(io->err, "%s: %s", io->f->path, reason);
    longjmp(io->jmp, 1);
}

static _Noreturn void on_error(j_common_ptr cinfo)
{
    char msg[JMSG_LENGTH_MAX];
    cinfo->err->format_message(cinfo, msg);
    fail(io_of(cinfo), "%s", msg);
}

/* level < 0 is a warning, level ≥ 0 trace output (never printed: library code does not print).
 * A warning is the decoder saying it padded, skipped or resynchronised over damage ("Corrupt JPEG
 * data: ...", an inconsistent progression): the pixels would not be the file's, so it fails the
 * decode. Two say nothing about the pixels and are let through: an unknown JFIF revision and an
 * unknown Adobe transform code (libjpeg then takes the usual one). */
static void on_message(j_common_ptr cinfo, int level)
{
    int code = cinfo->err->msg_code;
    if (level >= 0 || code == JWRN_JFIF_MAJOR || code == JWRN_ADOBE_XFORM)
        return;
    on_error(cinfo);
}

static void on_progress(j_common_ptr cinfo)
{
    j_decompress_ptr d = (j_decompress_ptr)cinfo;
    if (d->input_scan_number > JPEG_MAX_SCANS)
        fail(io_of(cinfo), "more than %d scans", JPEG_MAX_SCANS);
}

static void on_init_source(j_decompress_ptr cinfo)
{
    (void)cinfo;
}

/* The first bytes image.c read, then the file. At its end the file is truncated: libjpeg's own
 * stdio source would warn, insert an EOI and decode gray padding; this fails instead. */
static boolean on_fill_input(j_decompress_ptr cinfo)
{
    jpeg_io *io = io_of((j_common_ptr)cinfo);
    if (!io->head_given) {
        io->head_given = 1;
        cinfo->src->next_input_byte = io->f->head;
        cinfo->src->bytes_in_buffer = io->f->n_head;
        io->n_read += io->f->n_head;
        return TRUE;
    }
    size_t got = fread(io->buf, 1, sizeof io->buf, io->f->fp);
    if (got == 0) {
        if (ferror(io->f->fp))
            fail(io, "read error: %s", strerror(errno));
        fail(io, "file is truncated (ends after %zu bytes)", io->n_read);
    }
    io->n_read += got;
    cinfo->src->next_input_byte = io->buf;
    cinfo->src->bytes_in_buffer = got;
    return TRUE;
}

static void on_skip_input(j_decompress_ptr cinfo, long n)
{
    struct jpeg_source_mgr *src = cinfo->src;
    if (n <= 0)
        return;
    while ((size_t)n > src->bytes_in_buffer) {
        n -= (long)src->bytes_in_buffer;
        src->bytes_in_buffer = 0;
        on_fill_input(cinfo);
    }
    src->next_input_byte += n;
    src->bytes_in_buffer -= (size_t)n;
}

static void on_term_source(j_decompress_ptr cinfo)
{
    (void)cinfo;
}

/* libjpeg set up to read f, under the setjmp of the caller. */
static void start_reader(jpeg_io *io, nnt_image_file *f, nnt_err *err)
{
    io->f = f;
    io->err = err;
    io->cinfo.err = jpeg_std_error(&io->jerr);
    io->jerr.error_exit = on_error;
    io->jerr.emit_message = on_message;
    io->cinfo.client_data = io; /* before: jpeg_create_decompress may fail, and keeps it */
    jpeg_create_decompress(&io->cinfo);
    io->src.init_source = on_init_source;
    io->src.fill_input_buffer = on_fill_input;
    io->src.skip_input_data = on_skip_input;
    io->src.resync_to_restart = jpeg_resync_to_restart;
    io->src.term_source = on_term_source;
    io->cinfo.src = &io->src;
    io->progress.progress_monitor = on_progress;
    io->cinfo.progress = &io->progress;
}

/* Reads the markers up to the first scan and checks what they declare, before jpeg_start_decompress
 * allocates anything of the image's size; returns the file's channels (1 or 3). */
static int read_header(jpeg_io *io, uint64_t max_pixels)
{
    j_decompress_ptr c = &io->cinfo;
    jpeg_read_header(c, TRUE); /* TRUE: a tables-only file is an error */
    if ((uint64_t)c->image_width * c->image_height > max_pixels)
        fail(io, "image is %ux%u, over the limit of %" PRIu64 " pixels (--max-pixels)",
             (unsigned)c->image_width, (unsigned)c->image_height, max_pixels);
    switch (c->jpeg_color_space) {
    case JCS_GRAYSCALE: return 1;
    case JCS_YCbCr:
    case JCS_RGB:
    case JCS_CMYK:
    case JCS_YCCK: return 3;
    default:
        fail(io, "unsupported JPEG colour space (%d components, colour space %d)", c->num_components,
             (int)c->jpeg_color_space);
    }
}

/* libpng's png_set_rgb_to_gray_fixed with its default weights (Rec. 709, 6968, 23434 and 2366 of
 * 2^15, truncated; a gray pixel stays itself), which png.c asks for: the same rule for both. */
static uint8_t gray_of(const uint8_t *rgb)
{
    if (rgb[0] == rgb[1] && rgb[0] == rgb[2])
        return rgb[0];
    return (uint8_t)((6968u * rgb[0] + 23434u * rgb[1] + 2366u * rgb[2]) >> 15);
}

/* round(a · b / 255) for bytes, exactly */
static uint8_t mul255(unsigned a, unsigned b)
{
    unsigned t = a * b + 128;
    return (uint8_t)((t + (t >> 8)) >> 8);
}

/* One decoded row (libjpeg's output, `in_channels` per pixel) into `channels` per pixel. CMYK
 * becomes RGB as R = (1 − C)(1 − K) and so on; files with an Adobe marker (Photoshop's, and
 * libjpeg's own for CMYK and YCCK) store the samples inverted, 255 − C, as libjpeg hands them. */
static void convert_row(uint8_t *out, const uint8_t *in, size_t width, int in_channels,
                        int channels, int inverted)
{
    for (size_t x = 0; x < width; x++, in += in_channels) {
        uint8_t rgb[3];
        if (in_channels == 1) {
            rgb[0] = rgb[1] = rgb[2] = in[0];
        } else if (in_channels == 3) {
            memcpy(rgb, in, 3);
        } else {
            unsigned k = inverted ? in[3] : 255u - in[3];
            for (int i = 0; i < 3; i++)
                rgb[i] = mul255(inverted ? in[i] : 255u - in[i], k);
        }
        if (channels == 1)
            *out++ = in_channels == 1 ? in[0] : gray_of(rgb);
        else {
            memcpy(out, rgb, 3);
            out += 3;
        }
    }
}

static int decode(nnt_image *img, jpeg_io *io, int want_channels, uint64_t max_pixels)
{
    /* Assigned after setjmp and freed after longjmp: volatile, or their values are indeterminate. */
    uint8_t *volatile pixels = NULL;
    uint8_t *volatile row = NULL;
    if (setjmp(io->jmp)) {
        jpeg_destroy_decompress(&io->cinfo);
        free(pixels);
        free(row);
        return -1; /* fail() has filled the message */
    }
    j_decompress_ptr c = &io->cinfo;
    start_reader(io, io->f, io->err);
    int have = read_header(io, max_pixels);
    int channels = want_channels ? want_channels : have;
    int cmyk = c->jpeg_color_space == JCS_CMYK || c->jpeg_color_space == JCS_YCCK;
    c->out_color_space = have == 1 ? JCS_GRAYSCALE : cmyk ? JCS_CMYK : JCS_RGB;
    int in_channels = have == 1 ? 1 : cmyk ? 4 : 3;
    jpeg_start_decompress(c);
    if (c->output_width != c->image_width || c->output_height != c->image_height ||
        c->output_components != in_channels)
        fail(io, "libjpeg produced %ux%u x %d channels; expected %ux%u x %d", (unsigned)c->output_width,
             (unsigned)c->output_height, c->output_components, (unsigned)c->image_width,
             (unsigned)c->image_height, in_channels);
    size_t width = c->output_width, height = c->output_height, row_bytes, n_bytes, in_bytes;
    if (nnt_mul_size(&row_bytes, width, (size_t)channels) || nnt_mul_size(&n_bytes, row_bytes, height) ||
        nnt_mul_size(&in_bytes, width, (size_t)in_channels))
        fail(io, "image too large for this machine");
    pixels = malloc(n_bytes);
    row = malloc(in_bytes);
    if (!pixels || !row)
        fail(io, "out of memory");
    while (c->output_scanline < height) {
        size_t y = c->output_scanline;
        JSAMPROW rows[1] = {row};
        if (jpeg_read_scanlines(c, rows, 1) != 1)
            fail(io, "no row %zu from libjpeg", y); /* cannot happen: our source never suspends */
        convert_row(pixels + y * row_bytes, row, width, in_channels, channels, c->saw_Adobe_marker);
    }
    /* Reads the rest, through EOI: damage or truncation after the last row must fail too. */
    jpeg_finish_decompress(c);
    jpeg_destroy_decompress(c);
    free(row);
    img->width = (uint32_t)width;
    img->height = (uint32_t)height;
    img->channels = channels;
    img->pixels = pixels;
    return 0;
}

static int probe(nnt_image_info *info, jpeg_io *io, uint64_t max_pixels)
{
    if (setjmp(io->jmp)) {
        jpeg_destroy_decompress(&io->cinfo);
        return -1;
    }
    start_reader(io, io->f, io->err);
    int have = read_header(io, max_pixels);
    info->width = io->cinfo.image_width;
    info->height = io->cinfo.image_height;
    info->channels = have;
    jpeg_destroy_decompress(&io->cinfo);
    return 0;
}

int img_jpeg_probe(nnt_image_info *info, nnt_image_file *f, uint64_t max_pixels, nnt_err *err)
{
    jpeg_io *io = calloc(1, sizeof *io);
    if (!io)
        return nnt_errf(err, "%s: out of memory", f->path);
    io->f = f;
    io->err = err;
    int rc = probe(info, io, max_pixels);
    free(io);
    return rc;
}

int img_jpeg_load(nnt_image *img, nnt_image_file *f, int channels, uint64_t max_pixels, nnt_err *err)
{
    jpeg_io *io = calloc(1, sizeof *io);
    if (!io)
        return nnt_errf(err, "%s: out of memory", f->path);
    io->f = f;
    io->err = err;
    int rc = decode(img, io, channels, max_pixels);
    free(io);
    return rc;
}
