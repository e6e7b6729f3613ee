/* brig — runtime/channel.c: typed messages between the parent and the
 * container's init over a SOCK_SEQPACKET socketpair, with an optional file
 * descriptor (SCM_RIGHTS); and the --console-socket protocol. */
#include "runtime.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/fdpass.h"

#define CHAN_MAX (256 * 1024)

struct chan_hdr {
	uint32_t type;
	uint32_t len;
};

static int send_with_fd(int sock, const void *buf, size_t len, int fd)
{
	ssize_t r;

	/* Without a descriptor, write(2): the init and exec's process send
	 * after their seccomp filter is loaded, and a profile that lets a
	 * program run at all allows write, not always sendmsg. */
	if (fd < 0) {
		do
			r = write(sock, buf, len);
		while (r < 0 && errno == EINTR);
		return r < 0 ? -1 : 0;
	}
	return brig_send_fd(sock, buf, len, fd) < 0 ? -1 : 0;
}

int chan_send(int sock, enum chan_type t, const char *data, int fd)
{
	size_t dlen = data ? strlen(data) : 0;
	if (dlen > CHAN_MAX - sizeof(struct chan_hdr))
		dlen = CHAN_MAX - sizeof(struct chan_hdr);
	cleanup_free char *buf = xmalloc(sizeof(struct chan_hdr) + dlen);
	struct chan_hdr h = {.type = t, .len = (uint32_t)dlen};

	memcpy(buf, &h, sizeof(h));
	if (dlen)
		memcpy(buf + sizeof(h), data, dlen);
	return send_with_fd(sock, buf, sizeof(h) + dlen, fd);
}

/* CHAN_ERROR carries "<errno> <kind> <text>": the parent's error gets the
 * child's errno and kind with its words.  The stub (stub.c) writes the
 * same. */
int chan_send_error(int sock, const brig_error_t *err)
{
	cleanup_free char *data = xasprintf("%d %d %s", err ? err->code : 0,
					    err ? (int)err->kind : 0,
					    err ? err->msg : "unknown error");
	return chan_send(sock, CHAN_ERROR, data, -1);
}

/* A decimal number of at most max_digits digits then a space, at *p. */
static bool take_number(const char **p, int max_digits, int *out)
{
	const char *s = *p;
	int v = 0, n = 0;

	while (*s >= '0' && *s <= '9' && n < max_digits) {
		v = v * 10 + (*s++ - '0');
		n++;
	}
	if (n == 0 || *s != ' ')
		return false;
	*out = v;
	*p = s + 1;
	return true;
}

int chan_error(const char *data, const char *fallback, brig_error_t **err)
{
	const char *text = data;
	int code = 0, kind = 0;

	if (data == NULL)
		return brig_err(err, 0, "%s", fallback);
	/* The sender is brig's own child until it execs, but the numbers are
	 * bounded all the same: an errno the kernel could give and a kind we
	 * know, or none.  Without them (not brig's framing), the text alone. */
	if (!take_number(&text, 4, &code) || !take_number(&text, 2, &kind)) {
		text = data;
		code = kind = 0;
	}
	if (code > 4095)
		code = 0;
	if (kind >= BRIG_E_KIND_COUNT)
		kind = BRIG_E_OTHER;
	return brig_err_set(err, code, (enum brig_err_kind)kind, text);
}

int chan_recv(int sock, char **data, int *fd)
{
	return chan_recv_from(sock, data, fd, NULL);
}

int chan_recv_from(int sock, char **data, int *fd, pid_t *from)
{
	/* static: no mmap and munmap of a large buffer for each message
	 * (the init reads GO under its seccomp filter); only the pages a
	 * message fills are ever touched */
	static char buf[CHAN_MAX];
	struct iovec iov = {.iov_base = buf, .iov_len = CHAN_MAX};
	union {
		char buf[CMSG_SPACE(4 * sizeof(int)) + CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
	struct chan_hdr h;
	ssize_t r;

	*data = NULL;
	if (fd)
		*fd = -1;
	if (from)
		*from = 0;
	do
		r = fd || from ? recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) : read(sock, buf, CHAN_MAX);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -1;
	if (r == 0)
		return 0;
	/* one descriptor at most: any other is closed */
	for (struct cmsghdr *c = fd || from ? CMSG_FIRSTHDR(&msg) : NULL; c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS && from) {
			struct ucred uc;
			memcpy(&uc, CMSG_DATA(c), sizeof(uc));
			*from = uc.pid;
			continue;
		}
		brig_take_fds(c, fd);
	}
	if ((size_t)r < sizeof(h)) {
		errno = EPROTO;
		return -1;
	}
	memcpy(&h, buf, sizeof(h));
	if (h.len > (size_t)r - sizeof(h)) {
		errno = EPROTO;
		return -1;
	}
	*data = xmalloc(h.len + 1);
	memcpy(*data, buf + sizeof(h), h.len);
	(*data)[h.len] = '\0';
	return (int)h.type;
}

int send_fd_to_socket(const char *path, int fd, brig_error_t **err)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	cleanup_close int s = -1;
	static const char name[] = "/dev/ptmx";

	if (strlen(path) >= sizeof(addr.sun_path))
		return brig_err(err, 0, "--console-socket: path too long: %s", path);
	strcpy(addr.sun_path, path);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return brig_err(err, errno, "console socket");
	if (connect(s, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return brig_err(err, errno, "connect to console socket %s", path);
	if (send_with_fd(s, name, sizeof(name) - 1, fd) < 0)
		return brig_err(err, errno, "send the terminal to console socket %s", path);
	return 0;
}
