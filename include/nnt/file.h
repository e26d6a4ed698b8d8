/* file.h — whole files: crash-safe saving and size-checked loading. */
#ifndef NNT_FILE_H
#define NNT_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "nnt/err.h"

/* Writes len bytes to a temporary file in path's folder, flushes and fsyncs it and renames it
 * over path: path is replaced by a complete file or not at all, and no temporary file is left
 * behind. The message names path. An existing device or FIFO (/dev/null, a named pipe) is
 * written in place instead: it is a stream, not a file to replace. */
int file_save(const char *path, const void *data, size_t len, nnt_err *err);

/* Reads the regular file path whole into *buf (malloc'd, *len bytes), refusing before it reads
 * anything a FIFO, a device or a file over max_bytes ("... the N-byte limit of <what>"). */
int file_load(uint8_t **buf, size_t *len, const char *path, uint64_t max_bytes, const char *what,
              nnt_err *err);

#endif
