/* brig — base/fdpass.h: file descriptors over AF_UNIX sockets
 * (SCM_RIGHTS, unix(7)).  The parent and the container's init, the
 * --console-socket and the seccomp listenerPath agent all use them. */
#ifndef BRIG_BASE_FDPASS_H
#define BRIG_BASE_FDPASS_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

/* One sendmsg(2) of buf with fd attached (none when fd < 0), without
 * SIGPIPE, retried on EINTR.  Returns the bytes sent (a stream socket may
 * take fewer than len), or -1 with errno set. */
ssize_t brig_send_fd(int sock, const void *buf, size_t len, int fd);

/* One recvmsg(2) into buf; the first descriptor received goes to *fd
 * (close-on-exec; -1 when none came), any other is closed.  Returns the
 * bytes read, 0 at end of file, or -1 with errno set. */
ssize_t brig_recv_fd(int sock, void *buf, size_t len, int *fd);

/* The descriptors of one SCM_RIGHTS control message: the first goes to
 * *fd if fd is not NULL and *fd < 0, every other is closed, so none leaks
 * into a container.  A message of another type is left alone. */
void brig_take_fds(struct cmsghdr *c, int *fd);

#endif
