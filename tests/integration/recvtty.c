/* recvtty — test helper: receive a console master over --console-socket.
 *
 *   recvtty [-i INPUT] [-t SECONDS] SOCKET
 *
 * Listens on the AF_UNIX stream socket SOCKET (created, removed on exit),
 * accepts one connection, receives one file descriptor (SCM_RIGHTS), writes
 * INPUT (if given) to it, then copies everything read from it to stdout
 * until EOF or EIO (the slave side closed: the container exited). Gives up
 * after SECONDS (default 10) so a broken runtime cannot hang the tests.
 * Exit status: 0 when a descriptor was received, 1 otherwise.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static const char *sock_path;

static void cleanup(void)
{
	if (sock_path)
		unlink(sock_path);
}

static void on_alarm(int sig)
{
	(void)sig;
	static const char msg[] = "recvtty: timed out\n";
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
		/* nothing to do */
	}
	cleanup();
	_exit(2);
}

static int recv_fd(int conn)
{
	char data[256];
	char ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctl,
		.msg_controllen = sizeof(ctl),
	};
	ssize_t n;

	do
		n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		perror("recvtty: recvmsg");
		return -1;
	}
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int fd;
			memcpy(&fd, CMSG_DATA(c), sizeof(fd));
			return fd;
		}
	}
	fprintf(stderr, "recvtty: no file descriptor received\n");
	return -1;
}

int main(int argc, char **argv)
{
	const char *input = NULL;
	unsigned timeout = 10;
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int opt, lfd, conn, fd;
	char buf[4096];

	while ((opt = getopt(argc, argv, "i:t:")) != -1) {
		switch (opt) {
		case 'i':
			input = optarg;
			break;
		case 't':
			timeout = (unsigned)strtoul(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr, "usage: recvtty [-i INPUT] [-t SECONDS] SOCKET\n");
			return 1;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: recvtty [-i INPUT] [-t SECONDS] SOCKET\n");
		return 1;
	}
	if (strlen(argv[optind]) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "recvtty: socket path too long\n");
		return 1;
	}
	strcpy(addr.sun_path, argv[optind]);

	signal(SIGALRM, on_alarm);
	signal(SIGPIPE, SIG_IGN);
	alarm(timeout);

	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0) {
		perror("recvtty: socket");
		return 1;
	}
	unlink(addr.sun_path);
	if (bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		perror("recvtty: bind");
		return 1;
	}
	sock_path = argv[optind];
	atexit(cleanup);
	if (listen(lfd, 1) < 0) {
		perror("recvtty: listen");
		return 1;
	}
	do
		conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	while (conn < 0 && errno == EINTR);
	if (conn < 0) {
		perror("recvtty: accept");
		return 1;
	}
	fd = recv_fd(conn);
	close(conn);
	close(lfd);
	if (fd < 0)
		return 1;

	if (input) {
		size_t len = strlen(input);
		if (write(fd, input, len) != (ssize_t)len)
			perror("recvtty: write");
	}
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* EOF, or EIO once the slave is closed */
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			break;
		fflush(stdout);
	}
	close(fd);
	return 0;
}
