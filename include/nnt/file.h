/* file.h — whole files: crash-safe saving and size-checked loading. */
#ifndef NNT_FILE_H
#define NNT_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "nnt/err.h"

/* Checks, before any work, that file_save(path) can succeed as far as the file system says now:
 * path is not empty, does not end in '/', is not a folder, its folder exists and this process
 * may create files in it, and its name leaves room for the temporary file's suffix (an existing
 * device or FIFO needs only to be writable). `what` names the output in the message ("the
 * model (-o)"), which names path and the reason. It creates the temporary file file_save would
 * and removes it at once: only that is sure (root passes access(), /proc refuses). */
int file_check_writable(const char *path, const char *what, nnt_err *err);

/* Writes len bytes to a temporary file in path's folder (PATH.nnt-tmp-<pid>-XXXXXX), flushes and
 * fsyncs it and renames it over path: path is replaced by a complete file or not at all, and no
 * temporary file is left behind (unless the process is killed; the next successful save of path
 * removes such files whose pid no longer runs, of this user and of exactly that shape, never
 * another file). The message names path. An existing device or FIFO (/dev/null, a named pipe)
 * is written in place instead: it is a stream, not a file to replace. */
int file_save(const char *path, const void *data, size_t len, nnt_err *err);

/* Reads the regular file path whole into *buf (malloc'd, *len bytes), refusing before it reads
 * anything a FIFO, a device or a file over max_bytes ("... the N-byte limit of <what>"). */
int file_load(uint8_t **buf, size_t *len, const char *path, uint64_t max_bytes, const char *what,
              nnt_err *err);

#endif
