/* png.c — PNG files through libpng, hardened against hostile input: header probing, decoding of
 * every colour type and depth to 8-bit gray or RGB (16-bit samples scaled down by libpng's
 * png_set_scale_16, palettes expanded, alpha dropped), and writing (encoded in memory, then saved
 * whole by file_save: a chart or mosaic is replaced complete or not at all). */
#include <errno.h>
#include <inttypes.h>
#include <png.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nnt/image.h"
#include "nnt/wbuf.h"

/* Upper bound on what libpng may allocate for one ancillary chunk (its own default is 8000000). */
#define IMG_CHUNK_MALLOC_MAX ((png_alloc_size_t)8 << 20)

/* The IHDR chunk as it follows the signature: length, type, 13 bytes of data, CRC. */
#define IMG_IHDR_CHUNK_BYTES (4 + 4 + 13 + 4)

/* Everything libpng's callbacks need, one per png struct: all state lives here, so concurrent
 * calls from several threads share nothing. */
typedef struct img_io {
    FILE *fp;          /* reading */
    nnt_wbuf *out;     /* writing: the encoded file, saved whole at the end */
    const char *path;
    nnt_err *err;
    size_t n_read;     /* bytes handed to libpng, counting the signature */
    size_t stop_at;    /* img_probe: stop libpng once this many bytes are read (0: never) */
    int stopped;       /* set when the stop above, not an error, ended png_read_info */
    char reason[192];  /* our own reasons, formatted here and raised through png_error */
    char warning[192]; /* libpng's last warning, often the detail of the error that follows */
} img_io;

static void on_png_error(png_structp png, png_const_charp msg)
{
    img_io *io = png_get_error_ptr(png);
    if (!msg)
        msg = "libpng error";
    /* e.g. "Invalid IHDR data" comes right after the warning that says which field is wrong. */
    if (io->warning[0])
        nnt_errf(io->err, "%s: %s (%s)", io->path, msg, io->warning);
    else
        nnt_errf(io->err, "%s: %s", io->path, msg);
    png_longjmp(png, 1);
}

/* Library code never prints: a warning is only kept to explain an error that may follow. */
static void on_png_warning(png_structp png, png_const_charp msg)
{
    img_io *io = png_get_error_ptr(png);
    snprintf(io->warning, sizeof io->warning, "%s", msg ? msg : "");
}

/* Raises a formatted reason through libpng, so it unwinds like any libpng error. */
static _Noreturn void raise_error(png_structp png, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static _Noreturn void raise_error(png_structp png, const char *fmt, ...)
{
    img_io *io = png_get_error_ptr(png);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(io->reason, sizeof io->reason, fmt, ap);
    va_end(ap);
    png_error(png, io->reason);
}

static void on_png_read(png_structp png, png_bytep buf, size_t len)
{
    img_io *io = png_get_io_ptr(png);
    if (io->stop_at != 0 && io->n_read >= io->stop_at) {
        io->stopped = 1;
        png_longjmp(png, 1);
    }
    size_t got = fread(buf, 1, len, io->fp);
    size_t start = io->n_read;
    io->n_read += got;
    if (got != len) {
        if (ferror(io->fp))
            raise_error(png, "read error: %s", strerror(errno));
        raise_error(png, "file is truncated (ends after %zu bytes)", io->n_read);
    }
    /* The first chunk's type, bytes 12-15: libpng would skip ancillary chunks before IHDR (we
     * ignore them all), so img_load would accept what img_probe, which reads 33 bytes, refuses. */
    if (start <= 12 && io->n_read >= 16 && memcmp(buf + (12 - start), "IHDR", 4) != 0)
        raise_error(png, "the first chunk is not IHDR");
}

static void on_png_write(png_structp png, png_bytep buf, size_t len)
{
    img_io *io = png_get_io_ptr(png);
    wbuf_put(io->out, buf, len);
    if (io->out->failed)
        raise_error(png, "out of memory");
}

/* Nothing reaches the file before file_save: nothing to flush. */
static void on_png_flush(png_structp png)
{
    (void)png;
}

/* The stream after the signature, which image.c has read and recognised. */
static void init_io(img_io *io, nnt_image_file *f, nnt_err *err)
{
    memset(io, 0, sizeof *io);
    io->path = f->path;
    io->err = err;
    io->fp = f->fp;
    io->n_read = 8;
}

static png_structp new_reader(img_io *io)
{
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, io, on_png_error, on_png_warning);
    if (!png)
        nnt_errf(io->err, "%s: cannot start libpng (out of memory)", io->path);
    return png;
}

/* The reader's hardening, shared by img_probe and img_load; call it under setjmp. */
static void configure_reader(png_structp png, img_io *io)
{
    png_set_read_fn(png, io, on_png_read);
    png_set_sig_bytes(png, 8);
    /* --max-pixels is the size limit, with its own message; libpng's default cap of 10^6 per
     * side would reject legal 1 × 2000000 strips that fit under it. */
    png_set_user_limits(png, PNG_UINT_31_MAX, PNG_UINT_31_MAX);
    png_set_chunk_malloc_max(png, IMG_CHUNK_MALLOC_MAX);
    /* A damaged chunk of any kind means a damaged file; by default libpng only warns about
     * ancillary CRCs and about "benign" errors, such as a bad Adler-32 read after the last row. */
    png_set_crc_action(png, PNG_CRC_ERROR_QUIT, PNG_CRC_ERROR_QUIT);
    png_set_benign_errors(png, 0);
    /* We use no ancillary chunk (alpha is dropped, gamma, cHRM and ICC profiles are ignored), so
     * libpng skips them all unparsed, CRC still checked: a zTXt or iCCP decompression bomb is
     * never inflated, and cHRM cannot change png_set_rgb_to_gray's default weights. Of the
     * ancillary chunks libpng still reads only tRNS, whose alpha strip_alpha discards. */
    png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, NULL, -1);
}

static int file_channels(int color_type)
{
    return (color_type & PNG_COLOR_MASK_COLOR) ? 3 : 1;
}

/* Formats the pixel-cap message into io->reason; returns 0 when the size is within the cap. */
static int over_pixel_cap(img_io *io, uint32_t width, uint32_t height, uint64_t max_pixels)
{
    if ((uint64_t)width * height <= max_pixels)
        return 0;
    snprintf(io->reason, sizeof io->reason,
             "image is %" PRIu32 "x%" PRIu32 ", over the limit of %" PRIu64 " pixels (--max-pixels)",
             width, height, max_pixels);
    return 1;
}

static int probe_stream(nnt_image_info *info, img_io *io, uint64_t max_pixels)
{
    png_structp png = new_reader(io);
    if (!png)
        return -1;
    png_infop pinfo = png_create_info_struct(png);
    if (!pinfo) {
        png_destroy_read_struct(&png, NULL, NULL);
        return nnt_errf(io->err, "%s: out of memory", io->path);
    }
    /* The read callback ends png_read_info by longjmp as soon as libpng asks for the chunk after
     * IHDR: by then IHDR is parsed, CRC-checked and validated, and nothing else is read. */
    io->stop_at = 8 + IMG_IHDR_CHUNK_BYTES;
    if (setjmp(png_jmpbuf(png)) == 0) {
        configure_reader(png, io);
        png_read_info(png, pinfo);
        io->stopped = 1; /* not reached: png_read_info asks for the chunk after IHDR */
    }
    if (!io->stopped) {
        png_destroy_read_struct(&png, &pinfo, NULL);
        return -1; /* on_png_error has filled the message */
    }
    uint32_t width = png_get_image_width(png, pinfo);
    uint32_t height = png_get_image_height(png, pinfo);
    int color_type = png_get_color_type(png, pinfo);
    png_destroy_read_struct(&png, &pinfo, NULL);
    if (width == 0 || height == 0) /* cannot happen: libpng rejects such an IHDR */
        return nnt_errf(io->err, "%s: no valid IHDR chunk", io->path);
    if (over_pixel_cap(io, width, height, max_pixels))
        return nnt_errf(io->err, "%s: %s", io->path, io->reason);
    info->width = width;
    info->height = height;
    info->channels = file_channels(color_type);
    return 0;
}

int img_png_probe(nnt_image_info *info, nnt_image_file *f, uint64_t max_pixels, nnt_err *err)
{
    img_io io;
    init_io(&io, f, err);
    return probe_stream(info, &io, max_pixels);
}

static int decode_stream(nnt_image *img, img_io *io, int want_channels, uint64_t max_pixels)
{
    png_structp png = new_reader(io);
    if (!png)
        return -1;
    png_infop info = png_create_info_struct(png);
    if (!info) {
        png_destroy_read_struct(&png, NULL, NULL);
        return nnt_errf(io->err, "%s: out of memory", io->path);
    }
    /* Assigned after setjmp and freed after longjmp: volatile, or their values are indeterminate. */
    uint8_t *volatile pixels = NULL;
    png_bytep *volatile rows = NULL;
    if (setjmp(png_jmpbuf(png))) {
        free(rows);
        free(pixels);
        png_destroy_read_struct(&png, &info, NULL);
        return -1; /* on_png_error has filled the message */
    }
    configure_reader(png, io);
    png_read_info(png, info);

    png_uint_32 width, height;
    int depth, color_type;
    png_get_IHDR(png, info, &width, &height, &depth, &color_type, NULL, NULL, NULL);
    /* Before png_read_update_info, which allocates libpng's row buffers. */
    if (over_pixel_cap(io, width, height, max_pixels))
        png_error(png, io->reason);

    int have = file_channels(color_type);
    int channels = want_channels ? want_channels : have;
    if (color_type == PNG_COLOR_TYPE_PALETTE)
        png_set_palette_to_rgb(png);
    if (color_type == PNG_COLOR_TYPE_GRAY && depth < 8)
        png_set_expand_gray_1_2_4_to_8(png);
    if (depth == 16)
        png_set_scale_16(png);
    png_set_strip_alpha(png);
    if (channels == 3 && have == 1)
        png_set_gray_to_rgb(png);
    if (channels == 1 && have == 3)
        png_set_rgb_to_gray_fixed(png, PNG_ERROR_ACTION_NONE, -1, -1);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);

    size_t row_bytes, n_bytes, n_row_ptrs;
    if (nnt_mul_size(&row_bytes, width, (size_t)channels) || nnt_mul_size(&n_bytes, row_bytes, height) ||
        nnt_mul_size(&n_row_ptrs, height, sizeof(png_bytep)))
        png_error(png, "image too large for this machine");
    if (png_get_bit_depth(png, info) != 8 || png_get_channels(png, info) != channels ||
        png_get_rowbytes(png, info) != row_bytes)
        raise_error(png, "libpng produced %d-bit x %d channels, %zu bytes per row; expected 8-bit x %d, %zu",
                    png_get_bit_depth(png, info), png_get_channels(png, info), png_get_rowbytes(png, info),
                    channels, row_bytes);

    pixels = malloc(n_bytes);
    rows = malloc(n_row_ptrs);
    if (!pixels || !rows)
        png_error(png, "out of memory");
    for (size_t y = 0; y < height; y++)
        rows[y] = pixels + y * row_bytes;
    png_read_image(png, rows);
    /* Reads the rest, through IEND: damage or truncation after the pixel data must fail too. */
    png_read_end(png, info);

    free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    img->width = width;
    img->height = height;
    img->channels = channels;
    img->pixels = pixels;
    return 0;
}

int img_png_load(nnt_image *img, nnt_image_file *f, int channels, uint64_t max_pixels, nnt_err *err)
{
    img_io io;
    init_io(&io, f, err);
    return decode_stream(img, &io, channels, max_pixels);
}

static int write_stream(img_io *io, const nnt_image *img, size_t row_bytes)
{
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, io, on_png_error, on_png_warning);
    if (!png)
        return nnt_errf(io->err, "%s: cannot start libpng (out of memory)", io->path);
    png_infop info = png_create_info_struct(png);
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        return nnt_errf(io->err, "%s: out of memory", io->path);
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return -1; /* on_png_error has filled the message */
    }
    static const int color_types[5] = {0, PNG_COLOR_TYPE_GRAY, 0, PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGB_ALPHA};
    png_set_write_fn(png, io, on_png_write, on_png_flush);
    png_set_IHDR(png, info, img->width, img->height, 8, color_types[img->channels], PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (size_t y = 0; y < img->height; y++)
        png_write_row(png, img->pixels + y * row_bytes);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    return 0;
}

int img_write_png(const char *path, const nnt_image *img, nnt_err *err)
{
    if (!img->pixels || img->width == 0 || img->height == 0 || img->width > PNG_UINT_31_MAX ||
        img->height > PNG_UINT_31_MAX || (img->channels != 1 && img->channels != 3 && img->channels != 4))
        return nnt_errf(err, "%s: cannot write a %" PRIu32 "x%" PRIu32 " image of %d channels as PNG", path,
                        img->width, img->height, img->channels);
    size_t row_bytes;
    if (nnt_mul_size(&row_bytes, img->width, (size_t)img->channels))
        return nnt_errf(err, "%s: image too large", path);
    nnt_wbuf out = {0};
    img_io io = {.path = path, .err = err, .out = &out};
    int rc = write_stream(&io, img, row_bytes);
    if (rc == 0)
        rc = wbuf_save(&out, path, err);
    wbuf_free(&out);
    return rc;
}
