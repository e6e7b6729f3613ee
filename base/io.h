/* brig — base/io.h: write a whole buffer, read a whole file or descriptor.
 * Both retry on EINTR; on failure they return -1 / NULL with errno set. */
#ifndef BRIG_BASE_IO_H
#define BRIG_BASE_IO_H

#include <stddef.h>

/* Write all of buf, however many write(2) calls it takes. */
int brig_write_all(int fd, const void *buf, size_t len);
/* Read to end of file; the result is NUL-terminated, *len (if not NULL)
 * is its length without the NUL.  The caller frees it. */
char *brig_read_file(const char *path, size_t *len);
char *brig_read_fd(int fd, size_t *len);

#endif
