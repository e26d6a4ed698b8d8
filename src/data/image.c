/* image.c — which reader decodes a file: the one its first bytes name (PNG's signature, JPEG's
 * FF D8 FF), never its file name, so PNG and JPEG mix in a folder and a JPEG named .png loads;
 * what anything else is, for the message; and what a name says, for the dataset scan. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nnt/image.h"

static const uint8_t png_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

/* Image formats nnt knows by their first bytes or their names but does not read: the scan
 * counts them as "unsupported", and a file of one gets a message naming its format. */
static const struct {
    const char *name;   /* for messages */
    const char *ext[3]; /* lower case, with the dot */
    const char *magic;  /* the first bytes; NULL: told by name only */
    size_t n_magic;
} other_formats[] = {
    {"GIF", {".gif"}, "GIF8", 4},
    {"BMP", {".bmp", ".dib"}, "BM", 2},
    {"WebP", {".webp"}, NULL, 0}, /* RIFF....WEBP: checked apart, its magic has a gap */
    {"TIFF", {".tif", ".tiff"}, "II*\0", 4},
    {"TIFF", {".tif", ".tiff"}, "MM\0*", 4},
    {"JPEG 2000", {".jp2", ".j2k", ".jpx"}, "\0\0\0\x0cjP  ", 8},
    {"JPEG XL", {".jxl"}, "\xff\x0a", 2},
    {"HEIF/AVIF", {".heic", ".heif", ".avif"}, NULL, 0},
    {"ICO", {".ico"}, "\0\0\1\0", 4},
    {"PNM", {".ppm", ".pgm", ".pbm"}, NULL, 0},
    {"PNM", {".pnm", ".pam"}, NULL, 0},
    {"SVG", {".svg"}, NULL, 0},
    {"TGA", {".tga"}, NULL, 0},
    {"PSD", {".psd"}, "8BPS", 4},
};
#define N_OTHER (sizeof other_formats / sizeof other_formats[0])

nnt_image_name img_name_kind(const char *name, const char **ext)
{
    const char *dot = strrchr(name, '.');
    if (ext)
        *ext = NULL;
    if (!dot || dot == name)
        return NNT_NAME_OTHER;
    if (strcasecmp(dot, ".png") == 0 || strcasecmp(dot, ".jpg") == 0 || strcasecmp(dot, ".jpeg") == 0)
        return NNT_NAME_IMAGE;
    for (size_t i = 0; i < N_OTHER; i++)
        for (int k = 0; k < 3 && other_formats[i].ext[k]; k++)
            if (strcasecmp(dot, other_formats[i].ext[k]) == 0) {
                if (ext)
                    *ext = other_formats[i].ext[k];
                return NNT_NAME_UNSUPPORTED;
            }
    return NNT_NAME_OTHER;
}

/* The format of a file that is not PNG or JPEG, from its first bytes and the next few, or NULL. */
static const char *other_format(FILE *fp, const uint8_t *head, size_t n)
{
    uint8_t b[12];
    memcpy(b, head, n);
    n += fread(b + n, 1, sizeof b - n, fp);
    if (n >= 12 && memcmp(b, "RIFF", 4) == 0 && memcmp(b + 8, "WEBP", 4) == 0)
        return "WebP";
    if (n >= 12 && memcmp(b + 4, "ftyp", 4) == 0 &&
        (memcmp(b + 8, "avif", 4) == 0 || memcmp(b + 8, "heic", 4) == 0 || memcmp(b + 8, "mif1", 4) == 0))
        return "HEIF/AVIF";
    for (size_t i = 0; i < N_OTHER; i++)
        if (other_formats[i].magic && n >= other_formats[i].n_magic &&
            memcmp(b, other_formats[i].magic, other_formats[i].n_magic) == 0)
            return other_formats[i].name;
    return NULL;
}

typedef enum { FORMAT_NONE, FORMAT_PNG, FORMAT_JPEG } image_format;

/* Opens path and reads its first bytes into f; 0 and *format when a reader takes them. */
static int open_image(nnt_image_file *f, image_format *format, const char *path, nnt_err *err)
{
    memset(f, 0, sizeof *f);
    f->path = path;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return nnt_errf(err, "%s: cannot open: %s", path, strerror(errno));
    size_t n = fread(f->head, 1, sizeof f->head, fp);
    const char *what;
    if (n == 0 && ferror(fp))
        nnt_errf(err, "%s: read error: %s", path, strerror(errno));
    else if (n == 0)
        nnt_errf(err, "%s: empty file", path);
    else if (n == 8 && memcmp(f->head, png_signature, 8) == 0) {
        *format = FORMAT_PNG;
    } else if (n >= 3 && f->head[0] == 0xff && f->head[1] == 0xd8 && f->head[2] == 0xff) {
        *format = FORMAT_JPEG;
    } else if ((what = other_format(fp, f->head, n)) != NULL)
        nnt_errf(err, "%s: not a PNG or JPEG image (a %s file, which nnt does not read)", path, what);
    else
        nnt_errf(err, "%s: not a PNG or JPEG image", path);
    if (*format != FORMAT_NONE && !ferror(fp)) {
        f->fp = fp;
        f->n_head = n;
        return 0;
    }
    fclose(fp);
    return -1;
}

int img_probe(nnt_image_info *info, const char *path, uint64_t max_pixels, nnt_err *err)
{
    memset(info, 0, sizeof *info);
    nnt_image_file f;
    image_format format = FORMAT_NONE;
    if (open_image(&f, &format, path, err))
        return -1;
    int rc = format == FORMAT_PNG ? img_png_probe(info, &f, max_pixels, err)
                                  : img_jpeg_probe(info, &f, max_pixels, err);
    fclose(f.fp);
    if (rc)
        memset(info, 0, sizeof *info);
    return rc;
}

int img_load(nnt_image *img, const char *path, int channels, uint64_t max_pixels, nnt_err *err)
{
    memset(img, 0, sizeof *img);
    if (channels != 0 && channels != 1 && channels != 3)
        return nnt_errf(err, "%s: cannot decode to %d channels (0, 1 or 3)", path, channels);
    nnt_image_file f;
    image_format format = FORMAT_NONE;
    if (open_image(&f, &format, path, err))
        return -1;
    int rc = format == FORMAT_PNG ? img_png_load(img, &f, channels, max_pixels, err)
                                  : img_jpeg_load(img, &f, channels, max_pixels, err);
    fclose(f.fp);
    return rc;
}

void img_free(nnt_image *img)
{
    if (!img)
        return;
    free(img->pixels);
    memset(img, 0, sizeof *img);
}
