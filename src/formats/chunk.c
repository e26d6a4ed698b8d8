/* chunk.c — the model file's container (docs/model-format.md): the file header, tagged chunks and
 * the closing CRC-32, read and written without knowing what the chunks hold (that is model.c's). */
#include <string.h>

#include "nnt/chunk.h"
#include "nnt/le.h"
#include "nnt/wbuf.h"

const uint8_t chunk_magic[8] = {0x89, 'N', 'N', 'T', '\r', '\n', 0x1a, '\n'};

int chunk_tag_valid(const uint8_t *t)
{
    int padding = 0;
    for (int i = 0; i < 4; i++) {
        int letter = (t[i] >= 'A' && t[i] <= 'Z') || (t[i] >= 'a' && t[i] <= 'z');
        if (t[i] == ' ' && i > 0)
            padding = 1;
        else if (!letter || padding)
            return 0;
    }
    return 1;
}

int chunk_tag_is(const uint8_t *t, const char *name) { return memcmp(t, name, 4) == 0; }

int chunk_tag_critical(const uint8_t *t) { return t[0] >= 'A' && t[0] <= 'Z'; }

uint8_t *chunk_put_header(uint8_t *p, const char *tag, uint64_t len)
{
    memcpy(p, tag, 4);
    le_put_u64(p + 4, len);
    return p + CHUNK_HEADER;
}

int chunk_next(const uint8_t **tag, const uint8_t **payload, size_t *len, const uint8_t *p, size_t n,
               size_t *pos, const char *name, nnt_err *err)
{
    size_t at = *pos;
    if (n - at < CHUNK_HEADER)
        return nnt_errf(err, "%s: truncated: no END chunk", name);
    const uint8_t *t = p + at;
    uint64_t clen = le_get_u64(p + at + 4);
    if (!chunk_tag_valid(t))
        return nnt_errf(err, "%s: bad chunk tag %02x %02x %02x %02x at byte %zu", name, t[0], t[1],
                        t[2], t[3], CHUNK_FILE_HEADER + at);
    if (clen > n - at - CHUNK_HEADER)
        return nnt_errf(err, "%s: truncated: chunk %.4s runs past the end of the file", name,
                        (const char *)t);
    *tag = t;
    *payload = p + at + CHUNK_HEADER;
    *len = (size_t)clen;
    *pos = at + CHUNK_HEADER + (size_t)clen;
    return 0;
}

/* The CRC is checked before anything is parsed. When it does not match at the end of the buffer,
 * walk the chunk headers (bounds-checked) to tell a truncated file, bytes appended after a good
 * checksum, and damage apart, so the message says what happened. */
int chunk_check_integrity(const uint8_t *buf, size_t len, uint64_t max_bytes, const char *name,
                          nnt_err *err)
{
    static const uint8_t end_header[CHUNK_HEADER] = {'E', 'N', 'D', ' '}; /* length 0 */
    if (len >= CHUNK_FILE_HEADER + CHUNK_CRC_BYTES &&
        wbuf_crc32(buf, len - CHUNK_CRC_BYTES) == le_get_u32(buf + len - CHUNK_CRC_BYTES))
        return 0;
    size_t pos = CHUNK_FILE_HEADER;
    for (;;) {
        if (len - pos < CHUNK_HEADER)
            break;
        const uint8_t *tag = buf + pos;
        uint64_t clen = le_get_u64(buf + pos + 4);
        /* truncation keeps every complete header intact; a bad tag or absurd length is damage */
        if (!chunk_tag_valid(tag) || clen > max_bytes)
            return nnt_errf(err, "%s: checksum mismatch: the file is damaged", name);
        if (clen > len - pos - CHUNK_HEADER)
            break;
        pos += CHUNK_HEADER + (size_t)clen;
        if (chunk_tag_is(tag, "END ")) {
            if (len - pos < CHUNK_CRC_BYTES)
                break;
            if (len - pos > CHUNK_CRC_BYTES && wbuf_crc32(buf, pos) == le_get_u32(buf + pos))
                return nnt_errf(err, "%s: %zu trailing bytes after the checksum", name,
                                len - pos - CHUNK_CRC_BYTES);
            return nnt_errf(err, "%s: checksum mismatch: the file is damaged", name);
        }
    }
    /* The chunks run past the end: a cut file, or a damaged length field. A file that still ends
     * in an END chunk and a checksum was not cut. */
    if (len >= CHUNK_FILE_HEADER + CHUNK_HEADER + CHUNK_CRC_BYTES &&
        memcmp(buf + len - CHUNK_CRC_BYTES - CHUNK_HEADER, end_header, CHUNK_HEADER) == 0)
        return nnt_errf(err, "%s: checksum mismatch: the file is damaged", name);
    return nnt_errf(err, "%s: truncated: the file ends inside a chunk (%zu bytes)", name, len);
}
